//! The `neon` kernel: 128-bit `core::arch::aarch64` intrinsics, entered through
//! `#[target_feature(enable = "neon")]`. NEON is part of every standard aarch64
//! target, so detection is a constant there.

use core::arch::aarch64::*;

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
