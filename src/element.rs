//! The sealed [`Element`] trait (`f32`, `f64`), the run-time element type
//! [`DType`] of the byte API, the [`Scalar`] that prints a slope in its own
//! type, and the one place where a generic `T` becomes a concrete type on its
//! way to an ISA's entry point.

use crate::kernels::{Isa, Lane, Task};
use core::fmt::{self, Debug};
use core::ops::Mul;

/// A float type the kernels support: `f32` or `f64`. Sealed.
pub trait Element:
    private::Sealed
    + Copy
    + Default
    + PartialOrd
    + Mul<Output = Self>
    + Debug
    + Send
    + Sync
    + bytemuck::Pod
    + 'static
{
    /// This type as a [`DType`], for the byte API:
    /// `forward_bytes(bytes, f32::DTYPE, alpha)`.
    const DTYPE: DType;
}

impl Element for f32 {
    const DTYPE: DType = DType::F32;
}
impl Element for f64 {
    const DTYPE: DType = DType::F64;
}

/// The element type of a byte buffer, named at run time, as an engine's tensor
/// carries it. The byte API ([`forward_bytes`](crate::forward_bytes) and
/// friends) takes one explicitly, so the type of a slope literal can never
/// decide how bytes are read. Non-exhaustive: `F16`/`BF16` are planned.
///
/// ```
/// use leaky_relu::DType;
/// assert_eq!("F32".parse::<DType>(), Ok(DType::F32));
/// assert_eq!("float64".parse::<DType>(), Ok(DType::F64)); // NumPy / PyTorch names
/// assert_eq!((DType::F64.size(), DType::F64.name()), (8, "f64"));
/// assert!("float".parse::<DType>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DType {
    /// `f32`: IEEE 754 binary32, 4 bytes, 4-aligned.
    F32,
    /// `f64`: IEEE 754 binary64, 8 bytes, 8-aligned.
    F64,
}

impl DType {
    /// Every dtype the crate supports.
    pub const ALL: &'static [DType] = &[DType::F32, DType::F64];

    /// The Rust name of the type (`"f32"`), as [`str::parse`] accepts it.
    pub const fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
        }
    }

    /// The alignment a byte buffer of this type needs, in bytes.
    pub const fn align(self) -> usize {
        match self {
            DType::F32 => core::mem::align_of::<f32>(),
            DType::F64 => core::mem::align_of::<f64>(),
        }
    }
}

crate::names::named!(
    DType,
    "dtype",
    &[DType::F32, DType::F64, DType::F32, DType::F64],
    &["f32", "f64", "float32", "float64"],
    /// `f32` or `f64`, or NumPy's and PyTorch's `float32` and `float64`,
    /// ignoring ASCII case and surrounding whitespace.
);

/// A value of one of the element types, as an [`Error`](crate::Error) reports
/// a slope: displayed in its own type (`-0.1` for an `f32`, not its widening
/// `-0.10000000149011612`).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Scalar {
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
}

impl Scalar {
    /// The value's type.
    pub const fn dtype(self) -> DType {
        match self {
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
        }
    }

    /// The value widened to `f64` (exact).
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::F32(v) => f64::from(v),
            Scalar::F64(v) => v,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::F32(v) => write!(f, "{v}"),
            Scalar::F64(v) => write!(f, "{v}"),
        }
    }
}

pub(crate) mod private {
    use super::*;

    /// Crate-private methods of [`Element`]; not nameable outside the crate.
    pub trait Sealed: Lane {
        /// The value as a [`Scalar`], for error messages.
        fn to_scalar(self) -> Scalar;
        /// `v` rounded to this type (to nearest, ties to even; exact when `v`
        /// is representable, as any `f32` widened to `f64` is).
        fn from_f64_rounded(v: f64) -> Self;
        /// Runs `task` with `isa`'s vectors of this type.
        fn run<I: Isa>(isa: I, task: Task<'_, Self>);
    }

    /// `as` from `f64` rounds to nearest, ties to even, and keeps NaN, ±inf, ±0.
    macro_rules! sealed {
        ($($t:ident: $variant:ident, $run:ident;)*) => {$(
            impl Sealed for $t {
                #[inline(always)]
                fn to_scalar(self) -> Scalar {
                    Scalar::$variant(self)
                }
                #[inline(always)]
                fn from_f64_rounded(v: f64) -> Self {
                    v as $t
                }
                #[inline(always)]
                fn run<I: Isa>(isa: I, task: Task<'_, Self>) {
                    isa.$run(task)
                }
            }
        )*};
    }

    sealed! {
        f32: F32, run_f32;
        f64: F64, run_f64;
    }
}
