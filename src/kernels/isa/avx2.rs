//! The `avx2` kernel: 256-bit `core::arch` intrinsics (x86, x86_64), entered
//! through `#[target_feature(enable = "avx2,f16c")]` once the token proved the
//! CPU has AVX2 and F16C (`x86_cpu`: `is_x86_feature_detected!` with `std`,
//! CPUID and XGETBV without; a constant when the target already guarantees
//! both, e.g. `-C target-cpu=haswell`). Every AVX2 CPU made has F16C (Intel
//! since Ivy Bridge, AMD since Piledriver), as x86-64-v3 assumes; a virtual CPU
//! that hides it runs `portable` instead.
//!
//! `f16` converts with F16C (`vcvtph2ps`, `vcvtps2ph` with the rounding in
//! the instruction: to nearest, ties to even, whatever MXCSR says); `bf16`
//! with the integer lanes of `bits_table!` (`kernels::halves`): two values to a
//! lane (`halves::Pairs`) for the element-wise operations, one for the masks
//! (`vpmovzxwd`, and `pack_u16` below).
//!
//! `fence` hides a pass-through operand from LLVM: without it LLVM turns
//! `store(p, blend(m, load(p), y))` into `vmaskmovps`, several times slower on
//! AMD Zen (`.ci/check-asm` rejects any `vmaskmov` in the crate's code).

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

use crate::kernels::{isa_token, simd_table};

isa_token!(
    /// Token of the `avx2` kernel: proof that this CPU has AVX2.
    Avx2,
    detected: super::x86_cpu::avx2() && super::x86_cpu::f16c(),
    feature: "avx2,f16c"
);

macro_rules! fence_fn {
    ($name:ident, $v:ty) => {
        /// The identity, through an empty `asm!` that "may change" the register,
        /// so the blend it feeds cannot be rewritten into a masked store. Emits no
        /// instruction. Under Miri, which cannot run `asm!`, it is the identity.
        #[target_feature(enable = "avx")]
        #[inline]
        fn $name(v: $v) -> $v {
            // Not on soft-float targets either: `asm!` cannot take a `ymm` operand
            // there (LLVM: "scalar-to-vector conversion failed"). A masked store
            // LLVM might then form is correct, only slower on AMD.
            #[cfg(not(any(miri, soft_float_x86)))]
            {
                let mut v = v;
                // SAFETY: the template is an empty comment: it reads and writes only
                // the named register and touches no memory, stack or flags.
                unsafe {
                    core::arch::asm!("/* {0} */", inout(ymm_reg) v, options(pure, nomem, nostack, preserves_flags));
                }
                v
            }
            #[cfg(any(miri, soft_float_x86))]
            {
                v
            }
        }
    };
}
fence_fn!(fence_ps, __m256);
fence_fn!(fence_pd, __m256d);

// Lane `j` all ones where bit `j` of `b` is set: `b` in every lane, AND each
// lane's own bit, compare with it (integer compares, exact in any FP environment).
macro_rules! mask_fn {
    ($name:ident, $v:ty, $set1:ident, $int:ty, $eq:ident, $cast:ident, $lanes:expr) => {
        #[target_feature(enable = "avx2")]
        #[inline]
        fn $name(b: u64) -> $v {
            let lanes = $lanes;
            $cast($eq(_mm256_and_si256($set1(b as $int), lanes), lanes))
        }
    };
}
mask_fn!(
    mask_ps,
    __m256,
    _mm256_set1_epi32,
    i32,
    _mm256_cmpeq_epi32,
    _mm256_castsi256_ps,
    _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128)
);
mask_fn!(
    mask_pd,
    __m256d,
    _mm256_set1_epi64x,
    i64,
    _mm256_cmpeq_epi64,
    _mm256_castsi256_pd,
    _mm256_setr_epi64x(1, 2, 4, 8)
);

// `blendv` takes its second operand where the mask's sign bit is set, so the
// sign test is the value itself and `x > 0` is an ordered compare (integer
// compares on soft-float targets: see `soft`).
macro_rules! avx2_table {
    ($t:ty, $v:ty, $lanes:literal; $loadu:ident, $storeu:ident, $set1:ident, $mul:ident, $max:ident,
     $min:ident, $cmp:ident, $zero:ident, $blendv:ident, $movemask:ident, $mask:ident, $fence:ident) => {
        simd_table!(Avx2, $t, $v, $v, $lanes;
            load |p| $loadu(p), store |p, v| $storeu(p, v), splat |x| $set1(x), mul |a, b| $mul(a, b),
            max |a, b| $max(a, b), min |a, b| $min(a, b),
            gt0 |x| $cmp::<_CMP_GT_OQ>(x, $zero()), sign |x| x,
            select |m, a, b| $blendv(b, a, m),
            bits |m| $movemask(m) as u32 as u64, mask_of_bits |b| $mask(b),
            fence |v| $fence(v));
    };
}
#[cfg(soft_float_x86)]
use soft::{cmp_pd, cmp_ps, max_pd, max_ps, min_pd, min_ps, set1_pd, set1_ps};
#[cfg(not(soft_float_x86))]
use {
    _mm256_cmp_pd as cmp_pd, _mm256_cmp_ps as cmp_ps, _mm256_max_pd as max_pd,
    _mm256_max_ps as max_ps, _mm256_min_pd as min_pd, _mm256_min_ps as min_ps,
    _mm256_set1_pd as set1_pd, _mm256_set1_ps as set1_ps,
};

