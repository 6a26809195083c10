//! The half formats' conversions written once, over each ISA's 32-bit integer
//! lanes ([`Bits32`]): `bf16` for every ISA (no CPU this crate targets rounds
//! to `bf16` exactly in hardware: AVX512_BF16 flushes subnormals), and `f16`
//! for the ISAs without a conversion instruction (`portable`, `scalar`: marked
//! [`SoftF16`]). `avx2`, `avx512` and `neon` convert `f16` with F16C,
//! AVX-512F and `fcvtl`/`fcvtn` in their own files. `bf16`'s element-wise
//! operations run two values to a lane ([`Pairs`]), the mask operations one.
//!
//! Every step is an integer operation on the bits, exact in any floating-point
//! environment, except two additions for the `f16` subnormals: an exact one
//! (widening) and one that rounds (narrowing, below), as the environment says,
//! to nearest by default, like every multiply of the kernels.

use super::{Simd, Widen};
use half::{bf16, f16};

/// An ISA's integer lanes, one `u32` per `f32` lane of its vectors: the
/// operations the conversions below are written against. Like [`Simd`], it is
/// implemented on the ISA token, so the methods are safe but for the memory
/// accesses. Signed compares suffice: every value compared is below 2^31.
pub trait Bits32: Simd<f32> {
    /// `LANES` 32-bit integers.
    type I: Copy;
    /// A per-lane condition, as [`Bits32::pick`] consumes it.
    type K: Copy;
    /// `true` when a NaN that this ISA's `f32` multiply, max, min or select
    /// yields has a zero low half whenever its operands' NaNs do: x86 and
    /// AArch64 return a quieted operand NaN or the default NaN (`0xffc00000`,
    /// `0x7fc00000`), and the kernels' operands are widened halves or slopes
    /// whose NaNs have zero low halves (see `bf16_narrow`). Then a NaN never
    /// carries in [`bf16_narrow`]'s addition and needs no separate case. Not
    /// for `portable` (wasm's NaN payloads are nondeterministic) or `scalar`.
    const NAN_LOW_HALF_ZERO: bool = false;
    /// Loads `LANES` `u16`s from `p` (no alignment needed), zero-extended.
    ///
    /// # Safety
    /// `p` must be valid for reading `LANES` `u16`s.
    unsafe fn load_u16(self, p: *const u16) -> Self::I;
    /// Stores the low 16 bits of each lane to `p` (no alignment needed); every
    /// lane is below 2^16.
    ///
    /// # Safety
    /// `p` must be valid for writing `LANES` `u16`s.
    unsafe fn store_u16(self, p: *mut u16, v: Self::I);
    /// Loads `2 * LANES` `u16`s from `p` (no alignment needed) as `LANES`
    /// `u32`s, two to a lane, in the target's byte order: [`Pairs`]' load.
    ///
    /// # Safety
    /// `p` must be valid for reading `2 * LANES` `u16`s.
    unsafe fn load_pairs(self, p: *const u16) -> Self::I;
    /// Stores the lanes as `2 * LANES` `u16`s to `p` (no alignment needed),
    /// the inverse of [`Bits32::load_pairs`].
    ///
    /// # Safety
    /// `p` must be valid for writing `2 * LANES` `u16`s.
    unsafe fn store_pairs(self, p: *mut u16, v: Self::I);
    /// The bits of each lane.
    fn int_bits(self, v: Self::V) -> Self::I;
    /// The lanes with these bits.
    fn float_bits(self, i: Self::I) -> Self::V;
    /// Every lane `x`.
    fn int(self, x: u32) -> Self::I;
    /// `a & b`.
    fn and(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a | b`.
    fn or(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a + b`, wrapping.
    fn add(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a - b`, wrapping.
    fn sub(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a << 13`.
    fn shl13(self, a: Self::I) -> Self::I;
    /// `a << 16`.
    fn shl16(self, a: Self::I) -> Self::I;
    /// `a >> 13`, logical.
    fn shr13(self, a: Self::I) -> Self::I;
    /// `a >> 16`, logical.
    fn shr16(self, a: Self::I) -> Self::I;
    /// `a > b` as signed integers.
    fn gt(self, a: Self::I, b: Self::I) -> Self::K;
    /// `k ? a : b`, lane-wise.
    fn pick(self, k: Self::K, a: Self::I, b: Self::I) -> Self::I;
    /// `a + b` as `f32`.
    fn fadd(self, a: Self::V, b: Self::V) -> Self::V;
}

/// `f32` lanes rounded to `bf16` (to nearest, ties to even), in the low half
/// of each lane: the upper half of `bits + 0x7fff + lsb`, `lsb` being bit 16
/// of `bits`, except that a NaN keeps its upper half with the quiet bit set
/// (the addition could carry a payload with a non-zero low half into the sign
/// or an infinity). Where [`Bits32::NAN_LOW_HALF_ZERO`] holds, every NaN lane
/// has a zero low half, the addition leaves its upper half as it is (so a
/// signalling NaN passed through unchanged stays signalling there, and is
/// quieted by the other ISAs: NaN payloads are not part of the contract), and
/// the case costs nothing (it was a fifth of the `avx512` kernel's time in
/// cache). The proof is in `formula`, "Narrowing to bf16".
#[inline(always)]
pub(crate) fn bf16_narrow<S: Bits32>(s: S, v: S::V) -> S::I {
    s.shr16(bf16_round(s, v))
}

/// [`bf16_narrow`]'s result in the upper half of each lane, the low half
/// unspecified.
#[inline(always)]
fn bf16_round<S: Bits32>(s: S, v: S::V) -> S::I {
    let x = s.int_bits(v);
    let lsb = s.and(s.shr16(x), s.int(1));
    let rounded = s.add(x, s.add(lsb, s.int(0x7fff)));
    if S::NAN_LOW_HALF_ZERO {
        return rounded;
    }
    let nan = s.gt(s.and(x, s.int(0x7fff_ffff)), s.int(0x7f80_0000));
    s.pick(nan, s.or(x, s.int(0x0040_0000)), rounded)
}

/// `bf16` is the upper half of an `f32`: widening is a shift, on every ISA.
impl<S: Bits32> Widen<bf16> for S {
    #[inline(always)]
    unsafe fn load_wide(self, p: *const bf16) -> S::V {
        // SAFETY: the caller's contract; a `bf16` is a `u16`.
        self.float_bits(self.shl16(unsafe { self.load_u16(p.cast()) }))
    }
    #[inline(always)]
    unsafe fn store_narrow(self, p: *mut bf16, v: S::V) {
        // SAFETY: the caller's contract.
        unsafe { self.store_u16(p.cast(), bf16_narrow(self, v)) }
    }
}

/// `bf16` two to a 32-bit lane: [`Pairs`]`(s)` is `s`'s `f32` table over
/// vectors of `2 * LANES` values, in two `f32` vectors of `s`: the values in
/// the low halves of one [`Bits32::load_pairs`] (widened by a shift) and those
/// in the high halves (widened by clearing the low half). Loading and storing
/// `2 * LANES` values then costs two integer operations each way and no
/// shuffle: the `bf16` vectors of `s` itself widen and narrow with
/// zero-extending loads and packing stores (`vpmovzxwd`/`vpmovdw`,
/// `vpackusdw`, `vmovl`/`vmovn`), which limited the `avx512` kernel in cache.
/// The lanes are not in memory order (the element-wise operations do not
/// see it); [`Simd::bits`] and [`Simd::mask_of_bits`] interleave the halves'
/// bits into memory order. The kernels run the mask operations on the ISA's
/// own `bf16` vectors instead (see `Drive`: interleaving in software cost
/// more than it saved), so only the unit tests below run those two methods;
/// they are kept exact so that `Pairs` is a whole `Simd` like any other.
#[derive(Clone, Copy, Debug)]
pub struct Pairs<S>(pub S);

/// The high half of a lane.
const HIGH: u32 = 0xffff_0000;

/// Bit `j < 32` of `x` moved to bit `2 * j`; the other bits cleared.
#[inline(always)]
fn spread(x: u64) -> u64 {
    let mut x = x & 0xffff_ffff;
    x = (x | x << 16) & 0x0000_ffff_0000_ffff;
    x = (x | x << 8) & 0x00ff_00ff_00ff_00ff;
    x = (x | x << 4) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | x << 2) & 0x3333_3333_3333_3333;
    (x | x << 1) & 0x5555_5555_5555_5555
}

/// Bit `2 * j` of `x` moved to bit `j`: the inverse of [`spread`].
#[inline(always)]
fn gather(x: u64) -> u64 {
    let mut x = x & 0x5555_5555_5555_5555;
    x = (x | x >> 1) & 0x3333_3333_3333_3333;
    x = (x | x >> 2) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | x >> 4) & 0x00ff_00ff_00ff_00ff;
    x = (x | x >> 8) & 0x0000_ffff_0000_ffff;
    (x | x >> 16) & 0xffff_ffff
}

