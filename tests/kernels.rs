//! Every available kernel, and the dispatcher, against the scalar reference,
//! bit for bit: every length up to 4 x (vector x unroll) + 1, misaligned starts
//! with canaries around the slice, special values and the awkward alphas; then
//! proptest over random lengths, offsets, bit patterns and alphas.

mod common;

use common::*;
use leaky_relu::{Kernel, Options, reference};
use proptest::prelude::*;

/// Every length up to this: twice the widest `f32` step (`avx512`, 16 lanes x unroll 4 =
/// 64 elements), plus 1, so every kernel's short path, head/last overlap, aligned body and
/// tail. `bf16`'s element-wise operations step 128 elements on `avx512` (two to a lane,
/// `halves::Pairs`), so the halves also get the lengths in [`HALF_LENGTHS`].
const MAX_LEN: usize = 4 * 32 + 1;

/// For the 2-byte types, beyond [`MAX_LEN`]: around one and two 128-element steps, the
/// single vectors after them and a tail (natively; Miri keeps its short list).
const HALF_LENGTHS: [usize; 13] = [
    160, 161, 191, 192, 193, 255, 256, 257, 300, 383, 384, 385, 513,
];
/// For the 4- and 8-byte types, beyond [`MAX_LEN`]: the mask ops' words of 64
/// elements start at the first vector boundary, so two and more whole words
/// after the head (the carry of bits from word to word) need these; the heads
/// the sweep's offsets reach depend on the allocation, and
/// `mask_from_every_boundary` covers every one.
const WORD_LENGTHS: [usize; 5] = [191, 192, 193, 257, 263];
const CANARY: u64 = 0x5a5a_5a5a_5a5a_5a5a;
const PAD: usize = 9;

#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Op {
    Forward,
    Backward,
    BackwardFromOutput,
    ForwardInto,
    BackwardInto,
    BackwardFromOutputInto,
    ForwardWithMask,
    ForwardWithMaskInto,
    BackwardFromMask,
    BackwardFromMaskInto,
}
const OPS: [Op; 10] = [
    Op::Forward,
    Op::Backward,
    Op::BackwardFromOutput,
    Op::ForwardInto,
    Op::BackwardInto,
    Op::BackwardFromOutputInto,
    Op::ForwardWithMask,
    Op::ForwardWithMaskInto,
    Op::BackwardFromMask,
    Op::BackwardFromMaskInto,
];
const MASK_CANARY: u8 = 0xc3;

/// The mask `forward_with_mask` must write: bit `i % 8` of byte `i / 8` set
/// exactly where `v[i] > 0`, the rest of the last byte clear.
fn ref_mask<T: F>(v: &[T]) -> Vec<u8> {
    let mut m = vec![0u8; v.len().div_ceil(8)];
    for (i, &x) in v.iter().enumerate() {
        if x > T::default() {
            m[i / 8] |= 1 << (i % 8);
        }
    }
    m
}

