//! `f16` and `bf16` on every one of their 65536 inputs: each kernel, the
//! dispatcher and the reference against an independent correctly rounded
//! product (exact in `f64`, rounded to the format with integer arithmetic),
//! for the native and the PyTorch (`opmath`) semantics, forward and backward;
//! the byte API's `f64` slopes against the same rounding; and, ignored, every
//! one of the 2^32 (input, alpha) pairs.
#![cfg(feature = "half")]

mod common;

use common::{F, Runner, light, runners, same};
use leaky_relu::half::{bf16, f16};
use leaky_relu::{DType, Options, reference};

/// A half format, as the oracle sees it.
trait Half: F {
    /// Stored significand bits.
    const MAN: u32;
    /// Exponent bits.
    const EXP: u32;
}
impl Half for f16 {
    const MAN: u32 = 10;
    const EXP: u32 = 5;
}
impl Half for bf16 {
    const MAN: u32 = 7;
    const EXP: u32 = 8;
}

/// `v` rounded to `T`, to nearest, ties to even, by integer arithmetic on the
/// bits of `v` (no float conversion involved): `v = m * 2^k` with an integer
/// `m`, divided by the format's quantum at `v`'s magnitude and rounded.
fn round<T: Half>(v: f64) -> T {
    let sign = if v.is_sign_negative() { 0x8000u16 } else { 0 };
    let inf = (((1u16 << T::EXP) - 1) << T::MAN) | sign;
    if v.is_nan() {
        return T::from_bits64(u64::from(inf | (1 << (T::MAN - 1))));
    }
    let a = v.abs();
    if a == 0.0 {
        return T::from_bits64(u64::from(sign));
    }
    if a.is_infinite() {
        return T::from_bits64(u64::from(inf));
    }
    let bits = a.to_bits();
    let e = (bits >> 52) as i64;
    assert!(e > 0, "the oracle takes normal f64 values; got {v:e}");
    let m = (bits & ((1 << 52) - 1)) | (1 << 52); // a = m * 2^(e - 1075)
    let bias = (1i64 << (T::EXP - 1)) - 1;
    let emin = 1 - bias;
    // The quantum 2^q of the format at a's binade (the subnormal one below emin).
    let q = (e - 1023).max(emin) - i64::from(T::MAN);
    let shift = q - (e - 1075);
    assert!(shift > 0, "the formats are narrower than f64");
    let n = if shift > 54 {
        0 // a < 2^53 * 2^(e - 1075) <= half the quantum
    } else {
        let (n, rem, half) = (m >> shift, m & ((1 << shift) - 1), 1u64 << (shift - 1));
        n + u64::from(rem > half || (rem == half && n & 1 == 1))
    };
    // Value n * 2^q: the encoding is ((q + MAN + bias) << MAN) + n - 2^MAN, which
    // also holds for subnormals (q + MAN + bias = 1) and when rounding carried
    // into the next binade.
    let enc = ((q + i64::from(T::MAN) + bias) << T::MAN) + n as i64 - (1 << T::MAN);
    let max = i64::from(inf & 0x7fff);
    T::from_bits64(u64::from(if enc >= max { inf } else { enc as u16 | sign }))
}

/// Native: `x` where `x > 0`, else the exact product rounded once.
fn native<T: Half>(x: T, alpha: T) -> T {
    if x > T::default() {
        x
    } else {
        round(x.to_f64() * alpha.to_f64())
    }
}

/// PyTorch: `x` where `x > 0`, else `round_T(f32(x) * alpha)`, the `f32`
/// product (rounded to `f32` by the multiply) rounded to `T`.
fn opmath<T: Half>(x: T, alpha: f32) -> T {
    if x > T::default() {
        x
    } else {
        round(f64::from(x.to_f64() as f32 * alpha))
    }
}

/// All 65536 bit patterns.
fn all<T: F>() -> Vec<T> {
    (0..=u16::MAX)
        .map(|b| T::from_bits64(u64::from(b)))
        .collect()
}

