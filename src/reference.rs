//! The scalar reference: the definition every other kernel is tested against,
//! written as plainly as the contract reads. It is also the `scalar` kernel.

use crate::{Element, Error};

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
    if grad.len() != input.len() {
        return Err(Error::LengthMismatch {
            grad: grad.len(),
            other: input.len(),
        });
    }
    backward_unchecked(grad, input, alpha);
    Ok(())
}

/// [`backward`] for slices already known to have equal lengths.
#[inline]
pub(crate) fn backward_unchecked<T: Element>(grad: &mut [T], input: &[T], alpha: T) {
    for (g, &x) in grad.iter_mut().zip(input) {
        *g = if x > T::default() { *g } else { *g * alpha };
    }
}

/// [`forward`] behind a call boundary, for the SIMD kernels' short slices: it is
/// compiled for the target's baseline, so LLVM cannot vectorise it with AVX
/// masked loads/stores (`vmaskmov`, very slow on AMD Zen) inside a kernel.
#[inline(never)]
pub(crate) fn forward_short<T: Element>(buf: &mut [T], alpha: T) {
    forward(buf, alpha)
}

/// [`backward_unchecked`] behind a call boundary; see [`forward_short`].
#[inline(never)]
pub(crate) fn backward_short<T: Element>(grad: &mut [T], input: &[T], alpha: T) {
    backward_unchecked(grad, input, alpha)
}
