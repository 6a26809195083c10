//! The kernel engine: the work a kernel is handed ([`Task`]), the per-ISA vector
//! trait ([`Simd`]) and ISA token trait ([`Isa`]), and the macros that turn an ISA
//! module into a table of intrinsics; the half formats' conversions, once, in
//! `halves`. The loops live once in [`driver`], the
//! operations once in `ops`, the formulations and their proofs in [`formula`],
//! and each instruction set in its own file under [`isa`].
//!
//! This module depends on nothing else in the crate: `element`, `dispatch`,
//! `par` and `api` build on it.

pub(crate) mod driver;
pub(crate) mod formula;
#[cfg(feature = "half")]
pub(crate) mod halves;
pub(crate) mod isa;
mod ops;

use core::fmt::Debug;
use core::ops::Mul;
use formula::{Backward, Forward};

/// A scalar the kernels compute on (`f32`, `f64`): what [`formula`] needs to pick
/// a formulation and what the one-lane `scalar` kernel computes with.
pub trait Lane: Copy + PartialOrd + Mul<Output = Self> + Debug + Send + Sync + 'static {
    /// `0.0`.
    const ZERO: Self;
    /// `1.0`.
    const ONE: Self;
    /// The largest finite value.
    const MAX: Self;
    /// The positive quiet NaN whose payload is zero.
    const NAN: Self;
    /// `true` if the sign bit is set (also for `-0.0` and negative NaNs).
    fn sign_negative(self) -> bool;
}

macro_rules! lane {
    ($($t:ty = $nan:expr),*) => {$(
        impl Lane for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const MAX: Self = <$t>::MAX;
            // Spelled out: `NAN`'s bits are unspecified, and the halves' NaN
            // argument (`Bits32::NAN_LOW_HALF_ZERO`) needs a zero low half.
            const NAN: Self = <$t>::from_bits($nan);
            #[inline(always)]
            fn sign_negative(self) -> bool {
                self.is_sign_negative()
            }
        }
    )*};
}
lane!(f32 = 0x7fc0_0000, f64 = 0x7ff8_0000_0000_0000);

/// What a buffer holds: `f32`, `f64`, and with the `half` feature `f16` and
/// `bf16`, each computed as its [`Lane`] (itself, or `f32` for the halves).
/// The kernels load a vector of `Storage` values as a vector of lanes, compute,
/// and store the lanes rounded back (to nearest, ties to even); for `f32` and
/// `f64` both conversions are the identity.
pub trait Storage: Copy + Default + Debug + Send + Sync + 'static {
    /// The type the values are computed in.
    type Lane: Lane;
    /// The value as a lane (exact).
    fn widen(self) -> Self::Lane;
    /// The lane rounded to this type, to nearest, ties to even (NaN stays NaN).
    fn narrow(v: Self::Lane) -> Self;
}

macro_rules! storage_is_lane {
    ($($t:ty),*) => {$(
        impl Storage for $t {
            type Lane = $t;
            #[inline(always)]
            fn widen(self) -> Self {
                self
            }
            #[inline(always)]
            fn narrow(v: Self) -> Self {
                v
            }
        }
    )*};
}
storage_is_lane!(f32, f64);

#[cfg(feature = "half")]
macro_rules! storage_half {
    ($($t:ty),*) => {$(
        impl Storage for $t {
            type Lane = f32;
            #[inline(always)]
            fn widen(self) -> f32 {
                self.to_f32()
            }
            #[inline(always)]
            fn narrow(v: f32) -> Self {
                <$t>::from_f32(v)
            }
        }
    )*};
}
#[cfg(feature = "half")]
storage_half!(half::f16, half::bf16);

