//! The `portable` kernel: `wide` vectors, which pick their instructions at
//! compile time from the target's baseline (SSE2 on x86_64, NEON on aarch64,
//! simd128 on wasm, plain arrays elsewhere). It never uses more than the target
//! guarantees, so it is always available; x86 CPUs without AVX2 run it.
//!
//! The halves convert with `kernels::halves`' integer code on `u32x8` lanes, so
//! they too need nothing beyond the baseline (`bf16`'s element-wise operations
//! two values to a lane, `halves::Pairs`).

use crate::kernels::{isa_token, simd_table};
use wide::{f32x8, f64x4, i32x8, i64x4};
#[cfg(feature = "half")]
use wide::{u16x8, u32x8};

isa_token!(
    /// Token of the `portable` kernel: available whenever it is compiled in.
    Portable,
    detected: true
);

/// The table for `wide`'s `$v` of `$lanes` `$t`s.
macro_rules! portable_table {
    ($t:ty, $v:ident, $lanes:literal, $i:ident, $it:ty, $lane_bits:expr) => {
        simd_table!(Portable, $t, $v, $v, $lanes;
            load |p: *const $t| $v::from(p.cast::<[$t; $lanes]>().read_unaligned()),
            store |p: *mut $t, v: $v| p.cast::<[$t; $lanes]>().write_unaligned(v.to_array()),
            splat |x| $v::splat(x), mul |a, b| a * b, max |a: $v, b| a.fast_max(b),
            min |a: $v, b| a.fast_min(b), gt0 |x: $v| x.simd_gt($v::ZERO),
            sign |x: $v| x.is_sign_negative(),
            select |m: $v, a, b| m.select(a, b),
            bits |m: $v| u64::from(m.to_bitmask()),
            // Integer compares: exact whatever the floating-point environment.
            mask_of_bits |b: u64| {
                let lanes = $i::from($lane_bits);
                bytemuck::cast::<$i, $v>(($i::splat(b as $it) & lanes).simd_eq(lanes))
            });
    };
}
portable_table!(f32, f32x8, 8, i32x8, i32, [1, 2, 4, 8, 16, 32, 64, 128]);
portable_table!(f64, f64x4, 4, i64x4, i64, [1, 2, 4, 8]);

// The halves' conversions are `kernels::halves`' integer code on `wide`'s
// `u32x8` (`f16` too: the baseline has no conversion instruction).
#[cfg(feature = "half")]
crate::kernels::halves::bits_table!(Portable, u32x8, u32x8;
    load |p: *const u16| u32x8::from(u16x8::from(p.cast::<[u16; 8]>().read_unaligned())),
    store |p: *mut u16, v: u32x8| p.cast::<[u16; 8]>().write_unaligned(v.to_array().map(|h| h as u16)),
    load_pairs |p: *const u16| u32x8::from(p.cast::<[u32; 8]>().read_unaligned()),
    store_pairs |p: *mut u16, v: u32x8| p.cast::<[u32; 8]>().write_unaligned(v.to_array()),
    int_bits |v| bytemuck::cast::<f32x8, u32x8>(v), float_bits |i| bytemuck::cast::<u32x8, f32x8>(i),
    int |x: u32| u32x8::splat(x), and |a, b| a & b, or |a, b| a | b, add |a, b| a + b,
    sub |a, b| a - b, shl13 |a| a << 13, shl16 |a| a << 16, shr13 |a| a >> 13, shr16 |a| a >> 16,
    // Unsigned compares: the same as signed ones below 2^31, all `Bits32` needs.
    gt |a: u32x8, b| a.simd_gt(b),
    pick |k: u32x8, a, b| k.select(a, b),
    fadd |a, b| a + b);

#[cfg(feature = "half")]
impl crate::kernels::halves::SoftF16 for Portable {}
