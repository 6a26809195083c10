//! The sealed [`Element`] trait (`f32`, `f64`, `f16`, `bf16`), the run-time element type
//! [`DType`] of the byte API, the [`Scalar`] that prints a slope in its own
//! type, and the one place where a generic `T` becomes a concrete type on its
//! way to an ISA's entry point.

use crate::kernels::{Isa, Storage, Task};
use core::fmt::{self, Debug};
use core::ops::Mul;

/// A float type the kernels support: `f32`, `f64`, and with the `half` feature
/// (default) [`half::f16`] and [`half::bf16`]. Sealed.
///
/// For the halves, `alpha * x` is the product in that format, correctly
/// rounded (to nearest, ties to even), exactly what a native `f16`/`bf16`
/// multiply gives; [`crate::opmath`] has PyTorch's variant, whose slope is an
/// `f32` (see [`Element::Opmath`]).
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
    /// The type PyTorch computes this one in (its `at::opmath_type`): `f32`
    /// for `f16` and `bf16`, the type itself for `f32` and `f64`. The slope of
    /// the [`crate::opmath`] operations has this type.
    type Opmath: Element<Lane = <Self as Storage>::Lane>;
}

impl Element for f32 {
    const DTYPE: DType = DType::F32;
    type Opmath = f32;
}
impl Element for f64 {
    const DTYPE: DType = DType::F64;
    type Opmath = f64;
}
#[cfg(feature = "half")]
impl Element for half::f16 {
    const DTYPE: DType = DType::F16;
    type Opmath = f32;
}
#[cfg(feature = "half")]
impl Element for half::bf16 {
    const DTYPE: DType = DType::BF16;
    type Opmath = f32;
}

/// The element type of a byte buffer, named at run time, as an engine's tensor
/// carries it. The byte API ([`forward_bytes`](crate::forward_bytes) and
/// friends) takes one explicitly, so the type of a slope literal can never
/// decide how bytes are read. Non-exhaustive: more types may come. `F16` and
/// `BF16` exist whatever the features; without `half` the byte API rejects
/// them with [`Error::UnsupportedDType`](crate::Error::UnsupportedDType).
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
    /// `f16`: IEEE 754 binary16 (`half::f16`), 2 bytes, 2-aligned.
    F16,
    /// `bf16`: bfloat16 (`half::bf16`, the high half of an `f32`), 2 bytes, 2-aligned.
    BF16,
}

impl DType {
    /// Every dtype there is (whether this build supports it: [`DType::is_supported`]).
    pub const ALL: &'static [DType] = &[DType::F32, DType::F64, DType::F16, DType::BF16];

    /// Whether this build can run buffers of this type (`F16` and `BF16` need
    /// the `half` feature).
    pub const fn is_supported(self) -> bool {
        match self {
            DType::F32 | DType::F64 => true,
            DType::F16 | DType::BF16 => cfg!(feature = "half"),
        }
    }

    /// The Rust name of the type (`"f32"`), as [`str::parse`] accepts it.
    pub const fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::F16 => "f16",
            DType::BF16 => "bf16",
        }
    }

    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
            DType::F16 | DType::BF16 => 2,
        }
    }

    /// The alignment a byte buffer of this type needs, in bytes.
    pub const fn align(self) -> usize {
        match self {
            DType::F32 => core::mem::align_of::<f32>(),
            DType::F64 => core::mem::align_of::<f64>(),
            DType::F16 | DType::BF16 => core::mem::align_of::<u16>(),
        }
    }
}

crate::names::named!(
    DType,
    "dtype",
    &[
        DType::F32,
        DType::F64,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
        DType::F16,
        DType::BF16
    ],
    &["f32", "f64", "f16", "bf16", "float32", "float64", "float16", "bfloat16"],
    /// `f32`, `f64`, `f16` or `bf16`, or NumPy's and PyTorch's `float32`,
    /// `float64`, `float16` and `bfloat16`, ignoring ASCII case and
    /// surrounding whitespace.
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
    /// An `f16`.
    #[cfg(feature = "half")]
    F16(half::f16),
    /// A `bf16`.
    #[cfg(feature = "half")]
    BF16(half::bf16),
}

impl Scalar {
    /// The value's type.
    pub const fn dtype(self) -> DType {
        match self {
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
            #[cfg(feature = "half")]
            Scalar::F16(_) => DType::F16,
            #[cfg(feature = "half")]
            Scalar::BF16(_) => DType::BF16,
        }
    }

