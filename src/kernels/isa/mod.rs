//! One module per instruction set, named after its `target_feature` (`portable`
//! and `scalar`, which need none, after what they are): each is an
//! ISA token (`isa_token!`) and its table of intrinsics (`simd_table!`), nothing
//! more. Only the modules the target can run are compiled; the kernel registry
//! in `dispatch` lists them.

pub(crate) mod scalar;

#[cfg(feature = "portable")]
pub(crate) mod portable;

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod avx2;

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod avx512;

#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;