/// Runs `op` through `opts` on `len` elements written `off` elements into a
/// canary-padded buffer and checks it against the reference, bit for bit: in
/// place, `vals` is the buffer (`x` or `grad`); out of place it is the source
/// (`src` or `dy`) and the destination starts as garbage. `aux` is the input or
/// output a backward decides on (the mask ops: the input whose mask a backward
/// reads, with garbage in the unused bits). Canaries around the written slice
/// and mask must survive, and the inputs of out-of-place calls must be unchanged.
fn check<T: F>(r: &Runner, op: Op, vals: &[T], aux: &[T], off: usize, alpha: T) {
    let len = vals.len();
    let canary = T::from_bits64(CANARY);
    let into = matches!(
        op,
        Op::ForwardInto
            | Op::BackwardInto
            | Op::BackwardFromOutputInto
            | Op::ForwardWithMaskInto
            | Op::BackwardFromMaskInto
    );
    let forward = matches!(
        op,
        Op::Forward | Op::ForwardInto | Op::ForwardWithMask | Op::ForwardWithMaskInto
    );
    // The mask, at its own misalignment, between canaries: garbage before a
    // forward writes it; before a backward reads it, `aux`'s mask with the
    // unused high bits of the last byte set.
    let (ml, moff) = (len.div_ceil(8), off % 3);
    let mut mbuf = vec![MASK_CANARY; moff + ml + PAD];
    let mask_in = {
        let mut m = ref_mask(aux);
        if let (Some(last), 1..) = (m.last_mut(), len % 8) {
            *last |= 0xffu8 << (len % 8);
        }
        m
    };
    if matches!(op, Op::BackwardFromMask | Op::BackwardFromMaskInto) {
        mbuf[moff..moff + ml].copy_from_slice(&mask_in);
    }
    let mut buf = vec![canary; off + len + PAD];
    // Out of place, the destination's old contents must not matter: fill it
    // with the reversed auxiliary values (NaNs, negatives...).
    let start: Vec<T> = if into {
        aux.iter().rev().copied().collect()
    } else {
        vals.to_vec()
    };
    buf[off..off + len].copy_from_slice(&start);
    // The inputs live in their own padded buffers, at other offsets than `dst`,
    // so source and destination are misaligned against each other too.
    let soff = (off * 5 + 3) % 8;
    let padded = |v: &[T]| {
        let mut b = vec![canary; soff + len + PAD];
        b[soff..soff + len].copy_from_slice(v);
        b
    };
    let (src_buf, decide_buf) = (padded(vals), padded(aux));
    let (src, decide) = (&src_buf[soff..soff + len], &decide_buf[soff..soff + len]);
    let ctx = || {
        format!(
            "{} {op:?} {} len {len} offset {off} alpha {alpha} ({:#x})",
            r.name,
            T::NAME,
            alpha.bits()
        )
    };
    let valid_slope = alpha >= T::default();
    let from_output = matches!(op, Op::BackwardFromOutput | Op::BackwardFromOutputInto);
    let slice = &mut buf[off..off + len];
    let mask = &mut mbuf[moff..moff + ml];
    let res = if r.bytes {
        via_bytes(&r.opts, op, slice, src, decide, mask, alpha)
    } else {
        match op {
            Op::Forward => {
                r.opts.forward(slice, alpha);
                Ok(())
            }
            Op::Backward => r.opts.backward(slice, decide, alpha),
            Op::BackwardFromOutput => r.opts.backward_from_output(slice, decide, alpha),
            Op::ForwardInto => r.opts.forward_into(slice, src, alpha),
            Op::BackwardInto => r.opts.backward_into(slice, src, decide, alpha),
            Op::BackwardFromOutputInto => {
                r.opts.backward_from_output_into(slice, src, decide, alpha)
            }
            Op::ForwardWithMask => r.opts.forward_with_mask(slice, alpha, mask),
            Op::ForwardWithMaskInto => r.opts.forward_with_mask_into(slice, src, alpha, mask),
            Op::BackwardFromMask => r.opts.backward_from_mask(slice, mask, alpha),
            Op::BackwardFromMaskInto => r.opts.backward_from_mask_into(slice, src, mask, alpha),
        }
    };
    // The reference: the in-place operation on a copy of `vals`.
    let mut want = vals.to_vec();
    if from_output && !valid_slope {
        assert!(
            matches!(res, Err(leaky_relu::Error::InvalidSlope { .. })),
            "{}: must refuse, got {res:?}",
            ctx()
        );
        want = start;
    } else {
        res.unwrap_or_else(|e| panic!("{}: {e}", ctx()));
        if forward {
            reference::forward(&mut want, alpha);
        } else {
            reference::backward(&mut want, aux, alpha).unwrap();
        }
    }
    assert_same(&buf[off..off + len], &want, &ctx);
    let mask_want = match op {
        Op::ForwardWithMask | Op::ForwardWithMaskInto => ref_mask(vals),
        Op::BackwardFromMask | Op::BackwardFromMaskInto => mask_in,
        _ => vec![MASK_CANARY; ml],
    };
    assert_eq!(&mbuf[moff..moff + ml], &mask_want[..], "{}: mask", ctx());
    for (i, &b) in mbuf[..moff].iter().chain(&mbuf[moff + ml..]).enumerate() {
        assert_eq!(b, MASK_CANARY, "{}: mask canary {i} overwritten", ctx());
    }
    for (i, v) in buf[..off].iter().chain(&buf[off + len..]).enumerate() {
        assert_eq!(v.bits(), canary.bits(), "{}: canary {i} overwritten", ctx());
    }
    for (inp, orig, what) in [
        (&src_buf, vals, "source"),
        (&decide_buf, aux, "decide buffer"),
    ] {
        for (i, (a, b)) in inp[soff..soff + len].iter().zip(orig).enumerate() {
            assert_eq!(a.bits(), b.bits(), "{}: {what} changed at {i}", ctx());
        }
        for v in inp[..soff].iter().chain(&inp[soff + len..]) {
            assert_eq!(v.bits(), canary.bits(), "{}: {what} padding changed", ctx());
        }
    }
}

