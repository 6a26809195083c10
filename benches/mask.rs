//! Criterion benches of the 1-bit mask path against the operations it replaces,
//! f32, dispatched (best kernel, default parallelism), 4 Ki to 64 Mi elements:
//! `forward` vs `forward_with_mask` (same buffer, plus n/8 mask bytes written),
//! and `backward` (reads the saved input) vs `backward_from_mask` (reads n/8
//! bytes instead of 4n). `avx2` and `portable` are benched too where available,
//! for the per-kernel picture.
//!
//! `cargo bench --bench mask`; `scripts/mask_table.py` prints the ratios.
//! `LEAKY_RELU_BENCH_SIZES=4096,65536` restricts the sizes. Every timed
//! iteration alternates `alpha = 0.01` and `alpha = 100`, so the data neither
//! drifts toward subnormals nor grows.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leaky_relu::{Kernel, Options};
mod common;

use std::hint::black_box;
use std::time::Duration;

const SIZES: [usize; 6] = [4 << 10, 64 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20];
const ALPHAS: [f32; 2] = [0.01, 100.0];

fn sizes() -> Vec<usize> {
    match std::env::var("LEAKY_RELU_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|v| v.trim().parse().ok()).collect(),
        Err(_) => SIZES.to_vec(),
    }
}

fn benches(c: &mut Criterion) {
    let mut variants = vec![("dispatched", Options::new())];
    for k in [Kernel::Avx2, Kernel::Portable] {
        if let Ok(o) = Options::new().with_kernel(k) {
            variants.push((k.name(), o));
        }
    }
    for n in sizes() {
        let x = common::data(n, 1, |v| v as f32);
        let mut buf = x.clone();
        let mut grad = common::data(n, 2, |v| v as f32);
        let mut mask = vec![0u8; leaky_relu::mask_len(n)];
        Options::new()
            .forward_with_mask(&mut x.clone(), 0.01, &mut mask)
            .unwrap();
        let mut g = c.benchmark_group("mask_f32");
        if n >= 16 << 20 {
            g.sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(3));
        } else {
            g.sample_size(30)
                .warm_up_time(Duration::from_millis(300))
                .measurement_time(Duration::from_secs(1));
        }
        // Bytes each operation must move at the least: its own, so GB/s compare
        // the work done; the ratios in scripts/mask_table.py compare times.
        let f32s = (n * 4) as u64;
        let mask_bytes = n.div_ceil(8) as u64;
        for &(name, o) in &variants {
            let mut i = 0usize;
            let mut alpha = || {
                i += 1;
                ALPHAS[i % 2]
            };
            g.throughput(Throughput::Bytes(2 * f32s));
            g.bench_function(BenchmarkId::new(format!("forward/{name}"), n), |b| {
                b.iter(|| o.forward(black_box(&mut buf[..]), alpha()))
            });
            g.throughput(Throughput::Bytes(2 * f32s + mask_bytes));
            g.bench_function(
                BenchmarkId::new(format!("forward_with_mask/{name}"), n),
                |b| {
                    b.iter(|| {
                        o.forward_with_mask(black_box(&mut buf[..]), alpha(), &mut mask)
                            .unwrap()
                    })
                },
            );
            g.throughput(Throughput::Bytes(3 * f32s));
            g.bench_function(BenchmarkId::new(format!("backward/{name}"), n), |b| {
                b.iter(|| o.backward(black_box(&mut grad[..]), &x, alpha()).unwrap())
            });
            g.throughput(Throughput::Bytes(2 * f32s + mask_bytes));
            g.bench_function(
                BenchmarkId::new(format!("backward_from_mask/{name}"), n),
                |b| {
                    b.iter(|| {
                        o.backward_from_mask(black_box(&mut grad[..]), &mask, alpha())
                            .unwrap()
                    })
                },
            );
        }
        g.finish();
    }
}

criterion_group!(mask_benches, benches);
criterion_main!(mask_benches);
