//! The `neon` kernel: 128-bit `core::arch::aarch64` intrinsics, entered through
//! `#[target_feature(enable = "neon")]`. NEON is part of every standard aarch64
//! target, so detection is a constant there.
//!
//! `f16` converts with `fcvtl`/`fcvtn` (ARMv8.0 AdvSIMD, so every aarch64 CPU,
//! including those without the FP16 arithmetic extension), through `asm!`
//! because the intrinsics take `float16x4_t`, which stable Rust lacks; `fcvtn`
//! rounds as FPCR says, to nearest, ties to even, unless a program changed
//! it (like every multiply of the kernels). `bf16` uses integer operations
//! (`bf16_narrow`).

use core::arch::aarch64::*;

#[cfg(feature = "half")]
use crate::kernels::widen_table;
use crate::kernels::{isa_token, simd_table};

isa_token!(
    /// Token of the `neon` kernel: proof that this CPU has NEON.
    Neon,
    detected: neon(),
    feature: "neon"
);

/// NEON is baseline on standard aarch64 targets (`std`'s check is then a
/// constant); without `std`, what the target enables statically
/// (`aarch64-unknown-none` enables NEON).
#[inline]
fn neon() -> bool {
    #[cfg(feature = "std")]
    return std::arch::is_aarch64_feature_detected!("neon");
    #[cfg(not(feature = "std"))]
    return cfg!(target_feature = "neon");
}

// `bsl` takes its first operand where the mask is set; the sign test is an
// integer `< 0` on the same bits.
simd_table!(Neon, f32, float32x4_t, uint32x4_t, 4;
    load |p| vld1q_f32(p), store |p, v| vst1q_f32(p, v), splat |x| vdupq_n_f32(x), mul |a, b| vmulq_f32(a, b), max |a, b| vmaxq_f32(a, b), min |a, b| vminq_f32(a, b),
    gt0 |x| vcgtzq_f32(x), sign |x| vcltzq_s32(vreinterpretq_s32_f32(x)), select |m, a, b| vbslq_f32(m, a, b),
    bits |m| u64::from(vaddvq_u32(vandq_u32(m, vld1q_u32([1u32, 2, 4, 8].as_ptr())))),
    mask_of_bits |b: u64| vtstq_u32(vdupq_n_u32(b as u32), vld1q_u32([1u32, 2, 4, 8].as_ptr())));

simd_table!(Neon, f64, float64x2_t, uint64x2_t, 2;
    load |p| vld1q_f64(p), store |p, v| vst1q_f64(p, v), splat |x| vdupq_n_f64(x), mul |a, b| vmulq_f64(a, b), max |a, b| vmaxq_f64(a, b), min |a, b| vminq_f64(a, b),
    gt0 |x| vcgtzq_f64(x), sign |x| vcltzq_s64(vreinterpretq_s64_f64(x)), select |m, a, b| vbslq_f64(m, a, b),
    bits |m| vaddvq_u64(vandq_u64(m, vld1q_u64([1u64, 2].as_ptr()))),
    mask_of_bits |b: u64| vtstq_u64(vdupq_n_u64(b), vld1q_u64([1u64, 2].as_ptr())));

#[cfg(feature = "half")]
widen_table!(Neon, half::f16;
    load |p: *const half::f16| f16_widen(vld1_u16(p.cast())),
    store |p: *mut half::f16, v| vst1_u16(p.cast(), f16_narrow(v)));

#[cfg(feature = "half")]
widen_table!(Neon, half::bf16;
    load |p: *const half::bf16| vreinterpretq_f32_u32(vshll_n_u16::<16>(vld1_u16(p.cast()))),
    store |p: *mut half::bf16, v| vst1_u16(p.cast(), bf16_narrow(v)));

/// Four `f16` (as bits) widened to `f32`: `fcvtl`, exact.
#[cfg(feature = "half")]
#[target_feature(enable = "neon")]
#[inline]
fn f16_widen(h: uint16x4_t) -> float32x4_t {
    let out: float32x4_t;
    // SAFETY: `fcvtl` is in every AdvSIMD implementation (the token proved
    // NEON); it reads and writes only the named registers.
    unsafe {
        core::arch::asm!("fcvtl {0:v}.4s, {1:v}.4h", out(vreg) out, in(vreg) h,
            options(pure, nomem, nostack, preserves_flags));
    }
    out
}

/// Four `f32` rounded to `f16` (as bits): `fcvtn`.
#[cfg(feature = "half")]
#[target_feature(enable = "neon")]
#[inline]
fn f16_narrow(v: float32x4_t) -> uint16x4_t {
    let out: uint16x4_t;
    // SAFETY: as in `f16_widen`.
    unsafe {
        core::arch::asm!("fcvtn {0:v}.4h, {1:v}.4s", out(vreg) out, in(vreg) v,
            options(pure, nomem, nostack, preserves_flags));
    }
    out
}

/// Four `f32` rounded to `bf16` (to nearest, ties to even; as the `avx2`
/// kernel's, see `formula`, "Narrowing to bf16").
#[cfg(feature = "half")]
#[target_feature(enable = "neon")]
#[inline]
fn bf16_narrow(v: float32x4_t) -> uint16x4_t {
    let x = vreinterpretq_u32_f32(v);
    let nan = vcgtq_u32(
        vandq_u32(x, vdupq_n_u32(0x7fff_ffff)),
        vdupq_n_u32(0x7f80_0000),
    );
    let lsb = vandq_u32(vshrq_n_u32::<16>(x), vdupq_n_u32(1));
    let rounded = vaddq_u32(x, vaddq_u32(lsb, vdupq_n_u32(0x7fff)));
    let quiet = vorrq_u32(x, vdupq_n_u32(0x0040_0000));
    vshrn_n_u32::<16>(vbslq_u32(nan, quiet, rounded))
}