/// `op` through its byte form, with `T`'s dtype and `alpha` widened exactly.
fn via_bytes<T: F>(
    o: &Options,
    op: Op,
    slice: &mut [T],
    src: &[T],
    decide: &[T],
    mask: &mut [u8],
    alpha: T,
) -> Result<(), leaky_relu::Error> {
    let (d, a) = (T::DTYPE, alpha.to_f64());
    let b: &mut [u8] = bytemuck::cast_slice_mut(slice);
    let (s, x): (&[u8], &[u8]) = (bytemuck::cast_slice(src), bytemuck::cast_slice(decide));
    match op {
        Op::Forward => o.forward_bytes(b, d, a),
        Op::Backward => o.backward_bytes(b, x, d, a),
        Op::BackwardFromOutput => o.backward_from_output_bytes(b, x, d, a),
        Op::ForwardInto => o.forward_into_bytes(b, s, d, a),
        Op::BackwardInto => o.backward_into_bytes(b, s, x, d, a),
        Op::BackwardFromOutputInto => o.backward_from_output_into_bytes(b, s, x, d, a),
        Op::ForwardWithMask => o.forward_with_mask_bytes(b, d, a, mask),
        Op::ForwardWithMaskInto => o.forward_with_mask_into_bytes(b, s, d, a, mask),
        Op::BackwardFromMask => o.backward_from_mask_bytes(b, mask, d, a),
        Op::BackwardFromMaskInto => o.backward_from_mask_into_bytes(b, s, mask, d, a),
    }
}

/// Lengths to sweep: all up to MAX_LEN, and [`HALF_LENGTHS`] for 2-byte types,
/// [`WORD_LENGTHS`] for the others;
/// under Miri (about 1000x slower), the lengths around each vector width (2, 4, 8)
/// and unroll step (16, 32).
fn lengths<T>() -> Vec<usize> {
    if cfg!(miri) {
        vec![0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 35, 40, 65]
    } else if core::mem::size_of::<T>() == 2 {
        (0..=MAX_LEN).chain(HALF_LENGTHS).collect()
    } else {
        (0..=MAX_LEN).chain(WORD_LENGTHS).collect()
    }
}

/// Under Miri: one alpha per formulation, plus NaN.
fn test_alphas<T: F>() -> Vec<T> {
    if cfg!(miri) {
        [1.0, 0.2, 1.3, 0.0, -0.25, f64::NAN]
            .map(T::from_f64)
            .to_vec()
    } else {
        alphas::<T>()
    }
}

/// Under Miri (about 1000x slower) the mask ops run at offset 0 and at the
/// lengths that reach each of their paths: shorter than a vector (1, 9), whole
/// vectors and the overlapping last vector without a word (17, 33, 40), one
/// word plus a tail where the head is short enough (65); words from every
/// head are `mask_from_every_boundary`'s. Doubling the sweep otherwise took CI's Miri from 12
/// to 21 minutes.
fn skip_under_miri(op: Op, len: usize, off: usize) -> bool {
    cfg!(miri) && op >= Op::ForwardWithMask && (off > 0 || ![1, 9, 17, 33, 40, 65].contains(&len))
}

fn exhaustive<T: F>() {
    let mut rng = Rng(0x1eaf_2e10 ^ T::NAME.len() as u64);
    let offsets: &[usize] = if cfg!(miri) {
        &[0, 1]
    } else if light() {
        &[0, 1, 3]
    } else {
        &[0, 1, 2, 3, 4, 5, 6, 7]
    };
    let all_alphas = test_alphas::<T>();
    for r in runners() {
        for len in lengths::<T>() {
            for (ai, &alpha) in all_alphas.iter().enumerate() {
                if light() && !cfg!(miri) && (ai + len) % 3 != 0 {
                    continue;
                }
                let vals = values::<T>(&mut rng, len);
                let aux = values::<T>(&mut rng, len);
                for &off in offsets {
                    for op in OPS {
                        if skip_under_miri(op, len, off) {
                            continue;
                        }
                        check(&r, op, &vals, &aux, off, alpha);
                    }
                }
            }
        }
    }
}

