//! The safe front door: [`Options`] and the free functions built on it. All
//! validation happens here, before any kernel runs, so an error never leaves a
//! partial write. No `unsafe` beyond handing an available kernel to `par`.

use crate::detect;
use crate::formula;
use crate::{Element, Error, Kernel, Operand, Parallelism};

/// How to run a call: which kernel and how much parallelism. `Options::new()`
/// (also `Default`) means the process-wide choice: [`Kernel::best()`] and
/// [`default_parallelism()`](crate::default_parallelism).
///
/// ```
/// use leaky_relu::{Kernel, Options, Parallelism};
/// let opts = Options::new()
///     .with_kernel(Kernel::Scalar)?
///     .with_parallelism(Parallelism::Serial);
/// let mut x = vec![-2.0f32, 3.0];
/// opts.forward(&mut x, 0.5);
/// assert_eq!(x, [-1.0, 3.0]);
/// # Ok::<(), leaky_relu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    kernel: Option<Kernel>,
    parallelism: Option<Parallelism>,
}

impl Options {
    /// The process-wide defaults.
    pub const fn new() -> Self {
        Options {
            kernel: None,
            parallelism: None,
        }
    }

    /// Runs `kernel` instead of [`Kernel::best()`].
    ///
    /// # Errors
    /// [`Error::KernelUnavailable`] if this CPU cannot run it.
    pub fn with_kernel(self, kernel: Kernel) -> Result<Self, Error> {
        if kernel.is_available() {
            Ok(Options {
                kernel: Some(kernel),
                ..self
            })
        } else {
            Err(Error::KernelUnavailable { kernel })
        }
    }

    /// Uses `p` instead of the process-wide default.
    pub const fn with_parallelism(self, p: Parallelism) -> Self {
        Options {
            parallelism: Some(p),
            ..self
        }
    }

    /// The kernel and parallelism a call with these options uses.
    #[inline]
    pub fn resolve(&self) -> (Kernel, Parallelism) {
        match (self.kernel, self.parallelism) {
            (Some(k), Some(p)) => (k, p),
            (k, p) => {
                let (dk, dp) = detect::state();
                (k.unwrap_or(dk), p.unwrap_or(dp))
            }
        }
    }

    /// In-place forward: see [`crate::forward`].
    #[inline]
    pub fn forward<T: Element>(&self, buf: &mut [T], alpha: T) {
        let f = formula::forward(alpha);
        if f == formula::Forward::Identity {
            return;
        }
        let (k, p) = self.resolve();
        // SAFETY: `k` is available: it came from `with_kernel` (checked) or from
        // `detect`, which only ever stores available kernels.
        unsafe { crate::par::forward(k, p, buf, alpha, f) }
    }

    /// In-place backward from the forward input: see [`crate::backward`].
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; `grad` is then untouched.
    #[inline]
    pub fn backward<T: Element>(&self, grad: &mut [T], input: &[T], alpha: T) -> Result<(), Error> {
        check_lengths(grad, input)?;
        self.backward_checked(grad, input, alpha);
        Ok(())
    }

