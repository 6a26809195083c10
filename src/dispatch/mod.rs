//! The kernel registry: one table from which the public [`Kernel`] enum, its
//! names, parsing, availability, the list of kernels and the dispatch `match`
//! are all generated. A kernel is one ISA module plus one line here; a line
//! whose token type is not an [`Isa`] does not compile, and the dispatch match
//! has no fallback arm, so a kernel cannot be listed without being reachable.
//!
//! The cached process-wide choice (and `LEAKY_RELU_KERNEL`) lives in `state`.

pub(crate) mod state;

use crate::Element;
use crate::kernels::{Isa, Task};

macro_rules! registry {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, cfg($cfg:meta), $token:ty; )*) => {
        /// One implementation of the kernels. Every variant exists on every
        /// target, so code naming one compiles everywhere; [`Kernel::is_available`]
        /// says whether it can run here. Non-exhaustive: kernels are added in
        /// minor releases.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Kernel {
            $( $(#[$doc])* $variant, )*
        }

        impl Kernel {
            /// Every kernel, in order of preference (fastest first; `Scalar` last).
            pub const ALL: &'static [Kernel] = &[$(Kernel::$variant),*];

            /// Their names, in the same order.
            #[cfg(feature = "std")]
            const NAMES: &'static [&'static str] = &[$($name),*];

            /// The kernel's name, as accepted by `LEAKY_RELU_KERNEL` and
            /// [`str::parse`], and as used in bench ids and test messages.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Kernel::$variant => $name, )*
                }
            }

            /// The kernel with its token, if this build and CPU can run it.
            pub(crate) fn engine(self) -> Option<Engine> {
                match self {
                    $( #[cfg($cfg)] Kernel::$variant => <$token as Isa>::detect().map(Engine::$variant), )*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }

        /// An available kernel: a [`Kernel`] together with the token that proves
        /// this CPU can run it. Only [`Kernel::engine`] makes one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Engine {
            $( #[cfg($cfg)] $variant($token), )*
        }

        impl Engine {
            /// Which kernel this is.
            pub(crate) fn kernel(self) -> Kernel {
                match self {
                    $( #[cfg($cfg)] Engine::$variant(_) => Kernel::$variant, )*
                }
            }

            /// Runs `task` serially with this kernel.
            #[inline(always)]
            pub(crate) fn run<T: Element>(self, task: Task<'_, T>) {
                match self {
                    $( #[cfg($cfg)] Engine::$variant(isa) => T::run(isa, task), )*
                }
            }
        }
    };
}

registry! {
    /// AVX-512F intrinsics (x86, x86_64), when the CPU and OS report AVX-512F:
    /// every operation is one masked multiply per 512-bit vector.
    Avx512 = "avx512", cfg(any(target_arch = "x86", target_arch = "x86_64")), crate::kernels::isa::avx512::Avx512;
    /// AVX2 intrinsics (x86, x86_64), when the CPU reports AVX2 and F16C (for
    /// the `f16` conversions; every AVX2 CPU made has it).
    Avx2 = "avx2", cfg(any(target_arch = "x86", target_arch = "x86_64")), crate::kernels::isa::avx2::Avx2;
    /// NEON intrinsics (aarch64).
    Neon = "neon", cfg(target_arch = "aarch64"), crate::kernels::isa::neon::Neon;
    /// `wide` vectors at the target's baseline ISA (SSE2 on x86_64, NEON on
    /// aarch64, simd128 on wasm). Available when the `portable` feature is on (the default).
    Portable = "portable", cfg(feature = "portable"), crate::kernels::isa::portable::Portable;
    /// One element at a time, in plain Rust. Always available.
    Scalar = "scalar", cfg(all()), crate::kernels::isa::scalar::Scalar;
}

impl Kernel {
    /// Whether this kernel is compiled in and this CPU can run it. The CPU is
    /// queried at most once per process (the standard library caches CPUID), and
    /// not at all when the compile target already guarantees the feature.
    #[inline]
    pub fn is_available(self) -> bool {
        self.engine().is_some()
    }

    /// Every kernel this CPU can run, fastest first. `Kernel::Scalar` is always
    /// last. Allocation-free: [`Kernel::available_iter`].
    #[cfg(feature = "std")]
    pub fn available() -> Vec<Kernel> {
        Self::available_iter().collect()
    }

    /// Every kernel this CPU can run, fastest first, without allocating (also
    /// without the `std` feature).
    pub fn available_iter() -> impl Iterator<Item = Kernel> + Clone {
        Self::ALL.iter().copied().filter(|k| k.is_available())
    }
}

crate::names::named!(
    Kernel,
    "kernel",
    Kernel::ALL,
    Kernel::NAMES,
    /// Parses a kernel name, ignoring ASCII case and surrounding whitespace.
);