#[test]
fn every_length_offset_alpha_f32() {
    exhaustive::<f32>();
}

#[test]
fn every_length_offset_alpha_f64() {
    exhaustive::<f64>();
}

/// Every special value against every special value used as alpha, each kernel.
fn specials_cross<T: F>() {
    let sp = T::specials();
    let mut alist = test_alphas::<T>();
    if !cfg!(miri) {
        alist.extend(sp.iter().copied());
    }
    // Repeat the specials so every lane position and the overlapping tail see them.
    let vals: Vec<T> = sp.iter().cycle().take(sp.len() * 5 + 3).copied().collect();
    let aux: Vec<T> = vals.iter().rev().copied().collect();
    // These buffers are at most one chunk granule, so the forced-parallel
    // runners take the serial path: natively only (under Miri they would repeat it).
    assert!(vals.len() * core::mem::size_of::<T>() <= leaky_relu::GRANULE_BYTES);
    let parallel = if cfg!(miri) {
        vec![]
    } else {
        parallel_runners()
    };
    for r in runners().into_iter().chain(parallel) {
        for &alpha in &alist {
            for op in OPS {
                // Under Miri the mask ops' specials run once per kernel and alpha.
                check(&r, op, &vals, &aux, 1, alpha);
                if !(cfg!(miri) && op >= Op::ForwardWithMask) {
                    check(&r, op, &aux, &vals, 0, alpha);
                }
            }
        }
    }
}

#[test]
fn special_values_f32() {
    specials_cross::<f32>();
}

#[test]
fn special_values_f64() {
    specials_cross::<f64>();
}

/// backward_from_output(g, forward(x, a), a) == backward(g, x, a) for every a >= 0.
fn from_output_matches<T: F>() {
    let mut rng = Rng(7);
    let mut alist: Vec<T> = test_alphas::<T>()
        .into_iter()
        .filter(|&a| a >= T::default())
        .collect();
    alist.push(T::from_f64(0.5));
    for r in runners().into_iter().filter(|r| !r.bytes) {
        for &alpha in &alist {
            for len in [0, 1, 7, 31, 33, 100, 257] {
                let x = values::<T>(&mut rng, len);
                let g = values::<T>(&mut rng, len);
                let mut y = x.clone();
                r.opts.forward(&mut y, alpha);
                let mut g1 = g.clone();
                let mut g2 = g.clone();
                r.opts.backward(&mut g1, &x, alpha).unwrap();
                r.opts.backward_from_output(&mut g2, &y, alpha).unwrap();
                assert_same(&g2, &g1, &|| {
                    format!("{} {} alpha {alpha} len {len}", r.name, T::NAME)
                });
            }
        }
    }
}

#[test]
fn from_output_equals_backward_f32() {
    from_output_matches::<f32>();
}

#[test]
fn from_output_equals_backward_f64() {
    from_output_matches::<f64>();
}

/// backward_from_mask(g, mask of forward_with_mask(x)) == backward(g, x), every alpha.
fn mask_round_trip<T: F>(r: &Runner, x: &[T], g: &[T], alpha: T) {
    let mut y = x.to_vec();
    let mut mask = vec![0u8; leaky_relu::mask_len(x.len())];
    r.opts.forward_with_mask(&mut y, alpha, &mut mask).unwrap();
    let (mut g1, mut g2) = (g.to_vec(), g.to_vec());
    r.opts.backward(&mut g1, x, alpha).unwrap();
    r.opts.backward_from_mask(&mut g2, &mask, alpha).unwrap();
    assert_same(&g2, &g1, &|| {
        format!("{} {} alpha {alpha} len {}", r.name, T::NAME, x.len())
    });
}

fn from_mask_matches<T: F>() {
    let mut rng = Rng(8);
    for r in runners().into_iter().filter(|r| !r.bytes) {
        for alpha in test_alphas::<T>() {
            for len in [0, 1, 7, 8, 63, 64, 65, 100, 257] {
                let x = values::<T>(&mut rng, len);
                let g = values::<T>(&mut rng, len);
                mask_round_trip(&r, &x, &g, alpha);
            }
        }
    }
}

