//! The `ndarray` feature: every non-mask operation on arrays and views of any
//! dimension and layout, at slice speed when the operands share a contiguous
//! layout, element by element (the reference formula) otherwise.

use crate::{Element, Error, Operand};
use ::ndarray::{ArrayRef, Dimension, Zip};

/// `Ok` unless `other`'s shape differs from `written`'s.
fn check_shape<A, B, D: Dimension>(
    written: (&ArrayRef<A, D>, Operand),
    other: (&ArrayRef<B, D>, Operand),
) -> Result<(), Error> {
    if written.0.shape() == other.0.shape() {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            operand: other.1,
            written: written.1,
        })
    }
}

/// Equal strides on every axis longer than 1 (the shapes are equal): an axis
/// of length 1 adds nothing to any element's offset, whatever its stride (as
/// after `insert_axis`, or in a `(1, n)` Fortran array).
fn same_strides<A, B, D: Dimension>(a: &ArrayRef<A, D>, b: &ArrayRef<B, D>) -> bool {
    let strides = a.strides().iter().zip(b.strides());
    !a.shape()
        .iter()
        .zip(strides)
        .any(|(&n, (x, y))| n > 1 && x != y)
}

/// Both arrays' memory as slices, if each is contiguous and [`same_strides`]
/// holds (so the `i`-th elements of the slices are the same logical element).
fn same_layout<'a, 'b, A, D: Dimension>(
    dst: &'a mut ArrayRef<A, D>,
    src: &'b ArrayRef<A, D>,
) -> Option<(&'a mut [A], &'b [A])> {
    if !same_strides(dst, src) {
        return None;
    }
    let s = src.as_slice_memory_order()?;
    Some((dst.as_slice_memory_order_mut()?, s))
}

/// In-place [`forward`](crate::forward) on an array of any layout.
///
/// ```
/// use ndarray::{array, s};
/// let mut a = array![[1.0f32, -2.0], [-4.0, 8.0]];
/// leaky_relu::ndarray::forward(&mut a.view_mut().reversed_axes(), 0.5); // transposed: contiguous
/// leaky_relu::ndarray::forward(&mut a.slice_mut(s![.., 1]), 0.5); // strided column
/// assert_eq!(a, array![[1.0, -0.5], [-2.0, 8.0]]);
/// let mut b = array![1.0f32, -2.0];
/// leaky_relu::ndarray::forward(&mut b, 0.5); // an owned array: `&mut b`
/// assert_eq!(b, array![1.0, -1.0]);
/// ```
pub fn forward<A: Element, D: Dimension>(a: &mut ArrayRef<A, D>, alpha: A) {
    match a.as_slice_memory_order_mut() {
        Some(s) => crate::forward(s, alpha),
        None => a.map_inplace(|x| *x = if *x > A::default() { *x } else { alpha * *x }),
    }
}

/// Out-of-place [`forward_into`](crate::forward_into): `dst` and `src` of the
/// same shape, any layouts.
///
/// # Errors
/// [`Error::ShapeMismatch`] (naming [`Operand::Src`]); `dst` is then untouched.
pub fn forward_into<A: Element, D: Dimension>(
    dst: &mut ArrayRef<A, D>,
    src: &ArrayRef<A, D>,
    alpha: A,
) -> Result<(), Error> {
    check_shape((dst, Operand::Dst), (src, Operand::Src))?;
    if let Some((d, s)) = same_layout(dst, src) {
        return crate::forward_into(d, s, alpha);
    }
    dst.assign(src);
    forward(dst, alpha);
    Ok(())
}

/// The four backwards, each one call of its helper: `backward_by` in place,
/// `backward_into_by` out of place, given the deciding array and its
/// [`Operand`] (`Output` marks the from-output forms, which check the slope).
macro_rules! backwards {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($dst:ident $(, $src:ident)?; $by:ident: $op:ident) => $helper:ident($slice:path);
    )*) => {$(
        $(#[$doc])*
        pub fn $name<A: Element, D: Dimension>(
            $dst: &mut ArrayRef<A, D>,
            $($src: &ArrayRef<A, D>,)?
            $by: &ArrayRef<A, D>,
            alpha: A,
        ) -> Result<(), Error> {
            $helper($dst, $($src,)? ($by, Operand::$op), alpha, $slice)
        }
    )*};
}

backwards! {
    /// In-place [`backward`](crate::backward): `grad` and `input` of the same
    /// shape, any layouts.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] (naming [`Operand::Input`]); `grad` is then untouched.
    fn backward(grad; input: Input) => backward_by(crate::backward);

    /// In-place [`backward_from_output`](crate::backward_from_output): valid only
    /// for `alpha >= 0`.
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] (checked first) or [`Error::ShapeMismatch`]; `grad`
    /// is then untouched.
    fn backward_from_output(grad; output: Output) => backward_by(crate::backward_from_output);

    /// Out-of-place [`backward_into`](crate::backward_into).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] (naming [`Operand::Grad`] for `dy`, or
    /// [`Operand::Input`]); `dx` is then untouched.
    fn backward_into(dx, dy; input: Input) => backward_into_by(crate::backward_into);

    /// Out-of-place [`backward_from_output_into`](crate::backward_from_output_into):
    /// valid only for `alpha >= 0`.
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] (checked first) or [`Error::ShapeMismatch`]; `dx` is
    /// then untouched.
    fn backward_from_output_into(dx, dy; output: Output) => backward_into_by(crate::backward_from_output_into);
}

