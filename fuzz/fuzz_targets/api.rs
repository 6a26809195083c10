//! libFuzzer target over the public API: arbitrary operation (in place and out
//! of place), kernel, element type (f32, f64, f16, bf16), parallelism, alpha bits, value bits, length
//! and start offset; and every byte form at arbitrary alignment and length of
//! each buffer. Every result is compared by bits (NaN matches NaN) with the
//! scalar reference applied to a copy, canaries around the written slice must
//! survive, inputs must be unchanged, and errors must leave every buffer as it was.
//! The 1-bit mask operations likewise, with masks of the right length and of
//! wrong ones (`MaskLength`, nothing written), garbage in a read mask's unused bits.
#![no_main]

use leaky_relu::half::{bf16, f16};
use leaky_relu::{Error, Kernel, Operand, Options, Parallelism, reference};
use libfuzzer_sys::fuzz_target;

const CANARY: u8 = 0xA5;
const PAD: usize = 32;

struct Input<'a>(&'a [u8]);
impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u64(&mut self) -> u64 {
        (0..8).fold(0, |a, i| a | (self.byte() as u64) << (8 * i))
    }
}

/// The six operations, numbered as the fuzzer picks them.
const OPS: [&str; 6] = [
    "forward",
    "backward",
    "backward_from_output",
    "forward_into",
    "backward_into",
    "backward_from_output_into",
];