/// The mask ops' words start at the destination's first vector boundary, `h`
/// elements in, and their bits at bit `h % 8` of byte `h / 8`: every `h` a
/// 64-byte vector allows (AVX-512 `f32` has `h / 8 == 1` too), on slices that
/// start each element after a cache line, with no word, one and several,
/// against the reference and `ref_mask`: in place, then out of place from a
/// source one element further along its own line (so source and destination
/// differ in alignment), then backward from that mask. The elements around
/// the slice and the byte after the mask are canaries. Short enough for Miri,
/// where it is the deterministic check of the AVX-512 offsets and of avx2's
/// (the sweeps' mask ops run only at offset 0 there).
fn mask_from_every_boundary<T: F>() {
    let mut rng = Rng(0x6d61_736b);
    let line = 64 / core::mem::size_of::<T>();
    let lengths: &[usize] = if cfg!(miri) {
        &[17, 80, 150]
    } else {
        &[
            1, 15, 16, 17, 63, 64, 65, 79, 80, 81, 127, 128, 129, 150, 200, 300,
        ]
    };
    let canary = T::from_f64(-7.0);
    // Index of the first element on a 64-byte boundary.
    let line_start = |p: *const T| (64 - p as usize % 64) % 64 / core::mem::size_of::<T>();
    for r in runners().into_iter().filter(|r| !r.bytes) {
        for &len in lengths {
            let alpha = T::from_f64(if len % 2 == 0 { 0.25 } else { -3.0 });
            let mut store = vec![canary; len + 3 * line];
            let mut src_store = vec![canary; len + 3 * line];
            let (aligned, src_aligned) =
                (line_start(store.as_ptr()), line_start(src_store.as_ptr()));
            for off in 0..line {
                let vals = values::<T>(&mut rng, len);
                let g = values::<T>(&mut rng, len);
                let ctx = || format!("{} {} len {len} line offset {off}", r.name, T::NAME);
                let at = aligned + off;
                let mut want = vals.clone();
                leaky_relu::reference::forward(&mut want, alpha);
                let mut mask = vec![MASK_CANARY; leaky_relu::mask_len(len) + 1];
                let ml = mask.len() - 1;
                for into in [false, true] {
                    let ctx = || format!("{}{}", ctx(), if into { " into" } else { "" });
                    mask.fill(MASK_CANARY);
                    let buf = &mut store[at..at + len];
                    if into {
                        let s = src_aligned + (off + 1) % line;
                        src_store[s..s + len].copy_from_slice(&vals);
                        r.opts
                            .forward_with_mask_into(
                                buf,
                                &src_store[s..s + len],
                                alpha,
                                &mut mask[..ml],
                            )
                            .unwrap();
                        assert_same(&src_store[s..s + len], &vals, &|| format!("{}: src", ctx()));
                    } else {
                        buf.copy_from_slice(&vals);
                        r.opts
                            .forward_with_mask(buf, alpha, &mut mask[..ml])
                            .unwrap();
                    }
                    assert_same(&store[at..at + len], &want, &ctx);
                    assert_eq!(&mask[..ml], &ref_mask(&vals)[..], "{}: mask", ctx());
                    assert_eq!(mask[ml], MASK_CANARY, "{}: mask canary", ctx());
                    let around = store[..at].iter().chain(&store[at + len..]);
                    assert!(
                        around.into_iter().all(|v| v.bits() == canary.bits()),
                        "{}: a canary around the slice was overwritten",
                        ctx()
                    );
                }
                let buf = &mut store[at..at + len];
                buf.copy_from_slice(&g);
                r.opts.backward_from_mask(buf, &mask[..ml], alpha).unwrap();
                let mut want = g.clone();
                leaky_relu::reference::backward(&mut want, &vals, alpha).unwrap();
                assert_same(buf, &want, &|| format!("{}: backward", ctx()));
                store[at..at + len].fill(canary);
            }
        }
    }
}

#[test]
fn mask_from_every_boundary_f32() {
    mask_from_every_boundary::<f32>();
}

#[test]
fn mask_from_every_boundary_f64() {
    mask_from_every_boundary::<f64>();
}

/// Bytes a load is matched on against older stores (x86's "4K aliasing"): the
/// element-wise loops walk down instead of up when a stream they read sits
/// less than half of this behind the destination.
const PAGE: usize = 4096;

