//! The `portable` kernel: `wide` vectors, which pick their instructions at
//! compile time from the target's baseline (SSE2 on x86_64, NEON on aarch64,
//! simd128 on wasm, plain arrays elsewhere). It never uses more than the target
//! guarantees, so it is always available; x86 CPUs without AVX2 run it.

use crate::kernels::{isa_token, simd_table};
use wide::{f32x8, f64x4, i32x8, i64x4};

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