    /// In-place backward from the forward output: see [`crate::backward_from_output`].
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] or [`Error::LengthMismatch`]; `grad` is then untouched.
    #[inline]
    pub fn backward_from_output<T: Element>(
        &self,
        grad: &mut [T],
        output: &[T],
        alpha: T,
    ) -> Result<(), Error> {
        check_slope(alpha)?;
        check_lengths(grad, output)?;
        self.backward_checked(grad, output, alpha);
        Ok(())
    }

    #[inline]
    fn backward_checked<T: Element>(&self, grad: &mut [T], decide: &[T], alpha: T) {
        if formula::backward_is_identity(alpha) {
            return;
        }
        let (k, p) = self.resolve();
        // SAFETY: `k` is available (see `forward`); lengths were checked equal.
        unsafe { crate::par::backward(k, p, grad, decide, alpha) }
    }

    /// [`Options::forward`] on a byte buffer holding `T`s in native byte order.
    ///
    /// # Errors
    /// [`Error::Misaligned`] or [`Error::RaggedBytes`]; `bytes` is then untouched.
    pub fn forward_bytes<T: Element>(&self, bytes: &mut [u8], alpha: T) -> Result<(), Error> {
        let buf = cast_mut::<T>(bytes, Operand::Buffer)?;
        self.forward(buf, alpha);
        Ok(())
    }

    /// [`Options::backward`] on byte buffers holding `T`s in native byte order.
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] or [`Error::LengthMismatch`];
    /// `grad` is then untouched.
    pub fn backward_bytes<T: Element>(
        &self,
        grad: &mut [u8],
        input: &[u8],
        alpha: T,
    ) -> Result<(), Error> {
        let g = cast_mut::<T>(grad, Operand::Grad)?;
        let x = cast::<T>(input, Operand::Input)?;
        self.backward(g, x, alpha)
    }

    /// [`Options::backward_from_output`] on byte buffers holding `T`s in native byte order.
    ///
    /// # Errors
    /// [`Error::InvalidSlope`], [`Error::Misaligned`], [`Error::RaggedBytes`] or
    /// [`Error::LengthMismatch`]; `grad` is then untouched.
    pub fn backward_from_output_bytes<T: Element>(
        &self,
        grad: &mut [u8],
        output: &[u8],
        alpha: T,
    ) -> Result<(), Error> {
        check_slope(alpha)?;
        let g = cast_mut::<T>(grad, Operand::Grad)?;
        let y = cast::<T>(output, Operand::Output)?;
        self.backward_from_output(g, y, alpha)
    }
}

#[inline]
fn check_lengths<T>(grad: &[T], other: &[T]) -> Result<(), Error> {
    if grad.len() == other.len() {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            grad: grad.len(),
            other: other.len(),
        })
    }
}

#[inline]
fn check_slope<T: Element>(alpha: T) -> Result<(), Error> {
    // `>=` is false for NaN and true for -0.0 and +inf.
    if alpha >= T::default() {
        Ok(())
    } else {
        Err(Error::InvalidSlope {
            alpha: crate::element::private::Sealed::to_f64(alpha),
        })
    }
}

fn check_bytes<T>(bytes: &[u8], operand: Operand) -> Result<(), Error> {
    let (size, align) = (core::mem::size_of::<T>(), core::mem::align_of::<T>());
    let offset = bytes.as_ptr() as usize % align;
    if bytes.is_empty() {
        Ok(())
    } else if offset != 0 {
        Err(Error::Misaligned {
            operand,
            align,
            offset,
        })
    } else if !bytes.len().is_multiple_of(size) {
        Err(Error::RaggedBytes {
            operand,
            len: bytes.len(),
            elem_size: size,
        })
    } else {
        Ok(())
    }
}

fn cast_mut<T: Element>(bytes: &mut [u8], operand: Operand) -> Result<&mut [T], Error> {
    check_bytes::<T>(bytes, operand)?;
    if bytes.is_empty() {
        return Ok(&mut []);
    }
    // Cannot fail after `check_bytes`; map defensively rather than unwrap.
    bytemuck::try_cast_slice_mut(bytes).map_err(|_| Error::Misaligned {
        operand,
        align: core::mem::align_of::<T>(),
        offset: 0,
    })
}

fn cast<T: Element>(bytes: &[u8], operand: Operand) -> Result<&[T], Error> {
    check_bytes::<T>(bytes, operand)?;
    if bytes.is_empty() {
        return Ok(&[]);
    }
    bytemuck::try_cast_slice(bytes).map_err(|_| Error::Misaligned {
        operand,
        align: core::mem::align_of::<T>(),
        offset: 0,
    })
}

/// In-place Leaky ReLU: each `x` becomes `x` if `x > 0`, else `alpha * x`
/// (so `-0.0` becomes `alpha * -0.0` and NaN stays NaN). Any `alpha` is allowed.
/// Uses [`Kernel::best()`] and the default [`Parallelism`].
///
/// ```
/// let mut x = vec![1.0f32, -1.0, 0.0, -4.0];
/// leaky_relu::forward(&mut x, 0.25);
/// assert_eq!(x, [1.0, -0.25, 0.0, -1.0]);
/// ```
#[inline]
pub fn forward<T: Element>(buf: &mut [T], alpha: T) {
    Options::new().forward(buf, alpha)
}