avx2_table!(f32, __m256, 8; _mm256_loadu_ps, _mm256_storeu_ps, set1_ps, _mm256_mul_ps,
    max_ps, min_ps, cmp_ps, _mm256_setzero_ps, _mm256_blendv_ps,
    _mm256_movemask_ps, mask_ps, fence_ps);
avx2_table!(f64, __m256d, 4; _mm256_loadu_pd, _mm256_storeu_pd, set1_pd, _mm256_mul_pd,
    max_pd, min_pd, cmp_pd, _mm256_setzero_pd, _mm256_blendv_pd,
    _mm256_movemask_pd, mask_pd, fence_pd);

/// The soft-float x86 targets (`x86_64-unknown-uefi`, `-none`: no SSE2 in the
/// target, `+soft-float`): there LLVM cannot lower a vector float compare or
/// min/max inside a `+avx2` function ("Do not know how to soften this
/// operator's operand"); multiplies, blends and integer operations it can. So
/// these are the same operations on the bits, as integers: `x > 0` exactly
/// when the bits, as a signed integer, lie in `[1, bits(+inf)]`; `max`/`min`
/// compare the bits mapped to integers that order like the floats (negative
/// values' magnitude bits flipped), which agrees with the float order on all
/// non-NaN values, `-0 < +0` included (a tie the formulations never rely on,
/// nor on which operand a NaN yields).
#[cfg(soft_float_x86)]
mod soft {
    #[cfg(target_arch = "x86")]
    use core::arch::x86::*;
    #[cfg(target_arch = "x86_64")]
    use core::arch::x86_64::*;

    /// `$cmp`: `x > 0` (the only compare the table makes: `_CMP_GT_OQ` against
    /// zero); `$max`/`$min` by the ordering keys of `$key`.
    macro_rules! soft_fns {
        ($v:ty, $cast:ident, $back:ident, $gt:ident, $set1:ident, $int:ty, $inf:expr,
         $negative:expr, $srli:ident, $blendv:ident; $key:ident, $cmp:ident, $max:ident, $min:ident) => {
            #[target_feature(enable = "avx2")]
            #[inline]
            fn $key(x: $v) -> __m256i {
                let b = $cast(x);
                _mm256_xor_si256(b, $srli::<1>($negative(b)))
            }
            #[target_feature(enable = "avx2")]
            #[inline]
            pub(crate) fn $cmp<const P: i32>(x: $v, _zero: $v) -> $v {
                const { assert!(P == _CMP_GT_OQ, "only x > 0 is implemented") };
                let b = $cast(x);
                let positive = $gt(b, _mm256_setzero_si256());
                $back(_mm256_and_si256(
                    positive,
                    $gt($set1(($inf + 1) as $int), b),
                ))
            }
            #[target_feature(enable = "avx2")]
            #[inline]
            pub(crate) fn $max(a: $v, b: $v) -> $v {
                $blendv(b, a, $back($gt($key(a), $key(b))))
            }
            #[target_feature(enable = "avx2")]
            #[inline]
            pub(crate) fn $min(a: $v, b: $v) -> $v {
                $blendv(b, a, $back($gt($key(b), $key(a))))
            }
        };
    }
    /// Every lane `x`, broadcast as bits: a float operand would need softening,
    /// and `black_box` keeps LLVM from folding the bits back into one.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) fn set1_ps(x: f32) -> __m256 {
        _mm256_castsi256_ps(_mm256_set1_epi32(core::hint::black_box(x.to_bits()) as i32))
    }
    /// As `set1_ps`.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) fn set1_pd(x: f64) -> __m256d {
        _mm256_castsi256_pd(_mm256_set1_epi64x(core::hint::black_box(x.to_bits()) as i64))
    }
    soft_fns!(__m256, _mm256_castps_si256, _mm256_castsi256_ps, _mm256_cmpgt_epi32,
        _mm256_set1_epi32, i32, 0x7f80_0000i32, |b| _mm256_srai_epi32::<31>(b), _mm256_srli_epi32,
        _mm256_blendv_ps; key_ps, cmp_ps, max_ps, min_ps);
    soft_fns!(__m256d, _mm256_castpd_si256, _mm256_castsi256_pd, _mm256_cmpgt_epi64,
        _mm256_set1_epi64x, i64, 0x7ff0_0000_0000_0000i64, |b| _mm256_cmpgt_epi64(_mm256_setzero_si256(), b),
        _mm256_srli_epi64, _mm256_blendv_pd; key_pd, cmp_pd, max_pd, min_pd);
}

