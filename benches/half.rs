//! Criterion benches of the halves: in-place forward of `f16` and `bf16` by
//! each available kernel (serial), against the workaround a user writes today
//! (widen with `half`'s slice conversion into a scratch `Vec<f32>`, run the
//! `f32` kernel, narrow back; `half` uses F16C for `f16` where the CPU has it)
//! and against the `f32` kernel on an `f32` buffer of the same length, at sizes
//! from 4 Ki (L1) to 64 Mi elements (DRAM). Throughput is in bytes of the
//! buffer read and written (`2 * size_of * n`), so the `f32` kernel's bytes per
//! second compare directly; the workaround's counts its half buffer only.
//!
//! `cargo bench --bench half`; `LEAKY_RELU_BENCH_SIZES=4096,65536` restricts
//! the sizes; `scripts/half_table.py` prints the README table from the results.
//! Every iteration alternates `alpha = 0.25` and `4`, exact inverses in every
//! format (`0.01` and `100` are not in `f16`, whose products then drift the
//! buffer toward infinity over millions of iterations, and the data each
//! variant saw depended on how long the others ran); every variant starts
//! from the same buffer.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leaky_relu::half::slice::HalfFloatSliceExt;
use leaky_relu::half::{bf16, f16};
use leaky_relu::{Element, Kernel, Options, Parallelism};
mod common;
use common::setup;

use std::hint::black_box;

const SIZES: [usize; 6] = [4 << 10, 64 << 10, 256 << 10, 1 << 20, 16 << 20, 64 << 20];

fn sizes() -> Vec<usize> {
    match std::env::var("LEAKY_RELU_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|v| v.trim().parse().ok()).collect(),
        Err(_) => SIZES.to_vec(),
    }
}

/// The halves, with `half`'s slice conversions (the workaround's two steps).
trait Half: Element
where
    [Self]: HalfFloatSliceExt,
{
    const NAME: &'static str;
    fn from_f32(v: f32) -> Self;
}
impl Half for f16 {
    const NAME: &'static str = "f16";
    fn from_f32(v: f32) -> Self {
        f16::from_f32(v)
    }
}
impl Half for bf16 {
    const NAME: &'static str = "bf16";
    fn from_f32(v: f32) -> Self {
        bf16::from_f32(v)
    }
}

fn serial(k: Kernel) -> Option<Options> {
    Options::new()
        .with_kernel(k)
        .ok()
        .map(|o| o.with_parallelism(Parallelism::Serial))
}

fn bench_half<T: Half>(c: &mut Criterion)
where
    [T]: HalfFloatSliceExt,
{
    let best = serial(Kernel::best()).expect("the best kernel is available");
    let alphas = [0.25f32, 4.0];
    for n in sizes() {
        let big = n >= 16 << 20;
        let x32 = common::data(n, 5, |v| v as f32);
        let start: Vec<T> = x32.iter().map(|&v| T::from_f32(v)).collect();
        let mut buf = start.clone();
        let mut grp = c.benchmark_group(format!("half_forward_{}", T::NAME));
        setup(&mut grp, big);
        grp.throughput(Throughput::Bytes(2 * 2 * n as u64));
        for k in Kernel::available() {
            let o = serial(k).expect("available");
            buf.copy_from_slice(&start);
            grp.bench_with_input(BenchmarkId::new(k.name(), n), &n, |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i ^= 1;
                    o.forward(black_box(&mut buf[..]), T::from_f32(alphas[i]));
                })
            });
        }
        // Widen, the f32 kernel, narrow: what a user writes without half support.
        let mut scratch = vec![0.0f32; n];
        buf.copy_from_slice(&start);
        grp.bench_with_input(BenchmarkId::new("workaround", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                black_box(&buf[..]).convert_to_f32_slice(&mut scratch);
                best.forward(&mut scratch[..], alphas[i]);
                buf.convert_from_f32_slice(black_box(&scratch[..]));
            })
        });
        grp.finish();
    }
}

/// The f32 kernel on an f32 buffer of each length, in its own bytes.
fn bench_f32(c: &mut Criterion) {
    let best = serial(Kernel::best()).expect("the best kernel is available");
    let alphas = [0.25f32, 4.0];
    for n in sizes() {
        let mut f = common::data(n, 5, |v| v as f32);
        let mut grp = c.benchmark_group("half_forward_f32");
        setup(&mut grp, n >= 16 << 20);
        grp.throughput(Throughput::Bytes(2 * 4 * n as u64));
        grp.bench_with_input(BenchmarkId::new("f32", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                best.forward(black_box(&mut f[..]), alphas[i]);
            })
        });
        grp.finish();
    }
}

fn benches(c: &mut Criterion) {
    bench_half::<f16>(c);
    bench_half::<bf16>(c);
    bench_f32(c);
}

criterion_group!(half_benches, benches);
criterion_main!(half_benches);
