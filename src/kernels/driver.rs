//! The loops, written once for every ISA, element type and operation: an
//! [`Op`] selects a per-vector operation from `ops`, and [`body`] walks the
//! buffer with it.
//!
//! Loop shape. (For `bf16`, `Drive` picks the vectors first: `halves::Pairs`,
//! two values to a lane, from two of the ISA's vectors up, else the ISA's own
//! `bf16` vectors.) Slices shorter than one vector go to the one-lane `scalar`
//! instance of this same driver, behind a call boundary (so LLVM cannot
//! vectorise it inside an AVX function with `vmaskmov` masked moves). Otherwise
//! the first and the last (possibly overlapping) vectors are computed from the
//! original values first; the body covers the whole vectors from the
//! destination's first vector-size boundary, 4 vectors per step (all four loaded
//! before any is stored), then single vectors, going up the buffer, or down it
//! when another buffer it reads sits a little behind the destination in the
//! low 12 address bits (see [`descending`]); the first and last vectors are
//! stored at the end. Lanes stored twice receive identical values, no element is read
//! after it was overwritten (which is what makes in place correct), and every
//! access stays inside `[0, n)`.
//!
//! The mask operations have the same shape, with words of 64 elements for the
//! body (from the same vector-size boundary), whose 64 mask bits are one
//! little-endian `u64` of the mask shifted by that boundary's offset: each
//! vector's bits ([`Simd::bits`] / [`Simd::mask_of_bits`]) shift into place;
//! the elements after the last whole word are whole vectors and the last,
//! overlapping vector (slices shorter than a vector run on a zero-padded copy
//! on the stack), so the loop never reads or writes outside the buffer or the mask.

use super::formula::{Backward, Forward};
use super::isa::scalar::{SCALAR, Scalar};
use super::{Op, Raw, Simd, Storage, ops};

/// Runs `op` over `n` elements with the vectors of `s`: forward reads `src`,
/// backward reads `src` (the gradient) and `decide`; both write `dst`.
/// Compiled into each ISA's `#[target_feature]` entry point (`isa_token!`).
///
/// # Safety
/// `dst` is valid for `n` writes; `src` is valid for `n` reads and is `dst` (in
/// place) or does not overlap it. For a backward `op`, `decide` is valid for `n`
/// reads and does not overlap `dst`; a forward `op` never reads it. For the
/// mask ops, `decide` is the mask, cast to `*const T`: valid for
/// `n.div_ceil(8)` byte writes (`ForwardMask`) or reads (`BackwardMask`), and
/// overlapping nothing else.
/// `s` proves the CPU supports its ISA (it is a token).
#[inline(always)]
pub(crate) unsafe fn run<S: Simd<T>, T: Storage>(s: S, raw: Raw<T>)
where
    Scalar: Simd<T>,
{
    let (op, dst, src, decide, n, alpha) = raw;
    if n == 0 {
        return;
    }
    // Words of 64 elements, whatever the vector width.
    let mask = decide.cast::<u8>().cast_mut();
    match op {
        Op::ForwardMask => {
            let a = s.splat(alpha);
            // SAFETY: the caller's contract.
            return unsafe { masked(s, dst, src, mask, n, true, ops::forward_with_mask(s, a)) };
        }
        Op::BackwardMask(Backward::CmpSelect) => {
            let a = s.splat(alpha);
            // SAFETY: the caller's contract.
            return unsafe { masked(s, dst, src, mask, n, false, ops::backward_from_mask(s, a)) };
        }
        _ => {}
    }
    if n < S::LANES {
        // SAFETY: the same contract.
        return unsafe { short(raw) };
    }
    let a = s.splat(alpha);
    // SAFETY: every call below has the caller's contract, and `n >= LANES`.
    unsafe {
        match op {
            Op::Forward(Forward::Identity)
            | Op::Backward(Backward::Identity)
            | Op::BackwardMask(Backward::Identity) => copy(dst, src, n),
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
            // Handled above.
            Op::ForwardMask | Op::BackwardMask(Backward::CmpSelect) => {}
        }
    }
}

/// Slices shorter than one vector: the one-lane scalar driver, not inlined.
///
/// # Safety
/// As [`run`].
#[inline(never)]
unsafe fn short<T: Storage>(raw: Raw<T>)
where
    Scalar: Simd<T>,
{
    // SAFETY: the caller's contract (`op` is not a mask op: those return
    // before `short`); `SCALAR` needs no CPU feature.
    unsafe { run(SCALAR, raw) }
}

/// Elements per mask word: 64 bits, one `u64` of the mask.
const WORD: usize = 64;

