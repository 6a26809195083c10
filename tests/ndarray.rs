//! The `ndarray` feature against the scalar reference, bit for bit: every
//! operation on contiguous (standard, Fortran), reversed, transposed and
//! stepped arrays, in every combination of layouts for the operands, with
//! special values and awkward alphas; views leave what they do not cover
//! untouched; a shape mismatch is refused with nothing written.
#![cfg(feature = "ndarray")]

mod common;

use common::*;
use leaky_relu::{Error, Operand, reference};
use ndarray::{Array2, ArrayD, Axis, IxDyn, ShapeBuilder, s};

const ROWS: usize = 7;
const COLS: usize = 11;
const LAYOUTS: [&str; 6] = [
    "standard",
    "fortran",
    "rows reversed",
    "transposed (reversed axes)",
    "stepped",
    "stepped and reversed",
];

/// A `ROWS x COLS` array holding `logical` (row-major) in layout `k`.
fn layout<T: F>(k: usize, logical: &[T]) -> Array2<T> {
    let at = |i: usize, j: usize| logical[i * COLS + j];
    let garbage = T::from_f64(-777.0);
    match k {
        0 => Array2::from_shape_fn((ROWS, COLS), |(i, j)| at(i, j)),
        1 => Array2::from_shape_fn((ROWS, COLS).f(), |(i, j)| at(i, j)),
        2 => {
            let mut a = Array2::from_shape_fn((ROWS, COLS), |(i, j)| at(ROWS - 1 - i, j));
            a.invert_axis(Axis(0));
            a
        }
        3 => Array2::from_shape_fn((COLS, ROWS), |(j, i)| at(i, j)).reversed_axes(),
        4 | 5 => {
            let mut big = Array2::from_elem((2 * ROWS, 3 * COLS), garbage);
            for i in 0..ROWS {
                for j in 0..COLS {
                    let r = if k == 4 {
                        2 * i
                    } else {
                        2 * (ROWS - 1 - i) + 1
                    };
                    big[[r, 3 * j + 1]] = at(i, j);
                }
            }
            if k == 4 {
                big.slice_collapse(s![..;2, 1..;3]);
            } else {
                big.slice_collapse(s![..;-2, 1..;3]);
            }
            big
        }
        _ => unreachable!(),
    }
}

fn logical<T: F>(a: &Array2<T>) -> Vec<T> {
    a.iter().copied().collect()
}

// The layout index picks the layout and its name.
#[allow(clippy::needless_range_loop)]
fn run<T: F>() {
    let mut rng = Rng(0xa77a ^ T::NAME.len() as u64);
    let n = ROWS * COLS;
    let mut alphas = vec![T::from_f64(0.1), T::from_f64(-0.5), T::from_f64(1.0)];
    alphas.extend([T::from_f64(2.5), T::from_f64(0.0), T::from_f64(f64::NAN)]);
    // Specials first, so every layout sees them.
    let mut x: Vec<T> = T::specials();
    x.extend(values::<T>(&mut rng, n));
    x.truncate(n);
    let g = values::<T>(&mut rng, n);
    for &alpha in &alphas {
        let mut fwd = x.clone();
        reference::forward(&mut fwd, alpha);
        let mut bwd = g.clone();
        reference::backward(&mut bwd, &x, alpha).unwrap();
        let mut from_y = g.clone();
        let ok_slope = alpha >= T::default();
        if ok_slope {
            reference::backward(&mut from_y, &fwd, alpha).unwrap();
        }
        for kd in 0..LAYOUTS.len() {
            let ctx = |what: &str, ks: usize| {
                format!(
                    "{} {what}: dst {}, other {}, alpha {alpha}",
                    T::NAME,
                    LAYOUTS[kd],
                    LAYOUTS[ks]
                )
            };
            let mut a = layout(kd, &x);
            leaky_relu::ndarray::forward(&mut a, alpha);
            assert_same(&logical(&a), &fwd, &|| ctx("forward", kd));
            for ks in 0..LAYOUTS.len() {
                let mut d = layout(kd, &g);
                leaky_relu::ndarray::forward_into(&mut d, &layout(ks, &x), alpha).unwrap();
                assert_same(&logical(&d), &fwd, &|| ctx("forward_into", ks));

                let mut d = layout(kd, &g);
                leaky_relu::ndarray::backward(&mut d, &layout(ks, &x), alpha).unwrap();
                assert_same(&logical(&d), &bwd, &|| ctx("backward", ks));

                let mut d = layout(kd, &g);
                let r = leaky_relu::ndarray::backward_from_output(&mut d, &layout(ks, &fwd), alpha);
                check_from_output(r, ok_slope, &logical(&d), &g, &from_y, &|| {
                    ctx("backward_from_output", ks)
                });
                for kx in [0, 3, 4, ks] {
                    let mut d = layout(kd, &x);
                    leaky_relu::ndarray::backward_into(
                        &mut d,
                        &layout(ks, &g),
                        &layout(kx, &x),
                        alpha,
                    )
                    .unwrap();
                    assert_same(&logical(&d), &bwd, &|| ctx("backward_into", ks));

                    let mut d = layout(kd, &x);
                    let r = leaky_relu::ndarray::backward_from_output_into(
                        &mut d,
                        &layout(ks, &g),
                        &layout(kx, &fwd),
                        alpha,
                    );
                    check_from_output(r, ok_slope, &logical(&d), &x, &from_y, &|| {
                        ctx("backward_from_output_into", ks)
                    });
                }
            }
        }
    }
}

