//! The loops, written once for every ISA, element type and operation: a
//! [`Task`] becomes raw pointers and a per-vector operation from `ops`, and
//! [`body`] walks the buffer.
//!
//! Loop shape. Slices shorter than one vector go to the one-lane `scalar`
//! instance of this same driver, behind a call boundary (so LLVM cannot
//! vectorise it inside an AVX function with `vmaskmov` masked moves). Otherwise
//! the first and the last (possibly overlapping) vectors are computed from the
//! original values first; the body starts at the destination's first
//! vector-size boundary and runs 4 vectors per step, then single vectors; the
//! first and last vectors are stored at the end. Lanes stored twice receive
//! identical values, no element is read after it was overwritten (which is what
//! makes in place correct), and every access stays inside `[0, n)`.

use super::formula::{Backward, Forward};
use super::isa::scalar::SCALAR;
use super::{InOut, Lane, Simd, Task, ops};

/// Runs `task` with the vectors of `s`. Compiled into each ISA's
/// `#[target_feature]` entry point (`isa_token!`).
#[inline(always)]
pub(crate) fn run<S: Simd<T>, T: Lane>(s: S, task: Task<'_, T>) {
    let n = task.len();
    if n == 0 {
        return;
    }
    if n < S::LANES {
        return short(task);
    }
    match task {
        Task::Forward { x, alpha, f } => {
            let a = s.splat(alpha);
            match f {
                Forward::Identity => copy(x),
                Forward::Max => unary(s, x, ops::forward_max(s, a)),
                Forward::Min => unary(s, x, ops::forward_min(s, a)),
                Forward::SignSelect => unary(s, x, ops::forward_sign_select(s, a)),
                Forward::CmpSelect => unary(s, x, ops::forward_cmp_select(s, a)),
            }
        }
        Task::Backward {
            g,
            decide,
            alpha,
            f,
        } => match f {
            Backward::Identity => copy(g),
            Backward::CmpSelect => binary(s, g, decide, ops::backward(s, s.splat(alpha))),
        },
    }
}

/// Slices shorter than one vector: the one-lane scalar driver, not inlined.
#[inline(never)]
fn short<T: Lane>(task: Task<'_, T>) {
    run(SCALAR, task)
}

/// The identity formulations: nothing to do in place, a copy out of place.
#[inline(always)]
fn copy<T: Lane>(x: InOut<'_, T>) {
    if let InOut::Into { dst, src } = x {
        let n = dst.len().min(src.len());
        dst[..n].copy_from_slice(&src[..n]);
    }
}

/// The destination pointer, the source pointer (equal to it in place) and the
/// number of elements both are valid for.
#[inline(always)]
fn pointers<T>(x: InOut<'_, T>) -> (*mut T, *const T, usize) {
    match x {
        InOut::InPlace(buf) => (buf.as_mut_ptr(), buf.as_ptr(), buf.len()),
        InOut::Into { dst, src } => (dst.as_mut_ptr(), src.as_ptr(), dst.len().min(src.len())),
    }
}

/// `dst[i] = op(src[i])`, a vector at a time. The caller checked `n >= LANES`.
#[inline(always)]
fn unary<S: Simd<T>, T>(s: S, x: InOut<'_, T>, op: impl Fn(S::V) -> S::V) {
    let (dst, src, n) = pointers(x);
    // SAFETY: `body` calls the closure only with `i + LANES <= n`, and `src` is
    // valid for `n` reads; `dst` is valid for `n` writes and is either `src` or
    // disjoint from it (a `&mut` and a `&` slice); `n >= LANES` (checked by `run`).
    unsafe { body(s, dst, n, |i| op(s.load(src.add(i)))) }
}

/// `dst[i] = op(src[i], decide[i])`, a vector at a time. The caller checked `n >= LANES`.
#[inline(always)]
fn binary<S: Simd<T>, T>(s: S, g: InOut<'_, T>, decide: &[T], op: impl Fn(S::V, S::V) -> S::V) {
    let (dst, src, n) = pointers(g);
    let n = n.min(decide.len());
    let d = decide.as_ptr();
    // SAFETY: as in `unary`; `decide` is valid for `n` reads and is only read.
    unsafe { body(s, dst, n, |i| op(s.load(src.add(i)), s.load(d.add(i)))) }
}

/// The loop: stores `at(i)` to `dst + i` for vectors covering `[0, n)`, where
/// `at(i)` computes the vector of results starting at element `i`.
///
/// # Safety
/// `n >= S::LANES`; `dst` is valid for `n` writes; `at(i)` is sound to call for
/// every `i` with `i + S::LANES <= n` and reads no element of `dst` other than
/// `[i, i + LANES)`.
#[inline(always)]
unsafe fn body<S: Simd<T>, T>(s: S, dst: *mut T, n: usize, at: impl Fn(usize) -> S::V) {
    let w = S::LANES;
    // Computed before anything is stored: in place, the lanes these overlap are
    // overwritten by the body.
    let head = at(0);
    let last = at(n - w);
    if n > 2 * w {
        let mut i = to_boundary(dst, w);
        let unrolled = i + (n - i) / (4 * w) * (4 * w);
        while i < unrolled {
            let (v0, v1, v2, v3) = (at(i), at(i + w), at(i + 2 * w), at(i + 3 * w));
            // SAFETY: `i + 4w <= unrolled <= n`.
            unsafe {
                s.store(dst.add(i), v0);
                s.store(dst.add(i + w), v1);
                s.store(dst.add(i + 2 * w), v2);
                s.store(dst.add(i + 3 * w), v3);
            }
            i += 4 * w;
        }
        while i + w <= n {
            let v = at(i);
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
