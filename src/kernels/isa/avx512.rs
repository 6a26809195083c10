//! The `avx512` kernel: 512-bit AVX-512F `core::arch` intrinsics (x86, x86_64),
//! entered through `#[target_feature(enable = "avx512f")]` once the token proved
//! the CPU (and the OS, which must save the `zmm` state) supports AVX-512F.
//!
//! Every forward and backward is one masked multiply per vector
//! (`keep_or_scale`): lanes where the deciding value is not `> 0` get `v * a`,
//! the others keep `v`. The mask comes from integer operations on the bits,
//! not from `_mm512_cmp_ps_mask`, so Miri can execute the kernel: for an IEEE
//! value, `x > 0` exactly when its bits, as an unsigned integer, satisfy
//! `0 < bits <= bits(+inf)`, i.e. `bits - 1 < bits(+inf)` with wrapping
//! subtraction (`+0` wraps to the maximum; negative values and positive NaNs
//! lie above `bits(+inf)`). That is one subtraction and one unsigned compare,
//! and it agrees with the ordered float compare on every input, NaNs included.
//!
//! `f16` converts with AVX-512F's `vcvtph2ps`/`vcvtps2ph` (rounding to
//! nearest, ties to even, in the instruction); `bf16` with the integer lanes of
//! `bits_table!` (`kernels::halves`): two values to a lane (`halves::Pairs`)
//! for the element-wise operations, one to a lane with `vpmovdw` for the masks.

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

use crate::kernels::{isa_token, simd_table};

isa_token!(
    /// Token of the `avx512` kernel: proof that this CPU has AVX-512F.
    Avx512,
    detected: super::x86_cpu::avx512f(),
    feature: "avx512f"
);

/// `bits(x) - 1`, wrapping, compared unsigned against `bits(+inf)` (see the module docs).
macro_rules! positive_masks {
    ($gt0:ident, $le0:ident, $sign:ident, $v:ty, $m:ty, $cast:ident, $sub:ident, $set1:ident,
     $lt:ident, $ge:ident, $slt:ident, $inf:expr) => {
        /// Lanes where `x > 0` (ordered: false for NaN and both zeros).
        #[target_feature(enable = "avx512f")]
        #[inline]
        fn $gt0(x: $v) -> $m {
            $lt($sub($cast(x), $set1(1)), $set1($inf))
        }
        /// Lanes where `x > 0` is false: zeros, negative values, NaNs.
        #[target_feature(enable = "avx512f")]
        #[inline]
        fn $le0(x: $v) -> $m {
            $ge($sub($cast(x), $set1(1)), $set1($inf))
        }
        /// Lanes whose sign bit is set: the bits are negative as a signed integer.
        #[target_feature(enable = "avx512f")]
        #[inline]
        fn $sign(x: $v) -> $m {
            $slt($cast(x), _mm512_setzero_si512())
        }
    };
}
positive_masks!(
    gt0_ps,
    le0_ps,
    sign_ps,
    __m512,
    __mmask16,
    _mm512_castps_si512,
    _mm512_sub_epi32,
    _mm512_set1_epi32,
    _mm512_cmplt_epu32_mask,
    _mm512_cmpge_epu32_mask,
    _mm512_cmplt_epi32_mask,
    0x7f80_0000
);
positive_masks!(
    gt0_pd,
    le0_pd,
    sign_pd,
    __m512d,
    __mmask8,
    _mm512_castpd_si512,
    _mm512_sub_epi64,
    _mm512_set1_epi64,
    _mm512_cmplt_epu64_mask,
    _mm512_cmpge_epu64_mask,
    _mm512_cmplt_epi64_mask,
    0x7ff0_0000_0000_0000
);

// `mask_blend(m, b, a)` takes `a` where `m` is set; `mask_mul(v, k, v, a)`
// computes `v * a` where `k` is set and keeps `v` elsewhere.
macro_rules! avx512_table {
    ($t:ty, $v:ty, $m:ty, $lanes:literal; $loadu:ident, $storeu:ident, $set1:ident, $mul:ident,
     $max:ident, $min:ident, $blend:ident, $mask_mul:ident, $gt0:ident, $le0:ident, $sign:ident) => {
        simd_table!(Avx512, $t, $v, $m, $lanes;
            load |p| $loadu(p), store |p, v| $storeu(p, v), splat |x| $set1(x), mul |a, b| $mul(a, b),
            max |a, b| $max(a, b), min |a, b| $min(a, b), gt0 |x| $gt0(x), sign |x| $sign(x),
            select |m, a, b| $blend(m, b, a),
            bits |m| u64::from(m), mask_of_bits |b| b as $m,
            masked keep_or_scale |d, v, a| $mask_mul(v, $le0(d), v, a),
            keep_or_scale_bits |x, a| {
                let scale = $le0(x);
                ($mask_mul(x, scale, x, a), u64::from(scale))
            });
    };
}
#[cfg(soft_float_x86)]
use soft::{max_pd, max_ps, min_pd, min_ps, set1_pd, set1_ps};
#[cfg(not(soft_float_x86))]
use {
    _mm512_max_pd as max_pd, _mm512_max_ps as max_ps, _mm512_min_pd as min_pd,
    _mm512_min_ps as min_ps, _mm512_set1_pd as set1_pd, _mm512_set1_ps as set1_ps,
};

