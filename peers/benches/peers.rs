//! Peers comparison: leaky-relu against tract-linalg's leaky ReLU routine,
//! ndarray's `mapv_inplace`, candle-nn's `ops::leaky_relu` (out of place: it
//! allocates its result, so its GB/s counts the same bytes as ours) and the naive
//! loop, all measured in one run. candle runs up to 16 Mi elements (at 64 Mi each
//! call allocates over 1 GiB of temporaries).
//!
//! `cargo bench -p leaky-relu-peers` (from the repository root). Results land in
//! `target/criterion/peers_forward_f32/...`; `scripts/bench_table.py` turns them into
//! the tables in docs/PERFORMANCE.md. `LEAKY_RELU_BENCH_SIZES=4096,65536` restricts the sizes.
//!
//! Every timed iteration alternates alpha = 0.01 and 100 so values never drift
//! toward subnormals (see benches/kernels.rs).
//!
//! `peers_forward_f16`: the same on `f16` buffers, against candle's
//! `ops::leaky_relu` on an `f16` tensor (candle computes the halves natively
//! in `half`'s arithmetic), with our `forward_into` beside it as the
//! out-of-place equal.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leaky_relu::{Options, Parallelism};
use ndarray::ArrayViewMut1;
use std::hint::black_box;
use std::time::Duration;

const SIZES: [usize; 8] = [
    16,
    256,
    4 << 10,
    64 << 10,
    256 << 10,
    1 << 20,
    16 << 20,
    64 << 20,
];
const ALPHAS: [f32; 2] = [0.01, 100.0];

fn sizes() -> Vec<usize> {
    match std::env::var("LEAKY_RELU_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|v| v.trim().parse().ok()).collect(),
        Err(_) => SIZES.to_vec(),
    }
}

fn data(n: usize) -> Vec<f32> {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 8.0
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    // Resolved once, outside the timed loop: tract's best routine for this CPU.
    let tract = tract_linalg::Func::LeakyRelu
        .ew_f32_param()
        .expect("tract-linalg has a leaky_relu f32 routine");
    let serial = Options::new().with_parallelism(Parallelism::Serial);
    let mut grp = c.benchmark_group("peers_forward_f32");
    for n in sizes() {
        let big = n >= 16 << 20;
        grp.sample_size(if big { 10 } else { 20 })
            .warm_up_time(Duration::from_millis(if big { 300 } else { 200 }))
            .measurement_time(Duration::from_millis(if big { 2000 } else { 600 }));
        grp.throughput(Throughput::Bytes(2 * 4 * n as u64));
        let mut buf = data(n);
        grp.bench_with_input(BenchmarkId::new("leaky-relu", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                leaky_relu::forward(black_box(&mut buf[..]), ALPHAS[i]);
            })
        });
        grp.bench_with_input(BenchmarkId::new("leaky-relu-serial", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                serial.forward(black_box(&mut buf[..]), ALPHAS[i]);
            })
        });
        grp.bench_with_input(BenchmarkId::new("tract", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                tract
                    .run_with_params(black_box(&mut buf[..]), ALPHAS[i])
                    .unwrap();
            })
        });
        grp.bench_with_input(BenchmarkId::new("ndarray", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                let a = ALPHAS[i];
                ArrayViewMut1::from(black_box(&mut buf[..]))
                    .mapv_inplace(|x| if x > 0.0 { x } else { a * x });
            })
        });
        if n <= 16 << 20 {
            let t =
                candle_core::Tensor::from_slice(&buf[..], n, &candle_core::Device::Cpu).unwrap();
            grp.bench_with_input(BenchmarkId::new("candle", n), &n, |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i ^= 1;
                    black_box(candle_nn::ops::leaky_relu(black_box(&t), ALPHAS[i] as f64).unwrap())
                })
            });
        }
        grp.bench_with_input(BenchmarkId::new("naive", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                let a = ALPHAS[i];
                for v in black_box(&mut buf[..]).iter_mut() {
                    if *v <= 0.0 {
                        *v *= a;
                    }
                }
            })
        });
    }
    grp.finish();
}

fn bench_f16(c: &mut Criterion) {
    use leaky_relu::half::f16;
    let serial = Options::new().with_parallelism(Parallelism::Serial);
    let mut grp = c.benchmark_group("peers_forward_f16");
    for n in sizes().into_iter().filter(|&n| n <= 16 << 20) {
        let big = n >= 16 << 20;
        grp.sample_size(if big { 10 } else { 20 })
            .warm_up_time(Duration::from_millis(if big { 300 } else { 200 }))
            .measurement_time(Duration::from_millis(if big { 2000 } else { 600 }));
        grp.throughput(Throughput::Bytes(2 * 2 * n as u64));
        let mut buf: Vec<f16> = data(n).into_iter().map(f16::from_f32).collect();
        // 0.25 and 4: exact inverses in f16 (0.01 and 100 are not, and the
        // buffer would drift toward infinity over the iterations).
        let alphas = [0.25f32, 4.0].map(f16::from_f32);
        grp.bench_with_input(BenchmarkId::new("leaky-relu-serial", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                serial.forward(black_box(&mut buf[..]), alphas[i]);
            })
        });
        let mut dst = buf.clone();
        grp.bench_with_input(BenchmarkId::new("leaky-relu-into", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                serial
                    .forward_into(black_box(&mut dst[..]), &buf, alphas[i])
                    .unwrap();
            })
        });
        let t = candle_core::Tensor::from_slice(&buf[..], n, &candle_core::Device::Cpu).unwrap();
        grp.bench_with_input(BenchmarkId::new("candle", n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                black_box(candle_nn::ops::leaky_relu(black_box(&t), [0.25, 4.0][i]).unwrap())
            })
        });
    }
    grp.finish();
}

criterion_group!(peers, bench, bench_f16);
criterion_main!(peers);
