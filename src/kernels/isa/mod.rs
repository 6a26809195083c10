//! One module per instruction set, named after its `target_feature` (`portable`
//! and `scalar`, which need none, after what they are): each is an
//! ISA token (`isa_token!`) and its table of intrinsics (`simd_table!`), nothing
//! more. Only the modules the target can run are compiled; the kernel registry
//! in `dispatch` lists them.

pub(crate) mod scalar;

#[cfg(feature = "portable")]
pub(crate) mod portable;

// On the soft-float x86 targets (`x86_64-unknown-uefi`, `-none`: `+soft-float`,
// no SSE2 in the target) the AVX kernels are built too, with the compares,
// min/max and broadcasts that LLVM cannot lower there done on the bits as
// integers (`cfg(soft_float_x86)`, set by `build.rs`; see `avx2::soft`).
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod x86_cpu;

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod avx2;

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod avx512;

#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;
