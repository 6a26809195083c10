//! The `portable` kernel: `wide` vectors, which pick their instructions at
//! compile time from the target's baseline (SSE2 on x86_64, NEON on aarch64,
//! simd128 on wasm, plain arrays elsewhere). It never uses more than the target
//! guarantees, so it is always available; x86 CPUs without AVX2 run it.
//!
//! The halves convert with integer operations on `u32` lanes (`f16_widen`,
//! `f16_narrow`, `bf16_narrow`), so they too need nothing beyond the baseline.

use crate::kernels::{isa_token, simd_table};
use wide::{f32x8, f64x4, i32x8, i64x4};
#[cfg(feature = "half")]
use {
    crate::kernels::widen_table,
    wide::{u16x8, u32x8},
};

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

#[cfg(feature = "half")]
widen_table!(Portable, half::f16;
    load |p: *const half::f16| f16_widen(load_u16(p.cast())),
    store |p: *mut half::f16, v| store_u16(p.cast(), f16_narrow(v)));

#[cfg(feature = "half")]
widen_table!(Portable, half::bf16;
    load |p: *const half::bf16| bytemuck::cast::<u32x8, f32x8>(load_u16(p.cast()) << 16),
    store |p: *mut half::bf16, v| store_u16(p.cast(), bf16_narrow(v)));

/// Eight `u16`s from `p`, zero-extended.
///
/// # Safety
/// `p` is valid for reading eight `u16`s (no alignment needed).
#[cfg(feature = "half")]
#[inline(always)]
unsafe fn load_u16(p: *const [u16; 8]) -> u32x8 {
    // SAFETY: the caller's contract.
    u32x8::from(u16x8::from(unsafe { p.read_unaligned() }))
}

/// The low halves of the lanes of `v` (each below 2^16), to `p`.
///
/// # Safety
/// `p` is valid for writing eight `u16`s (no alignment needed).
#[cfg(feature = "half")]
#[inline(always)]
unsafe fn store_u16(p: *mut [u16; 8], v: u32x8) {
    let halves = v.to_array().map(|h| h as u16);
    // SAFETY: the caller's contract.
    unsafe { p.write_unaligned(halves) }
}

#[cfg(feature = "half")]
#[inline(always)]
fn splat(x: u32) -> u32x8 {
    u32x8::splat(x)
}

/// `f16` bits (in the low half of each lane) widened to `f32`, exactly: the
/// exponent and significand shifted into place and the exponent rebased (normal
/// numbers), or marked all-ones (infinities, NaNs, payload kept), or, for
/// subnormals, the significand converted as an integer and scaled by 2^-24 (a
/// normal product: exact, and immune to flush-to-zero modes).
#[cfg(feature = "half")]
#[inline(always)]
fn f16_widen(h: u32x8) -> f32x8 {
    let magnitude = h & splat(0x7fff);
    let sign = (h & splat(0x8000)) << 16;
    let shifted = magnitude << 13;
    let normal = shifted + splat((127 - 15) << 23);
    let special = shifted | splat(0x7f80_0000);
    let scaled = bytemuck::cast::<u32x8, i32x8>(magnitude).round_float()
        * f32x8::splat(f32::from_bits(0x3380_0000)); // 2^-24
    let subnormal = bytemuck::cast::<f32x8, u32x8>(scaled);
    let wide = magnitude.simd_lt(splat(0x400)).select(
        subnormal,
        magnitude.simd_gt(splat(0x7bff)).select(special, normal),
    );
    bytemuck::cast(wide | sign)
}

/// `f32` lanes rounded to `f16` (to nearest, ties to even), in the low half of
/// each lane: NaN keeps the top of its payload and is made quiet; from
/// 65520 = 65504 + half an ulp up, infinity; normal results round by integer
/// addition on the bits; subnormal ones by adding 0.5, whose ulp is 2^-24, the
/// `f16` subnormal spacing (so this one step uses the rounding mode, to
/// nearest by default, like every multiply of the kernels).
#[cfg(feature = "half")]
#[inline(always)]
fn f16_narrow(v: f32x8) -> u32x8 {
    let x = bytemuck::cast::<f32x8, u32x8>(v);
    let magnitude = x & splat(0x7fff_ffff);
    let sign = (x >> 16) & splat(0x8000);
    let nan = splat(0x7e00) | ((magnitude >> 13) & splat(0x3ff));
    let rebased = magnitude - splat((127 - 15) << 23);
    let normal = (rebased + splat(0xfff) + ((rebased >> 13) & splat(1))) >> 13;
    let half = f32x8::splat(0.5);
    let subnormal =
        bytemuck::cast::<f32x8, u32x8>(bytemuck::cast::<u32x8, f32x8>(magnitude) + half)
            - bytemuck::cast::<f32x8, u32x8>(half);
    let out = magnitude.simd_gt(splat(0x7f80_0000)).select(
        nan,
        magnitude.simd_gt(splat(0x477f_efff)).select(
            splat(0x7c00),
            magnitude
                .simd_lt(splat(0x3880_0000))
                .select(subnormal, normal),
        ),
    );
    out | sign
}

/// `f32` lanes rounded to `bf16` (to nearest, ties to even), in the low half
/// of each lane, as the `avx2` kernel's (see `formula`, "Narrowing to bf16").
#[cfg(feature = "half")]
#[inline(always)]
fn bf16_narrow(v: f32x8) -> u32x8 {
    let x = bytemuck::cast::<f32x8, u32x8>(v);
    let nan = (x & splat(0x7fff_ffff)).simd_gt(splat(0x7f80_0000));
    let rounded = x + splat(0x7fff) + ((x >> 16) & splat(1));
    nan.select(x | splat(0x0040_0000), rounded) >> 16
}