/// The bits of the low-half lanes and of the high-half lanes, interleaved in
/// memory order: on a little-endian target the low half of a lane is the
/// value at the even index.
#[inline(always)]
fn interleave(low: u64, high: u64) -> u64 {
    if cfg!(target_endian = "little") {
        spread(low) | spread(high) << 1
    } else {
        spread(high) | spread(low) << 1
    }
}

/// The inverse of [`interleave`]: `(low, high)`.
#[inline(always)]
fn deinterleave(b: u64) -> (u64, u64) {
    if cfg!(target_endian = "little") {
        (gather(b), gather(b >> 1))
    } else {
        (gather(b >> 1), gather(b))
    }
}

type F32<S> = <S as Simd<f32>>::V;
type M32<S> = <S as Simd<f32>>::M;

/// Every method applies `s`'s to both halves (see [`Pairs`]).
impl<S: Bits32> Simd<bf16> for Pairs<S> {
    type V = (F32<S>, F32<S>);
    type M = (M32<S>, M32<S>);
    const LANES: usize = 2 * <S as Simd<f32>>::LANES;
    #[inline(always)]
    unsafe fn load(self, p: *const bf16) -> Self::V {
        let s = self.0;
        // SAFETY: the caller's contract: `Self::LANES` (`2 * S::LANES`) values,
        // `load_pairs`' range for `s`; a `bf16` is a `u16`.
        let w = unsafe { s.load_pairs(p.cast()) };
        (
            s.float_bits(s.shl16(w)),
            s.float_bits(s.and(w, s.int(HIGH))),
        )
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut bf16, (low, high): Self::V) {
        let s = self.0;
        let w = s.or(
            s.shr16(bf16_round(s, low)),
            s.and(bf16_round(s, high), s.int(HIGH)),
        );
        // SAFETY: the caller's contract, as in `load`.
        unsafe { s.store_pairs(p.cast(), w) }
    }
    #[inline(always)]
    fn splat(self, x: f32) -> Self::V {
        let v = Simd::<f32>::splat(self.0, x);
        (v, v)
    }
    #[inline(always)]
    fn mul(self, a: Self::V, b: Self::V) -> Self::V {
        (self.0.mul(a.0, b.0), self.0.mul(a.1, b.1))
    }
    #[inline(always)]
    fn max(self, a: Self::V, b: Self::V) -> Self::V {
        (self.0.max(a.0, b.0), self.0.max(a.1, b.1))
    }
    #[inline(always)]
    fn min(self, a: Self::V, b: Self::V) -> Self::V {
        (self.0.min(a.0, b.0), self.0.min(a.1, b.1))
    }
    #[inline(always)]
    fn gt0(self, x: Self::V) -> Self::M {
        (self.0.gt0(x.0), self.0.gt0(x.1))
    }
    #[inline(always)]
    fn sign(self, x: Self::V) -> Self::M {
        (self.0.sign(x.0), self.0.sign(x.1))
    }
    #[inline(always)]
    fn select(self, m: Self::M, a: Self::V, b: Self::V) -> Self::V {
        (self.0.select(m.0, a.0, b.0), self.0.select(m.1, a.1, b.1))
    }
    #[inline(always)]
    fn bits(self, m: Self::M) -> u64 {
        interleave(self.0.bits(m.0), self.0.bits(m.1))
    }
    #[inline(always)]
    fn mask_of_bits(self, b: u64) -> Self::M {
        let (low, high) = deinterleave(b);
        (self.0.mask_of_bits(low), self.0.mask_of_bits(high))
    }
    const MASKED: bool = <S as Simd<f32>>::MASKED;
    #[inline(always)]
    fn keep_or_scale(self, decide: Self::V, v: Self::V, a: Self::V) -> Self::V {
        (
            self.0.keep_or_scale(decide.0, v.0, a.0),
            self.0.keep_or_scale(decide.1, v.1, a.1),
        )
    }
    #[inline(always)]
    fn keep_or_scale_mask(self, keep: Self::M, v: Self::V, a: Self::V) -> Self::V {
        (
            self.0.keep_or_scale_mask(keep.0, v.0, a.0),
            self.0.keep_or_scale_mask(keep.1, v.1, a.1),
        )
    }
    const SCALED_BITS: bool = <S as Simd<f32>>::SCALED_BITS;
    #[inline(always)]
    fn keep_or_scale_bits(self, x: Self::V, a: Self::V) -> (Self::V, u64) {
        let (low, low_bits) = self.0.keep_or_scale_bits(x.0, a.0);
        let (high, high_bits) = self.0.keep_or_scale_bits(x.1, a.1);
        ((low, high), interleave(low_bits, high_bits))
    }
    #[inline(always)]
    fn fence(self, v: Self::V) -> Self::V {
        (self.0.fence(v.0), self.0.fence(v.1))
    }
}

