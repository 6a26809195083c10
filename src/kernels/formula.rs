//! Which vector formulation each `alpha` may use, and the proof that it is
//! bit-identical to the reference `if x > 0 { x } else { alpha * x }`.
//!
//! Every kernel runs each [`Forward`] variant through the same operations
//! (`ops`); [`forward`] picks one from `alpha` once per call, before any split.
//! Notation: `a = alpha * x` as one IEEE multiply (no FMA), `ref` the reference
//! result. NaN results may differ in payload only.
//!
//! **Identity, `alpha == 1`.** `ref` is `x` or `1 * x`, and `1 * x == x` bit for
//! bit for every non-NaN `x`; for NaN `x` both are NaN. So nothing is written.
//!
//! **Max, `0 < alpha < 1`** (subnormal alphas included): `max(x, a)`.
//! Because `alpha` is finite and non-zero, `a` is NaN exactly when `x` is NaN,
//! where any max returns a NaN and `ref` is NaN. For ordered `x`: if `x > 0`,
//! rounding is monotone and `alpha < 1`, so `a <= x` and the max is `x` (a tie
//! means equal values). If `x < 0`, `a >= x` and the max is `a`, which is `ref`.
//! If `x = ±0` (or `±inf`), `a` is the same signed zero (infinity), so every
//! candidate has the same bits. Ties are always between equal bit patterns
//! (both zero only when `x` is zero, and then with `x`'s sign since
//! `alpha > 0`), so the result does not depend on which operand a max returns
//! on ties or NaN: x86 `maxps`, NEON `fmax`, `wide`'s fallback and the scalar
//! kernel's compare-and-pick all qualify.
//! `alpha = +0` is excluded: `0 * +inf` is NaN and a max would return `+inf`
//! or NaN depending on operand order, while `ref` is `+inf`.
//!
//! **Min, `1 < alpha <= MAX`**: `min(x, a)`, by the mirror argument: for `x > 0`,
//! `a >= x`; for `x < 0`, `a <= x`; `a` is NaN exactly when `x` is. `+inf` is
//! excluded because `inf * ±0` is NaN while `x = ±0` is ordered.
//!
//! **SignSelect, `alpha = +0`** (plain ReLU): `sign_bit(x) ? a : x`. This differs
//! from `x > 0 ? x : a` only where the sign bit is clear but `x > 0` is false,
//! i.e. `x = +0` and positive-signed NaNs. For NaN both give NaN. For `x = +0`,
//! `ref = alpha * +0 = +0 = x` whenever `alpha` is finite with a clear sign bit,
//! so SignSelect is valid on all of `[+0, MAX]`; it is used for `+0`, where Max
//! and Min are not.
//!
//! **CmpSelect, everything else** (negative alphas, `-0.0`, `±inf`, NaN): the
//! reference itself, `x > 0 ? x : a`, computed as `x * (x > 0 ? 1 : alpha)`:
//! where `x > 0`, `x` is not NaN and `1 * x == x` bit for bit, subnormals
//! included; elsewhere it is `a`. (The select of the factor instead of the
//! result: see `Simd::scale_by_select`.) Backward's CmpSelect is
//! `g * (x > 0 ? 1 : alpha)` the same way, where a NaN `g` stays NaN.
//!
//! Backward has two: **Identity** for `alpha == 1` (`grad * 1 == grad`) and
//! **CmpSelect**, `x > 0 ? g : g * alpha`, for all other alphas.
//!
//! Out of place, Identity is a copy of the source (NaNs stay NaN).
//!
//! On an ISA with masked arithmetic (AVX-512, `Simd::MASKED`) CmpSelect is one
//! masked multiply, as cheap as any formulation, so the driver runs every
//! non-Identity forward as CmpSelect there: the reference itself, valid for
//! every alpha.
//!
//! # Half precision: `f16` and `bf16` computed in `f32`
//!
//! The kernels widen each `f16`/`bf16` value to `f32` (exact: both are subsets
//! of `f32`), run the `f32` operations above with the slope widened too, and
//! round each result to the half once, to nearest, ties to even. The contract
//! is `alpha * x` computed in the half format itself, correctly rounded.
//!
//! **The product is exact in `f32`.** An `f16` has an 11-bit significand, so
//! the product of two has at most 22 significant bits, fewer than `f32`'s 24;
//! its magnitude lies between `2^-48` (the smallest subnormal squared) and
//! `65504^2 < 2^32`, inside `f32`'s normal range. So `f32(x) * f32(alpha)`
//! is the exact product `p`, and rounding it once to `f16` is the correctly
//! rounded `f16` product. A `bf16` has an 8-bit significand (16-bit products)
//! but `f32`'s exponent range, so `p` may leave the normal range:
//! - `|p| >= 2^-126`: `f32` holds `p` exactly (16 <= 24 bits), up to
//!   `|p| <= (2 - 2^-7)^2 * 2^254 < 2^256`, where it may exceed `f32::MAX`
//!   (last bullet).
//! - `2^-134 <= |p| < 2^-126`: `p` has at most 16 significant bits, the lowest
//!   at or above `2^-134 * 2^-15 = 2^-149`, which is `f32`'s subnormal spacing:
//!   `f32` holds `p` exactly.
//! - `|p| < 2^-134`: `bf16`'s smallest subnormal is `2^-133`, so the correctly
//!   rounded result is `±0` (below half of it; `2^-134` itself ties to the even
//!   `0`). The `f32` product is at most `2^-134` in magnitude (rounding is
//!   monotone and `2^-134` is an `f32`), so rounding it to `bf16` gives `±0`
//!   too, with the product's sign in both.
//! - Overflow: if the `f32` product overflows, `|p|` is at least `f32::MAX`
//!   plus half an `f32` ulp, beyond `bf16`'s overflow threshold
//!   (`bf16::MAX` plus half a `bf16` ulp), so both are the same infinity.
//!
//! So for both halves "multiply in `f32`, round once" is the native product,
//! which `tests/half.rs` checks on all 65536 inputs for a set of alphas, and,
//! in an ignored test, on all 2^32 (input, alpha) pairs, against a rounding
//! done in integers from the exact `f64` product.
//!
//! **The formulations carry over.** Each one above computes, per lane, either
//! `x` or `p` (rounded in `f32`, here exact) and selects with a compare, a max
//! or a min; rounding to the half comes last. Rounding is monotone and `x` is
//! a half, so `round(max(x, p)) = max(x, round(p))` and likewise for min,
//! and a select commutes with rounding: each kernel's result is the formula
//! applied to `x` and `round(p)`, the native product, and the proofs above
//! apply unchanged. The formulation is chosen from the `f32` slope, whose
//! class (`== 1`, `(0, 1)`, `(1, MAX]`, `+0`, other) is that of the half.
//!
//! **PyTorch's variant** ([`crate::Opmath`]) takes an `f32` slope, which the
//! half formats may not represent: `p` is then `f32(x) * alpha` rounded to
//! `f32`, and the result rounds that once more, to the half: PyTorch's
//! `round(f32(x) * alpha)`. The same formulations apply, by the same
//! monotonicity argument (the `f32` multiply is monotone in `x` too).
//!
//! **Narrowing to bf16** (the kernels without a `bf16` instruction): for a
//! non-NaN `f32` with bits `b`, the upper 16 bits of `b + 0x7fff + lsb`, where
//! `lsb` is bit 16 of `b`, are `b` rounded to nearest, ties to even: the low
//! half `l` of `b` carries into the upper half exactly when `l > 0x8000`, or
//! `l = 0x8000` and the upper half is odd; a carry out of the significand
//! increments the exponent, which is the correct result, up to infinity. For
//! a NaN the addition could carry its payload into the sign or turn it into
//! an infinity, so NaNs instead keep their upper half with the quiet bit set
//! (as `half::bf16::from_f32` does). Except where that cannot happen: a NaN
//! whose low half is zero gains nothing from the addition but `0x7fff` or
//! `0x8000` in its low half, so its upper half, a `bf16` NaN, is kept. Every
//! lane the kernels store is a widened `bf16` (low half zero), or the result of
//! an `f32` multiply, max, min or select of such values, the slope and `1`. A
//! native slope is a widened `bf16`; an `opmath` (`f32`) slope that is NaN is
//! replaced by the zero-payload NaN before any kernel runs. On x86 and AArch64
//! a NaN result is a quieted operand NaN (quieting sets bit 22, in the upper
//! half) or the default NaN (`0xffc00000` or `0x7fc00000`): low half zero. So
//! the `avx2`, `avx512` and `neon` kernels skip the NaN case
//! (`Bits32::NAN_LOW_HALF_ZERO`); `portable` keeps it (wasm's NaN payloads are
//! nondeterministic), and so does `scalar`.

