//! The scalar reference: the definition every kernel (`scalar` included) is
//! tested against, written as plainly as the contract reads. Out of place is,
//! by definition, the in-place operation applied to a copy.

use crate::{Element, Error, Operand};

/// Reference forward: `x` where `x > 0`, `alpha * x` everywhere else (including NaN).
///
/// ```
/// let mut v = [2.0f32, -2.0, -0.0, f32::NAN];
/// leaky_relu::reference::forward(&mut v, 0.5);
/// assert_eq!(v[..2], [2.0, -1.0]);
/// assert_eq!(v[2].to_bits(), (-0.0f32).to_bits());
/// assert!(v[3].is_nan());
/// ```
pub fn forward<T: Element>(buf: &mut [T], alpha: T) {
    for v in buf {
        *v = if *v > T::default() { *v } else { alpha * *v };
    }
}

/// Reference backward: `grad` where `input > 0`, `grad * alpha` everywhere else.
///
/// # Errors
/// [`Error::LengthMismatch`] if the slices differ in length; `grad` is then untouched.
pub fn backward<T: Element>(grad: &mut [T], input: &[T], alpha: T) -> Result<(), Error> {
    Error::check_len((Operand::Grad, grad.len()), Operand::Input, input.len())?;
    for (g, &x) in grad.iter_mut().zip(input) {
        *g = if x > T::default() { *g } else { *g * alpha };
    }
    Ok(())
}

/// Reference out-of-place forward: `dst` becomes a copy of `src`, then [`forward`] runs on it.
///
/// # Errors
/// [`Error::LengthMismatch`] if the slices differ in length; `dst` is then untouched.
pub fn forward_into<T: Element>(dst: &mut [T], src: &[T], alpha: T) -> Result<(), Error> {
    Error::check_len((Operand::Dst, dst.len()), Operand::Src, src.len())?;
    dst.copy_from_slice(src);
    forward(dst, alpha);
    Ok(())
}

/// Reference out-of-place backward: `dx` becomes a copy of `dy`, then
/// [`backward`] runs on it with `input`.
///
/// # Errors
/// [`Error::LengthMismatch`] if `dy` or `input` differs in length from `dx`; `dx` is then untouched.
pub fn backward_into<T: Element>(
    dx: &mut [T],
    dy: &[T],
    input: &[T],
    alpha: T,
) -> Result<(), Error> {
    Error::check_len((Operand::Dst, dx.len()), Operand::Grad, dy.len())?;
    Error::check_len((Operand::Dst, dx.len()), Operand::Input, input.len())?;
    dx.copy_from_slice(dy);
    backward(dx, input, alpha)
}
