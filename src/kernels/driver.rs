//! The loops, written once for every ISA, element type and operation: an
//! [`Op`] selects a per-vector operation from `ops`, and [`body`] walks the
//! buffer with it.
//!
//! Loop shape. Slices shorter than one vector go to the one-lane `scalar`
//! instance of this same driver, behind a call boundary (so LLVM cannot
//! vectorise it inside an AVX function with `vmaskmov` masked moves). Otherwise
//! the first and the last (possibly overlapping) vectors are computed from the
//! original values first; the body starts at the destination's first
//! vector-size boundary and runs 4 vectors per step (all four loaded before any
//! is stored), then single vectors; the first and last vectors are stored at
//! the end. Lanes stored twice receive identical values, no element is read
//! after it was overwritten (which is what makes in place correct), and every
//! access stays inside `[0, n)`.

use super::formula::{Backward, Forward};
use super::isa::scalar::SCALAR;
use super::{Lane, Op, Simd, ops};

/// Runs `op` over `n` elements with the vectors of `s`: forward reads `src`,
/// backward reads `src` (the gradient) and `decide`; both write `dst`.
/// Compiled into each ISA's `#[target_feature]` entry point (`isa_token!`).
///
/// # Safety
/// `dst` is valid for `n` writes; `src` is valid for `n` reads and is `dst` (in
/// place) or does not overlap it. For a backward `op`, `decide` is valid for `n`
/// reads and does not overlap `dst`; a forward `op` never reads it. `s` proves
/// the CPU supports its ISA (it is a token).
#[inline(always)]
pub(crate) unsafe fn run<S: Simd<T>, T: Lane>(
    s: S,
    op: Op,
    dst: *mut T,
    src: *const T,
    decide: *const T,
    n: usize,
    alpha: T,
) {
    if n == 0 {
        return;
    }
    if n < S::LANES {
        // SAFETY: the same contract.
        return unsafe { short(op, dst, src, decide, n, alpha) };
    }
    let a = s.splat(alpha);
    // SAFETY: every call below has the caller's contract, and `n >= LANES`.
    unsafe {
        match op {
            Op::Forward(Forward::Identity) | Op::Backward(Backward::Identity) => copy(dst, src, n),
            // A masked multiply is as cheap as any formulation: one loop, the reference's.
            Op::Forward(_) if S::MASKED => unary(s, dst, src, n, ops::forward_cmp_select(s, a)),
            Op::Forward(Forward::Max) => unary(s, dst, src, n, ops::forward_max(s, a)),
            Op::Forward(Forward::Min) => unary(s, dst, src, n, ops::forward_min(s, a)),
            Op::Forward(Forward::SignSelect) => {
                unary(s, dst, src, n, ops::forward_sign_select(s, a))
            }
            Op::Forward(Forward::CmpSelect) => unary(s, dst, src, n, ops::forward_cmp_select(s, a)),
            Op::Backward(Backward::CmpSelect) => {
                binary(s, dst, src, decide, n, ops::backward(s, a))
            }
        }
    }
}

/// Slices shorter than one vector: the one-lane scalar driver, not inlined.
///
/// # Safety
/// As [`run`].
#[inline(never)]
unsafe fn short<T: Lane>(op: Op, dst: *mut T, src: *const T, decide: *const T, n: usize, alpha: T) {
    // SAFETY: the caller's contract; `SCALAR` needs no CPU feature.
    unsafe { run(SCALAR, op, dst, src, decide, n, alpha) }
}

/// The identity formulations: nothing to do in place, a copy out of place.
///
/// # Safety
/// As [`run`].
#[inline(always)]
unsafe fn copy<T>(dst: *mut T, src: *const T, n: usize) {
    if dst.cast_const() != src {
        // SAFETY: `src` is valid for `n` reads, `dst` for `n` writes, and they
        // do not overlap (they are not equal, so they are disjoint).
        unsafe { core::ptr::copy_nonoverlapping(src, dst, n) }
    }
}

/// `dst[i] = op(src[i])`, a vector at a time.
///
/// # Safety
/// As [`run`], and `n >= LANES`.
#[inline(always)]
unsafe fn unary<S: Simd<T>, T>(
    s: S,
    dst: *mut T,
    src: *const T,
    n: usize,
    op: impl Fn(S::V) -> S::V,
) {
    // SAFETY: `body` calls `load` only with `i + LANES <= n`, and `src` is valid
    // for `n` reads; `load(i)` reads only `[i, i + LANES)`, also when `src` is
    // `dst` (then `dst` is that same pointer, valid for reads too).
    unsafe {
        if in_place(dst, src) {
            body(s, dst, n, loader(s, dst), op)
        } else {
            body(s, dst, n, loader(s, src), op)
        }
    }
}