macro_rules! typed {
    ($t:ty, $u:ty) => {
        fn same(a: $t, b: $t) -> bool {
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
        }

        /// What the reference makes of `vals` (the buffer in place, the source
        /// out of place) with `aux` deciding a backward; `None` where the call
        /// must be refused (negative or NaN slope for the from-output forms).
        fn want(op: usize, vals: &[$t], aux: &[$t], alpha: $t) -> Option<Vec<$t>> {
            let mut w = vals.to_vec();
            match op {
                0 | 3 => reference::forward(&mut w, alpha),
                2 | 5 if !(alpha >= <$t>::default()) => return None,
                _ => reference::backward(&mut w, aux, alpha).unwrap(),
            }
            Some(w)
        }

        /// Runs `op` through the slice API on `vals`/`aux` at offset `off`.
        pub fn slices(opts: Options, op: usize, vals: &[$t], aux: &[$t], off: usize, alpha: $t) {
            let n = vals.len();
            let canary = <$t>::from_bits(<$u>::from_le_bytes([CANARY; core::mem::size_of::<$u>()]));
            let mut buf = vec![canary; off + n + PAD];
            // Out of place the destination starts as garbage: the reversed aux values.
            let start: Vec<$t> = if op >= 3 {
                aux.iter().rev().copied().collect()
            } else {
                vals.to_vec()
            };
            buf[off..off + n].copy_from_slice(&start);
            let (src, dec) = (vals.to_vec(), aux.to_vec());
            let s = &mut buf[off..off + n];
            let r = match op {
                0 => Ok(opts.forward(s, alpha)),
                1 => opts.backward(s, &dec, alpha),
                2 => opts.backward_from_output(s, &dec, alpha),
                3 => opts.forward_into(s, &src, alpha),
                4 => opts.backward_into(s, &src, &dec, alpha),
                _ => opts.backward_from_output_into(s, &src, &dec, alpha),
            };
            let expect = want(op, vals, aux, alpha);
            assert_eq!(
                r.is_ok(),
                expect.is_some(),
                "{} alpha {alpha:?}: {r:?}",
                OPS[op]
            );
            let expect = expect.unwrap_or(start);
            for i in 0..n {
                let (g, w) = (buf[off + i], expect[i]);
                assert!(
                    same(g, w),
                    "{} len {n} off {off} alpha {alpha:?} index {i}: got {g:?} want {w:?}",
                    OPS[op]
                );
            }
            for v in buf[..off].iter().chain(&buf[off + n..]) {
                assert_eq!(v.to_bits(), canary.to_bits(), "canary overwritten");
            }
            assert!(
                src.iter()
                    .zip(vals)
                    .all(|(&a, &b)| a.to_bits() == b.to_bits()),
                "source written"
            );
            assert!(
                dec.iter()
                    .zip(aux)
                    .all(|(&a, &b)| a.to_bits() == b.to_bits()),
                "input written"
            );
        }

        /// Runs mask operation `op % 4` (forward_with_mask, its `_into`,
        /// backward_from_mask, its `_into`; `op >= 4`: their byte forms) with a
        /// mask `delta` bytes longer or shorter than `mask_len(n)` (0: right),
        /// `junk` in a read mask's unused bits.
        pub fn masks(
            opts: Options,
            op: usize,
            vals: &[$t],
            aux: &[$t],
            delta: isize,
            junk: u8,
            alpha: $t,
        ) {
            let (bytes, op) = (op >= 4, op % 4);
            let n = vals.len();
            let want_len = leaky_relu::mask_len(n);
            let len = want_len.saturating_add_signed(delta);
            let mut refm = vec![0u8; want_len];
            for (i, &x) in (if op < 2 { vals } else { aux }).iter().enumerate() {
                if x > <$t>::default() {
                    refm[i / 8] |= 1 << (i % 8);
                }
            }
            let mut mbuf = vec![CANARY; len + PAD];
            if op >= 2 {
                mbuf[..want_len.min(len)].copy_from_slice(&refm[..want_len.min(len)]);
                if let (Some(last), 1..) = (mbuf[..want_len.min(len)].last_mut(), n % 8) {
                    *last |= junk << (n % 8);
                }
            }
            let mask_before = mbuf.clone();
            let into = op % 2 == 1;
            let start: Vec<$t> = if into {
                aux.iter().rev().copied().collect()
            } else {
                vals.to_vec()
            };
            let mut buf = start.clone();
            let src = vals.to_vec();
            let m = &mut mbuf[..len];
            let (d, a) = (<$t as leaky_relu::Element>::DTYPE, f64::from(alpha));
            let r = match (op, bytes) {
                (0, false) => opts.forward_with_mask(&mut buf, alpha, m),
                (1, false) => opts.forward_with_mask_into(&mut buf, &src, alpha, m),
                (2, false) => opts.backward_from_mask(&mut buf, m, alpha),
                (_, false) => opts.backward_from_mask_into(&mut buf, &src, m, alpha),
                (0, true) => {
                    opts.forward_with_mask_bytes(bytemuck::cast_slice_mut(&mut buf), d, a, m)
                }
                (1, true) => opts.forward_with_mask_into_bytes(
                    bytemuck::cast_slice_mut(&mut buf),
                    bytemuck::cast_slice(&src),
                    d,
                    a,
                    m,
                ),
                (2, true) => {
                    opts.backward_from_mask_bytes(bytemuck::cast_slice_mut(&mut buf), m, d, a)
                }
                (_, true) => opts.backward_from_mask_into_bytes(
                    bytemuck::cast_slice_mut(&mut buf),
                    bytemuck::cast_slice(&src),
                    m,
                    d,
                    a,
                ),
            };
            if len != want_len {
                assert_eq!(
                    r,
                    Err(Error::MaskLength {
                        len,
                        expected: want_len,
                        elements: n
                    })
                );
                assert_eq!(mbuf, mask_before, "mask written on error");
                assert!(
                    buf.iter()
                        .zip(&start)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "buffer written on error"
                );
                return;
            }
            r.unwrap();
            let mut w = vals.to_vec();
            if op < 2 {
                reference::forward(&mut w, alpha);
                assert_eq!(&mbuf[..len], &refm[..], "mask op {op} len {n}");
            } else {
                reference::backward(&mut w, aux, alpha).unwrap();
                assert_eq!(&mbuf[..len], &mask_before[..len], "read mask written");
            }
            assert!(
                mbuf[len..].iter().all(|&b| b == CANARY),
                "mask canary overwritten"
            );
            for i in 0..n {
                assert!(
                    same(buf[i], w[i]),
                    "mask op {op} len {n} alpha {alpha:?} index {i}: got {:?} want {:?}",
                    buf[i],
                    w[i]
                );
            }
            assert!(
                src.iter()
                    .zip(vals)
                    .all(|(&a, &b)| a.to_bits() == b.to_bits()),
                "source written"
            );
        }

        /// Runs `op` through the byte API on three buffers cut from `store` at
        /// the offsets and lengths in `cuts`, and checks the verdict, the
        /// error's operand order (slope, destination, sources) and the values.
        pub fn bytes(
            opts: Options,
            op: usize,
            store: &mut [u8],
            cuts: [(usize, usize); 3],
            alpha: $t,
        ) {
            let size = core::mem::size_of::<$t>();
            let before = store.to_vec();
            let third = store.len() / 3;
            let (d, rest) = store.split_at_mut(third);
            let (a, b) = rest.split_at_mut(third);
            let piece = |buf: &[u8], (o, l): (usize, usize)| (o % (buf.len() + 1), l);
            let (d0, dl) = piece(d, cuts[0]);
            let dl = dl.min(d.len() - d0);
            let (a0, al) = piece(a, cuts[1]);
            let al = al.min(a.len() - a0);
            let (b0, bl) = piece(b, cuts[2]);
            let bl = bl.min(b.len() - b0);
            let (dst, src, dec) = (&mut d[d0..d0 + dl], &a[a0..a0 + al], &b[b0..b0 + bl]);
            let ok =
                |x: &[u8]| x.is_empty() || (x.as_ptr() as usize % size == 0 && x.len() % size == 0);
            let typed = |x: &[u8]| -> Vec<$t> {
                x.chunks_exact(size)
                    .map(|c| <$t>::from_ne_bytes(c.try_into().unwrap()))
                    .collect()
            };
            let in_place = op < 3;
            let inputs: Vec<&[u8]> = match op {
                0 => vec![],
                1 | 2 => vec![src],
                3 => vec![src],
                _ => vec![src, dec],
            };
            // The operands in argument order: the destination, then the inputs.
            let names: &[Operand] = match op {
                0 => &[Operand::Buffer],
                1 => &[Operand::Grad, Operand::Input],
                2 => &[Operand::Grad, Operand::Output],
                3 => &[Operand::Dst, Operand::Src],
                4 => &[Operand::Dst, Operand::Grad, Operand::Input],
                _ => &[Operand::Dst, Operand::Grad, Operand::Output],
            };
            let all: Vec<&[u8]> = core::iter::once(&*dst)
                .chain(inputs.iter().copied())
                .collect();
            let first_bad = all.iter().position(|x| !ok(x)).map(|i| names[i]);
            let first_len = inputs
                .iter()
                .position(|x| x.len() != dst.len())
                .map(|i| names[i + 1]);
            // What the call must do: refuse the slope first, then the first bad
            // buffer (destination, then sources), then unequal lengths.
            let slope_bad = (op == 2 || op == 5) && !(alpha >= <$t>::default());
            let bad = !ok(dst) || inputs.iter().any(|x| !ok(x));
            let lens_differ = inputs.iter().any(|x| x.len() != dst.len());
            let vals = typed(if in_place { dst } else { src });
            let aux = typed(match op {
                1 | 2 => src,
                4 | 5 => dec,
                _ => &[],
            });
            let dst_before = dst.to_vec();
            let r = match op {
                0 => opts.forward_bytes(dst, <$t as leaky_relu::Element>::DTYPE, f64::from(alpha)),
                1 => opts.backward_bytes(
                    dst,
                    src,
                    <$t as leaky_relu::Element>::DTYPE,
                    f64::from(alpha),
                ),
                2 => opts.backward_from_output_bytes(
                    dst,
                    src,
                    <$t as leaky_relu::Element>::DTYPE,
                    f64::from(alpha),
                ),
                3 => opts.forward_into_bytes(
                    dst,
                    src,
                    <$t as leaky_relu::Element>::DTYPE,
                    f64::from(alpha),
                ),
                4 => opts.backward_into_bytes(
                    dst,
                    src,
                    dec,
                    <$t as leaky_relu::Element>::DTYPE,
                    f64::from(alpha),
                ),
                _ => opts.backward_from_output_into_bytes(
                    dst,
                    src,
                    dec,
                    <$t as leaky_relu::Element>::DTYPE,
                    f64::from(alpha),
                ),
            };
            match r {
                Err(Error::InvalidSlope { .. }) => {
                    assert!(slope_bad, "{}: slope refused wrongly", OPS[op])
                }
                Err(Error::Misaligned { operand, .. } | Error::RaggedBytes { operand, .. }) => {
                    assert!(!slope_bad && bad, "{}: bytes refused wrongly", OPS[op]);
                    assert_eq!(Some(operand), first_bad, "{}: wrong buffer named", OPS[op]);
                }
                Err(Error::LengthMismatch { operand, .. }) => {
                    assert!(
                        !slope_bad && !bad && lens_differ,
                        "{}: lengths refused wrongly",
                        OPS[op]
                    );
                    assert_eq!(Some(operand), first_len, "{}: wrong buffer named", OPS[op]);
                }
                Err(e) => panic!("{}: unexpected {e:?}", OPS[op]),
                Ok(()) => {
                    assert!(
                        !slope_bad && !bad && !lens_differ,
                        "{}: accepted wrongly",
                        OPS[op]
                    );
                    let want = want(op, &vals, &aux, alpha).unwrap();
                    let got = typed(dst);
                    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
                        assert!(
                            same(g, w),
                            "{} bytes index {i}: got {g:?} want {w:?}",
                            OPS[op]
                        );
                    }
                }
            }
            if r.is_err() {
                assert_eq!(dst, &dst_before[..], "{}: error path wrote to dst", OPS[op]);
            }
            // Nothing outside the destination changed.
            let third_start = d0;
            for (i, (&x, &y)) in store.iter().zip(&before).enumerate() {
                if !(i >= third_start && i < third_start + dl) {
                    assert_eq!(
                        x, y,
                        "{}: byte {i} outside the destination written",
                        OPS[op]
                    );
                }
            }
        }
    };
}