/// ISAs that convert `f16` with the integer code below (no instruction for it).
pub trait SoftF16: Bits32 {}

/// `f16` bits (in the low half of each lane) widened to `f32`, exactly: the
/// exponent and significand shifted into place and the exponent rebased
/// (normal numbers), or marked all-ones (infinities; NaNs keep their payload),
/// or, for a subnormal significand `m`, the `f32` `2^-14 + m * 2^-24` (the bits
/// `m << 13` under exponent -14) minus `2^-14`: exact (Sterbenz), and no
/// subnormal operand or result, so untouched by flush-to-zero modes. (No
/// integer-to-float conversion: LLVM turns it into an unsigned one, which it
/// cannot lower on the soft-float x86 targets.)
#[inline(always)]
pub(crate) fn f16_widen<S: Bits32>(s: S, h: S::I) -> S::V {
    let magnitude = s.and(h, s.int(0x7fff));
    let sign = s.shl16(s.and(h, s.int(0x8000)));
    let shifted = s.shl13(magnitude);
    let normal = s.add(shifted, s.int((127 - 15) << 23));
    let special = s.or(shifted, s.int(0x7f80_0000));
    let biased = s.float_bits(s.or(shifted, s.int(113 << 23))); // 2^-14 + m * 2^-24
    // The difference is +0 for m = 0 in every rounding mode but toward
    // negative, which would give -0: the sign comes from `h` alone.
    let difference = s.fadd(biased, s.splat(-f32::from_bits(113 << 23)));
    let subnormal = s.and(s.int_bits(difference), s.int(0x7fff_ffff));
    let nonsub = s.pick(s.gt(magnitude, s.int(0x7bff)), special, normal);
    let wide = s.pick(s.gt(s.int(0x400), magnitude), subnormal, nonsub);
    s.float_bits(s.or(wide, sign))
}