/// In-place gradient: each `grad[i]` stays if `input[i] > 0`, else becomes
/// `grad[i] * alpha` (the derivative at 0 is `alpha`, as in PyTorch and oneDNN).
///
/// ```
/// let x = [2.0f64, -2.0, 0.0];
/// let mut g = vec![1.0f64, 1.0, 1.0];
/// leaky_relu::backward(&mut g, &x, 0.1)?;
/// assert_eq!(g, [1.0, 0.1, 0.1]);
/// # Ok::<(), leaky_relu::Error>(())
/// ```
///
/// # Errors
/// [`Error::LengthMismatch`] if `grad` and `input` differ in length; `grad` is then untouched.
#[inline]
pub fn backward<T: Element>(grad: &mut [T], input: &[T], alpha: T) -> Result<(), Error> {
    Options::new().backward(grad, input, alpha)
}

/// The gradient of [`backward`], decided from the forward *output* `y`
/// instead of the input, so the input need not be kept. Valid only for
/// `alpha >= 0` (including `-0.0` and `+inf`), where `y > 0` exactly when `x > 0`.
///
/// ```
/// let mut y = vec![2.0f32, -2.0];
/// leaky_relu::forward(&mut y, 0.1);
/// let mut g = vec![1.0f32, 1.0];
/// leaky_relu::backward_from_output(&mut g, &y, 0.1)?;
/// assert_eq!(g, [1.0, 0.1]);
/// assert!(leaky_relu::backward_from_output(&mut g, &y, -0.1).is_err());
/// # Ok::<(), leaky_relu::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidSlope`] for a negative or NaN `alpha`, [`Error::LengthMismatch`]
/// if the lengths differ; `grad` is then untouched.
#[inline]
pub fn backward_from_output<T: Element>(
    grad: &mut [T],
    output: &[T],
    alpha: T,
) -> Result<(), Error> {
    Options::new().backward_from_output(grad, output, alpha)
}

/// [`forward`] on a byte buffer of `T`s (native byte order), as engines often hold tensors.
///
/// ```
/// let mut bytes: Vec<u8> = [-4.0f32, 4.0].iter().flat_map(|v| v.to_ne_bytes()).collect();
/// # // Vec<u8> is only 1-aligned; copy into an f32-aligned buffer for the example.
/// let mut store = [0f32; 2];
/// let aligned: &mut [u8] = bytemuck::cast_slice_mut(&mut store);
/// aligned.copy_from_slice(&bytes);
/// leaky_relu::forward_bytes::<f32>(aligned, 0.5)?;
/// assert_eq!(store, [-2.0, 4.0]);
/// // One byte short of a whole element: refused, buffer untouched.
/// bytes.pop();
/// assert!(leaky_relu::forward_bytes::<f32>(&mut bytes, 0.5).is_err());
/// # Ok::<(), leaky_relu::Error>(())
/// ```
///
/// # Errors
/// [`Error::Misaligned`] or [`Error::RaggedBytes`]; `bytes` is then untouched.
pub fn forward_bytes<T: Element>(bytes: &mut [u8], alpha: T) -> Result<(), Error> {
    Options::new().forward_bytes(bytes, alpha)
}

/// [`backward`] on byte buffers of `T`s (native byte order).
///
/// # Errors
/// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer) or
/// [`Error::LengthMismatch`]; `grad` is then untouched.
pub fn backward_bytes<T: Element>(grad: &mut [u8], input: &[u8], alpha: T) -> Result<(), Error> {
    Options::new().backward_bytes(grad, input, alpha)
}

/// [`backward_from_output`] on byte buffers of `T`s (native byte order).
///
/// # Errors
/// [`Error::InvalidSlope`], [`Error::Misaligned`], [`Error::RaggedBytes`] or
/// [`Error::LengthMismatch`]; `grad` is then untouched.
pub fn backward_from_output_bytes<T: Element>(
    grad: &mut [u8],
    output: &[u8],
    alpha: T,
) -> Result<(), Error> {
    Options::new().backward_from_output_bytes(grad, output, alpha)
}
