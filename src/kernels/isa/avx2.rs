//! The `avx2` kernel: 256-bit `core::arch` intrinsics (x86, x86_64), entered
//! through `#[target_feature(enable = "avx2")]` once the token proved the CPU
//! has AVX2 (`is_x86_feature_detected!`, a constant when the target already
//! guarantees AVX2, e.g. `-C target-cpu=haswell`).
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
    detected: std::is_x86_feature_detected!("avx2"),
    feature: "avx2"
);

macro_rules! fence_fn {
    ($name:ident, $v:ty) => {
        /// The identity, through an empty `asm!` that "may change" the register,
        /// so the blend it feeds cannot be rewritten into a masked store. Emits no
        /// instruction. Under Miri, which cannot run `asm!`, it is the identity.
        #[target_feature(enable = "avx")]
        #[inline]
        fn $name(v: $v) -> $v {
            #[cfg(not(miri))]
            {
                let mut v = v;
                // SAFETY: the template is an empty comment: it reads and writes only
                // the named register and touches no memory, stack or flags.
                unsafe {
                    core::arch::asm!("/* {0} */", inout(ymm_reg) v, options(pure, nomem, nostack, preserves_flags));
                }
                v
            }
            #[cfg(miri)]
            {
                v
            }
        }
    };
}
fence_fn!(fence_ps, __m256);
fence_fn!(fence_pd, __m256d);

// `blendv` takes its second operand where the mask's sign bit is set, so the
// sign test is the value itself and `x > 0` is an ordered compare.
simd_table!(Avx2, f32, __m256, __m256, 8;
    load |p| _mm256_loadu_ps(p), store |p, v| _mm256_storeu_ps(p, v), splat |x| _mm256_set1_ps(x), mul |a, b| _mm256_mul_ps(a, b),
    max |a, b| _mm256_max_ps(a, b), min |a, b| _mm256_min_ps(a, b),
    gt0 |x| _mm256_cmp_ps::<_CMP_GT_OQ>(x, _mm256_setzero_ps()), sign |x| x,
    select |m, a, b| _mm256_blendv_ps(b, a, m),
    bits |m| _mm256_movemask_ps(m) as u32 as u64,
    mask_of_bits |b: u64| {
        let lanes = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
        let set = _mm256_and_si256(_mm256_set1_epi32(b as i32), lanes);
        _mm256_castsi256_ps(_mm256_cmpeq_epi32(set, lanes))
    },
    fence |v| fence_ps(v));

simd_table!(Avx2, f64, __m256d, __m256d, 4;
    load |p| _mm256_loadu_pd(p), store |p, v| _mm256_storeu_pd(p, v), splat |x| _mm256_set1_pd(x), mul |a, b| _mm256_mul_pd(a, b),
    max |a, b| _mm256_max_pd(a, b), min |a, b| _mm256_min_pd(a, b),
    gt0 |x| _mm256_cmp_pd::<_CMP_GT_OQ>(x, _mm256_setzero_pd()), sign |x| x,
    select |m, a, b| _mm256_blendv_pd(b, a, m),
    bits |m| _mm256_movemask_pd(m) as u32 as u64,
    mask_of_bits |b: u64| {
        let lanes = _mm256_setr_epi64x(1, 2, 4, 8);
        let set = _mm256_and_si256(_mm256_set1_epi64x(b as i64), lanes);
        _mm256_castsi256_pd(_mm256_cmpeq_epi64(set, lanes))
    },
    fence |v| fence_pd(v));