/// `f32` lanes rounded to `f16` (to nearest, ties to even), in the low half of
/// each lane: a NaN keeps the top of its payload and is made quiet; from 65520
/// (65504 plus half an ulp) up, infinity; normal results round by integer
/// addition on the bits, as `bf16_narrow` does; subnormal ones by adding 0.5,
/// whose ulp is 2^-24, the `f16` subnormal spacing, and taking the low bits.
#[inline(always)]
pub(crate) fn f16_narrow<S: Bits32>(s: S, v: S::V) -> S::I {
    let x = s.int_bits(v);
    let magnitude = s.and(x, s.int(0x7fff_ffff));
    let sign = s.and(s.shr16(x), s.int(0x8000));
    let nan = s.or(s.int(0x7e00), s.and(s.shr13(magnitude), s.int(0x3ff)));
    let rebased = s.sub(magnitude, s.int((127 - 15) << 23));
    let lsb = s.and(s.shr13(rebased), s.int(1));
    let normal = s.shr13(s.add(rebased, s.add(lsb, s.int(0xfff))));
    let half = s.splat(0.5);
    let subnormal = s.sub(
        s.int_bits(s.fadd(s.float_bits(magnitude), half)),
        s.int_bits(half),
    );
    let finite = s.pick(s.gt(s.int(0x3880_0000), magnitude), subnormal, normal);
    let big = s.pick(s.gt(magnitude, s.int(0x477f_efff)), s.int(0x7c00), finite);
    s.or(s.pick(s.gt(magnitude, s.int(0x7f80_0000)), nan, big), sign)
}

