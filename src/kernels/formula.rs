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
//! reference itself, `x > 0 ? x : a`, as a compare and a blend.
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
