//! One module per instruction set, named after its `target_feature` (`portable`
//! and `scalar`, which need none, after what they are): each is an
//! ISA token (`isa_token!`) and its table of intrinsics (`simd_table!`), nothing
//! more. Only the modules the target can run are compiled; the kernel registry
//! in `dispatch` lists them.

pub(crate) mod scalar;

#[cfg(feature = "portable")]
pub(crate) mod portable;

// The x86 kernels need a target whose ABI passes floats in SSE registers
// (every standard x86_64 and i686 target). On soft-float targets
// (`x86_64-unknown-uefi`, whose features are `-sse,+soft-float`) LLVM aborts
// compiling them ("Do not know how to split the result of this operator"):
// the `#[target_feature]` entry points get `+avx2` next to the target's
// `+soft-float`, and LLVM's soft-float lowering cannot handle vector float
// operations (checked in the LLVM IR of a release build). Those targets run
// `portable` or `scalar`.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
pub(crate) mod x86_cpu;

#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
pub(crate) mod avx2;

#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
pub(crate) mod avx512;

#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;