/// The halves' tables of an x86 kernel, whose intrinsics differ between
/// `avx2` and `avx512` only in width: `f16` with the conversion instructions
/// (on soft-float targets, where LLVM cannot lower them inside the kernel,
/// `kernels::halves`' integer code, like `portable`), and the integer lanes
/// `bf16` uses.
macro_rules! x86_half_tables {
    ($isa:ty, $i:ty, $k:ty; $loadh:ident, $storeh:ident, $loadw:ident, $storew:ident,
     $cvtph:ident, $cvtps:ident,
     $widen16:ident, $pack:ident, $cast:ident, $back:ident, $set1:ident, $and:ident, $or:ident,
     $add:ident, $sub:ident, $slli:ident, $srli:ident, $gt:ident, $pick:expr, $fadd:ident) => {
        #[cfg(all(feature = "half", soft_float_x86))]
        impl crate::kernels::halves::SoftF16 for $isa {}

        #[cfg(all(feature = "half", not(soft_float_x86)))]
        crate::kernels::widen_table!($isa, half::f16;
            load |p: *const half::f16| $cvtph($loadh(p.cast())),
            store |p: *mut half::f16, v| $storeh(p.cast(), $cvtps::<_MM_FROUND_TO_NEAREST_INT>(v)));

        #[cfg(feature = "half")]
        crate::kernels::halves::bits_table!($isa, $i, $k;
            load |p: *const u16| $widen16($loadh(p.cast())), store |p: *mut u16, v| $storeh(p.cast(), $pack(v)),
            load_pairs |p: *const u16| $loadw(p.cast()), store_pairs |p: *mut u16, v| $storew(p.cast(), v),
            int_bits |v| $cast(v), float_bits |i| $back(i), int |x: u32| $set1(x as i32),
            and |a, b| $and(a, b), or |a, b| $or(a, b), add |a, b| $add(a, b), sub |a, b| $sub(a, b),
            shl13 |a| $slli::<13>(a), shl16 |a| $slli::<16>(a), shr13 |a| $srli::<13>(a),
            shr16 |a| $srli::<16>(a), gt |a, b| $gt(a, b), pick $pick, fadd |a, b| $fadd(a, b),
            nan_low_half_zero true);
    };
}
pub(super) use x86_half_tables;

x86_half_tables!(Avx2, __m256i, __m256i; _mm_loadu_si128, _mm_storeu_si128, _mm256_loadu_si256,
    _mm256_storeu_si256, _mm256_cvtph_ps,
    _mm256_cvtps_ph, _mm256_cvtepu16_epi32, pack_u16, _mm256_castps_si256, _mm256_castsi256_ps,
    _mm256_set1_epi32, _mm256_and_si256, _mm256_or_si256, _mm256_add_epi32, _mm256_sub_epi32,
    _mm256_slli_epi32, _mm256_srli_epi32, _mm256_cmpgt_epi32, |k, a, b| _mm256_blendv_epi8(b, a, k),
    _mm256_add_ps);

/// Eight lanes below 2^16 packed to `u16`s: within each 128-bit half (no
/// saturation happens), then the two 64-bit results together.
#[cfg(all(feature = "half", not(soft_float_x86)))]
#[target_feature(enable = "avx2")]
#[inline]
fn pack_u16(v: __m256i) -> __m128i {
    let packed = _mm256_packus_epi32(v, v);
    _mm256_castsi256_si128(_mm256_permute4x64_epi64::<0b1000>(packed))
}

/// As above, through memory: on the soft-float targets LLVM cannot lower
/// `vpackusdw` or `vpshufb` inside the kernel ("Do not know how to split the
/// result of this operator").
#[cfg(all(feature = "half", soft_float_x86))]
#[target_feature(enable = "avx2")]
#[inline]
fn pack_u16(v: __m256i) -> __m128i {
    let mut lanes = [0u32; 8];
    // SAFETY: `lanes` is 32 bytes, what an unaligned 256-bit store writes.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), v) };
    let halves = lanes.map(|l| l as u16);
    // SAFETY: `halves` is 16 bytes, what an unaligned 128-bit load reads.
    unsafe { _mm_loadu_si128(halves.as_ptr().cast()) }
}