impl<S: SoftF16> Widen<f16> for S {
    #[inline(always)]
    unsafe fn load_wide(self, p: *const f16) -> S::V {
        // SAFETY: the caller's contract; an `f16` is a `u16`.
        f16_widen(self, unsafe { self.load_u16(p.cast()) })
    }
    #[inline(always)]
    unsafe fn store_narrow(self, p: *mut f16, v: S::V) {
        // SAFETY: the caller's contract.
        unsafe { self.store_u16(p.cast(), f16_narrow(self, v)) }
    }
}

/// Implements [`Bits32`] for an ISA token from a table of its intrinsics, as
/// [`simd_table!`](super::simd_table) does `Simd` (the same safety argument:
/// the token proves the ISA, the caller the range).
macro_rules! bits_table {
    ($isa:ty, $i:ty, $k:ty; load $load:expr, store $store:expr,
     load_pairs $load_pairs:expr, store_pairs $store_pairs:expr, int_bits $int_bits:expr,
     float_bits $float_bits:expr, int $int:expr, and $and:expr, or $or:expr, add $add:expr,
     sub $sub:expr, shl13 $shl13:expr, shl16 $shl16:expr, shr13 $shr13:expr,
     shr16 $shr16:expr, gt $gt:expr, pick $pick:expr, fadd $fadd:expr
     $(, nan_low_half_zero $nlhz:literal)? $(,)?) => {
        #[allow(unused_unsafe, clippy::redundant_closure_call)]
        impl $crate::kernels::halves::Bits32 for $isa {
            type I = $i;
            type K = $k;
            $(const NAN_LOW_HALF_ZERO: bool = $nlhz;)?
            #[inline(always)]
            unsafe fn load_u16(self, p: *const u16) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA, the caller the range.
                unsafe {
                    ({
                        #[inline(always)]
                        $load
                    })(p)
                }
            }
            #[inline(always)]
            unsafe fn store_u16(self, p: *mut u16, v: $i) {
                // SAFETY: see `bits_table!`: the token proves the ISA, the caller the range.
                unsafe {
                    ({
                        #[inline(always)]
                        $store
                    })(p, v)
                }
            }
            #[inline(always)]
            unsafe fn load_pairs(self, p: *const u16) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA, the caller the range.
                unsafe {
                    ({
                        #[inline(always)]
                        $load_pairs
                    })(p)
                }
            }
            #[inline(always)]
            unsafe fn store_pairs(self, p: *mut u16, v: $i) {
                // SAFETY: see `bits_table!`: the token proves the ISA, the caller the range.
                unsafe {
                    ({
                        #[inline(always)]
                        $store_pairs
                    })(p, v)
                }
            }
            #[inline(always)]
            fn int_bits(self, v: <$isa as $crate::kernels::Simd<f32>>::V) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $int_bits
                    })(v)
                }
            }
            #[inline(always)]
            fn float_bits(self, i: $i) -> <$isa as $crate::kernels::Simd<f32>>::V {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $float_bits
                    })(i)
                }
            }
            #[inline(always)]
            fn int(self, x: u32) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $int
                    })(x)
                }
            }
            #[inline(always)]
            fn and(self, a: $i, b: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $and
                    })(a, b)
                }
            }
            #[inline(always)]
            fn or(self, a: $i, b: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $or
                    })(a, b)
                }
            }
            #[inline(always)]
            fn add(self, a: $i, b: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $add
                    })(a, b)
                }
            }
            #[inline(always)]
            fn sub(self, a: $i, b: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $sub
                    })(a, b)
                }
            }
            #[inline(always)]
            fn shl13(self, a: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $shl13
                    })(a)
                }
            }
            #[inline(always)]
            fn shl16(self, a: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $shl16
                    })(a)
                }
            }
            #[inline(always)]
            fn shr13(self, a: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $shr13
                    })(a)
                }
            }
            #[inline(always)]
            fn shr16(self, a: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $shr16
                    })(a)
                }
            }
            #[inline(always)]
            fn gt(self, a: $i, b: $i) -> $k {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $gt
                    })(a, b)
                }
            }
            #[inline(always)]
            fn pick(self, k: $k, a: $i, b: $i) -> $i {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $pick
                    })(k, a, b)
                }
            }
            #[inline(always)]
            fn fadd(
                self,
                a: <$isa as $crate::kernels::Simd<f32>>::V,
                b: <$isa as $crate::kernels::Simd<f32>>::V,
            ) -> <$isa as $crate::kernels::Simd<f32>>::V {
                // SAFETY: see `bits_table!`: the token proves the ISA.
                unsafe {
                    ({
                        #[inline(always)]
                        $fadd
                    })(a, b)
                }
            }
        }
    };
}
pub(crate) use bits_table;