/// Every element-wise operation that reads another buffer than it writes, with
/// that buffer at page distances on both sides of the walk-down decision:
/// `dst` sits `d` bytes past the source (or the input a backward decides on)
/// modulo 4096, from the same page offset through a few bytes, a line, half a
/// page and back to a page less one element, at several misalignments of `dst`
/// and lengths through the 4-vector steps. Canaries around every buffer, the
/// inputs unchanged, every formulation's alpha.
fn every_page_distance<T: F>() {
    let size = core::mem::size_of::<T>();
    let mut rng = Rng(0x0a11_a5ed);
    // Under Miri (which checks that no access leaves the slices): one length
    // with whole 4-vector steps and single vectors after the head, both sides.
    let lengths: &[usize] = if cfg!(miri) {
        &[77]
    } else {
        &[1, 9, 17, 33, 63, 65, 100, 129, 150, 257, 300, 513]
    };
    let distances: Vec<usize> = if cfg!(miri) {
        vec![32, PAGE - 32]
    } else {
        [
            0,
            size,
            16,
            32,
            64,
            96,
            200,
            1024,
            PAGE / 2 - size,
            PAGE / 2,
            PAGE / 2 + size,
        ]
        .into_iter()
        .chain([PAGE - 1024, PAGE - 64, PAGE - 32, PAGE - size])
        .map(|d| d / size * size)
        .collect()
    };
    let canary = T::from_f64(-7.0);
    let alphas = [0.01, 2.0, 0.0, -0.5, f64::NAN].map(T::from_f64);
    // A buffer of `len` elements starting `at` bytes past a page boundary,
    // inside a canary-filled allocation: (allocation, index of the slice).
    let place = |len: usize, at: usize| {
        let store = vec![canary; len + PAGE / size + 8];
        let i = (PAGE + at - store.as_ptr() as usize % PAGE) % PAGE / size;
        // Canaries before the slice too.
        (store, if i < 4 { i + PAGE / size } else { i })
    };
    let untouched = |store: &[T], i: usize, len: usize, what: &dyn Fn() -> String| {
        let around = store[..i].iter().chain(&store[i + len..]);
        assert!(
            around.into_iter().all(|v| v.bits() == canary.bits()),
            "{}: a canary around the slice was overwritten",
            what()
        );
    };
    for r in runners().into_iter().filter(|r| !r.bytes) {
        for &len in lengths {
            let offsets: &[usize] = if cfg!(miri) {
                &[size, 13 * size]
            } else {
                &[0, size, 5 * size, 13 * size]
            };
            for &dst_at in offsets {
                for &d in &distances {
                    let vals = values::<T>(&mut rng, len);
                    let aux = values::<T>(&mut rng, len);
                    let alpha = alphas[(len + d / size) % alphas.len()];
                    let ctx = |what: &str| {
                        format!(
                            "{} {} {what} len {len} dst {dst_at} bytes into a page, source {d} bytes behind, alpha {alpha}",
                            r.name,
                            T::NAME
                        )
                    };
                    let behind = (PAGE + dst_at - d) % PAGE;
                    // The other read of `backward_into` on the other side.
                    let ahead = (dst_at + d) % PAGE;
                    let (mut dst, di) = place(len, dst_at);
                    let (mut src, si) = place(len, behind);
                    let (mut aux_store, ai) = place(len, ahead);
                    src[si..si + len].copy_from_slice(&vals);
                    aux_store[ai..ai + len].copy_from_slice(&aux);
                    let (s, x) = (&src[si..si + len], &aux_store[ai..ai + len]);
                    // forward_into from `d` behind.
                    r.opts
                        .forward_into(&mut dst[di..di + len], s, alpha)
                        .unwrap();
                    let mut want = vals.clone();
                    reference::forward(&mut want, alpha);
                    assert_same(&dst[di..di + len], &want, &|| ctx("forward_into"));
                    untouched(&dst, di, len, &|| ctx("forward_into"));
                    // backward in place, deciding on `src` (`d` behind).
                    dst[di..di + len].copy_from_slice(&aux);
                    r.opts.backward(&mut dst[di..di + len], s, alpha).unwrap();
                    let mut want = aux.clone();
                    reference::backward(&mut want, &vals, alpha).unwrap();
                    assert_same(&dst[di..di + len], &want, &|| ctx("backward"));
                    untouched(&dst, di, len, &|| ctx("backward"));
                    // backward_into: the gradient `d` behind, the input `d` ahead,
                    // and the other way round.
                    for (g, xs, name) in [(s, x, "backward_into"), (x, s, "backward_into swapped")]
                    {
                        r.opts
                            .backward_into(&mut dst[di..di + len], g, xs, alpha)
                            .unwrap();
                        let mut want = g.to_vec();
                        reference::backward(&mut want, xs, alpha).unwrap();
                        assert_same(&dst[di..di + len], &want, &|| ctx(name));
                        untouched(&dst, di, len, &|| ctx(name));
                    }
                    assert_same(&src[si..si + len], &vals, &|| ctx("source changed"));
                    assert_same(&aux_store[ai..ai + len], &aux, &|| ctx("input changed"));
                    untouched(&src, si, len, &|| ctx("source"));
                    untouched(&aux_store, ai, len, &|| ctx("input"));
                }
            }
        }
    }
}