    /// The value widened to `f64` (exact).
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::F32(v) => f64::from(v),
            Scalar::F64(v) => v,
            #[cfg(feature = "half")]
            Scalar::F16(v) => v.to_f64(),
            #[cfg(feature = "half")]
            Scalar::BF16(v) => v.to_f64(),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::F32(v) => write!(f, "{v}"),
            Scalar::F64(v) => write!(f, "{v}"),
            #[cfg(feature = "half")]
            Scalar::F16(v) => shortest(f, v.to_f64(), |x| {
                <half::f16 as private::Sealed>::from_f64_rounded(x).to_bits() == v.to_bits()
            }),
            #[cfg(feature = "half")]
            Scalar::BF16(v) => shortest(f, v.to_f64(), |x| {
                <half::bf16 as private::Sealed>::from_f64_rounded(x).to_bits() == v.to_bits()
            }),
        }
    }
}

pub(crate) mod private {
    use super::*;

    /// Crate-private methods of [`Element`]; not nameable outside the crate.
    pub trait Sealed: Storage {
        /// The value as a [`Scalar`], for error messages.
        fn to_scalar(self) -> Scalar;
        /// `v` rounded to this type (to nearest, ties to even; exact when `v`
        /// is representable, as any `f32` widened to `f64` is). Never through
        /// `half`'s `from_f64`, whose bits depend on the CPU (with F16C it
        /// rounds twice): see [`round_f64_to_odd_f32`].
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

    #[cfg(feature = "half")]
    macro_rules! sealed_half {
        ($($t:ident: $variant:ident, $run:ident;)*) => {$(
            impl Sealed for half::$t {
                #[inline(always)]
                fn to_scalar(self) -> Scalar {
                    Scalar::$variant(self)
                }
                #[inline]
                fn from_f64_rounded(v: f64) -> Self {
                    half::$t::from_f32(round_f64_to_odd_f32(v))
                }
                #[inline(always)]
                fn run<I: Isa>(isa: I, task: Task<'_, Self>) {
                    isa.$run(task)
                }
            }
        )*};
    }
    #[cfg(feature = "half")]
    sealed_half! {
        f16: F16, run_f16;
        bf16: BF16, run_bf16;
    }
}

/// Writes the decimal with the fewest significant digits that reads back as
/// the same half (`-0.1` for the `f16` nearest to it, where `half`'s Display
/// prints the widened `f32`, `-0.099975586`), but never fewer than the integer
/// part has below 10^9 (so the `f16` 9984 prints as `9984`, not `10000`).
/// `same(x)` says whether the `f64` `x` rounds to the half; `f16` needs at most
/// 5 digits, `bf16` at most 4, and the loop stops at 9 (every `f32`).
#[cfg(feature = "half")]
fn shortest(f: &mut fmt::Formatter<'_>, v: f64, same: impl Fn(f64) -> bool) -> fmt::Result {
    use core::fmt::Write;
    /// A fixed buffer that `write!` fills (no allocation: `no_std`).
    struct Buf([u8; 40], usize);
    impl Write for Buf {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.1 + s.len();
            self.0
                .get_mut(self.1..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }
    if v.is_finite() && v != 0.0 {
        let mut whole = 1;
        while whole < 9 && v.abs() >= [1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8][whole - 1] {
            whole += 1;
        }
        for digits in whole - 1..9 {
            let mut b = Buf([0; 40], 0);
            write!(b, "{v:.digits$e}")?;
            let x = core::str::from_utf8(&b.0[..b.1])
                .ok()
                .and_then(|t| t.parse::<f64>().ok());
            if let Some(x) = x.filter(|&x| same(x)) {
                return write!(f, "{x}");
            }
        }
    }
    write!(f, "{v}")
}

/// `v` as an `f32`, rounded toward zero and then, if that was inexact, with
/// the lowest significand bit set ("round to odd"). Rounding the result to a
/// format with at least two fewer significand bits, to nearest, ties to even,
/// gives exactly `v` rounded once to that format: the odd bit stands for the
/// bits cut off, so a result on a halfway point of the narrow format is exact
/// and one off it stays off it (Boldo and Melquiond, "Emulation of FMA and
/// correctly rounded sums: proved algorithms using rounding to odd", 2008).
/// `f16` (11 bits) and `bf16` (8) are at least two bits narrower than `f32`
/// (24) over their whole range: `f16`'s subnormals lie in `f32`'s normal
/// range, and `bf16`'s subnormal spacing 2^-133 is 2^16 times `f32`'s. Values
/// beyond `f32::MAX` become `f32::MAX` with its odd bit, which both halves
/// round to infinity, as they should.
#[cfg(feature = "half")]
pub(crate) fn round_f64_to_odd_f32(v: f64) -> f32 {
    let mut t = v as f32;
    if v.is_nan() {
        return t;
    }
    if f64::from(t).abs() > v.abs() {
        // Rounded away from zero: one step back toward it (the bits of a
        // non-zero magnitude order like the values; `t` is not zero here).
        t = f32::from_bits(t.to_bits() - 1);
    }
    if f64::from(t) != v {
        t = f32::from_bits(t.to_bits() | 1);
    }
    t
}