#[cfg(test)]
pub(crate) mod tests {
    use super::{Bits32, Pairs, gather, spread};
    use crate::kernels::formula::{Backward, Forward};
    use crate::kernels::isa::scalar::SCALAR;
    use crate::kernels::{Drive, Isa, Op, Raw, Simd, driver};
    use core::cell::Cell;
    use half::bf16;

    std::thread_local! {
        /// `bf16` tasks `Drive` ran over [`Pairs`] on this thread (test builds only).
        pub(crate) static PAIRS_RUNS: Cell<usize> = const { Cell::new(0) };
    }

    /// Whether `Drive` runs `op` on `n` values over [`Pairs`] with `s`.
    fn runs_pairs<S: Bits32>(s: S, op: Op, n: usize) -> bool {
        let (mut y, mut m) = (vec![bf16::from_f32(-1.5); n], vec![0u8; n.div_ceil(8)]);
        let p = y.as_mut_ptr();
        let decide = if matches!(op, Op::ForwardMask | Op::BackwardMask(_)) {
            m.as_mut_ptr().cast::<bf16>()
        } else {
            p
        };
        let before = PAIRS_RUNS.with(Cell::get);
        // SAFETY: in place on `y`; backward decides by `y` itself (read only,
        // the same values) and the mask ops by `m`, `n.div_ceil(8)` bytes;
        // `s` is a token.
        unsafe { Drive::drive(s, (op, p, p, decide, n, 0.375)) };
        PAIRS_RUNS.with(Cell::get) > before
    }

    /// `Drive` sends `bf16`'s element-wise operations of two vectors or more
    /// to [`Pairs`], and shorter slices and the mask operations to the ISA's
    /// own vectors: a regression that dropped `Pairs` would pass every
    /// bit-exactness test.
    fn routes<S: Bits32>(s: S, name: &str) {
        let two = <Pairs<S> as Simd<bf16>>::LANES;
        for op in [
            Op::Forward(Forward::CmpSelect),
            Op::Backward(Backward::CmpSelect),
        ] {
            assert!(runs_pairs(s, op, two), "{name} {op:?}, {two} values");
            assert!(runs_pairs(s, op, 5 * two + 3), "{name} {op:?}");
            assert!(
                !runs_pairs(s, op, two - 1),
                "{name} {op:?}, {} values",
                two - 1
            );
        }
        for op in [Op::ForwardMask, Op::BackwardMask(Backward::CmpSelect)] {
            assert!(!runs_pairs(s, op, 5 * two + 3), "{name} {op:?}");
        }
    }

