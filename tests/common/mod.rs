//! Shared test helpers: bit-exact comparison, special values, awkward alphas,
//! seeded value generators and the list of kernels under test.
#![allow(dead_code)]

use leaky_relu::{Element, Kernel, Options, Parallelism};

/// Float types under test, with the bit-level access the tests need.
pub trait F: Element + core::fmt::Display {
    const NAME: &'static str;
    fn bits(self) -> u64;
    fn from_bits64(b: u64) -> Self;
    fn is_nan_(self) -> bool;
    /// Nonzero and at most the smallest normal number in magnitude: a value
    /// flush-to-zero or denormals-are-zero may change.
    fn tiny(self) -> bool;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    /// +-0, +-inf, NaN payloads (quiet, signalling, negative), subnormals, MIN/MAX, ...
    fn specials() -> Vec<Self>;
    /// Random bit pattern from a 64-bit random word.
    fn random_bits(r: u64) -> Self;
}

macro_rules! impl_f {
    ($t:ty, $u:ty, $name:literal, $qnan:expr, $snan:expr) => {
        impl F for $t {
            const NAME: &'static str = $name;
            fn bits(self) -> u64 {
                self.to_bits() as u64
            }
            fn from_bits64(b: u64) -> Self {
                <$t>::from_bits(b as $u)
            }
            fn is_nan_(self) -> bool {
                self.is_nan()
            }
            fn tiny(self) -> bool {
                self != 0.0 && self.abs() <= <$t>::MIN_POSITIVE
            }
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn specials() -> Vec<Self> {
                let q: $u = $qnan;
                let s: $u = $snan;
                let sign: $u = 1 << (<$u>::BITS - 1);
                vec![
                    0.0,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    -0.5,
                    2.0,
                    -2.0,
                    <$t>::INFINITY,
                    <$t>::NEG_INFINITY,
                    <$t>::NAN,
                    -<$t>::NAN,
                    <$t>::from_bits(q | 1),
                    <$t>::from_bits(s),
                    <$t>::from_bits(s | sign),
                    <$t>::from_bits(q | sign | 0x1234),
                    <$t>::from_bits(1),
                    <$t>::from_bits(1 | sign),
                    <$t>::MIN_POSITIVE,
                    -<$t>::MIN_POSITIVE,
                    <$t>::MIN_POSITIVE / 2.0,
                    -<$t>::MIN_POSITIVE / 3.0,
                    <$t>::MAX,
                    <$t>::MIN,
                    <$t>::EPSILON,
                    -<$t>::EPSILON,
                    1.0 + <$t>::EPSILON,
                    -1.0 - <$t>::EPSILON,
                ]
            }
            fn random_bits(r: u64) -> Self {
                <$t>::from_bits(r as $u)
            }
        }
    };
}
impl_f!(f32, u32, "f32", 0x7fc0_0000, 0x7f80_0001);
impl_f!(
    f64,
    u64,
    "f64",
    0x7ff8_0000_0000_0000,
    0x7ff0_0000_0000_0001
);

