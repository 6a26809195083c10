//! The operations, each written once as a per-vector function over [`Simd`]:
//! the forward formulations of [`formula`](super::formula) and the backward
//! select. Every ISA and element type runs exactly these. `fence` marks the
//! operand that passes through unchanged (see [`Simd::fence`]); the selects
//! that keep `x > 0` are [`Simd::keep_or_scale`], one masked multiply on AVX-512.
//! The closures are `#[inline(always)]`: the driver instantiates each loop
//! twice (in place and out of place), and LLVM's inliner, left to itself, then
//! called them out of line, with the vectors spilled to the stack.

use super::{Simd, Storage};

/// `0 < alpha < 1`: `max(x, alpha * x)`.
#[inline(always)]
pub(super) fn forward_max<S: Simd<T>, T: Storage>(s: S, a: S::V) -> impl Fn(S::V) -> S::V {
    #[inline(always)]
    move |x| s.max(x, s.mul(x, a))
}

/// `1 < alpha <= MAX`: `min(x, alpha * x)`.
#[inline(always)]
pub(super) fn forward_min<S: Simd<T>, T: Storage>(s: S, a: S::V) -> impl Fn(S::V) -> S::V {
    #[inline(always)]
    move |x| s.min(x, s.mul(x, a))
}

/// `alpha == +0`: `sign_bit(x) ? alpha * x : x`.
#[inline(always)]
pub(super) fn forward_sign_select<S: Simd<T>, T: Storage>(s: S, a: S::V) -> impl Fn(S::V) -> S::V {
    #[inline(always)]
    move |x| s.select(s.sign(x), s.mul(x, a), s.fence(x))
}

/// Any other alpha: the reference itself, `x > 0 ? x : alpha * x`.
#[inline(always)]
pub(super) fn forward_cmp_select<S: Simd<T>, T: Storage>(s: S, a: S::V) -> impl Fn(S::V) -> S::V {
    #[inline(always)]
    move |x| s.keep_or_scale(x, x, a)
}

/// Backward: `decide > 0 ? g : g * alpha`.
#[inline(always)]
pub(super) fn backward<S: Simd<T>, T: Storage>(s: S, a: S::V) -> impl Fn(S::V, S::V) -> S::V {
    #[inline(always)]
    move |g, decide| s.keep_or_scale(decide, g, a)
}

/// Forward with its mask: `(x > 0 ? x : alpha * x, bits of x > 0)`. One
/// compare serves both (the reference's formulation, exact for every alpha).
#[inline(always)]
pub(super) fn forward_with_mask<S: Simd<T>, T: Storage>(
    s: S,
    a: S::V,
) -> impl Fn(S::V, u64) -> (S::V, u64) {
    #[inline(always)]
    move |x, _| s.keep_or_scale_bits(x, a)
}

/// Backward from mask bits: `bit ? g : g * alpha`.
#[inline(always)]
pub(super) fn backward_from_mask<S: Simd<T>, T: Storage>(
    s: S,
    a: S::V,
) -> impl Fn(S::V, u64) -> (S::V, u64) {
    #[inline(always)]
    move |g, bits| (s.keep_or_scale_mask(s.mask_of_bits(bits), g, a), 0)
}