/// `backward_from_output`'s slope check, for the forms decided by the output.
fn check_slope_for<A: Element>(operand: Operand, alpha: A) -> Result<(), Error> {
    match operand {
        Operand::Output => crate::api::check_slope(alpha),
        _ => Ok(()),
    }
}

/// The out-of-place backwards: the slope (from-output forms), then shapes
/// (`dy`, then the deciding array),
/// then the slice operation `fast` when all three share a contiguous layout,
/// else a copy of `dy` and the in-place backward, element by element.
fn backward_into_by<A: Element, D: Dimension>(
    dx: &mut ArrayRef<A, D>,
    dy: &ArrayRef<A, D>,
    (decide_by, operand): (&ArrayRef<A, D>, Operand),
    alpha: A,
    fast: impl FnOnce(&mut [A], &[A], &[A], A) -> Result<(), Error>,
) -> Result<(), Error> {
    check_slope_for(operand, alpha)?;
    check_shape((dx, Operand::Dst), (dy, Operand::Grad))?;
    check_shape((dx, Operand::Dst), (decide_by, operand))?;
    if let Some((d, g)) = same_layout(dx, dy)
        && let Some(x) = decide_by
            .as_slice_memory_order()
            .filter(|_| same_strides(decide_by, dy))
    {
        return fast(d, g, x, alpha);
    }
    dx.assign(dy);
    // `backward` decides by whichever array it is given, so it is also the
    // from-output form (whose slope the caller checked).
    decide(dx, decide_by, alpha, crate::backward)
}

/// The in-place backwards: the slope checked first for the from-output form
/// (the one decided by [`Operand::Output`]), the deciding array's shape
/// against `grad`'s, then [`decide`].
fn backward_by<A: Element, D: Dimension>(
    grad: &mut ArrayRef<A, D>,
    (decide_by, operand): (&ArrayRef<A, D>, Operand),
    alpha: A,
    fast: impl FnOnce(&mut [A], &[A], A) -> Result<(), Error>,
) -> Result<(), Error> {
    check_slope_for(operand, alpha)?;
    check_shape((grad, Operand::Grad), (decide_by, operand))?;
    decide(grad, decide_by, alpha, fast)
}

/// `grad` scaled by `alpha` where `decide <= 0` (or NaN): through the slice
/// operation `fast` when the layouts match, else element by element.
fn decide<A: Element, D: Dimension>(
    grad: &mut ArrayRef<A, D>,
    decide: &ArrayRef<A, D>,
    alpha: A,
    fast: impl FnOnce(&mut [A], &[A], A) -> Result<(), Error>,
) -> Result<(), Error> {
    if let Some((g, x)) = same_layout(grad, decide) {
        return fast(g, x, alpha);
    }
    Zip::from(grad).and(decide).for_each(|g, &x| {
        *g = if x > A::default() { *g } else { *g * alpha };
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::ndarray::{Array1, Array2, Array3, Axis, ShapeBuilder, s};

    /// The slice path is taken for operands of one contiguous layout, and
    /// refused for mixed, stepped and broadcast ones.
    #[test]
    fn same_layout_pairs_what_it_should() {
        let (r, c) = (4, 6);
        let std_ = || Array2::<f32>::zeros((r, c));
        let fortran = || Array2::<f32>::zeros((r, c).f());
        let mut a = std_();
        assert!(same_layout(&mut a, &std_()).is_some(), "standard");
        let mut a = fortran();
        assert!(same_layout(&mut a, &fortran()).is_some(), "Fortran");
        let (mut a, mut b) = (std_(), std_());
        a.invert_axis(Axis(0));
        b.invert_axis(Axis(0));
        assert!(same_layout(&mut a, &b).is_some(), "both reversed");
        let mut a = std_();
        assert!(same_layout(&mut a, &fortran()).is_none(), "mixed orders");
        let mut t = Array2::<f32>::zeros((c, r));
        let mut tv = t.view_mut().reversed_axes();
        assert!(
            same_layout(&mut tv, &fortran()).is_some(),
            "transposed = Fortran"
        );
        // Length-1 axes: any stride.
        let row = Array1::<f32>::zeros(c).insert_axis(Axis(0));
        let mut a = Array2::<f32>::zeros((1, c));
        assert!(same_layout(&mut a, &row).is_some(), "insert_axis");
        let mut a = Array3::<f32>::zeros((1, 1, 5));
        assert!(
            same_layout(&mut a, &Array3::zeros((1, 1, 5).f())).is_some(),
            "(1,1,5)"
        );
        // Stepped and broadcast views never.
        let big = Array2::<f32>::zeros((r, 2 * c));
        let mut a = std_();
        assert!(
            same_layout(&mut a, &big.slice(s![.., ..;2])).is_none(),
            "stepped"
        );
        let one = Array1::<f32>::zeros(c);
        let bc = one.broadcast((r, c)).unwrap();
        assert!(same_layout(&mut a, &bc).is_none(), "broadcast");
    }
}
