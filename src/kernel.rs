//! [`Kernel`]: the implementations this crate ships, their availability on the
//! running CPU, and checked entry points that run one of them explicitly.

use crate::{Element, Error, Options};
use core::fmt;
use core::str::FromStr;

/// One implementation of the kernels. Every variant exists on every target, so
/// code naming one compiles everywhere; [`Kernel::is_available`] says whether it
/// can run here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kernel {
    /// The scalar reference ([`crate::reference`]). Always available.
    Scalar,
    /// `wide` vectors at the target's baseline ISA (SSE2 on x86_64, NEON on
    /// aarch64). Available when the `portable` feature is on (the default).
    Portable,
    /// AVX2 intrinsics (x86, x86_64), when the CPU reports AVX2.
    Avx2,
    /// NEON intrinsics (aarch64).
    Neon,
}

impl Kernel {
    /// Every kernel, in order of preference (fastest first).
    pub const ALL: [Kernel; 4] = [Kernel::Avx2, Kernel::Neon, Kernel::Portable, Kernel::Scalar];

    /// The kernel's name: `"scalar"`, `"portable"`, `"avx2"` or `"neon"`. The same
    /// strings are accepted by `LEAKY_RELU_KERNEL` and by [`str::parse`].
    pub const fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
            Kernel::Neon => "neon",
        }
    }

    /// Whether this kernel is compiled in and this CPU can run it. The CPU is
    /// queried at most once per process (the standard library caches CPUID), and
    /// not at all when the compile target already guarantees the feature.
    #[inline]
    pub fn is_available(self) -> bool {
        match self {
            Kernel::Scalar => true,
            Kernel::Portable => cfg!(feature = "portable"),
            Kernel::Avx2 => avx2_available(),
            Kernel::Neon => neon_available(),
        }
    }

    /// Every kernel this CPU can run, fastest first. `Kernel::Scalar` is always last.
    pub fn available() -> Vec<Kernel> {
        Self::ALL.into_iter().filter(|k| k.is_available()).collect()
    }

    /// The kernel the crate's free functions use: the fastest available one,
    /// unless `LEAKY_RELU_KERNEL` names another available kernel (see the crate
    /// docs). Decided once per process; later calls cost one relaxed atomic load.
    #[inline]
    pub fn best() -> Kernel {
        crate::detect::state().0
    }

    fn checked(self) -> Result<Options, Error> {
        Options::new().with_kernel(self)
    }

    /// [`crate::forward`] with this kernel.
    ///
    /// # Errors
    /// [`Error::KernelUnavailable`] if this CPU cannot run the kernel; `buf` is then untouched.
    pub fn forward<T: Element>(self, buf: &mut [T], alpha: T) -> Result<(), Error> {
        self.checked()?.forward(buf, alpha);
        Ok(())
    }

    /// [`crate::backward`] with this kernel.
    ///
    /// # Errors
    /// [`Error::KernelUnavailable`] or [`Error::LengthMismatch`]; `grad` is then untouched.
    pub fn backward<T: Element>(self, grad: &mut [T], input: &[T], alpha: T) -> Result<(), Error> {
        self.checked()?.backward(grad, input, alpha)
    }

    /// [`crate::backward_from_output`] with this kernel.
    ///
    /// # Errors
    /// [`Error::KernelUnavailable`], [`Error::LengthMismatch`] or
    /// [`Error::InvalidSlope`]; `grad` is then untouched.
    pub fn backward_from_output<T: Element>(
        self,
        grad: &mut [T],
        output: &[T],
        alpha: T,
    ) -> Result<(), Error> {
        self.checked()?.backward_from_output(grad, output, alpha)
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a [`Kernel`] name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKernel(pub String);

impl fmt::Display for UnknownKernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown kernel {:?}: expected scalar, portable, avx2 or neon",
            self.0
        )
    }
}

impl std::error::Error for UnknownKernel {}

impl FromStr for Kernel {
    type Err = UnknownKernel;

    /// Parses a kernel name, ignoring ASCII case and surrounding whitespace.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownKernel(s.to_owned()))
    }
}

#[inline]
fn avx2_available() -> bool {
    #[cfg(lr_avx2_static)]
    {
        true
    }
    #[cfg(all(lr_avx2, not(lr_avx2_static)))]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(lr_avx2))]
    {
        false
    }
}

#[inline]
fn neon_available() -> bool {
    #[cfg(lr_neon_static)]
    {
        true
    }
    #[cfg(all(lr_neon, not(lr_neon_static)))]
    {
        std::arch::is_aarch64_feature_detected!("neon")
    }
    #[cfg(not(lr_neon))]
    {
        false
    }
}