#[test]
fn every_page_distance_f32() {
    every_page_distance::<f32>();
}

#[test]
fn every_page_distance_f64() {
    every_page_distance::<f64>();
}

#[test]
fn from_mask_equals_backward_f32() {
    from_mask_matches::<f32>();
}

#[test]
fn from_mask_equals_backward_f64() {
    from_mask_matches::<f64>();
}

#[test]
fn best_is_available_and_listed() {
    let best = Kernel::best();
    assert!(best.is_available());
    let avail = Kernel::available();
    assert!(avail.contains(&best), "{best} not in {avail:?}");
    assert_eq!(avail.last(), Some(&Kernel::Scalar));
    for &k in Kernel::ALL {
        assert_eq!(k.name().parse::<Kernel>().unwrap(), k);
        assert_eq!(avail.contains(&k), k.is_available());
    }
}

fn alpha_strategy<T: F>() -> impl Strategy<Value = T> {
    let fixed = alphas::<T>();
    prop_oneof![
        proptest::sample::select(fixed),
        any::<u64>().prop_map(T::random_bits),
        (-4.0f64..4.0).prop_map(T::from_f64),
    ]
}

fn values_strategy<T: F>(max: usize) -> impl Strategy<Value = Vec<T>> {
    proptest::collection::vec(
        prop_oneof![
            any::<u64>().prop_map(T::random_bits),
            proptest::sample::select(T::specials()),
            (-1e3f64..1e3).prop_map(T::from_f64),
        ],
        0..max,
    )
}

fn prop_case<T: F>(vals: Vec<T>, seed: u64, off: usize, alpha: T, runner: usize, op: usize) {
    let rs: Vec<Runner> = runners().into_iter().chain(parallel_runners()).collect();
    let r = rs[runner % rs.len()];
    let mut rng = Rng(seed);
    let aux = values::<T>(&mut rng, vals.len());
    check(&r, OPS[op % OPS.len()], &vals, &aux, off, alpha);
}

proptest! {
    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; the sweeps above cover the paths")]
    fn prop_f32(vals in values_strategy::<f32>(3000), seed in any::<u64>(), off in 0usize..16,
                alpha in alpha_strategy::<f32>(), runner in 0usize..16, op in 0usize..10) {
        prop_case(vals, seed, off, alpha, runner, op);
    }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; the sweeps above cover the paths")]
    fn prop_f64(vals in values_strategy::<f64>(3000), seed in any::<u64>(), off in 0usize..16,
                alpha in alpha_strategy::<f64>(), runner in 0usize..16, op in 0usize..10) {
        prop_case(vals, seed, off, alpha, runner, op);
    }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; the sweeps above cover the paths")]
    fn prop_mask_round_trip_f32(x in values_strategy::<f32>(3000), seed in any::<u64>(),
                                alpha in alpha_strategy::<f32>(), runner in 0usize..16) {
        let rs: Vec<Runner> = runners().into_iter().filter(|r| !r.bytes).chain(parallel_runners()).collect();
        let g = values::<f32>(&mut Rng(seed), x.len());
        mask_round_trip(&rs[runner % rs.len()], &x, &g, alpha);
    }
}