/// `|i| load(p + i)`, always inlined.
///
/// # Safety
/// The closure may only be called with `i` such that `p` is valid for reading
/// `[i, i + LANES)`.
#[inline(always)]
unsafe fn loader<S: Simd<T>, T>(s: S, p: *const T) -> impl Fn(usize) -> S::V {
    #[inline(always)]
    move |i| {
        // SAFETY: the caller of `loader` restricts `i` (see above).
        unsafe { s.load(p.add(i)) }
    }
}

/// `|(g, x)| op(g, x)` for [`body`], always inlined.
#[inline(always)]
fn tupled<V>(op: impl Fn(V, V) -> V) -> impl Fn((V, V)) -> V {
    #[inline(always)]
    move |(g, x)| op(g, x)
}

/// `true` when `src` is `dst`. The loops then load and store through one
/// pointer: with the same addresses in two registers, Zen 5 ran the 512-bit
/// loop at 0.71 of the one-pointer loop (an AVX-512 forward at 4 Ki f32).
#[inline(always)]
fn in_place<T>(dst: *mut T, src: *const T) -> bool {
    dst.cast_const() == src
}

/// `dst[i] = op(src[i], decide[i])`, a vector at a time.
///
/// # Safety
/// As [`run`], and `n >= LANES`.
#[inline(always)]
unsafe fn binary<S: Simd<T>, T>(
    s: S,
    dst: *mut T,
    src: *const T,
    decide: *const T,
    n: usize,
    op: impl Fn(S::V, S::V) -> S::V,
) {
    // SAFETY: as in `unary`; `decide` is valid for `n` reads and never written.
    unsafe {
        let (g, x) = (loader(s, dst), loader(s, decide));
        if in_place(dst, src) {
            body(s, dst, n, pair(&g, &x), tupled(op))
        } else {
            let g = loader(s, src);
            body(s, dst, n, pair(&g, &x), tupled(op))
        }
    }
}

/// `|i| (a(i), b(i))`, always inlined.
#[inline(always)]
fn pair<A, B>(a: impl Fn(usize) -> A, b: impl Fn(usize) -> B) -> impl Fn(usize) -> (A, B) {
    #[inline(always)]
    move |i| (a(i), b(i))
}

/// The loop: stores `op(load(i))` to `dst + i` for vectors covering `[0, n)`,
/// where `load(i)` reads the inputs of the vector starting at element `i`.
///
/// # Safety
/// `n >= S::LANES`; `dst` is valid for `n` writes; `load(i)` is sound to call
/// for every `i` with `i + S::LANES <= n` and reads no element of `dst` other
/// than `[i, i + LANES)`.
#[inline(always)]
unsafe fn body<S: Simd<T>, T, L: Copy>(
    s: S,
    dst: *mut T,
    n: usize,
    load: impl Fn(usize) -> L,
    op: impl Fn(L) -> S::V,
) {
    let w = S::LANES;
    // Computed before anything is stored: in place, the lanes these overlap are
    // overwritten by the body.
    let head = op(load(0));
    let last = op(load(n - w));
    if n > 2 * w {
        let mut i = to_boundary(dst, w);
        let unrolled = i + (n - i) / (4 * w) * (4 * w);
        while i < unrolled {
            let (l0, l1, l2, l3) = (load(i), load(i + w), load(i + 2 * w), load(i + 3 * w));
            // SAFETY: `i + 4w <= unrolled <= n`.
            unsafe {
                s.store(dst.add(i), op(l0));
                s.store(dst.add(i + w), op(l1));
                s.store(dst.add(i + 2 * w), op(l2));
                s.store(dst.add(i + 3 * w), op(l3));
            }
            i += 4 * w;
        }
        while i + w <= n {
            let v = op(load(i));
            // SAFETY: `i + w <= n`.
            unsafe { s.store(dst.add(i), v) };
            i += w;
        }
    }
    // `[0, w)`, the body `[to_boundary, i)` (which starts below `w`) and
    // `[n - w, n)` cover the slice; when `n <= 2w` the first and last alone do.
    // SAFETY: `n >= w`, so both ranges are inside `[0, n)`.
    unsafe {
        s.store(dst, head);
        s.store(dst.add(n - w), last);
    }
}

/// Elements from `p` to the next multiple of `w * size_of::<T>()` bytes: less
/// than `w`, since `p` is aligned to `T` (so the body never splits a vector
/// across a cache line when vectors are at most a line wide).
#[inline(always)]
fn to_boundary<T>(p: *const T, w: usize) -> usize {
    let size = core::mem::size_of::<T>();
    let bytes = w * size;
    ((bytes - (p as usize % bytes)) % bytes) / size
}
