//! Criterion bench of the rayon split: serial vs automatic vs forced parallel,
//! forward and backward, f32 and f64, 64 Ki to 64 Mi elements, on the global
//! rayon pool. `cargo bench --bench parallel`; `LEAKY_RELU_BENCH_SIZES=...` restricts sizes.
//! `Auto` learns per size class which of the two is faster (`src/adapt.rs`);
//! `benches/policy.rs` compares it with the one- and two-thread rooflines.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leaky_relu::{Element, Options, Parallelism};
mod common;

use std::hint::black_box;
use std::time::Duration;

const SIZES: [usize; 8] = [
    64 << 10,
    128 << 10,
    256 << 10,
    512 << 10,
    1 << 20,
    4 << 20,
    16 << 20,
    64 << 20,
];

fn sizes() -> Vec<usize> {
    match std::env::var("LEAKY_RELU_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|v| v.trim().parse().ok()).collect(),
        Err(_) => SIZES.to_vec(),
    }
}

fn run<T: Element>(c: &mut Criterion, name: &str, from: fn(f64) -> T) {
    // Alternate alpha and 1/alpha so the buffer never drifts toward subnormals.
    let alphas = [from(0.01), from(100.0)];
    let size = core::mem::size_of::<T>() as u64;
    let modes = [
        ("serial", Parallelism::Serial),
        ("auto", Parallelism::Auto),
        ("parallel", Parallelism::Parallel),
    ];
    for n in sizes() {
        let x = common::data(n, 1, from);
        let mut buf = x.clone();
        let mut g = common::data(n, 2, from);
        for (op, streams) in [("forward", 2u64), ("backward", 3)] {
            let mut grp = c.benchmark_group(format!("par_{op}_{name}"));
            grp.throughput(Throughput::Bytes(streams * size * n as u64));
            grp.sample_size(if n >= 16 << 20 { 10 } else { 30 })
                .warm_up_time(Duration::from_millis(300))
                .measurement_time(Duration::from_millis(if n >= 16 << 20 {
                    2000
                } else {
                    1000
                }));
            for (mode, p) in modes {
                let o = Options::new().with_parallelism(p);
                grp.bench_with_input(BenchmarkId::new(mode, n), &n, |b, _| {
                    let mut i = 0;
                    b.iter(|| {
                        i ^= 1;
                        if op == "forward" {
                            o.forward(black_box(&mut buf[..]), alphas[i]);
                        } else {
                            o.backward(black_box(&mut g[..]), &x, alphas[i]).unwrap();
                        }
                    })
                });
            }
            grp.finish();
        }
    }
}

fn benches(c: &mut Criterion) {
    run::<f32>(c, "f32", |v| v as f32);
    run::<f64>(c, "f64", |v| v);
}

criterion_group!(par_benches, benches);
criterion_main!(par_benches);