/// A from-output result: the gradient for a valid slope; for a negative or NaN
/// one, `InvalidSlope` and the destination as it was (`before`).
fn check_from_output<T: F>(
    r: Result<(), Error>,
    ok_slope: bool,
    got: &[T],
    before: &[T],
    want: &[T],
    ctx: &dyn Fn() -> String,
) {
    if ok_slope {
        r.unwrap();
        assert_same(got, want, ctx);
    } else {
        assert!(matches!(r, Err(Error::InvalidSlope { .. })), "{}", ctx());
        assert_same(got, before, ctx);
    }
}

#[test]
fn every_layout_against_the_reference_f32() {
    run::<f32>();
}

#[test]
fn every_layout_against_the_reference_f64() {
    run::<f64>();
}

/// A strided view writes only its own elements; other dimensions work too.
#[test]
fn views_write_only_their_elements() {
    let mut rng = Rng(5);
    let vals = values::<f32>(&mut rng, 4 * 6 * 5);
    let base = ArrayD::from_shape_vec(IxDyn(&[4, 6, 5]), vals).unwrap();
    let mut a = base.clone();
    // A 3-D view: axes permuted, one stepped, one reversed.
    let mut v = a.slice_mut(s![.., 1..;2, ..;-1]);
    v.swap_axes(0, 2);
    let mut want: Vec<f32> = v.iter().copied().collect();
    leaky_relu::ndarray::forward(&mut v, 0.25);
    reference::forward(&mut want, 0.25);
    assert_same(&v.iter().copied().collect::<Vec<_>>(), &want, &|| {
        "3-D view".into()
    });
    for ((idx, &now), &was) in a.indexed_iter().zip(base.iter()) {
        if idx[1] % 2 == 0 {
            assert_eq!(now.to_bits(), was.to_bits(), "outside the view at {idx:?}");
        }
    }
    // One dimension, reversed; zero dimensions; empty.
    let mut r = ndarray::Array1::from(vec![-2.0f64, 3.0, -4.0]);
    r.invert_axis(Axis(0));
    leaky_relu::ndarray::forward(&mut r, 0.5);
    assert_eq!(r.to_vec(), [-2.0, 3.0, -1.0]);
    let mut z = ndarray::arr0(-8.0f32);
    leaky_relu::ndarray::forward(&mut z, 0.5);
    assert_eq!(z[()], -4.0);
    let mut e = Array2::<f32>::zeros((0, 3));
    leaky_relu::ndarray::forward_into(&mut e, &Array2::zeros((0, 3)), 0.5).unwrap();
}

#[test]
fn shape_mismatch_is_refused_untouched() {
    let mut d = Array2::from_elem((2, 3), -1.0f32);
    let wrong = Array2::from_elem((3, 2), -1.0f32);
    let right = Array2::from_elem((2, 3), -1.0f32);
    let mismatch = |operand, written| Err(Error::ShapeMismatch { operand, written });
    assert_eq!(
        leaky_relu::ndarray::forward_into(&mut d, &wrong, 0.5),
        mismatch(Operand::Src, Operand::Dst)
    );
    assert_eq!(
        leaky_relu::ndarray::backward(&mut d, &wrong, 0.5),
        mismatch(Operand::Input, Operand::Grad)
    );
    assert_eq!(
        leaky_relu::ndarray::backward_from_output(&mut d, &wrong, 0.5),
        mismatch(Operand::Output, Operand::Grad)
    );
    assert_eq!(
        leaky_relu::ndarray::backward_into(&mut d, &wrong, &right, 0.5),
        mismatch(Operand::Grad, Operand::Dst)
    );
    assert_eq!(
        leaky_relu::ndarray::backward_into(&mut d, &right, &wrong, 0.5),
        mismatch(Operand::Input, Operand::Dst)
    );
    assert_eq!(
        leaky_relu::ndarray::backward_from_output_into(&mut d, &right, &wrong, 0.5),
        mismatch(Operand::Output, Operand::Dst)
    );
    // The slope is checked first.
    assert!(matches!(
        leaky_relu::ndarray::backward_from_output_into(&mut d, &wrong, &wrong, -0.5),
        Err(Error::InvalidSlope { .. })
    ));
    assert!(d.iter().all(|v| v.to_bits() == (-1.0f32).to_bits()));
    let msg = leaky_relu::ndarray::backward(&mut d, &wrong, 0.5)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("input") && msg.contains("grad"), "{msg}");
}
