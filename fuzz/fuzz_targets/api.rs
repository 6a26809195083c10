//! libFuzzer target over the public API: arbitrary operation, kernel, element
//! type, parallelism, alpha bits, value bits, length and start offset, plus the
//! byte API at arbitrary alignment and length. Every result is compared by bits
//! (NaN matches NaN) with the scalar reference, and canaries around the slice
//! must survive. Errors must leave buffers untouched.
#![no_main]

use leaky_relu::{Kernel, Options, Parallelism, reference};
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

macro_rules! run_typed {
    ($t:ty, $u:ty, $inp:ident, $op:ident, $opts:ident, $alpha_bits:ident, $off:ident) => {{
        let alpha = <$t>::from_bits($alpha_bits as $u);
        let size = core::mem::size_of::<$t>();
        let vals: Vec<$t> = $inp
            .0
            .chunks_exact(size)
            .map(|c| {
                let mut b = [0u8; 8];
                b[..size].copy_from_slice(c);
                <$t>::from_bits(u64::from_le_bytes(b) as $u)
            })
            .collect();
        let n = vals.len();
        let half = n / 2;
        let (x, aux) = (&vals[..half], &vals[half..2 * half]);
        let canary = <$t>::from_bits(<$u>::from_le_bytes([CANARY; core::mem::size_of::<$u>()]));
        let mut buf = vec![canary; $off + half + PAD];
        buf[$off..$off + half].copy_from_slice(x);
        let mut want = x.to_vec();
        let slice = &mut buf[$off..$off + half];
        let ok = match $op % 3 {
            0 => {
                $opts.forward(slice, alpha);
                reference::forward(&mut want, alpha);
                true
            }
            1 => {
                $opts.backward(slice, aux, alpha).unwrap();
                reference::backward(&mut want, aux, alpha).unwrap();
                true
            }
            _ => match $opts.backward_from_output(slice, aux, alpha) {
                Ok(()) => {
                    assert!(alpha >= 0.0);
                    reference::backward(&mut want, aux, alpha).unwrap();
                    true
                }
                Err(_) => {
                    assert!(!(alpha >= 0.0));
                    false
                }
            },
        };
        let got = &buf[$off..$off + half];
        for i in 0..half {
            let (g, w) = (got[i], if ok { want[i] } else { x[i] });
            assert!(
                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                "op {} len {half} off {} alpha {alpha:?} index {i}: got {g:?} want {w:?}",
                $op % 3,
                $off
            );
        }
        for v in buf[..$off].iter().chain(&buf[$off + half..]) {
            assert_eq!(v.to_bits(), canary.to_bits(), "canary overwritten");
        }
    }};
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input(data);
    let op = inp.byte();
    let kernel_sel = inp.byte();
    let flags = inp.byte();
    let off = (inp.byte() % 16) as usize;
    let alpha_bits = inp.u64();

    let avail = Kernel::available();
    let kernel = Kernel::ALL[kernel_sel as usize % Kernel::ALL.len()];
    let par = [Parallelism::Serial, Parallelism::Auto, Parallelism::Parallel][(flags >> 2) as usize % 3];
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

    if flags & 2 != 0 {
        // Byte API: arbitrary offset and length inside an 8-aligned buffer.
        let mut store = vec![0u64; inp.0.len() / 8 + 4];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut store);
        let len = inp.0.len().min(bytes.len() - off);
        bytes[off..off + len].copy_from_slice(&inp.0[..len]);
        let before = bytes.to_vec();
        let alpha = f32::from_bits(alpha_bits as u32);
        let r = if flags & 1 == 0 {
            opts.forward_bytes::<f32>(&mut bytes[off..off + len], alpha)
        } else {
            opts.forward_bytes::<f64>(&mut bytes[off..off + len], f64::from_bits(alpha_bits))
        };
        let size = if flags & 1 == 0 { 4 } else { 8 };
        let aligned = len == 0 || (bytes[off..].as_ptr() as usize % size == 0 && len % size == 0);
        assert_eq!(r.is_ok(), aligned, "byte API accepted/refused wrongly: off {off} len {len}");
        if r.is_err() {
            assert_eq!(bytes, &before[..], "error path wrote to the buffer");
        }
        assert_eq!(bytes[..off], before[..off]);
        assert_eq!(bytes[off + len..], before[off + len..]);
        return;
    }

    if flags & 1 == 0 {
        run_typed!(f32, u32, inp, op, opts, alpha_bits, off);
    } else {
        run_typed!(f64, u64, inp, op, opts, alpha_bits, off);
    }
});
