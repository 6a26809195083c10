//! The `neon` kernel: 128-bit `core::arch::aarch64` intrinsics, entered through
//! `#[target_feature(enable = "neon")]`. NEON is part of every standard aarch64
//! target, so detection is a constant there.

use core::arch::aarch64::*;

use crate::kernels::{isa_token, simd_table};

isa_token!(
    /// Token of the `neon` kernel: proof that this CPU has NEON.
    Neon,
    detected: std::arch::is_aarch64_feature_detected!("neon"),
    feature: "neon"
);

// `bsl` takes its first operand where the mask is set; the sign test is an
// integer `< 0` on the same bits.
simd_table!(Neon, f32, float32x4_t, uint32x4_t, 4;
    load vld1q_f32, store vst1q_f32, splat vdupq_n_f32, mul vmulq_f32, max vmaxq_f32, min vminq_f32,
    gt0 |x| vcgtzq_f32(x), sign |x| vcltzq_s32(vreinterpretq_s32_f32(x)), select vbslq_f32);

simd_table!(Neon, f64, float64x2_t, uint64x2_t, 2;
    load vld1q_f64, store vst1q_f64, splat vdupq_n_f64, mul vmulq_f64, max vmaxq_f64, min vminq_f64,
    gt0 |x| vcgtzq_f64(x), sign |x| vcltzq_s64(vreinterpretq_s64_f64(x)), select vbslq_f64);