/// One instruction set's vectors of `T`: the operations the [`driver`] and the
/// operations in `ops` are written against. Implemented on an ISA token, so a
/// value of `Self` is the proof that the CPU can execute the intrinsics, and all
/// methods except the memory accesses are safe.
pub trait Simd<T: Storage>: Copy {
    /// A vector of `LANES` elements.
    type V: Copy;
    /// A per-lane condition, as [`Simd::select`] consumes it.
    type M: Copy;
    /// Elements per vector.
    const LANES: usize;
    /// Loads `LANES` elements from `p` (no alignment needed).
    ///
    /// # Safety
    /// `p` must be valid for reading `LANES` elements.
    unsafe fn load(self, p: *const T) -> Self::V;
    /// Stores `LANES` elements to `p` (no alignment needed).
    ///
    /// # Safety
    /// `p` must be valid for writing `LANES` elements.
    unsafe fn store(self, p: *mut T, v: Self::V);
    /// Every lane `x`.
    fn splat(self, x: T::Lane) -> Self::V;
    /// Lane-wise IEEE product (never fused with anything).
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// Lane-wise maximum; which operand it returns on ties or NaN is not relied upon.
    fn max(self, a: Self::V, b: Self::V) -> Self::V;
    /// Lane-wise minimum; which operand it returns on ties or NaN is not relied upon.
    fn min(self, a: Self::V, b: Self::V) -> Self::V;
    /// Lanes where `x > 0` (ordered: false for NaN and both zeros).
    fn gt0(self, x: Self::V) -> Self::M;
    /// Lanes whose sign bit is set (`-0.0` and negative NaNs included).
    fn sign(self, x: Self::V) -> Self::M;
    /// `m ? a : b`, lane-wise.
    fn select(self, m: Self::M, a: Self::V, b: Self::V) -> Self::V;
    /// Bit `j` set exactly where lane `j` of `m` is set; no bit at or above
    /// `LANES` (AVX `movemask`, NEON and-then-add-across, AVX-512 the mask itself).
    fn bits(self, m: Self::M) -> u64;
    /// The mask whose lane `j` is set exactly where bit `j` of `b` is; bits at
    /// and above `LANES` are ignored. The inverse of [`Simd::bits`].
    fn mask_of_bits(self, b: u64) -> Self::M;
    /// `true` when [`Simd::keep_or_scale`] is one masked multiply, as cheap as
    /// any formulation, so every forward runs as `CmpSelect` (AVX-512).
    const MASKED: bool = false;
    /// `decide > 0 ? v : v * a`, lane-wise (ordered: NaN `decide` scales): the
    /// select both `CmpSelect` forward (`decide` is `v`) and backward reduce to.
    /// An ISA with masked arithmetic makes it one masked multiply.
    #[inline(always)]
    fn keep_or_scale(self, decide: Self::V, v: Self::V, a: Self::V) -> Self::V {
        self.scale_by_select(self.gt0(decide), v, a)
    }
    /// `v * (keep ? 1 : a)`, lane-wise: [`Simd::keep_or_scale_mask`] with the
    /// select on the factor instead of on the result. The same bits wherever
    /// `keep` holds for a non-NaN `v` (`v * 1 == v` exactly, subnormals
    /// included); a NaN `v` stays NaN, quieted. Same operation count as the
    /// select of `v` and `v * a`, but on AMD Zen 3 the compare-fed loops ran
    /// 0.78-0.95x the time of that form in L1 (backward, `CmpSelect` forward,
    /// `forward_with_mask`), while `backward_from_mask`, whose mask comes from
    /// integer operations, ran 1.05-1.09x, so it keeps the select of results.
    #[inline(always)]
    fn scale_by_select(self, keep: Self::M, v: Self::V, a: Self::V) -> Self::V {
        self.mul(v, self.select(keep, self.splat(<T::Lane as Lane>::ONE), a))
    }
    /// `keep ? v : v * a`, lane-wise: [`Simd::keep_or_scale`] with the decision
    /// already made (read back with [`Simd::mask_of_bits`]).
    #[inline(always)]
    fn keep_or_scale_mask(self, keep: Self::M, v: Self::V, a: Self::V) -> Self::V {
        self.select(keep, self.fence(v), self.mul(v, a))
    }
    /// `true` when [`Simd::keep_or_scale_bits`] yields the bits of the lanes it
    /// scaled (`!(x > 0)`) rather than kept; the driver inverts each 64-bit
    /// mask word once.
    const SCALED_BITS: bool = false;
    /// `(keep_or_scale(x, x, a), bits(gt0(x)))` (inverted where
    /// [`Simd::SCALED_BITS`]): a forward and its mask bits from one compare.
    /// AVX-512 yields the bits of its masked multiply's `x <= 0` mask: inverting
    /// them per vector made LLVM emit a second compare, or vectorise the bit
    /// shuffling, and the 4 Ki forward ran at 0.55-0.7 of `forward`.
    #[inline(always)]
    fn keep_or_scale_bits(self, x: Self::V, a: Self::V) -> (Self::V, u64) {
        let keep = self.gt0(x);
        (self.scale_by_select(keep, x, a), self.bits(keep))
    }
    /// The identity, opaque to the optimiser where an ISA needs that (AVX:
    /// keeps `store(p, select(m, load(p), y))` from becoming a masked store).
    #[inline(always)]
    fn fence(self, v: Self::V) -> Self::V {
        v
    }
}

