//! The `avx2` kernel: 256-bit `core::arch` intrinsics behind
//! `#[target_feature(enable = "avx2")]`, reached only after the CPU was checked
//! (or the target guarantees AVX2). x86 and x86_64.
//!
//! Loop shape (see `portable` for the argument): the first and the last,
//! possibly overlapping, vectors are computed from the original values first;
//! the body starts at the first 32-byte boundary and runs 4 vectors per step,
//! so its loads and stores never split a cache line; the first and last
//! vectors are stored at the end. Slices shorter than one vector go through the reference. All pointer
//! offsets stay inside `[0, len)`.
//!
//! Blends are fenced with `opaque_ps`/`opaque_pd`: without it LLVM turns
//! `store(p, select(m, load(p), y))` into `vmaskmovps`, which is several times
//! slower on AMD Zen (see `.ci/check-asm`, which rejects any `vmaskmov`).

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

use crate::formula::Forward;
use crate::reference;

macro_rules! opaque_fn {
    ($name:ident, $v:ty) => {
        /// Hides `v`'s provenance from LLVM (an empty `asm!` that "may change" the
        /// register), so a blend of a loaded value cannot be rewritten into a masked
        /// store of the other operand. Emits no instruction. Under Miri, which
        /// cannot run `asm!`, it is the identity.
        #[target_feature(enable = "avx")]
        #[inline]
        fn $name(v: $v) -> $v {
            #[cfg(not(miri))]
            {
                let mut v = v;
                // SAFETY: the template is an empty comment: it reads and writes only
                // the named register and touches no memory, stack or flags.
                unsafe {
                    core::arch::asm!("/* {0} */", inout(ymm_reg) v, options(pure, nomem, nostack, preserves_flags));
                }
                v
            }
            #[cfg(miri)]
            {
                v
            }
        }
    };
}
opaque_fn!(opaque_ps, __m256);
opaque_fn!(opaque_pd, __m256d);