/// The mask ops. `step` maps each vector of `src` and its mask bits (bit 0 is
/// the vector's first lane) to the vector stored in `dst` and the bits it
/// yields; with `write` (forward) the yielded bits, inverted where
/// `S::SCALED_BITS`, are stored to the mask, else (backward) the mask is only
/// read. Element `i`'s bit is bit `i % 8` of byte `i / 8`.
///
/// The loop has [`body`]'s shape: the first and the last (possibly
/// overlapping) vectors are computed from the original values first and stored
/// at the end; in between, words of 64 elements start at the destination's
/// first vector-size boundary `h < LANES`, so no load or store splits a cache
/// line; then the whole vectors left. A word's 64 bits start at bit `h % 8` of
/// a mask byte: forward stores each word's bits as one `u64` at byte
/// `h / 8 + 8k`, shifted up by `h % 8`, with the previous word's top `h % 8`
/// bits below them (a carry in a register); backward reads that `u64` and, when
/// `h % 8 != 0`, the byte after it. The bytes before the words and after them
/// are assembled from the head's, the rest's and the last vector's bits and
/// written a byte at a time. Every mask byte is written once, bits past `n` as
/// 0; nothing outside `[0, n)` or the mask's `n.div_ceil(8)` bytes is touched.
/// Slices shorter than a vector run on a zero-padded copy on the stack.
///
/// Starting the words at the slice instead (each vector then split across two
/// lines on a `Vec`, which malloc aligns to 16 bytes) made `forward_with_mask`
/// 1.14x slower at 4 Ki and 1.3x at 64 Ki `f32` on a Zen 2 (AVX2).
///
/// # Safety
/// As [`run`] for the mask ops.
#[inline(always)]
unsafe fn masked<S: Simd<T>, T: Storage>(
    s: S,
    dst: *mut T,
    src: *const T,
    mask: *mut u8,
    n: usize,
    write: bool,
    step: impl Fn(S::V, u64) -> (S::V, u64),
) {
    let flip = if write && S::SCALED_BITS { u64::MAX } else { 0 };
    let bytes = n.div_ceil(8);
    let w = S::LANES;
    let low = |k: usize| if k == 0 { 0 } else { u64::MAX >> (WORD - k) };
    // SAFETY: the caller's contract; every range is spelled out at its use.
    unsafe {
        let read = |p: usize| if write { 0 } else { read_bits(mask, bytes, p) };
        if n < w {
            let bits = (padded(s, dst, src, n, read(0), &step) ^ flip) & low(n);
            if write {
                put_bytes(mask, u128::from(bits), bytes);
            }
            return;
        }
        // Before anything is stored: in place, the words overwrite lanes
        // these overlap (with the same values).
        let (head, head_bits) = step(s.load(src), read(0));
        let (last, last_bits) = step(s.load(src.add(n - w)), read(n - w));
        // The words cover `[h, at)`; their bits start at byte `b0`, bit `shift`.
        let h = to_boundary(dst, w);
        let (b0, shift) = (h / 8, (h % 8) as u32);
        let full = (n - h) / WORD;
        let at = h + WORD * full;
        // Forward: the head's bits in `[0, h)`: bytes `[0, b0)` now, bits
        // `[8 * b0, h)` carried into the first word's byte.
        let head_bits = (head_bits ^ flip) & low(h);
        if write {
            // Bytes `[0, b0)`: `8 * b0 <= h < n`, so inside the mask.
            put_bytes(mask, u128::from(head_bits), b0);
        }
        let carry = head_bits >> (8 * b0);
        // In place, one pointer for loads and stores (see `in_place`). The
        // words `[h, at)` are inside `[0, n)` of `dst` and of `from` (`dst` or
        // `src`, shifted alike); the mask holds their bytes from `b0`, and the
        // byte after the last word when `shift != 0` (element `at - 1 < n`
        // has its bit there).
        let go = |from: *const T| {
            words(
                s,
                dst.add(h),
                from,
                mask.add(b0),
                full,
                shift,
                carry,
                write,
                flip,
                &step,
            )
        };
        let carry = if in_place(dst, src) {
            go(dst.add(h))
        } else {
            go(src.add(h))
        };
        // The whole vectors after the words, `[at, at + whole)`, and the last
        // vector's bits `[n - w, n)`, both relative to `at`.
        let whole = (n - at) / w * w;
        let rest = word(s, dst.add(at), src.add(at), whole, read(at), &step);
        if write {
            let from_last = if n - w >= at {
                last_bits << (n - w - at)
            } else {
                last_bits >> (at - (n - w))
            };
            // `n - at < 64` bits after the carry's `shift < 8`.
            let tail = ((rest | from_last) ^ flip) & low(n - at);
            let first = b0 + 8 * full;
            put_bytes(
                mask.add(first),
                u128::from(carry) | u128::from(tail) << shift,
                bytes - first,
            );
        }
        s.store(dst, head);
        s.store(dst.add(n - w), last);
    }
}

