//! The crate's one error type, [`Error`], and [`Operand`], which names the buffer at fault.

use crate::{DType, Kernel, Scalar};
use core::fmt;

/// Which argument of a call an [`Error`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operand {
    /// The buffer transformed in place by [`forward`](crate::forward).
    Buffer,
    /// The incoming gradient: `grad` of the in-place backward calls (updated
    /// in place), or `dy` of the `_into` ones (only read).
    Grad,
    /// The forward input `x` of [`backward`](crate::backward) and
    /// [`backward_into`](crate::backward_into).
    Input,
    /// The forward output `y` of [`backward_from_output`](crate::backward_from_output)
    /// and [`backward_from_output_into`](crate::backward_from_output_into).
    Output,
    /// The destination of an out-of-place call: `dst` of
    /// [`forward_into`](crate::forward_into), `dx` of the `backward*_into` calls.
    Dst,
    /// The source `src` of [`forward_into`](crate::forward_into).
    Src,
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operand::Buffer => "buffer",
            Operand::Grad => "grad",
            Operand::Input => "input",
            Operand::Output => "output",
            Operand::Dst => "dst",
            Operand::Src => "src",
        })
    }
}

/// Why a call was refused. Whenever a function returns an `Error`, it has not
/// written to any buffer. The variants about a buffer name it (an [`Operand`],
/// or the mask), and every message says what to do.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A buffer's length differs from that of the buffer the call writes
    /// (`grad` in place, `dst`/`dx` out of place).
    LengthMismatch {
        /// The buffer at fault.
        operand: Operand,
        /// Its length in elements.
        len: usize,
        /// The buffer the call writes, whose length every other buffer must have.
        written: Operand,
        /// The length of that buffer.
        expected: usize,
    },
    /// An array's shape differs from that of the array the call writes (the
    /// `ndarray` feature's functions; they do not broadcast).
    ShapeMismatch {
        /// The array at fault.
        operand: Operand,
        /// The array the call writes, whose shape every other array must have.
        written: Operand,
    },
    /// [`backward_from_output`](crate::backward_from_output) was given a negative
    /// or NaN slope. Only for `alpha >= 0` (which includes `-0.0` and `+inf`) is
    /// `y > 0` equivalent to `x > 0`; use [`backward`](crate::backward) with the
    /// forward input, or [`backward_from_mask`](crate::backward_from_mask), instead.
    InvalidSlope {
        /// The offending slope, in the element type of the call.
        alpha: Scalar,
    },
    /// A byte buffer's address is not a multiple of the element's alignment.
    Misaligned {
        /// The buffer at fault.
        operand: Operand,
        /// The element type the bytes were to be read as.
        dtype: DType,
        /// Required alignment in bytes.
        align: usize,
        /// The buffer's address modulo `align`.
        offset: usize,
    },
    /// A byte buffer's length is not a whole number of elements.
    RaggedBytes {
        /// The buffer at fault.
        operand: Operand,
        /// The element type the bytes were to be read as.
        dtype: DType,
        /// Its length in bytes.
        len: usize,
        /// Size of one element in bytes.
        elem_size: usize,
    },
    /// A mask's length is not [`mask_len`](crate::mask_len)`(elements)` bytes.
    MaskLength {
        /// The mask's length in bytes.
        len: usize,
        /// The length it must have: `elements.div_ceil(8)`.
        expected: usize,
        /// Elements of the buffer the mask is for.
        elements: usize,
    },
    /// The requested kernel cannot run on this CPU, or was not compiled in.
    KernelUnavailable {
        /// The kernel asked for.
        kernel: Kernel,
    },
    /// A byte-API call named a [`DType`] this build cannot run (`F16` and
    /// `BF16` without the `half` feature).
    UnsupportedDType {
        /// The element type asked for.
        dtype: DType,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::LengthMismatch {
                operand,
                len,
                written,
                expected,
            } => write!(
                f,
                "length mismatch: {operand} has {len} elements but {written} (the buffer written) has {expected}; every buffer of a call must have the same length"
            ),
            Error::ShapeMismatch { operand, written } => write!(
                f,
                "shape mismatch: {operand} has another shape than {written} (the array written); arrays are not broadcast"
            ),
            Error::InvalidSlope { alpha } => write!(
                f,
                "backward_from_output needs alpha >= 0, got {alpha} ({}); for a negative or NaN alpha use backward() with the forward input, or backward_from_mask()",
                alpha.dtype()
            ),
            Error::Misaligned {
                operand,
                dtype,
                align,
                offset,
            } => write!(
                f,
                "{operand} bytes are misaligned for {dtype}: the address is {offset} bytes past a multiple of {align}; allocate the buffer as {dtype} elements (a Vec<{dtype}> viewed with bytemuck::cast_slice_mut), or copy the bytes into one"
            ),
            Error::RaggedBytes {
                operand,
                dtype,
                len,
                elem_size,
            } => write!(
                f,
                "{operand} has {len} bytes, not a whole number of {elem_size}-byte {dtype} elements; check the dtype and the buffer's length"
            ),
            Error::MaskLength {
                len,
                expected,
                elements,
            } => write!(
                f,
                "mask has {len} bytes; {elements} elements need mask_len({elements}) = {expected} (one bit each)"
            ),
            Error::KernelUnavailable { kernel } => {
                write!(
                    f,
                    "kernel `{kernel}` is not available on this CPU or build; available:"
                )?;
                for k in Kernel::ALL.iter().filter(|k| k.is_available()) {
                    write!(f, " {k}")?;
                }
                Ok(())
            }
            Error::UnsupportedDType { dtype } => write!(
                f,
                "dtype {dtype} is not supported by this build; enable the `half` feature of leaky-relu for f16 and bf16"
            ),
        }
    }
}

impl core::error::Error for Error {}

impl Error {
    /// `Ok` if a mask of `len` bytes fits `elements` elements exactly; else
    /// [`Error::MaskLength`].
    pub(crate) fn check_mask(elements: usize, len: usize) -> Result<(), Error> {
        let expected = elements.div_ceil(8);
        let e = Error::MaskLength {
            len,
            expected,
            elements,
        };
        (len == expected).then_some(()).ok_or(e)
    }

    /// `Ok` if `operand`'s length `len` equals `expected`, the length of
    /// `written`, the buffer the call writes; else [`Error::LengthMismatch`].
    pub(crate) fn check_len(
        (written, expected): (Operand, usize),
        operand: Operand,
        len: usize,
    ) -> Result<(), Error> {
        if len == expected {
            Ok(())
        } else {
            Err(Error::LengthMismatch {
                operand,
                len,
                written,
                expected,
            })
        }
    }
}