/// An instruction set, named by a zero-sized token whose only constructor is
/// [`Isa::detect`] (plus the `SCALAR` constant of the one-lane scalar ISA,
/// which needs no CPU feature): holding one proves the running CPU supports the ISA. The
/// `run_*` methods are each ISA's `#[target_feature]` entry points into the
/// [`driver`], generated by `isa_token!`.
pub trait Isa: Copy + Send + Sync + 'static {
    /// The token, if this CPU can run the ISA (and the build includes it).
    fn detect() -> Option<Self>;
    /// Runs `task` on `f32` vectors of this ISA.
    fn run_f32(self, task: Task<'_, f32>);
    /// Runs `task` on `f64` vectors of this ISA.
    fn run_f64(self, task: Task<'_, f64>);
    /// Runs `task` on `f16` values, in `f32` vectors of this ISA.
    #[cfg(feature = "half")]
    fn run_f16(self, task: Task<'_, half::f16>);
    /// Runs `task` on `bf16` values, in `f32` vectors of this ISA.
    #[cfg(feature = "half")]
    fn run_bf16(self, task: Task<'_, half::bf16>);
}

/// An ISA's conversions between a half type `T` in memory and its `f32`
/// vectors: with them, the ISA's `f32` table serves `T` too (the `Simd<T>`
/// impls below delegate everything else to it). `bf16`'s, and `f16`'s where
/// the ISA has no conversion instruction, are written once in [`halves`] over
/// the ISA's integer lanes; an ISA with instructions for `f16` implements its
/// `Widen<f16>` with `widen_table!`. `load_wide` is exact; `store_narrow`
/// rounds to nearest, ties to even, and stores a NaN for every NaN lane.
#[cfg(feature = "half")]
pub trait Widen<T: Storage<Lane = f32>>: Simd<f32> {
    /// Loads `LANES` values of `T` from `p` (no alignment needed), widened.
    ///
    /// # Safety
    /// `p` must be valid for reading `LANES` values of `T`.
    unsafe fn load_wide(self, p: *const T) -> <Self as Simd<f32>>::V;
    /// Stores the lanes of `v`, narrowed to `T`, to `p` (no alignment needed).
    ///
    /// # Safety
    /// `p` must be valid for writing `LANES` values of `T`.
    unsafe fn store_narrow(self, p: *mut T, v: <Self as Simd<f32>>::V);
}

/// `Simd<$t>` for every ISA with `Widen<$t>`: the memory accesses convert, the
/// rest is the ISA's `f32` table.
#[cfg(feature = "half")]
macro_rules! widened {
    ($($t:ty),*) => {$(
        impl<I: Widen<$t>> Simd<$t> for I {
            type V = <I as Simd<f32>>::V;
            type M = <I as Simd<f32>>::M;
            const LANES: usize = <I as Simd<f32>>::LANES;
            #[inline(always)]
            unsafe fn load(self, p: *const $t) -> Self::V {
                // SAFETY: the caller's contract, which is `load_wide`'s.
                unsafe { self.load_wide(p) }
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t, v: Self::V) {
                // SAFETY: the caller's contract, which is `store_narrow`'s.
                unsafe { self.store_narrow(p, v) }
            }
            #[inline(always)]
            fn splat(self, x: f32) -> Self::V {
                Simd::<f32>::splat(self, x)
            }
            #[inline(always)]
            fn mul(self, a: Self::V, b: Self::V) -> Self::V {
                Simd::<f32>::mul(self, a, b)
            }
            #[inline(always)]
            fn max(self, a: Self::V, b: Self::V) -> Self::V {
                Simd::<f32>::max(self, a, b)
            }
            #[inline(always)]
            fn min(self, a: Self::V, b: Self::V) -> Self::V {
                Simd::<f32>::min(self, a, b)
            }
            #[inline(always)]
            fn gt0(self, x: Self::V) -> Self::M {
                Simd::<f32>::gt0(self, x)
            }
            #[inline(always)]
            fn sign(self, x: Self::V) -> Self::M {
                Simd::<f32>::sign(self, x)
            }
            #[inline(always)]
            fn select(self, m: Self::M, a: Self::V, b: Self::V) -> Self::V {
                Simd::<f32>::select(self, m, a, b)
            }
            #[inline(always)]
            fn bits(self, m: Self::M) -> u64 {
                Simd::<f32>::bits(self, m)
            }
            #[inline(always)]
            fn mask_of_bits(self, b: u64) -> Self::M {
                Simd::<f32>::mask_of_bits(self, b)
            }
            const MASKED: bool = <I as Simd<f32>>::MASKED;
            #[inline(always)]
            fn keep_or_scale(self, decide: Self::V, v: Self::V, a: Self::V) -> Self::V {
                Simd::<f32>::keep_or_scale(self, decide, v, a)
            }
            #[inline(always)]
            fn keep_or_scale_mask(self, keep: Self::M, v: Self::V, a: Self::V) -> Self::V {
                Simd::<f32>::keep_or_scale_mask(self, keep, v, a)
            }
            const SCALED_BITS: bool = <I as Simd<f32>>::SCALED_BITS;
            #[inline(always)]
            fn keep_or_scale_bits(self, x: Self::V, a: Self::V) -> (Self::V, u64) {
                Simd::<f32>::keep_or_scale_bits(self, x, a)
            }
            #[inline(always)]
            fn fence(self, v: Self::V) -> Self::V {
                Simd::<f32>::fence(self, v)
            }
        }
    )*};
}
#[cfg(feature = "half")]
widened!(half::f16, half::bf16);

/// Implements [`Widen<$t>`] for an ISA token from its two conversions, as
/// [`simd_table!`] does the tables (the same safety argument: the token proves
/// the ISA, the caller the range).
#[allow(unused_macros)]
macro_rules! widen_table {
    ($isa:ty, $t:ty; load $load:expr, store $store:expr $(,)?) => {
        #[allow(unused_unsafe, clippy::redundant_closure_call)]
        impl $crate::kernels::Widen<$t> for $isa {
            #[inline(always)]
            unsafe fn load_wide(self, p: *const $t) -> <$isa as $crate::kernels::Simd<f32>>::V {
                // SAFETY: see `widen_table!`: the token proves the ISA, the caller the range.
                unsafe {
                    ({
                        #[inline(always)]
                        $load
                    })(p)
                }
            }
            #[inline(always)]
            unsafe fn store_narrow(self, p: *mut $t, v: <$isa as $crate::kernels::Simd<f32>>::V) {
                // SAFETY: see `widen_table!`: the token proves the ISA, the caller the range.
                unsafe {
                    ({
                        #[inline(always)]
                        $store
                    })(p, v)
                }
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use widen_table;

/// A destination and where its old values come from: itself (in place), or a
/// separate source (out of place; `dst` and `src` cannot overlap, being a
/// `&mut` and a `&`). The kernels process `min(dst.len(), src.len())` elements;
/// the front door only builds equal lengths.
#[derive(Debug)]
pub enum InOut<'a, T> {
    /// `x = f(x)`.
    InPlace(&'a mut [T]),
    /// `dst = f(src)`.
    Into {
        /// Written, never read.
        dst: &'a mut [T],
        /// Read, never written.
        src: &'a [T],
    },
}

impl<'a, T> InOut<'a, T> {
    fn len(&self) -> usize {
        match self {
            InOut::InPlace(x) => x.len(),
            InOut::Into { dst, src } => dst.len().min(src.len()),
        }
    }

    fn split_at(self, mid: usize) -> (Self, Self) {
        match self {
            InOut::InPlace(x) => {
                let (a, b) = x.split_at_mut(mid);
                (InOut::InPlace(a), InOut::InPlace(b))
            }
            InOut::Into { dst, src } => {
                let ((d0, d1), (s0, s1)) = (dst.split_at_mut(mid), src.split_at(mid));
                (
                    InOut::Into { dst: d0, src: s0 },
                    InOut::Into { dst: d1, src: s1 },
                )
            }
        }
    }
}

/// One call's work, as a kernel receives it: which operation, on which
/// buffers, with which slope and formulation (chosen by [`formula`]).
#[derive(Debug)]
pub enum Task<'a, T: Storage> {
    /// `y = x > 0 ? x : alpha * x`.
    Forward {
        /// `x` in, `y` out.
        x: InOut<'a, T>,
        /// The slope, as the lanes compute with it.
        alpha: T::Lane,
        /// How the kernels compute it.
        f: Forward,
    },
    /// `y = x > 0 ? x : alpha * x`, and bit `i % 8` of `mask[i / 8]` set
    /// exactly where `x[i] > 0` (the rest of the last byte cleared).
    ForwardMask {
        /// `x` in, `y` out.
        x: InOut<'a, T>,
        /// `len().div_ceil(8)` bytes, written.
        mask: &'a mut [u8],
        /// The slope, as the lanes compute with it.
        alpha: T::Lane,
    },
    /// `dx = bit i of mask ? dy : dy * alpha`.
    BackwardMask {
        /// `dy` in, `dx` out.
        g: InOut<'a, T>,
        /// At least `len().div_ceil(8)` bytes, read.
        mask: &'a [u8],
        /// The slope, as the lanes compute with it.
        alpha: T::Lane,
        /// How the kernels compute it.
        f: Backward,
    },
    /// `dx = decide > 0 ? dy : dy * alpha`.
    Backward {
        /// `dy` in, `dx` out.
        g: InOut<'a, T>,
        /// The forward input, or output for `alpha >= 0`.
        decide: &'a [T],
        /// The slope, as the lanes compute with it.
        alpha: T::Lane,
        /// How the kernels compute it.
        f: Backward,
    },
}

/// A task in registers ([`Task::raw`]): operation, `dst`, `src`, `decide` (or
/// the mask), element count, slope.
pub type Raw<T> = (Op, *mut T, *const T, *const T, usize, <T as Storage>::Lane);

/// How an ISA token runs a task on `T`: the [`driver`] over its `Simd<T>`
/// table, except for `bf16`, whose element-wise operations on at least two
/// vectors run over [`halves::Pairs`] (two values to a 32-bit lane, no
/// shuffle to widen or narrow). The mask operations keep the token's own
/// `bf16` vectors: their bits come in memory order without interleaving.
pub trait Drive<T: Storage> {
    /// Runs the task.
    ///
    /// # Safety
    /// As [`driver::run`]; `self` proves the ISA.
    unsafe fn drive(self, raw: Raw<T>);
}

macro_rules! drive_plain {
    ($($t:ty),*) => {$(
        impl<S: Simd<$t>> Drive<$t> for S {
            #[inline(always)]
            unsafe fn drive(self, raw: Raw<$t>) {
                // SAFETY: the caller's contract.
                unsafe { driver::run(self, raw) }
            }
        }
    )*};
}
drive_plain!(f32, f64);
#[cfg(feature = "half")]
drive_plain!(half::f16);

#[cfg(feature = "half")]
impl<S: halves::Bits32> Drive<half::bf16> for S {
    #[inline(always)]
    unsafe fn drive(self, raw: Raw<half::bf16>) {
        let pairs = halves::Pairs(self);
        let mask = matches!(raw.0, Op::ForwardMask | Op::BackwardMask(_));
        // SAFETY: the caller's contract, for either table (`Pairs` holds the token).
        unsafe {
            if mask || raw.4 < <halves::Pairs<S> as Simd<half::bf16>>::LANES {
                driver::run::<S, half::bf16>(self, raw)
            } else {
                #[cfg(test)]
                halves::tests::PAIRS_RUNS.with(|c| c.set(c.get() + 1));
                driver::run(pairs, raw)
            }
        }
    }
}

/// Which operation and formulation an ISA entry point runs (one byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Forward with this formulation.
    Forward(Forward),
    /// Backward with this formulation.
    Backward(Backward),
    /// Forward, writing the mask of `x > 0` (always the compare-select: the
    /// compare is needed for the mask anyway).
    ForwardMask,
    /// Backward decided by the mask, with this formulation.
    BackwardMask(Backward),
}

impl<'a, T: Storage> Task<'a, T> {
    /// Elements the kernels process: the shortest buffer's length.
    pub fn len(&self) -> usize {
        match self {
            Task::Forward { x, .. } => x.len(),
            Task::Backward { g, decide, .. } => g.len().min(decide.len()),
            Task::ForwardMask { x, mask, .. } => x.len().min(mask.len().saturating_mul(8)),
            Task::BackwardMask { g, mask, .. } => g.len().min(mask.len().saturating_mul(8)),
        }
    }

    /// The operation, as an index below [`Task::KINDS`]: forward, backward,
    /// forward with a mask, backward from a mask (in place or not). The
    /// parallel policy learns each apart, since their costs per byte differ.
    pub fn kind(&self) -> usize {
        match self {
            Task::Forward { .. } => 0,
            Task::Backward { .. } => 1,
            Task::ForwardMask { .. } => 2,
            Task::BackwardMask { .. } => 3,
        }
    }

    /// How many values [`Task::kind`] takes.
    pub const KINDS: usize = 4;

    /// How many distinct buffers the task touches (for the parallel policy; a
    /// mask, 1/32 or 1/64 of a buffer, is not counted).
    pub fn buffers(&self) -> usize {
        let io = |x: &InOut<'a, T>| if matches!(x, InOut::InPlace(_)) { 1 } else { 2 };
        match self {
            Task::Forward { x, .. } | Task::ForwardMask { x, .. } => io(x),
            Task::BackwardMask { g, .. } => io(g),
            Task::Backward { g, .. } => io(g) + 1,
        }
    }

    /// `true` when the task leaves its buffer as it is (nothing to write).
    pub fn writes_nothing(&self) -> bool {
        match self {
            Task::Forward { x, f, .. } => *f == Forward::Identity && matches!(x, InOut::InPlace(_)),
            Task::Backward { g, f, .. } | Task::BackwardMask { g, f, .. } => {
                *f == Backward::Identity && matches!(g, InOut::InPlace(_))
            }
            // The mask is always written.
            Task::ForwardMask { .. } => false,
        }
    }

    /// The task as the ISA entry points take it, in registers: the operation,
    /// the destination, its source (`dst` itself in place), the buffer a
    /// backward decides on (the source, for forward), the element count every
    /// pointer is valid for, and the slope. The pointers come from the task's
    /// borrows, so they stay valid, `dst` for writes and the others for reads,
    /// as long as those borrows (`'a`) last; `src` is `dst` or disjoint from it;
    /// a backward's `decide` is disjoint from `dst` (a forward never reads it).
    /// For the mask tasks, `decide` is the mask, cast: valid for `n.div_ceil(8)`
    /// byte writes (`ForwardMask`) or reads (`BackwardMask`), disjoint from the
    /// others (never read as `T`s).
    #[inline(always)]
    pub fn raw(self) -> Raw<T> {
        let n = self.len();
        let io = |x: InOut<'a, T>| match x {
            // One pointer for both: reads and writes share its provenance.
            InOut::InPlace(buf) => {
                let p = buf.as_mut_ptr();
                (p, p.cast_const())
            }
            InOut::Into { dst, src } => (dst.as_mut_ptr(), src.as_ptr()),
        };
        match self {
            Task::Forward { x, alpha, f } => {
                let (d, s) = io(x);
                (Op::Forward(f), d, s, s, n, alpha)
            }
            Task::Backward {
                g,
                decide,
                alpha,
                f,
            } => {
                let (d, s) = io(g);
                (Op::Backward(f), d, s, decide.as_ptr(), n, alpha)
            }
            Task::ForwardMask { x, mask, alpha } => {
                let (d, s) = io(x);
                (
                    Op::ForwardMask,
                    d,
                    s,
                    mask.as_mut_ptr().cast_const().cast(),
                    n,
                    alpha,
                )
            }
            Task::BackwardMask { g, mask, alpha, f } => {
                let (d, s) = io(g);
                (Op::BackwardMask(f), d, s, mask.as_ptr().cast(), n, alpha)
            }
        }
    }

    /// The first `mid` elements and the rest, as two tasks. `mid <= self.len()`;
    /// for the mask tasks `mid` is a multiple of 8 (the split cuts the mask at
    /// byte `mid / 8`; `par` splits at multiples of its 4 KiB granule).
    pub fn split_at(self, mid: usize) -> (Self, Self) {
        debug_assert!(
            mid.is_multiple_of(8)
                || !matches!(self, Task::ForwardMask { .. } | Task::BackwardMask { .. }),
            "a mask task split off a byte boundary"
        );
        let byte = |len: usize| (mid / 8).min(len);
        match self {
            Task::ForwardMask { x, mask, alpha } => {
                let ((x0, x1), (m0, m1)) = (x.split_at(mid), mask.split_at_mut(byte(mask.len())));
                let half = |x, mask| Task::ForwardMask { x, mask, alpha };
                (half(x0, m0), half(x1, m1))
            }
            Task::BackwardMask { g, mask, alpha, f } => {
                let ((g0, g1), (m0, m1)) = (g.split_at(mid), mask.split_at(byte(mask.len())));
                let half = |g, mask| Task::BackwardMask { g, mask, alpha, f };
                (half(g0, m0), half(g1, m1))
            }
            Task::Forward { x, alpha, f } => {
                let (a, b) = x.split_at(mid);
                (
                    Task::Forward { x: a, alpha, f },
                    Task::Forward { x: b, alpha, f },
                )
            }
            Task::Backward {
                g,
                decide,
                alpha,
                f,
            } => {
                let ((g0, g1), (d0, d1)) = (g.split_at(mid), decide.split_at(mid));
                (
                    Task::Backward {
                        g: g0,
                        decide: d0,
                        alpha,
                        f,
                    },
                    Task::Backward {
                        g: g1,
                        decide: d1,
                        alpha,
                        f,
                    },
                )
            }
        }
    }
}

/// Implements [`Simd<T>`] for an ISA token from a table: one closure per
/// operation, so each ISA file lists its intrinsics and nothing else. The
/// closures are made `#[inline(always)]` (hence closures, not paths: the
/// attribute applies to closures only); left to LLVM, some were called out
/// of line from inside the kernels (`.ci/check-asm` now rejects that). Every generated `unsafe` block relies on the same
/// two facts, stated once here: the token `self` exists only after
/// [`Isa::detect`] found the ISA on this CPU (the intrinsics' only requirement
/// besides memory), and `load`/`store` callers guarantee the pointer range.
// Unused on targets that get only the scalar kernel (thumbv7em without `portable`).
#[allow(unused_macros)]
macro_rules! simd_table {
    ($isa:ty, $t:ty, $v:ty, $m:ty, $lanes:expr; load $load:expr, store $store:expr, splat $splat:expr,
     mul $mul:expr, max $max:expr, min $min:expr, gt0 $gt0:expr, sign $sign:expr, select $select:expr,
     bits $bits:expr, mask_of_bits $mask_of_bits:expr
     $(, fence $fence:expr)? $(, masked keep_or_scale $kos:expr, keep_or_scale_bits $kosb:expr)? $(,)?) => {
        #[allow(unused_unsafe, clippy::redundant_closure_call)]
        impl $crate::kernels::Simd<$t> for $isa {
            type V = $v;
            type M = $m;
            const LANES: usize = $lanes;
            #[inline(always)]
            unsafe fn load(self, p: *const $t) -> $v {
                // SAFETY: see `simd_table!`: the token proves the ISA, the caller the range.
                unsafe { ({ #[inline(always)] $load })(p) }
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t, v: $v) {
                // SAFETY: see `simd_table!`: the token proves the ISA, the caller the range.
                unsafe { ({ #[inline(always)] $store })(p, v) }
            }
            #[inline(always)]
            fn splat(self, x: <$t as $crate::kernels::Storage>::Lane) -> $v {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $splat })(x) }
            }
            #[inline(always)]
            fn mul(self, a: $v, b: $v) -> $v {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $mul })(a, b) }
            }
            #[inline(always)]
            fn max(self, a: $v, b: $v) -> $v {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $max })(a, b) }
            }
            #[inline(always)]
            fn min(self, a: $v, b: $v) -> $v {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $min })(a, b) }
            }
            #[inline(always)]
            fn gt0(self, x: $v) -> $m {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $gt0 })(x) }
            }
            #[inline(always)]
            fn sign(self, x: $v) -> $m {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $sign })(x) }
            }
            #[inline(always)]
            fn select(self, m: $m, a: $v, b: $v) -> $v {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $select })(m, a, b) }
            }
            #[inline(always)]
            fn bits(self, m: $m) -> u64 {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $bits })(m) }
            }
            #[inline(always)]
            fn mask_of_bits(self, b: u64) -> $m {
                // SAFETY: see `simd_table!`: the token proves the ISA.
                unsafe { ({ #[inline(always)] $mask_of_bits })(b) }
            }
            $(
                #[inline(always)]
                fn fence(self, v: $v) -> $v {
                    // SAFETY: see `simd_table!`: the token proves the ISA.
                    unsafe { ({ #[inline(always)] $fence })(v) }
                }
            )?
            $(
                const MASKED: bool = true;
                #[inline(always)]
                fn keep_or_scale(self, decide: $v, v: $v, a: $v) -> $v {
                    // SAFETY: see `simd_table!`: the token proves the ISA.
                    unsafe { ({ #[inline(always)] $kos })(decide, v, a) }
                }
                const SCALED_BITS: bool = true;
                #[inline(always)]
                fn keep_or_scale_bits(self, x: $v, a: $v) -> ($v, u64) {
                    // SAFETY: see `simd_table!`: the token proves the ISA.
                    unsafe { ({ #[inline(always)] $kosb })(x, a) }
                }
            )?
        }
    };
}
#[allow(unused_imports)]
pub(crate) use simd_table;

/// Defines an ISA token type and its [`Isa`] impl: `detect` returns the token
/// when `$detected` is true, and `run_f32` ... `run_bf16` enter the [`driver`]
/// (through [`Drive`]) in one function per element type compiled with
/// `#[target_feature(enable = $feature)]` (none for ISAs the target always has).
macro_rules! isa_token {
    ($(#[$doc:meta])* $name:ident, detected: $detected:expr $(, feature: $feature:literal)?) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(());

        /// The driver, instantiated with this ISA's target features, so every
        /// `#[inline(always)]` vector method is compiled with them. Never
        /// inlined, so each kernel is one symbol (`.ci/check-asm` inspects them);
        /// the task arrives in registers ([`Task::raw`]).
        ///
        /// # Safety
        /// The CPU supports the ISA; the pointers are as [`Task::raw`] describes.
        $(#[target_feature(enable = $feature)])?
        #[inline(never)]
        unsafe fn entry<T: $crate::kernels::Storage>(
            isa: $name,
            op: $crate::kernels::Op,
            dst: *mut T,
            src: *const T,
            decide: *const T,
            n: usize,
            alpha: T::Lane,
        ) where
            $name: $crate::kernels::Drive<T>,
        {
            // SAFETY: the caller's contract is the driver's.
            unsafe { $crate::kernels::Drive::drive(isa, (op, dst, src, decide, n, alpha)) }
        }

        #[allow(unused_unsafe)]
        impl $crate::kernels::Isa for $name {
            #[inline]
            fn detect() -> Option<Self> {
                ($detected).then_some($name(()))
            }
            #[inline(always)]
            fn run_f32(self, task: $crate::kernels::Task<'_, f32>) {
                let (op, dst, src, decide, n, alpha) = task.raw();
                // SAFETY: `self` exists only if `detect` found the ISA, which is
                // all `entry`'s target features require; the pointers come from
                // `task`'s borrows, which outlive the call (see `Task::raw`).
                unsafe { entry(self, op, dst, src, decide, n, alpha) }
            }
            #[inline(always)]
            fn run_f64(self, task: $crate::kernels::Task<'_, f64>) {
                let (op, dst, src, decide, n, alpha) = task.raw();
                // SAFETY: as in `run_f32`.
                unsafe { entry(self, op, dst, src, decide, n, alpha) }
            }
            #[cfg(feature = "half")]
            #[inline(always)]
            fn run_f16(self, task: $crate::kernels::Task<'_, half::f16>) {
                let (op, dst, src, decide, n, alpha) = task.raw();
                // SAFETY: as in `run_f32`.
                unsafe { entry(self, op, dst, src, decide, n, alpha) }
            }
            #[cfg(feature = "half")]
            #[inline(always)]
            fn run_bf16(self, task: $crate::kernels::Task<'_, half::bf16>) {
                let (op, dst, src, decide, n, alpha) = task.raw();
                // SAFETY: as in `run_f32`.
                unsafe { entry(self, op, dst, src, decide, n, alpha) }
            }
        }
    };
}
pub(crate) use isa_token;