macro_rules! inplace {
    ($buf:ident, $alpha:ident, $w:literal, $load:ident, $store:ident, |$x:ident| $op:expr) => {{
        let n = $buf.len();
        if n < $w {
            reference::forward_short($buf, $alpha);
            return;
        }
        let p = $buf.as_mut_ptr();
        // The first and the last vector are computed from the original values
        // before anything is stored, and stored at the end.
        // SAFETY: n >= W, so [0, W) and [n - W, n) are inside the slice.
        let (head, last) = unsafe {
            let h = $load(p);
            let l = $load(p.add(n - $w));
            (
                {
                    let $x = h;
                    $op
                },
                {
                    let $x = l;
                    $op
                },
            )
        };
        if n <= 2 * $w {
            // [0, W) and [n - W, n) already cover the slice.
            // SAFETY: both ranges are inside the slice (n >= W).
            unsafe {
                $store(p, head);
                $store(p.add(n - $w), last);
            }
            return;
        }
        // The body starts at the first 32-byte boundary (`a < W` elements in),
        // so its loads and stores never split a cache line.
        let mut i = align_offset(p);
        let body = i + (n - i) / (4 * $w) * (4 * $w);
        while i < body {
            // SAFETY: i < body <= n and body - i is a multiple of 4W, so i + 4W <= n.
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
        // Head [0, W), body [a, i) with a < W, and last [n - W, n) cover the
        // slice; overlapping lanes receive identical values.
        // SAFETY: [0, W) and [n - W, n) are inside the slice (n >= W).
        unsafe {
            $store(p, head);
            $store(p.add(n - $w), last);
        }
    }};
}

/// Elements from `p` to the next 32-byte boundary (0 if aligned). Always less
/// than one AVX vector, because `p` is aligned to its element size.
#[inline(always)]
fn align_offset<T>(p: *const T) -> usize {
    let mis = p as usize % 32;
    ((32 - mis) % 32) / core::mem::size_of::<T>()
}

macro_rules! avx2_kernels {
    ($fwd:ident, $bwd:ident, $t:ty, $w:literal, $load:ident, $store:ident, $set1:ident,
     $setzero:ident, $mul:ident, $max:ident, $min:ident, $blendv:ident, $cmp:ident, $gt:expr,
     $opaque:ident) => {
        /// Forward over `buf` with formulation `f`.
        ///
        /// # Safety
        /// The CPU must support AVX2.
        #[target_feature(enable = "avx2")]
        pub(crate) unsafe fn $fwd(buf: &mut [$t], alpha: $t, f: Forward) {
            let a = $set1(alpha);
            let zero = $setzero();
            match f {
                Forward::Identity => {}
                Forward::Max => inplace!(buf, alpha, $w, $load, $store, |x| $max(x, $mul(x, a))),
                Forward::Min => inplace!(buf, alpha, $w, $load, $store, |x| $min(x, $mul(x, a))),
                // blendv picks its second operand where the mask's sign bit is set.
                Forward::SignSelect => {
                    inplace!(buf, alpha, $w, $load, $store, |x| $blendv(
                        $opaque(x),
                        $mul(x, a),
                        x
                    ))
                }
                Forward::CmpSelect => inplace!(buf, alpha, $w, $load, $store, |x| $blendv(
                    $mul(x, a),
                    $opaque(x),
                    $cmp::<$gt>(x, zero)
                )),
            }
        }

        /// Backward: `grad[i] = decide[i] > 0 ? grad[i] : grad[i] * alpha`.
        /// Extra elements of the longer slice are ignored.
        ///
        /// # Safety
        /// The CPU must support AVX2.
        #[target_feature(enable = "avx2")]
        pub(crate) unsafe fn $bwd(grad: &mut [$t], decide: &[$t], alpha: $t) {
            let n = grad.len().min(decide.len());
            if n < $w {
                reference::backward_short(grad, decide, alpha);
                return;
            }
            let a = $set1(alpha);
            let zero = $setzero();
            let gp = grad.as_mut_ptr();
            let xp = decide.as_ptr();
            let op = |g, x| $blendv($mul(g, a), $opaque(g), $cmp::<$gt>(x, zero));
            // SAFETY: both slices hold at least `n >= W` elements, so [0, W) and
            // [n - W, n) are inside both.
            let (head, last) = unsafe {
                (
                    op($load(gp), $load(xp)),
                    op($load(gp.add(n - $w)), $load(xp.add(n - $w))),
                )
            };
            if n <= 2 * $w {
                // [0, W) and [n - W, n) already cover the slice.
                // SAFETY: both ranges are inside `grad` (n >= W).
                unsafe {
                    $store(gp, head);
                    $store(gp.add(n - $w), last);
                }
                return;
            }
            // Body aligned on the stored-to buffer, `grad` (see `inplace!`).
            let mut i = align_offset(gp);
            let body = i + (n - i) / (4 * $w) * (4 * $w);
            while i < body {
                // SAFETY: i < body <= n and body - i is a multiple of 4W, so i + 4W <= n.
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
            // SAFETY: [0, W) and [n - W, n) are inside `grad` (n >= W).
            unsafe {
                $store(gp, head);
                $store(gp.add(n - $w), last);
            }
        }
    };
}

avx2_kernels!(
    forward_f32,
    backward_f32,
    f32,
    8,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_set1_ps,
    _mm256_setzero_ps,
    _mm256_mul_ps,
    _mm256_max_ps,
    _mm256_min_ps,
    _mm256_blendv_ps,
    _mm256_cmp_ps,
    _CMP_GT_OQ,
    opaque_ps
);
avx2_kernels!(
    forward_f64,
    backward_f64,
    f64,
    4,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_set1_pd,
    _mm256_setzero_pd,
    _mm256_mul_pd,
    _mm256_max_pd,
    _mm256_min_pd,
    _mm256_blendv_pd,
    _mm256_cmp_pd,
    _CMP_GT_OQ,
    opaque_pd
);
