//! The `portable` kernel: safe code on `wide` vectors, compiled for the target's
//! baseline (SSE2 on x86_64, NEON on aarch64, scalar arrays elsewhere).
//!
//! `wide` picks its instructions at compile time, so this kernel never uses more
//! than the target guarantees; it is what x86 CPUs without AVX2 run.
//!
//! Loop shape, shared with the other SIMD kernels: when the slice holds at least
//! one vector, the *last* vector is computed first from the original values; the
//! body then runs over whole vectors (unrolled), and finally the precomputed last
//! vector is stored. Lanes it overlaps were already written with identical
//! values, so no element is ever read after being overwritten and nothing outside
//! the slice is touched. Slices shorter than one vector use the reference.

use crate::formula::Forward;
use crate::reference;
use wide::{f32x8, f64x4};

/// Vectors per unrolled step.
const UNROLL: usize = 2;

macro_rules! portable_kernels {
    ($fwd:ident, $bwd:ident, $t:ty, $v:ident, $w:literal) => {
        /// Forward over `buf` with formulation `f`.
        pub(crate) fn $fwd(buf: &mut [$t], alpha: $t, f: Forward) {
            let a = $v::splat(alpha);
            let zero = $v::splat(0.0);
            match f {
                Forward::Identity => {}
                Forward::Max => inplace!(buf, alpha, $t, $v, $w, |x| x.fast_max(x * a)),
                Forward::Min => inplace!(buf, alpha, $t, $v, $w, |x| x.fast_min(x * a)),
                Forward::SignSelect => {
                    inplace!(buf, alpha, $t, $v, $w, |x| x
                        .is_sign_negative()
                        .select(x * a, x))
                }
                Forward::CmpSelect => {
                    inplace!(buf, alpha, $t, $v, $w, |x| x.simd_gt(zero).select(x, x * a))
                }
            }
        }

        /// Backward: `grad[i] = decide[i] > 0 ? grad[i] : grad[i] * alpha`.
        /// `grad.len() == decide.len()` (extra elements of either are ignored).
        pub(crate) fn $bwd(grad: &mut [$t], decide: &[$t], alpha: $t) {
            let n = grad.len().min(decide.len());
            let (grad, decide) = (&mut grad[..n], &decide[..n]);
            if n < $w {
                reference::backward_short(grad, decide, alpha);
                return;
            }
            let a = $v::splat(alpha);
            let zero = $v::splat(0.0);
            let op = |g: $v, x: $v| x.simd_gt(zero).select(g, g * a);
            let last = op(
                load::<$t, $v, $w>(&grad[n - $w..]),
                load::<$t, $v, $w>(&decide[n - $w..]),
            );
            for (gc, xc) in grad.chunks_exact_mut($w).zip(decide.chunks_exact($w)) {
                let r = op(load::<$t, $v, $w>(gc), load::<$t, $v, $w>(xc));
                gc.copy_from_slice(&r.to_array());
            }
            grad[n - $w..].copy_from_slice(&last.to_array());
        }
    };
}

/// Loads the first `W` elements of `s` (callers pass slices of length >= W).
#[inline(always)]
fn load<T: Copy + Default, V: From<[T; W]>, const W: usize>(s: &[T]) -> V {
    let mut arr = [T::default(); W];
    arr.copy_from_slice(&s[..W]);
    V::from(arr)
}

macro_rules! inplace {
    ($buf:ident, $alpha:ident, $t:ty, $v:ident, $w:literal, |$x:ident| $op:expr) => {{
        let n = $buf.len();
        if n < $w {
            reference::forward_short($buf, $alpha);
            return;
        }
        let op = |$x: $v| $op;
        let last = op(load::<$t, $v, $w>(&$buf[n - $w..]));
        let mut body = $buf.chunks_exact_mut($w * UNROLL);
        for c in &mut body {
            let (c0, c1) = c.split_at_mut($w);
            let r0 = op(load::<$t, $v, $w>(c0));
            let r1 = op(load::<$t, $v, $w>(c1));
            c0.copy_from_slice(&r0.to_array());
            c1.copy_from_slice(&r1.to_array());
        }
        for c in body.into_remainder().chunks_exact_mut($w) {
            let r = op(load::<$t, $v, $w>(c));
            c.copy_from_slice(&r.to_array());
        }
        $buf[n - $w..].copy_from_slice(&last.to_array());
    }};
}

portable_kernels!(forward_f32, backward_f32, f32, f32x8, 8);
portable_kernels!(forward_f64, backward_f64, f64, f64x4, 4);