avx512_table!(f32, __m512, __mmask16, 16; _mm512_loadu_ps, _mm512_storeu_ps, set1_ps,
    _mm512_mul_ps, max_ps, min_ps, _mm512_mask_blend_ps, _mm512_mask_mul_ps,
    gt0_ps, le0_ps, sign_ps);
avx512_table!(f64, __m512d, __mmask8, 8; _mm512_loadu_pd, _mm512_storeu_pd, set1_pd,
    _mm512_mul_pd, max_pd, min_pd, _mm512_mask_blend_pd, _mm512_mask_mul_pd,
    gt0_pd, le0_pd, sign_pd);

/// The soft-float x86 targets (see the `avx2` kernel's `soft`): the slope
/// broadcast as bits, and max/min by integer keys that order like the floats.
/// The masks above are integer compares already.
#[cfg(soft_float_x86)]
mod soft {
    #[cfg(target_arch = "x86")]
    use core::arch::x86::*;
    #[cfg(target_arch = "x86_64")]
    use core::arch::x86_64::*;

    macro_rules! soft_fns {
        ($v:ty, $t:ty, $cast:ident, $back:ident, $set1:ident, $int:ty, $srai:ident, $sign:literal,
         $srli:ident, $gt:ident, $blend:ident; $key:ident, $splat:ident, $max:ident, $min:ident) => {
            #[target_feature(enable = "avx512f")]
            #[inline]
            fn $key(x: $v) -> __m512i {
                let b = $cast(x);
                _mm512_xor_si512(b, $srli::<1>($srai::<$sign>(b)))
            }
            /// Every lane `x`, broadcast as bits (`black_box` keeps LLVM from
            /// folding them back into a float operand).
            #[target_feature(enable = "avx512f")]
            #[inline]
            pub(crate) fn $splat(x: $t) -> $v {
                $back($set1(core::hint::black_box(x.to_bits()) as $int))
            }
            #[target_feature(enable = "avx512f")]
            #[inline]
            pub(crate) fn $max(a: $v, b: $v) -> $v {
                $blend($gt($key(a), $key(b)), b, a)
            }
            #[target_feature(enable = "avx512f")]
            #[inline]
            pub(crate) fn $min(a: $v, b: $v) -> $v {
                $blend($gt($key(b), $key(a)), b, a)
            }
        };
    }
    soft_fns!(__m512, f32, _mm512_castps_si512, _mm512_castsi512_ps, _mm512_set1_epi32,
        i32, _mm512_srai_epi32, 31, _mm512_srli_epi32, _mm512_cmpgt_epi32_mask, _mm512_mask_blend_ps;
        key_ps, set1_ps, max_ps, min_ps);
    soft_fns!(__m512d, f64, _mm512_castpd_si512, _mm512_castsi512_pd, _mm512_set1_epi64,
        i64, _mm512_srai_epi64, 63, _mm512_srli_epi64, _mm512_cmpgt_epi64_mask, _mm512_mask_blend_pd;
        key_pd, set1_pd, max_pd, min_pd);
}

// The halves' tables, as `avx2`'s at twice the width; `vpmovdw` packs (the
// mask operations' one value to a lane).
super::avx2::x86_half_tables!(Avx512, __m512i, __mmask16; _mm256_loadu_si256, _mm256_storeu_si256,
    _mm512_loadu_si512, _mm512_storeu_si512,
    _mm512_cvtph_ps, _mm512_cvtps_ph, _mm512_cvtepu16_epi32, _mm512_cvtepi32_epi16,
    _mm512_castps_si512, _mm512_castsi512_ps, _mm512_set1_epi32, _mm512_and_si512, _mm512_or_si512,
    _mm512_add_epi32, _mm512_sub_epi32, _mm512_slli_epi32, _mm512_srli_epi32,
    _mm512_cmpgt_epi32_mask, |k, a, b| _mm512_mask_blend_epi32(k, b, a), _mm512_add_ps);
