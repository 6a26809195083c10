//! The `neon` kernel: 128-bit `core::arch::aarch64` intrinsics, entered through
//! `#[target_feature(enable = "neon")]`. NEON is part of every standard aarch64
//! target, so detection is a constant there.
//!
//! `f16` converts with `fcvtl`/`fcvtn` (ARMv8.0 AdvSIMD, so every aarch64 CPU,
//! including those without the FP16 arithmetic extension), through `asm!`
//! because the intrinsics take `float16x4_t`, which stable Rust lacks; `fcvtn`
//! rounds as FPCR says, to nearest, ties to even, unless a program changed
//! it (like every multiply of the kernels). `bf16` uses the integer lanes of
//! `bits_table!` (`kernels::halves`): two values to a lane (`halves::Pairs`)
//! for the element-wise operations, one (`vmovl`/`vmovn`) for the masks.

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
crate::kernels::halves::bits_table!(Neon, uint32x4_t, uint32x4_t;
    load |p: *const u16| vmovl_u16(vld1_u16(p)), store |p: *mut u16, v| vst1_u16(p, vmovn_u32(v)),
    load_pairs |p: *const u16| vreinterpretq_u32_u16(vld1q_u16(p)),
    store_pairs |p: *mut u16, v| vst1q_u16(p, vreinterpretq_u16_u32(v)),
    int_bits |v| vreinterpretq_u32_f32(v), float_bits |i| vreinterpretq_f32_u32(i),
    int |x: u32| vdupq_n_u32(x), and |a, b| vandq_u32(a, b), or |a, b| vorrq_u32(a, b),
    add |a, b| vaddq_u32(a, b), sub |a, b| vsubq_u32(a, b), shl13 |a| vshlq_n_u32::<13>(a),
    shl16 |a| vshlq_n_u32::<16>(a), shr13 |a| vshrq_n_u32::<13>(a),
    shr16 |a| vshrq_n_u32::<16>(a),
    gt |a, b| vcgtq_s32(vreinterpretq_s32_u32(a), vreinterpretq_s32_u32(b)),
    pick |k, a, b| vbslq_u32(k, a, b),
    fadd |a, b| vaddq_f32(a, b), nan_low_half_zero true);

/// `$name`: one conversion instruction between four `f16` (as bits) and four
/// `f32`, through `asm!`.
#[cfg(feature = "half")]
macro_rules! fcvt {
    ($(#[$doc:meta])* $name:ident($in:ty) -> $out:ty, $insn:literal) => {
        $(#[$doc])*
        #[target_feature(enable = "neon")]
        #[inline]
        fn $name(v: $in) -> $out {
            let out: $out;
            // SAFETY: `fcvtl` and `fcvtn` are in every AdvSIMD implementation
            // (the token proved NEON); they write the named register and may set
            // FPSR's cumulative exception flags (inexact, overflow, invalid...),
            // so no `preserves_flags`; they read FPCR's rounding mode and touch
            // no memory or stack.
            unsafe {
                core::arch::asm!($insn, out(vreg) out, in(vreg) v,
                    options(pure, nomem, nostack));
            }
            out
        }
    };
}
#[cfg(feature = "half")]
fcvt!(
    /// Widening, exact.
    f16_widen(uint16x4_t) -> float32x4_t, "fcvtl {0:v}.4s, {1:v}.4h"
);
#[cfg(feature = "half")]
fcvt!(
    /// Narrowing, rounding as FPCR says (to nearest, ties to even, by default).
    f16_narrow(float32x4_t) -> uint16x4_t, "fcvtn {0:v}.4h, {1:v}.4s"
);