use super::Lane;

/// A forward formulation, chosen from `alpha` by [`forward`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forward {
    /// `alpha == 1`: nothing to do.
    Identity,
    /// `0 < alpha < 1`: `max(x, alpha * x)`.
    Max,
    /// `1 < alpha <= MAX`: `min(x, alpha * x)`.
    Min,
    /// `alpha == +0`: `sign_bit(x) ? alpha * x : x`.
    SignSelect,
    /// Any other alpha: `x > 0 ? x : alpha * x`.
    CmpSelect,
}

/// A backward formulation, chosen from `alpha` by [`backward`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backward {
    /// `alpha == 1`: the gradient passes through.
    Identity,
    /// Any other alpha: `x > 0 ? g : g * alpha`.
    CmpSelect,
}

/// Picks the fastest forward formulation that is valid for `alpha` (see the module docs).
#[inline]
pub fn forward<T: Lane>(alpha: T) -> Forward {
    let zero = T::ZERO;
    if alpha == T::ONE {
        Forward::Identity
    } else if alpha > zero && alpha < T::ONE {
        Forward::Max
    } else if alpha > T::ONE && alpha <= T::MAX {
        Forward::Min
    } else if alpha == zero && !alpha.sign_negative() {
        Forward::SignSelect
    } else {
        Forward::CmpSelect
    }
}

/// The backward formulation for `alpha` (see the module docs).
#[inline]
pub fn backward<T: Lane>(alpha: T) -> Backward {
    if alpha == T::ONE {
        Backward::Identity
    } else {
        Backward::CmpSelect
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_classes() {
        assert_eq!(forward(1.0f32), Forward::Identity);
        assert_eq!(forward(0.01f32), Forward::Max);
        assert_eq!(forward(f32::from_bits(1)), Forward::Max);
        assert_eq!(forward(1.0f32 - f32::EPSILON / 2.0), Forward::Max);
        assert_eq!(forward(1.3f64), Forward::Min);
        assert_eq!(forward(f64::MAX), Forward::Min);
        assert_eq!(forward(0.0f32), Forward::SignSelect);
        for a in [
            -0.0f32,
            -0.25,
            -3.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MIN,
        ] {
            assert_eq!(forward(a), Forward::CmpSelect, "alpha {a:?}");
        }
    }
}