fn check_all<T: F>(got: &[T], want: impl Fn(usize) -> T, ctx: &dyn Fn() -> String) {
    for (i, &g) in got.iter().enumerate() {
        let w = want(i);
        assert!(
            same(g, w),
            "{}: input {i:#06x}: got {g} ({:#06x}), want {w} ({:#06x})",
            ctx(),
            g.bits(),
            w.bits()
        );
    }
}

/// The alphas of the sweeps, plus the slopes engines use.
fn half_alphas<T: F>() -> Vec<T> {
    let mut v = common::alphas::<T>();
    v.extend([0.1, 0.02, 0.3, 0.5, 2.0, 5.5].map(T::from_f64));
    v
}

/// The runners, without the byte forms (tested below with their own slope).
fn slice_runners() -> Vec<Runner> {
    runners().into_iter().filter(|r| !r.bytes).collect()
}

/// Every kernel forward and backward (in place and out of place), on all
/// inputs, against the oracle; the reference too.
fn native_all<T: Half>() {
    let xs = all::<T>();
    // The backward's gradients: every pattern again, rotated, so each input
    // meets another gradient.
    let gs: Vec<T> = xs
        .iter()
        .cycle()
        .skip(12345)
        .take(xs.len())
        .copied()
        .collect();
    let alphas = half_alphas::<T>();
    let alphas = if light() { &alphas[..6] } else { &alphas[..] };
    for &alpha in alphas {
        let ctx = |what: &str| format!("{} {what} alpha {alpha} ({:#06x})", T::NAME, alpha.bits());
        let mut want = xs.clone();
        reference::forward(&mut want, alpha);
        check_all(&want, |i| native(xs[i], alpha), &|| {
            ctx("reference forward")
        });
        for r in slice_runners() {
            let mut y = xs.clone();
            r.opts.forward(&mut y, alpha);
            check_all(&y, |i| native(xs[i], alpha), &|| {
                ctx(&format!("{} forward", r.name))
            });
            let mut dx = vec![T::default(); xs.len()];
            r.opts.backward_into(&mut dx, &gs, &xs, alpha).unwrap();
            let g_want = |i: usize| {
                if xs[i] > T::default() {
                    gs[i]
                } else {
                    round(gs[i].to_f64() * alpha.to_f64())
                }
            };
            check_all(&dx, g_want, &|| ctx(&format!("{} backward_into", r.name)));
            let mut g = gs.clone();
            r.opts.backward(&mut g, &xs, alpha).unwrap();
            check_all(&g, g_want, &|| ctx(&format!("{} backward", r.name)));
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "65536 inputs: natively and under qemu only")]
fn every_f16_input_native() {
    native_all::<f16>();
}

#[test]
#[cfg_attr(miri, ignore = "65536 inputs: natively and under qemu only")]
fn every_bf16_input_native() {
    native_all::<bf16>();
}

/// PyTorch's semantics (`opmath`): every kernel, `f32` slopes that are not
/// halves (0.01 among them), all ten operations (and the byte forms through the
/// dispatcher) against the oracle, on all 65536 inputs and on short slices
/// (at most 16 elements: the inlined path).
fn opmath_all<T: Half + leaky_relu::Element<Opmath = f32>>() {
    let all_x = all::<T>();
    let all_g: Vec<T> = all_x.iter().rev().copied().collect();
    let alphas = [
        0.01f32,
        0.2,
        -0.3,
        1.0 / 3.0,
        3.7,
        0.0,
        -0.0,
        1.0,
        f32::INFINITY,
        f32::NAN,
        // Payloads in the low half: 0x7fffffff rounds to -0.0 in bf16 if a
        // kernel lets it through unchanged.
        f32::from_bits(0x7fff_ffff),
        f32::from_bits(0xff80_0001),
    ];
    let mut rng = common::Rng(0x0b);
    let mut cases: Vec<(Vec<T>, Vec<T>)> = vec![(all_x.clone(), all_g)];
    for n in [1, 3, 8, 16] {
        cases.push((common::values(&mut rng, n), common::values(&mut rng, n)));
    }
    for (xs, gs) in &cases {
        let n = xs.len();
        for alpha in alphas {
            let fwd = |i: usize| opmath(xs[i], alpha);
            let bwd = |i: usize| {
                if xs[i] > T::default() {
                    gs[i]
                } else {
                    round(f64::from(gs[i].to_f64() as f32 * alpha))
                }
            };
            let mut mask = vec![0u8; leaky_relu::mask_len(n)];
            for r in runners() {
                let o = r.opts.opmath();
                let ctx = |what: &str| {
                    format!("{} {} opmath {what} n {n} alpha {alpha}", r.name, T::NAME)
                };
                let (mut y, mut d) = (xs.clone(), vec![T::default(); n]);
                if r.bytes {
                    let b = |v: &mut Vec<T>| bytemuck::cast_slice_mut::<T, u8>(v).to_vec();
                    let mut raw = b(&mut y);
                    o.forward_bytes(&mut raw, T::DTYPE, f64::from(alpha))
                        .unwrap();
                    check_all(bytemuck::cast_slice(&raw), fwd, &|| ctx("forward_bytes"));
                    let mut raw = b(&mut gs.clone());
                    let x_raw = b(&mut xs.clone());
                    o.backward_bytes(&mut raw, &x_raw, T::DTYPE, f64::from(alpha))
                        .unwrap();
                    check_all(bytemuck::cast_slice(&raw), bwd, &|| ctx("backward_bytes"));
                    continue;
                }
                o.forward(&mut y, alpha);
                check_all(&y, fwd, &|| ctx("forward"));
                o.forward_into(&mut d, xs, alpha).unwrap();
                check_all(&d, fwd, &|| ctx("forward_into"));
                d.copy_from_slice(xs);
                o.forward_with_mask(&mut d, alpha, &mut mask).unwrap();
                check_all(&d, fwd, &|| ctx("forward_with_mask"));
                o.forward_with_mask_into(&mut d, xs, alpha, &mut mask)
                    .unwrap();
                check_all(&d, fwd, &|| ctx("forward_with_mask_into"));
                let mut g = gs.clone();
                o.backward(&mut g, xs, alpha).unwrap();
                check_all(&g, bwd, &|| ctx("backward"));
                o.backward_into(&mut d, gs, xs, alpha).unwrap();
                check_all(&d, bwd, &|| ctx("backward_into"));
                g.copy_from_slice(gs);
                o.backward_from_mask(&mut g, &mask, alpha).unwrap();
                check_all(&g, bwd, &|| ctx("backward_from_mask"));
                o.backward_from_mask_into(&mut d, gs, &mask, alpha).unwrap();
                check_all(&d, bwd, &|| ctx("backward_from_mask_into"));
                g.copy_from_slice(gs);
                let r1 = o.backward_from_output(&mut g, &y, alpha);
                let r2 = o.backward_from_output_into(&mut d, gs, &y, alpha);
                if alpha >= 0.0 {
                    r1.unwrap();
                    r2.unwrap();
                    check_all(&g, bwd, &|| ctx("backward_from_output"));
                    check_all(&d, bwd, &|| ctx("backward_from_output_into"));
                } else {
                    assert!(r1.is_err() && r2.is_err(), "{}", ctx("refuses the slope"));
                    check_all(&g, |i| gs[i], &|| ctx("untouched on error"));
                }
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "65536 inputs: natively and under qemu only")]
fn every_f16_input_opmath() {
    opmath_all::<f16>();
}

#[test]
#[cfg_attr(miri, ignore = "65536 inputs: natively and under qemu only")]
fn every_bf16_input_opmath() {
    opmath_all::<bf16>();
}

/// The count: at alpha = 0.01, PyTorch's result differs from the
/// native one for about a quarter of the negative `f16` inputs (so the two
/// really are different functions, and the tests above tell them apart).
#[test]
#[cfg_attr(miri, ignore = "65536 inputs: natively and under qemu only")]
fn opmath_differs_from_native_for_a_quarter_of_negative_f16() {
    let xs = all::<f16>();
    let (mut a, mut b) = (xs.clone(), xs.clone());
    leaky_relu::forward(&mut a, f16::from_f32(0.01));
    leaky_relu::opmath::forward(&mut b, 0.01f32);
    let negative: Vec<usize> = (0..xs.len())
        .filter(|&i| xs[i].to_f32() < 0.0 && xs[i].is_finite())
        .collect();
    let differ = negative.iter().filter(|&&i| !same(a[i], b[i])).count();
    let share = differ as f64 / negative.len() as f64;
    assert!(
        (0.15..0.35).contains(&share),
        "{differ} of {} differ",
        negative.len()
    );
}

/// The byte API's `f64` slope is rounded once to the dtype: the slope is read
/// back through `-1 * alpha` (exact) and compared with the oracle's rounding,
/// for values where rounding through `f32` first would give other bits.
fn byte_slope<T: Half>(dtype: DType) {
    let ulp_f32 = |v: f64| v.abs() * f64::from(f32::EPSILON);
    let mut slopes = vec![
        1.0 + 3.0 * 2f64.powi(-11) - 2f64.powi(-40), // the value
        1.0 + 2f64.powi(-11),
        1.0 + 2f64.powi(-8) + 2f64.powi(-30),
        0.01,
        1e-8,
        -1e-8,
        6e-8,
        1e-40,
        65519.99,
        65520.0,
        3.4e38,
        -3.4e38,
        1e300,
        f64::INFINITY,
        f64::NAN,
        -0.0,
        2f64.powi(-134),
        2f64.powi(-134) + 2f64.powi(-160),
    ];
    let mut rng = common::Rng(7);
    for _ in 0..20_000 {
        // Halfway points of T, nudged by less than an f32 ulp: the double-rounding traps.
        let h = T::random_bits(rng.next()).to_f64();
        if h.is_finite() && h != 0.0 {
            let up = T::from_bits64(T::from_f64(h).bits() + 1).to_f64();
            if up.is_finite() {
                let mid = (h + up) / 2.0;
                let nudge = ulp_f32(mid) / 4.0 * (rng.next() % 3) as f64;
                slopes.push(mid + nudge);
                slopes.push(mid - nudge);
            }
        }
    }
    for alpha in slopes {
        let mut x = [T::from_f64(-1.0)];
        Options::new()
            .forward_bytes(bytemuck::cast_slice_mut(&mut x), dtype, alpha)
            .unwrap();
        let want = round::<T>(-alpha);
        assert!(
            same(x[0], want),
            "{} slope {alpha:e}: got {:#06x}, want {:#06x}",
            T::NAME,
            x[0].bits(),
            want.bits()
        );
    }
}

#[test]
#[cfg_attr(miri, ignore = "65536 inputs: natively and under qemu only")]
fn byte_api_rounds_f64_slopes_once() {
    byte_slope::<f16>(DType::F16);
    byte_slope::<bf16>(DType::BF16);
}

/// Short, misaligned slices of each length class (shorter than a vector, one,
/// a few, a mask word and a tail, and `bf16`'s two-to-a-lane steps) through
/// each kernel's loads and stores, in place and out of place, masks included: the run `.ci/hardening` gives Miri
/// (the sweeps of `tests/kernels.rs` cost Miri four minutes per half type).
fn lengths_and_offsets<T: Half>() {
    let mut rng = common::Rng(0x4a1f);
    for r in slice_runners() {
        // 161: `avx2`'s `bf16` pairs (16 lanes) through 64-element steps, single
        // vectors and a tail; `avx512`'s (32 lanes) one 128-element step. Only
        // `bf16` runs two to a lane, so Miri (the slow run) skips it for `f16`.
        let long = T::NAME == "bf16" || !cfg!(miri);
        for len in [1, 7, 8, 9, 17, 33, 65, 161] {
            if len == 161 && !long {
                continue;
            }
            for off in [0, 1] {
                let store = common::values::<T>(&mut rng, off + len);
                let x = &store[off..];
                let g = common::values::<T>(&mut rng, len);
                for alpha in [0.2, 1.3, 0.0, -0.25].map(T::from_f64) {
                    let ctx =
                        || format!("{} {} len {len} off {off} alpha {alpha}", r.name, T::NAME);
                    let mut want = x.to_vec();
                    reference::forward(&mut want, alpha);
                    let mut y = store.clone();
                    r.opts.forward(&mut y[off..], alpha);
                    check_all(&y[off..], |i| want[i], &ctx);
                    let mut z = vec![T::default(); len];
                    r.opts.forward_into(&mut z, x, alpha).unwrap();
                    check_all(&z, |i| want[i], &ctx);
                    let mut mask = vec![0u8; leaky_relu::mask_len(len)];
                    let mut z = vec![T::default(); len];
                    r.opts
                        .forward_with_mask_into(&mut z, x, alpha, &mut mask)
                        .unwrap();
                    check_all(&z, |i| want[i], &ctx);
                    let mut gw = g.clone();
                    reference::backward(&mut gw, x, alpha).unwrap();
                    let mut dx = vec![T::default(); len];
                    r.opts.backward_into(&mut dx, &g, x, alpha).unwrap();
                    check_all(&dx, |i| gw[i], &ctx);
                    let mut gi = g.clone();
                    r.opts.backward(&mut gi, x, alpha).unwrap();
                    check_all(&gi, |i| gw[i], &ctx);
                    let mut gm = g.clone();
                    r.opts.backward_from_mask(&mut gm, &mask, alpha).unwrap();
                    check_all(&gm, |i| gw[i], &ctx);
                }
            }
        }
    }
}

#[test]
fn short_and_misaligned_f16() {
    lengths_and_offsets::<f16>();
}

/// Separate from `f16`: Miri cannot execute F16C (`vcvtps2ph`), so its run of
/// the `avx2` kernel takes `bf16` only.
#[test]
fn short_and_misaligned_bf16() {
    lengths_and_offsets::<bf16>();
}

/// All 2^32 (input, alpha) pairs, every kernel, forward, against the oracle.
/// Ignored (minutes): `cargo test --release --test half -- --ignored`.
fn every_pair<T: Half>() {
    let xs = all::<T>();
    let runners = slice_runners();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        for w in 0..workers {
            let (xs, runners) = (&xs, &runners);
            s.spawn(move || {
                let mut want = vec![T::default(); xs.len()];
                let mut y = vec![T::default(); xs.len()];
                for a in (w..=usize::from(u16::MAX)).step_by(workers) {
                    let alpha = T::from_bits64(a as u64);
                    for (w, &x) in want.iter_mut().zip(xs) {
                        *w = native(x, alpha);
                    }
                    for r in runners {
                        y.copy_from_slice(xs);
                        r.opts.forward(&mut y, alpha);
                        check_all(&y, |i| want[i], &|| {
                            format!("{} {} alpha {a:#06x}", r.name, T::NAME)
                        });
                    }
                }
            });
        }
    });
}

#[test]
#[ignore = "all 2^32 pairs: minutes; cargo test --release --test half -- --ignored"]
fn every_f16_pair() {
    every_pair::<f16>();
}

#[test]
#[ignore = "all 2^32 pairs: minutes; cargo test --release --test half -- --ignored"]
fn every_bf16_pair() {
    every_pair::<bf16>();
}

/// A half slope in an error message reads back as the same half, for every
/// finite value, and is no longer than `half`'s own rendering (which prints the
/// widened `f32`: `-0.099975586` for the `f16` nearest to `-0.1`).
fn scalar_display<T: Half>(wrap: fn(T) -> leaky_relu::Scalar) {
    for x in all::<T>().into_iter().filter(|x| x.to_f64().is_finite()) {
        let shown = wrap(x).to_string();
        let back: f64 = shown.parse().unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert!(
            same(round::<T>(back), x),
            "{} {:#06x} shown as {shown}",
            T::NAME,
            x.bits()
        );
        assert!(shown.len() <= format!("{x}").len().max(3), "{shown} vs {x}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "65536 inputs: natively and under qemu only")]
fn slopes_display_in_their_own_type() {
    scalar_display::<f16>(leaky_relu::Scalar::F16);
    scalar_display::<bf16>(leaky_relu::Scalar::BF16);
    assert_eq!(
        leaky_relu::Scalar::F16(f16::from_f32(-0.1)).to_string(),
        "-0.1"
    );
}