/// The halves: the same specials, written by their bits (so no test value
/// goes through a conversion from `f64`, whose `half` implementation differs
/// between CPUs). `$man` is the number of stored significand bits.
#[cfg(feature = "half")]
macro_rules! impl_half {
    ($t:ty, $name:literal, $man:expr) => {
        impl F for $t {
            const NAME: &'static str = $name;
            fn bits(self) -> u64 {
                u64::from(self.to_bits())
            }
            fn from_bits64(b: u64) -> Self {
                <$t>::from_bits(b as u16)
            }
            fn is_nan_(self) -> bool {
                self.is_nan()
            }
            fn tiny(self) -> bool {
                let m = self.to_bits() & 0x7fff;
                m != 0 && m <= <$t>::MIN_POSITIVE.to_bits()
            }
            fn from_f64(v: f64) -> Self {
                // Test data only: rounding twice here is harmless.
                <$t>::from_f32(v as f32)
            }
            fn to_f64(self) -> f64 {
                f64::from(self.to_f32())
            }
            fn specials() -> Vec<Self> {
                let exp_all: u16 = 0x7fff & !((1 << $man) - 1);
                let quiet: u16 = 1 << ($man - 1);
                let one = <$t>::ONE.to_bits();
                let min_pos = <$t>::MIN_POSITIVE.to_bits();
                [
                    0,
                    0x8000,
                    one,
                    one | 0x8000,
                    one - (1 << $man),
                    (one - (1 << $man)) | 0x8000,
                    one + (1 << $man),
                    (one + (1 << $man)) | 0x8000,
                    exp_all,
                    exp_all | 0x8000,
                    exp_all | quiet,
                    exp_all | quiet | 0x8000,
                    exp_all | quiet | 1,
                    exp_all | 1,
                    exp_all | 1 | 0x8000,
                    exp_all | quiet | 0x8000 | 0x12,
                    1,
                    0x8001,
                    min_pos,
                    min_pos | 0x8000,
                    min_pos - 1,
                    (min_pos >> 1) | 0x8000,
                    exp_all - 1,
                    (exp_all - 1) | 0x8000,
                    <$t>::EPSILON.to_bits(),
                    <$t>::EPSILON.to_bits() | 0x8000,
                    one + 1,
                    (one + 1) | 0x8000,
                ]
                .map(<$t>::from_bits)
                .to_vec()
            }
            fn random_bits(r: u64) -> Self {
                <$t>::from_bits(r as u16)
            }
        }
    };
}
#[cfg(feature = "half")]
impl_half!(leaky_relu::half::f16, "f16", 10);
#[cfg(feature = "half")]
impl_half!(leaky_relu::half::bf16, "bf16", 7);

/// Bit-identical, or both NaN (the contract leaves NaN payloads unspecified).
pub fn same<T: F>(a: T, b: T) -> bool {
    a.bits() == b.bits() || (a.is_nan_() && b.is_nan_())
}

/// The alphas every test runs: the list plus neighbours of each formulation's edges.
pub fn alphas<T: F>() -> Vec<T> {
    let mut v: Vec<T> = [0.0, -0.0, 0.01, 0.2, 1.0, 1.3, -0.25, -3.0]
        .iter()
        .map(|&a| T::from_f64(a))
        .collect();
    v.push(T::from_f64(f64::INFINITY));
    v.push(T::from_f64(f64::NEG_INFINITY));
    v.push(T::from_f64(f64::NAN));
    v.push(T::from_bits64(1)); // smallest subnormal
    // The largest alpha below 1 (last of `Max`) and the smallest above 1 (first of `Min`).
    let one = T::from_f64(1.0).bits();
    v.push(T::from_bits64(one - 1));
    v.push(T::from_bits64(one + 1));
    v.push(T::from_f64(1e30));
    v.push(T::from_f64(-1e-30));
    v
}