/// The `full` words of [`masked`], from `dst`/`src` (the first vector-size
/// boundary of the slice): word `k` covers elements `[64k, 64k + 64)`, and its
/// bits are bits `[shift, shift + 64)` of the 72 from byte `8k` of `mask`.
/// Forward (`write`) stores, for each word, its bits XOR `flip` shifted up by
/// `shift`, below them the `shift` bits carried from the word before (`carry`
/// for the first), as the `u64` at byte `8k`, and returns the last word's
/// carry; backward reads the `u64` and, when `shift != 0`, the byte after it
/// (its step yields no bits, so it returns `carry` as given).
///
/// # Safety
/// `dst`, `src` valid for `64 * full` elements (as [`run`]); `mask` valid for
/// `8 * full` bytes, and for `8 * full + 1` bytes read when `shift != 0` and
/// not `write` (the byte holding the bit of the last word's last element).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn words<S: Simd<T>, T: Storage>(
    s: S,
    dst: *mut T,
    src: *const T,
    mask: *mut u8,
    full: usize,
    shift: u32,
    mut carry: u64,
    write: bool,
    flip: u64,
    step: &impl Fn(S::V, u64) -> (S::V, u64),
) -> u64 {
    // `x << (64 - shift)` and `x >> (64 - shift)` that give 0 for `shift == 0`.
    let up = |x: u64| (x << 1) << (63 - shift);
    let down = |x: u64| (x >> 1) >> (63 - shift);
    for k in 0..full {
        let m = mask.wrapping_add(8 * k);
        // SAFETY: word `k < full` covers elements `[64k, 64k + 64)` of `dst`
        // and `src`, and mask bytes `[8k, 8k + 8)`, plus byte `8k + 8` read
        // when `shift != 0` (the contract).
        unsafe {
            let bits = if write {
                0
            } else {
                let next = if shift != 0 { u64::from(*m.add(8)) } else { 0 };
                u64::from_le(m.cast::<u64>().read_unaligned()) >> shift | up(next)
            };
            let out = word(s, dst.add(WORD * k), src.add(WORD * k), WORD, bits, step) ^ flip;
            if write {
                m.cast::<u64>()
                    .write_unaligned((carry | out << shift).to_le());
                carry = down(out);
            }
        }
    }
    carry
}

/// The 64 mask bits from bit `p` on (zero past the mask's `bytes` bytes).
///
/// # Safety
/// `mask` is valid for `bytes` byte reads.
#[inline(always)]
unsafe fn read_bits(mask: *const u8, bytes: usize, p: usize) -> u64 {
    let (at, shift) = (p / 8, p % 8);
    // SAFETY: `[at, at + 16)` or `[at, bytes)`, both inside the mask.
    let b = unsafe {
        if at + 16 <= bytes {
            u128::from_le_bytes(mask.add(at).cast::<[u8; 16]>().read_unaligned())
        } else {
            // At most 16 bytes, assembled by shifts: a loop that copies them
            // into an array became a `memcpy` call, around which LLVM spilled
            // the kernel's vectors.
            let mut b = 0u128;
            for i in 0..bytes.saturating_sub(at).min(16) {
                b |= u128::from(*mask.add(at + i)) << (8 * i);
            }
            b
        }
    };
    (b >> shift) as u64
}

/// Stores the low `count <= 16` bytes of `bits`, little-endian, at `p`, a
/// byte at a time by shifts (not through an array, which LLVM turns into a
/// `memcpy` call).
///
/// # Safety
/// `p` is valid for `count` byte writes.
#[inline(always)]
unsafe fn put_bytes(p: *mut u8, bits: u128, count: usize) {
    for i in 0..count.min(16) {
        // SAFETY: `i < count`.
        unsafe { p.add(i).write((bits >> (8 * i)) as u8) };
    }
}