    #[test]
    fn drive_runs_element_wise_bf16_over_pairs() {
        routes(SCALAR, "scalar");
        #[cfg(feature = "portable")]
        routes(
            crate::kernels::isa::portable::Portable::detect().unwrap(),
            "portable",
        );
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            use crate::kernels::isa::{avx2::Avx2, avx512::Avx512};
            if let Some(t) = Avx2::detect() {
                routes(t, "avx2");
            }
            if let Some(t) = Avx512::detect() {
                routes(t, "avx512");
            }
        }
        #[cfg(target_arch = "aarch64")]
        if let Some(t) = crate::kernels::isa::neon::Neon::detect() {
            routes(t, "neon");
        }
    }

    #[test]
    fn spread_and_gather_are_inverse() {
        for j in 0..32 {
            assert_eq!(spread(1 << j), 1 << (2 * j), "bit {j}");
            assert_eq!(gather(1 << (2 * j)), 1 << j, "bit {j}");
            assert_eq!(gather(1 << (2 * j + 1)), 0, "bit {j}");
        }
        for x in [0u64, 0xffff_ffff, 0x8000_0001, 0x1234_5678, 0xdead_beef] {
            assert_eq!(gather(spread(x)), x, "{x:#x}");
        }
    }

    /// Runs `op` through the driver with `s` on a copy of `x` (and `mask`),
    /// returning the result's bits (every NaN as `0x7fc0`) and the mask.
    fn run<S: Simd<bf16>>(s: S, op: Op, x: &[bf16], mask: &[u8]) -> (Vec<u16>, Vec<u8>) {
        let (mut y, mut m) = (x.to_vec(), mask.to_vec());
        let p = y.as_mut_ptr();
        let raw: Raw<bf16> = (op, p, p, m.as_mut_ptr().cast::<bf16>(), x.len(), 0.375);
        // SAFETY: in place on `y`; the mask is `m`, `x.len().div_ceil(8)`
        // bytes, read (backward) or written (forward) and overlapping
        // nothing else; `s` is a token, so its CPU check was made.
        unsafe { driver::run(s, raw) };
        // NaN payloads are not part of the contract (Miri picks them at random).
        let bits = |v: &bf16| if v.is_nan() { 0x7fc0 } else { v.to_bits() };
        (y.iter().map(bits).collect(), m)
    }

    /// The mask operations over [`Pairs`], which the kernels do not run them
    /// on (the ISA's own `bf16` vectors have their bits in memory order): the
    /// interleaving of [`Simd::bits`] and [`Simd::mask_of_bits`] agrees bit
    /// for bit with the one-lane scalar table, at every length around the
    /// vectors and the 64-element mask words.
    fn masks_agree<S: Bits32>(s: S, name: &str) {
        let specials = [
            0x0000, 0x8000, 0x0001, 0x8001, 0x7f80, 0xff80, 0x7fc1, 0xffc0, 0x3f80,
        ];
        let x: Vec<bf16> = (0..300u32)
            .map(|i| match i % 4 {
                0 => bf16::from_bits(specials[(i / 4) as usize % specials.len()]),
                _ => bf16::from_bits((i.wrapping_mul(0x9e37_79b9) >> 16) as u16),
            })
            .collect();
        // Under Miri, the lengths around the vectors and words only.
        let lengths: Vec<usize> = if cfg!(miri) {
            vec![0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 97, 129, 200]
        } else {
            (0..x.len()).collect()
        };
        for n in lengths {
            let zero = vec![0u8; n.div_ceil(8)];
            let want = run(SCALAR, Op::ForwardMask, &x[..n], &zero);
            let got = run(Pairs(s), Op::ForwardMask, &x[..n], &zero);
            assert_eq!(got, want, "{name} forward_with_mask, n {n}");
            let back = Op::BackwardMask(Backward::CmpSelect);
            let want = run(SCALAR, back, &x[..n], &want.1);
            let got = run(Pairs(s), back, &x[..n], &want.1);
            assert_eq!(got, want, "{name} backward_from_mask, n {n}");
        }
    }

    #[test]
    fn pairs_mask_bits_in_memory_order() {
        masks_agree(SCALAR, "scalar");
        #[cfg(feature = "portable")]
        masks_agree(
            crate::kernels::isa::portable::Portable::detect().unwrap(),
            "portable",
        );
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            use crate::kernels::isa::{avx2::Avx2, avx512::Avx512};
            match Avx2::detect() {
                Some(t) => masks_agree(t, "avx2"),
                None => eprintln!("pairs_mask_bits_in_memory_order: avx2 skipped, not on this CPU"),
            }
            match Avx512::detect() {
                Some(t) => masks_agree(t, "avx512"),
                None => {
                    eprintln!("pairs_mask_bits_in_memory_order: avx512 skipped, not on this CPU")
                }
            }
        }
        #[cfg(target_arch = "aarch64")]
        match crate::kernels::isa::neon::Neon::detect() {
            Some(t) => masks_agree(t, "neon"),
            None => eprintln!("pairs_mask_bits_in_memory_order: neon skipped, not on this CPU"),
        }
    }
}