mod f32s {
    use super::*;
    typed!(f32, u32);
}
mod f64s {
    use super::*;
    typed!(f64, u64);
}
mod f16s {
    use super::*;
    typed!(f16, u16);
}
mod bf16s {
    use super::*;
    typed!(bf16, u16);
}

fn decode<T>(data: &[u8], size: usize, from: fn(u64) -> T) -> Vec<T> {
    data.chunks_exact(size)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..size].copy_from_slice(c);
            from(u64::from_le_bytes(b))
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input(data);
    let op = inp.byte() as usize % OPS.len();
    let kernel_sel = inp.byte();
    let flags = inp.byte();
    let off = (inp.byte() % 16) as usize;
    let alpha_bits = inp.u64();

    let avail = Kernel::available();
    let kernel = Kernel::ALL[kernel_sel as usize % Kernel::ALL.len()];
    let par = [
        Parallelism::Serial,
        Parallelism::Auto,
        Parallelism::Parallel,
    ][(flags >> 2) as usize % 3];
    let opts = match Options::new().with_kernel(kernel) {
        Ok(o) => {
            assert!(avail.contains(&kernel));
            o.with_parallelism(par)
        }
        Err(_) => {
            assert!(!avail.contains(&kernel));
            Options::new().with_parallelism(par)
        }
    };
    // The element type: f32, f64, f16, bf16 (flag bits 0 and 5).
    let ty = (flags & 1) | ((flags >> 4) & 2);

    if flags & 2 != 0 {
        // Byte API: three buffers at arbitrary offsets and lengths inside an
        // 8-aligned store holding the rest of the input.
        let cuts = [(); 3].map(|_| (inp.byte() as usize, inp.byte() as usize));
        let mut store = vec![0u64; inp.0.len() / 8 + 8];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut store);
        let len = inp.0.len().min(bytes.len());
        bytes[..len].copy_from_slice(&inp.0[..len]);
        match ty {
            0 => f32s::bytes(opts, op, bytes, cuts, f32::from_bits(alpha_bits as u32)),
            1 => f64s::bytes(opts, op, bytes, cuts, f64::from_bits(alpha_bits)),
            2 => f16s::bytes(opts, op, bytes, cuts, f16::from_bits(alpha_bits as u16)),
            _ => bf16s::bytes(opts, op, bytes, cuts, bf16::from_bits(alpha_bits as u16)),
        }
        return;
    }

    if flags & 16 != 0 {
        // Mask operations: a wrong mask length one time in four.
        let sel = inp.byte();
        let delta = if sel & 3 == 0 {
            [-2, -1, 1, 2][(sel >> 2) as usize % 4]
        } else {
            0
        };
        let (mop, junk) = ((sel >> 4) as usize % 8, inp.byte());
        macro_rules! masks {
            ($m:ident, $size:expr, $from:expr) => {{
                let vals = decode(inp.0, $size, $from);
                let (x, aux) = vals.split_at(vals.len() / 2);
                $m::masks(
                    opts,
                    mop,
                    x,
                    &aux[..x.len()],
                    delta,
                    junk,
                    $from(alpha_bits),
                );
            }};
        }
        match ty {
            0 => masks!(f32s, 4, |b| f32::from_bits(b as u32)),
            1 => masks!(f64s, 8, f64::from_bits),
            2 => masks!(f16s, 2, |b| f16::from_bits(b as u16)),
            _ => masks!(bf16s, 2, |b| bf16::from_bits(b as u16)),
        }
        return;
    }

    macro_rules! slices {
        ($m:ident, $size:expr, $from:expr) => {{
            let vals = decode(inp.0, $size, $from);
            let (x, aux) = vals.split_at(vals.len() / 2);
            $m::slices(opts, op, x, &aux[..x.len()], off, $from(alpha_bits));
        }};
    }
    match ty {
        0 => slices!(f32s, 4, |b| f32::from_bits(b as u32)),
        1 => slices!(f64s, 8, f64::from_bits),
        2 => slices!(f16s, 2, |b| f16::from_bits(b as u16)),
        _ => slices!(bf16s, 2, |b| bf16::from_bits(b as u16)),
    }
});
