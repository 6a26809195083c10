//! One module per instruction set, named after its `target_feature` (`portable`
//! and `scalar`, which need none, after what they are): each is an
//! ISA token (`isa_token!`) and its table of intrinsics (`simd_table!`), nothing
//! more. Only the modules the target can run are compiled; the kernel registry
//! in `dispatch` lists them.

pub(crate) mod scalar;

#[cfg(feature = "portable")]
pub(crate) mod portable;

// Not on the soft-float x86 targets (`x86_64-unknown-uefi`, `-none`: no SSE2,
// `+soft-float`): there the `#[target_feature]` entry points get `+avx2` next
// to the target's `+soft-float`, and LLVM aborts lowering the vector float
// compares and min/max these kernels use ("Do not know how to soften this
// operator's operand" in release builds; multiplies and blends alone would
// compile). Those targets run `portable` or `scalar`. Targets without SSE2
// that are not soft-float (i586, x87 floats) keep the kernels.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    any(
        target_feature = "sse2",
        not(any(target_os = "uefi", target_os = "none"))
    )
))]
pub(crate) mod x86_cpu;

#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    any(
        target_feature = "sse2",
        not(any(target_os = "uefi", target_os = "none"))
    )
))]
pub(crate) mod avx2;

#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    any(
        target_feature = "sse2",
        not(any(target_os = "uefi", target_os = "none"))
    )
))]
pub(crate) mod avx512;

#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;