/// `count < 64` elements through [`word`] on a zero-padded stack copy; returns
/// the yielded bits (those past `count` are the padding's).
///
/// # Safety
/// `dst` valid for `count` writes, `src` for `count` reads, `src` is `dst` or disjoint.
#[inline(always)]
unsafe fn padded<S: Simd<T>, T: Storage>(
    s: S,
    dst: *mut T,
    src: *const T,
    count: usize,
    bits: u64,
    step: &impl Fn(S::V, u64) -> (S::V, u64),
) -> u64 {
    let mut pad = [T::default(); WORD];
    let p = pad.as_mut_ptr();
    // SAFETY: `count <= 64`; `pad` holds 64 elements, so the whole vectors
    // covering `count` fit.
    unsafe {
        core::ptr::copy_nonoverlapping(src, p, count);
        let out = word(s, p, p, count, bits, step);
        core::ptr::copy_nonoverlapping(p.cast_const(), dst, count);
        out
    }
}

/// The vectors covering `len <= 64` elements of a word: loads from `src`,
/// stores to `dst`, bits in and out at the vector's offset in the word.
///
/// # Safety
/// `dst` is valid for `len.next_multiple_of(LANES)` writes, `src` for as many
/// reads, and is `dst` or disjoint.
#[inline(always)]
unsafe fn word<S: Simd<T>, T: Storage>(
    s: S,
    dst: *mut T,
    src: *const T,
    len: usize,
    bits: u64,
    step: &impl Fn(S::V, u64) -> (S::V, u64),
) -> u64 {
    let mut out = 0;
    let mut j = 0;
    while j < len {
        // SAFETY: `j + LANES <= len.next_multiple_of(LANES) <= 64`.
        let (y, b) = step(unsafe { s.load(src.add(j)) }, bits >> j);
        // SAFETY: as above.
        unsafe { s.store(dst.add(j), y) };
        out |= b << j;
        j += S::LANES;
    }
    out
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
unsafe fn unary<S: Simd<T>, T: Storage>(
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
            body(s, dst, n, false, loader(s, dst), op)
        } else {
            let down = descending(dst, &[src]);
            body(s, dst, n, down, loader(s, src), op)
        }
    }
}