/// Forced-parallel splitting around chunk boundaries gives the serial result,
/// in a two-thread pool (so the split happens whatever the machine has), for
/// every operation and one alpha of each formulation (1.0: the copy).
fn parallel_boundaries<T: F>() {
    #[cfg(feature = "rayon")]
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a two-thread pool")
        .install(parallel_boundaries_in_pool::<T>);
    #[cfg(not(feature = "rayon"))]
    parallel_boundaries_in_pool::<T>();
}

fn parallel_boundaries_in_pool<T: F>() {
    let granule = leaky_relu::GRANULE_BYTES / core::mem::size_of::<T>();
    let mut rng = Rng(99);
    // Under Miri (two threads, about 1000x slower): one ragged length over
    // three chunks and one alpha (the split does not depend on it; the
    // formulations had their Miri sweeps).
    let lens: Vec<usize> = if cfg!(miri) {
        vec![3 * granule - 1]
    } else if light() {
        vec![granule + 1, 3 * granule - 1]
    } else {
        vec![
            granule - 1,
            granule,
            granule + 1,
            2 * granule + 7,
            5 * granule - 3,
            9 * granule,
        ]
    };
    for r in parallel_runners() {
        for &len in &lens {
            let vals = values::<T>(&mut rng, len);
            let aux = values::<T>(&mut rng, len);
            let all = [0.1, -0.5, 1.0, 0.0, 3.0, f64::NAN];
            for &alpha in &all[..if cfg!(miri) { 1 } else { all.len() }] {
                let alpha = T::from_f64(alpha);
                for op in OPS {
                    check(&r, op, &vals, &aux, 3, alpha);
                }
            }
        }
    }
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "needs threads: wasm32-wasip1 has none"
)]
fn parallel_split_f32() {
    parallel_boundaries::<f32>();
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "needs threads: wasm32-wasip1 has none"
)]
fn parallel_split_f64() {
    parallel_boundaries::<f64>();
}

/// The identity shortcut (alpha == 1) must still validate its arguments.
#[test]
fn identity_alpha_still_validates() {
    let mut g = [1.0f32; 3];
    assert!(leaky_relu::backward(&mut g, &[1.0; 2], 1.0).is_err());
    assert!(
        Options::new()
            .backward_from_output(&mut g, &[1.0; 2], 1.0)
            .is_err()
    );
}

/// The halves through the same sweeps as `f32` and `f64`: every kernel, length,
/// offset, operation, special and awkward alpha against the reference (whose
/// products are `half`'s; `tests/half.rs` checks those, and every kernel, on
/// all 65536 inputs against an independent rounding).
#[cfg(feature = "half")]
macro_rules! half_sweeps {
    ($($t:ident: $sweep:ident, $specials:ident, $from_output:ident, $from_mask:ident, $split:ident, $prop:ident;)*) => {$(
        #[test]
        fn $sweep() {
            exhaustive::<leaky_relu::half::$t>();
        }

        #[test]
        fn $specials() {
            specials_cross::<leaky_relu::half::$t>();
        }

        #[test]
        fn $from_output() {
            from_output_matches::<leaky_relu::half::$t>();
        }

        #[test]
        fn $from_mask() {
            from_mask_matches::<leaky_relu::half::$t>();
        }

        #[test]
        #[cfg_attr(target_family = "wasm", ignore = "needs threads: wasm32-wasip1 has none")]
        fn $split() {
            parallel_boundaries::<leaky_relu::half::$t>();
        }

        proptest! {
            #[test]
            #[cfg_attr(miri, ignore = "proptest is too slow under Miri; the sweeps above cover the paths")]
            fn $prop(vals in values_strategy::<leaky_relu::half::$t>(3000), seed in any::<u64>(),
                     off in 0usize..16, alpha in alpha_strategy::<leaky_relu::half::$t>(),
                     runner in 0usize..16, op in 0usize..10) {
                prop_case(vals, seed, off, alpha, runner, op);
            }
        }
    )*};
}

#[cfg(feature = "half")]
half_sweeps! {
    f16: every_length_offset_alpha_f16, special_values_f16, from_output_equals_backward_f16,
        from_mask_equals_backward_f16, parallel_split_f16, prop_f16;
    bf16: every_length_offset_alpha_bf16, special_values_bf16, from_output_equals_backward_bf16,
        from_mask_equals_backward_bf16, parallel_split_bf16, prop_bf16;
}
