//! The crate's one error type, [`Error`], and [`Operand`], which names the buffer at fault.

use crate::Kernel;
use core::fmt;

/// Which argument of a call an [`Error`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    /// The buffer transformed in place by a forward call.
    Buffer,
    /// The gradient buffer of a backward call (updated in place).
    Grad,
    /// The forward input `x` of [`backward`](crate::backward).
    Input,
    /// The forward output `y` of [`backward_from_output`](crate::backward_from_output).
    Output,
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operand::Buffer => "buffer",
            Operand::Grad => "grad",
            Operand::Input => "input",
            Operand::Output => "output",
        })
    }
}

/// Why a call was refused. Whenever a function returns an `Error`, it has not
/// written to any buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// `grad` and the input (or output) buffer of a backward call differ in length.
    LengthMismatch {
        /// Elements in `grad`.
        grad: usize,
        /// Elements in the input or output buffer.
        other: usize,
    },
    /// [`backward_from_output`](crate::backward_from_output) was given a negative
    /// or NaN slope. Only for `alpha >= 0` (which includes `-0.0` and `+inf`) is
    /// `y > 0` equivalent to `x > 0`; use [`backward`](crate::backward) with the
    /// forward input instead.
    InvalidSlope {
        /// The offending slope, widened to `f64` (exact for `f32`).
        alpha: f64,
    },
    /// A byte buffer's address is not a multiple of the element's alignment.
    Misaligned {
        /// The buffer at fault.
        operand: Operand,
        /// Required alignment in bytes.
        align: usize,
        /// The buffer's address modulo `align`.
        offset: usize,
    },
    /// A byte buffer's length is not a whole number of elements.
    RaggedBytes {
        /// The buffer at fault.
        operand: Operand,
        /// Its length in bytes.
        len: usize,
        /// Size of one element in bytes.
        elem_size: usize,
    },
    /// The requested kernel cannot run on this CPU, or was not compiled in.
    KernelUnavailable {
        /// The kernel asked for.
        kernel: Kernel,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::LengthMismatch { grad, other } => write!(
                f,
                "length mismatch: grad has {grad} elements but the input/output has {other}"
            ),
            Error::InvalidSlope { alpha } => write!(
                f,
                "backward_from_output needs alpha >= 0 (got {alpha}); use backward() with the forward input"
            ),
            Error::Misaligned {
                operand,
                align,
                offset,
            } => write!(
                f,
                "{operand} bytes are misaligned: address is {offset} bytes past a multiple of {align}"
            ),
            Error::RaggedBytes {
                operand,
                len,
                elem_size,
            } => write!(
                f,
                "{operand} has {len} bytes, not a whole number of {elem_size}-byte elements"
            ),
            Error::KernelUnavailable { kernel } => write!(
                f,
                "kernel `{}` is not available on this CPU or build",
                kernel.name()
            ),
        }
    }
}

impl std::error::Error for Error {}