/// SplitMix64: a tiny seeded generator, so failures reproduce.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A mix of specials, random bit patterns and ordinary floats of both signs.
pub fn values<T: F>(rng: &mut Rng, n: usize) -> Vec<T> {
    let sp = T::specials();
    (0..n)
        .map(|_| {
            let r = rng.next();
            match r % 4 {
                0 => sp[(r >> 8) as usize % sp.len()],
                1 => T::random_bits(rng.next()),
                _ => T::from_f64(((r >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 200.0),
            }
        })
        .collect()
}

/// A named way of running the public API: a kernel (or the dispatcher) and a parallelism.
#[derive(Clone, Copy, Debug)]
pub struct Runner {
    pub name: &'static str,
    pub opts: Options,
    /// Run the byte forms (`forward_bytes(.., T::DTYPE, alpha)`) instead.
    pub bytes: bool,
}

/// The kernels the sweeps run: every available one, or only those named in
/// `LEAKY_RELU_TEST_KERNELS` (comma-separated; `.ci/hardening` narrows its
/// Miri runs of the x86 kernels and of the rayon split with it, forwarded with
/// `-Zmiri-env-forward`). A name that is not available here fails, so a
/// narrowed run cannot silently test nothing.
pub fn tested_kernels() -> Vec<Kernel> {
    let tested = match std::env::var("LEAKY_RELU_TEST_KERNELS") {
        Ok(list) => list
            .split(',')
            .map(|n| {
                let k: Kernel = n.parse().expect("LEAKY_RELU_TEST_KERNELS names kernels");
                assert!(
                    k.is_available(),
                    "LEAKY_RELU_TEST_KERNELS: `{k}` is not available here"
                );
                k
            })
            .collect(),
        Err(_) => Kernel::available(),
    };
    report_kernels(&tested);
    tested
}

/// Says, once per test binary, which kernels the sweeps run here (natively, or
/// under Miri) and which they skip: those this CPU lacks (`.ci/cross-cpu` and
/// `.ci/hardening` run them) and those `LEAKY_RELU_TEST_KERNELS` left out.
/// Written to stderr directly, so the test harness's capture does not hide it.
fn report_kernels(tested: &[Kernel]) {
    use std::io::Write;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let how = if cfg!(miri) { "under Miri" } else { "natively" };
        let mut err = std::io::stderr().lock();
        for k in Kernel::ALL {
            let _ = if tested.contains(k) {
                writeln!(err, "note: kernel `{k}` is tested {how} here")
            } else if k.is_available() {
                writeln!(err, "note: kernel `{k}` is available but skipped (not in LEAKY_RELU_TEST_KERNELS)")
            } else {
                writeln!(err, "note: kernel `{k}` is not available here; its tests are skipped (see .ci/cross-cpu, .ci/hardening)")
            };
        }
    });
}

/// Every tested kernel, serial; natively, the dispatcher and the byte forms.
pub fn runners() -> Vec<Runner> {
    let mut v: Vec<Runner> = tested_kernels()
        .into_iter()
        .map(|k| Runner {
            name: k.name(),
            opts: Options::new()
                .with_kernel(k)
                .expect("available kernel")
                .with_parallelism(Parallelism::Serial),
            bytes: false,
        })
        .collect();
    // The dispatcher runs natively only: under Miri it would repeat the best
    // kernel's sweep (CI's Miri time), and the lib, `errors` and
    // `expected_kernel` tests reach the dispatch path under Miri already.
    if !cfg!(miri) {
        v.push(Runner {
            name: "dispatched",
            opts: Options::new(),
            bytes: false,
        });
    }
    // The byte forms with a run-time dtype, through `check` (tests that call
    // `r.opts` directly skip this runner); natively only (they add a cast and
    // a match to the typed path; Miri runs the byte API in the lib and
    // `errors` tests).
    if !cfg!(miri) {
        v.push(Runner {
            name: "dispatched, byte forms",
            opts: Options::new(),
            bytes: true,
        });
    }
    v
}

/// Runner variants that force the parallel split, for every tested kernel.
pub fn parallel_runners() -> Vec<Runner> {
    tested_kernels()
        .into_iter()
        .map(|k| Runner {
            name: k.name(),
            opts: Options::new()
                .with_kernel(k)
                .expect("available kernel")
                .with_parallelism(Parallelism::Parallel),
            bytes: false,
        })
        .collect()
}

/// Asserts `got` equals the reference `want` by bits (NaN matches NaN), naming
/// the context and the first differing index.
pub fn assert_same<T: F>(got: &[T], want: &[T], ctx: &dyn Fn() -> String) {
    assert_eq!(got.len(), want.len());
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            same(g, w),
            "{}: index {i}: got {g} ({:#x}), reference {w} ({:#x})",
            ctx(),
            g.bits(),
            w.bits()
        );
    }
}

/// `true` under Miri or with `LEAKY_RELU_TEST_LIGHT=1` (slow emulated runs): the
/// exhaustive loops then cover fewer offsets and alphas (every length still).
pub fn light() -> bool {
    cfg!(miri) || std::env::var("LEAKY_RELU_TEST_LIGHT").is_ok_and(|v| v == "1")
}
