//! The `neon` kernel: 128-bit `core::arch::aarch64` intrinsics behind
//! `#[target_feature(enable = "neon")]`. NEON is part of every standard aarch64
//! target, so `build.rs` usually lets dispatch skip the runtime check.
//!
//! Loop shape as in `portable`: the last (possibly overlapping) vector is
//! computed first from the original values, the body runs 4 vectors per step,
//! and the last vector is stored at the end; shorter slices use the reference.

use core::arch::aarch64::*;

use crate::formula::Forward;
use crate::reference;

macro_rules! inplace {
    ($buf:ident, $alpha:ident, $w:literal, $load:ident, $store:ident, |$x:ident| $op:expr) => {{
        let n = $buf.len();
        if n < $w {
            reference::forward_short($buf, $alpha);
            return;
        }
        let p = $buf.as_mut_ptr();
        // SAFETY (all blocks below): `n >= W`; every offset `o` used satisfies
        // `o + W <= n`, so each load/store stays inside the slice.
        let last = {
            // SAFETY: n >= W, so [n - W, n) is inside the slice.
            let $x = unsafe { $load(p.add(n - $w)) };
            $op
        };
        let mut i = 0;
        while i + 4 * $w <= n {
            // SAFETY: i + 4W <= n.
            unsafe {
                let x0 = $load(p.add(i));
                let x1 = $load(p.add(i + $w));
                let x2 = $load(p.add(i + 2 * $w));
                let x3 = $load(p.add(i + 3 * $w));
                $store(p.add(i), {
                    let $x = x0;
                    $op
                });
                $store(p.add(i + $w), {
                    let $x = x1;
                    $op
                });
                $store(p.add(i + 2 * $w), {
                    let $x = x2;
                    $op
                });
                $store(p.add(i + 3 * $w), {
                    let $x = x3;
                    $op
                });
            }
            i += 4 * $w;
        }
        while i + $w <= n {
            // SAFETY: i + W <= n.
            unsafe {
                let $x = $load(p.add(i));
                $store(p.add(i), $op);
            }
            i += $w;
        }
        // SAFETY: n - W + W = n.
        unsafe { $store(p.add(n - $w), last) };
    }};
}

macro_rules! neon_kernels {
    ($fwd:ident, $bwd:ident, $t:ty, $w:literal, $load:ident, $store:ident, $dup:ident,
     $mul:ident, $max:ident, $min:ident, $bsl:ident, $cgt:ident, $signmask:expr) => {
        /// Forward over `buf` with formulation `f`.
        ///
        /// # Safety
        /// The CPU must support NEON.
        #[target_feature(enable = "neon")]
        pub(crate) unsafe fn $fwd(buf: &mut [$t], alpha: $t, f: Forward) {
            let a = $dup(alpha);
            let zero = $dup(0.0);
            let signmask = $signmask;
            match f {
                Forward::Identity => {}
                Forward::Max => inplace!(buf, alpha, $w, $load, $store, |x| $max(x, $mul(x, a))),
                Forward::Min => inplace!(buf, alpha, $w, $load, $store, |x| $min(x, $mul(x, a))),
                Forward::SignSelect => {
                    inplace!(buf, alpha, $w, $load, $store, |x| $bsl(
                        signmask(x),
                        $mul(x, a),
                        x
                    ))
                }
                Forward::CmpSelect => {
                    inplace!(buf, alpha, $w, $load, $store, |x| $bsl(
                        $cgt(x, zero),
                        x,
                        $mul(x, a)
                    ))
                }
            }
        }

        /// Backward: `grad[i] = decide[i] > 0 ? grad[i] : grad[i] * alpha`.
        /// Extra elements of the longer slice are ignored.
        ///
        /// # Safety
        /// The CPU must support NEON.
        #[target_feature(enable = "neon")]
        pub(crate) unsafe fn $bwd(grad: &mut [$t], decide: &[$t], alpha: $t) {
            let n = grad.len().min(decide.len());
            if n < $w {
                reference::backward_short(grad, decide, alpha);
                return;
            }
            let a = $dup(alpha);
            let zero = $dup(0.0);
            let gp = grad.as_mut_ptr();
            let xp = decide.as_ptr();
            let op = |g, x| $bsl($cgt(x, zero), g, $mul(g, a));
            // SAFETY: both slices hold at least `n >= W` elements, so
            // [n - W, n) is inside both (and every later offset `o` has `o + W <= n`).
            let last = unsafe { op($load(gp.add(n - $w)), $load(xp.add(n - $w))) };
            let mut i = 0;
            while i + 4 * $w <= n {
                // SAFETY: i + 4W <= n.
                unsafe {
                    let g0 = $load(gp.add(i));
                    let g1 = $load(gp.add(i + $w));
                    let g2 = $load(gp.add(i + 2 * $w));
                    let g3 = $load(gp.add(i + 3 * $w));
                    let x0 = $load(xp.add(i));
                    let x1 = $load(xp.add(i + $w));
                    let x2 = $load(xp.add(i + 2 * $w));
                    let x3 = $load(xp.add(i + 3 * $w));
                    $store(gp.add(i), op(g0, x0));
                    $store(gp.add(i + $w), op(g1, x1));
                    $store(gp.add(i + 2 * $w), op(g2, x2));
                    $store(gp.add(i + 3 * $w), op(g3, x3));
                }
                i += 4 * $w;
            }
            while i + $w <= n {
                // SAFETY: i + W <= n.
                unsafe { $store(gp.add(i), op($load(gp.add(i)), $load(xp.add(i)))) };
                i += $w;
            }
            // SAFETY: n - W + W = n.
            unsafe { $store(gp.add(n - $w), last) };
        }
    };
}

neon_kernels!(
    forward_f32,
    backward_f32,
    f32,
    4,
    vld1q_f32,
    vst1q_f32,
    vdupq_n_f32,
    vmulq_f32,
    vmaxq_f32,
    vminq_f32,
    vbslq_f32,
    vcgtq_f32,
    |x: float32x4_t| vcltzq_s32(vreinterpretq_s32_f32(x))
);
neon_kernels!(
    forward_f64,
    backward_f64,
    f64,
    2,
    vld1q_f64,
    vst1q_f64,
    vdupq_n_f64,
    vmulq_f64,
    vmaxq_f64,
    vminq_f64,
    vbslq_f64,
    vcgtq_f64,
    |x: float64x2_t| vcltzq_s64(vreinterpretq_s64_f64(x))
);