/// `|i| load(p + i)`, always inlined.
///
/// # Safety
/// The closure may only be called with `i` such that `p` is valid for reading
/// `[i, i + LANES)`.
#[inline(always)]
unsafe fn loader<S: Simd<T>, T: Storage>(s: S, p: *const T) -> impl Fn(usize) -> S::V + Copy {
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
unsafe fn binary<S: Simd<T>, T: Storage>(
    s: S,
    dst: *mut T,
    src: *const T,
    decide: *const T,
    n: usize,
    op: impl Fn(S::V, S::V) -> S::V,
) {
    // SAFETY: as in `unary`; `decide` is valid for `n` reads and never written.
    // The loaders go by value: through a reference, LLVM called the halves'
    // (larger, converting) loaders out of line (`.ci/check-asm` caught it).
    unsafe {
        let x = loader(s, decide);
        if in_place(dst, src) {
            let down = descending(dst, &[decide]);
            body(s, dst, n, down, pair(loader(s, dst), x), tupled(op))
        } else {
            let down = descending(dst, &[src, decide]);
            body(s, dst, n, down, pair(loader(s, src), x), tupled(op))
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
/// where `load(i)` reads the inputs of the vector starting at element `i`. The
/// whole vectors from the destination's first vector-size boundary go up the
/// buffer, or down it when `down` (see [`descending`]): 4 vectors per step,
/// then the 0 to 3 left over (at the top going up, at the bottom going down).
///
/// # Safety
/// `n >= S::LANES`; `dst` is valid for `n` writes; `load(i)` is sound to call
/// for every `i` with `i + S::LANES <= n` and reads no element of `dst` other
/// than `[i, i + LANES)`.
#[inline(always)]
unsafe fn body<S: Simd<T>, T: Storage, L: Copy>(
    s: S,
    dst: *mut T,
    n: usize,
    down: bool,
    load: impl Fn(usize) -> L,
    op: impl Fn(L) -> S::V,
) {
    let w = S::LANES;
    // Computed before anything is stored: in place, the lanes these overlap are
    // overwritten by the body.
    let head = op(load(0));
    let last = op(load(n - w));
    if n > 2 * w {
        // The whole vectors `[h, e)`: `steps` of 4, then `left` single ones.
        let h = to_boundary(dst, w);
        let e = h + (n - h) / w * w;
        let (steps, left) = ((e - h) / (4 * w), (e - h) / w % 4);
        // Up: steps from `h`, the single vectors after them; down: steps from
        // the top, the single vectors below them.
        // (`e - 4w` wraps only when `steps == 0`, and is then never used.)
        let (mut i, single) = if down {
            (e.wrapping_sub(4 * w), h)
        } else {
            (h, h + 4 * w * steps)
        };
        for _ in 0..steps {
            let (l0, l1, l2, l3) = (load(i), load(i + w), load(i + 2 * w), load(i + 3 * w));
            // SAFETY: step `k < steps` covers `[i, i + 4w)` inside `[h, e)`,
            // `e <= n`.
            unsafe {
                s.store(dst.add(i), op(l0));
                s.store(dst.add(i + w), op(l1));
                s.store(dst.add(i + 2 * w), op(l2));
                s.store(dst.add(i + 3 * w), op(l3));
            }
            // The last step's wrapped value is never used.
            i = if down {
                i.wrapping_sub(4 * w)
            } else {
                i + 4 * w
            };
        }
        for k in 0..left {
            let j = single + k * w;
            let v = op(load(j));
            // SAFETY: `[j, j + w)` is inside `[h, e)`.
            unsafe { s.store(dst.add(j), v) };
        }
    }
    // `[0, w)`, the whole vectors `[h, e)` (`h < w`, `e > n - w`) and
    // `[n - w, n)` cover the slice; when `n <= 2w` the first and last alone do.
    // SAFETY: `n >= w`, so both ranges are inside `[0, n)`.
    unsafe {
        s.store(dst, head);
        s.store(dst.add(n - w), last);
    }
}

/// Bytes of the address bits a load is compared on against older stores
/// before its own address is known in full ("4K aliasing"): x86 cores (Intel,
/// AMD Zen) hold back a load whose low 12 address bits match a pending store's.
const PAGE: usize = 4096;

/// Whether [`body`] should walk `dst` down rather than up, given the streams it
/// reads (`reads`, each the same length as `dst`).
///
/// Walking up, a load from a stream that sits `d = (dst - read) mod PAGE`
/// bytes behind `dst` has the low 12 address bits of the store made `d` bytes
/// earlier: for `d` under about 1.5 KiB (a store buffer's worth) that store
/// may still be pending, and the load waits for it, every vector. Walking down
/// the same load matches the store made `PAGE - d` bytes earlier. So this picks
/// the direction in which the nearest such store is the furthest back, for the
/// worst stream (`d = 0`, which includes in place, counts as a whole page: the
/// store at the same offset is made after the load). No constant tuned to a
/// machine: where the two directions are equally far (or the CPU does not care),
/// the walk goes up.
///
/// Measured (Zen 2, AVX2, in-place `backward` of 64 Ki `f32`, input `d` bytes
/// behind the gradient): walking up took 1.6x as long at `d` = 32 to 192 bytes
/// as at `d = 0`, and 1.3x at 256; walking down took the same time at all of
/// them.
#[inline(always)]
fn descending<T>(dst: *mut T, reads: &[*const T]) -> bool {
    // Bytes back to the nearest store with the same low bits, per direction.
    // (A plain loop: closures here were called out of line from the kernels.)
    let (mut up, mut down) = (PAGE, PAGE);
    for &r in reads {
        let d = (dst as usize).wrapping_sub(r as usize) % PAGE;
        if d != 0 {
            up = up.min(d);
            down = down.min(PAGE - d);
        }
    }
    down > up
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

#[cfg(test)]
mod tests {
    use super::{PAGE, descending};

    /// The walk direction from the page distances alone (no memory is touched).
    #[test]
    fn walks_down_only_when_a_read_is_closer_behind() {
        let at = |a: usize| a as *const f32;
        let dst = (7 * PAGE + 512) as *mut f32;
        // In place, the same page offset, half a page: up.
        for r in [dst as usize, 3 * PAGE + 512, 2 * PAGE + 512 + PAGE / 2] {
            assert!(!descending(dst, &[at(r)]), "{r:#x}");
        }
        // 4 to 2044 bytes behind: down; ahead by as much: up.
        for d in [4, 32, 192, 1024, PAGE / 2 - 4] {
            assert!(descending(dst, &[at(7 * PAGE + 512 - d)]), "{d} behind");
            assert!(!descending(dst, &[at(9 * PAGE + 512 + d)]), "{d} ahead");
        }
        // Two reads: the nearer one decides; equally near: up.
        let (behind_32, ahead_32) = (at(7 * PAGE + 480), at(7 * PAGE + 544));
        assert!(!descending(dst, &[behind_32, ahead_32]));
        assert!(descending(dst, &[behind_32, at(7 * PAGE + 1536)]));
        assert!(!descending(dst, &[at(7 * PAGE), ahead_32]));
        assert!(!descending::<f32>(dst, &[]));
    }
}
