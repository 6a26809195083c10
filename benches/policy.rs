//! The parallel policy against what the machine allows, forward and backward
//! `f32` from 16 elements to 64 Mi: the dispatched call (default `Auto`) next
//! to the one-thread roofline (`x *= c`; backward `g = (g + x) * c`, widest
//! vectors) and the two-thread roofline (the same loop split by rayon over the
//! global pool in chunks of 16 Ki, 64 Ki and 256 Ki elements; the table takes
//! the best), first on a quiet machine, then (`policy_busy_` groups) with a busy-loop
//! process pinned to the last core. At 16 elements, also the naive loop
//! inlined in the caller. `cargo bench --bench policy && scripts/policy_table.py`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
#[macro_use]
mod common;

use std::hint::black_box;
use std::process::{Child, Command};
use std::time::Duration;

const SIZES: [usize; 7] = [16, 4 << 10, 64 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20];
const CHUNKS: [usize; 3] = [16 << 10, 64 << 10, 256 << 10];

fn sizes() -> Vec<usize> {
    match std::env::var("LEAKY_RELU_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|v| v.trim().parse().ok()).collect(),
        Err(_) => SIZES.to_vec(),
    }
}

fn scale(buf: &mut [f32], c: f32) {
    with_simd!(
        true,
        fn scale(buf: &mut [f32], c: f32) {
            for v in buf {
                *v *= c;
            }
        }
    )
}

fn scale2(g: &mut [f32], x: &[f32], c: f32) {
    with_simd!(
        true,
        fn scale2(g: &mut [f32], x: &[f32], c: f32) {
            for (g, &x) in g.iter_mut().zip(x) {
                *g = (*g + x) * c;
            }
        }
    )
}

/// A process spinning on the last core until dropped (`taskset` pins it).
struct Busy(Child);

impl Busy {
    fn start() -> Option<Busy> {
        let last = std::thread::available_parallelism().ok()?.get() - 1;
        let child = Command::new("taskset")
            .args(["-c", &last.to_string(), "sh", "-c", "while :; do :; done"])
            .spawn()
            .ok()?;
        // Let it get scheduled before measuring.
        std::thread::sleep(Duration::from_millis(200));
        Some(Busy(child))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One variant: runs on the forward buffer, the gradient, with a slope.
type Variant<'a> = dyn FnMut(&mut [f32], &mut [f32], f32) + 'a;

fn group(c: &mut Criterion, prefix: &str) {
    // Alternate the slope and its inverse so values never drift to subnormals.
    let alphas = [0.01f32, 100.0];
    for n in sizes() {
        let x = common::data(n, 1, |v| v as f32);
        let mut buf = x.clone();
        let mut g = common::data(n, 2, |v| v as f32);
        for (op, streams) in [("forward", 2u64), ("backward", 3)] {
            let mut grp = c.benchmark_group(format!("policy_{prefix}{op}_f32"));
            grp.throughput(Throughput::Bytes(streams * 4 * n as u64));
            let big = n >= 16 << 20;
            grp.sample_size(if big { 10 } else { 30 })
                .warm_up_time(Duration::from_millis(if big { 1000 } else { 300 }))
                .measurement_time(Duration::from_millis(if big { 2500 } else { 800 }));
            let mut i = 0;
            let mut bench = |name: String, f: &mut Variant| {
                grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                    b.iter(|| {
                        i ^= 1;
                        f(black_box(&mut buf), black_box(&mut g), alphas[i]);
                    })
                });
            };
            let fwd = op == "forward";
            bench("dispatched".into(), &mut |b, g, a| {
                if fwd {
                    leaky_relu::forward(b, a);
                } else {
                    let _ = leaky_relu::backward(g, &x, a);
                }
                let _ = b;
            });
            bench("roofline1".into(), &mut |b, g, a| {
                if fwd { scale(b, a) } else { scale2(g, &x, a) }
            });
            for chunk in CHUNKS.iter().copied().filter(|&c| c < n) {
                bench(format!("roofline2_{}k", chunk >> 10), &mut |b, g, a| {
                    if fwd {
                        b.par_chunks_mut(chunk).for_each(|p| scale(p, a));
                    } else {
                        g.par_chunks_mut(chunk)
                            .zip(x.par_chunks(chunk))
                            .for_each(|(p, q)| scale2(p, q, a));
                    }
                });
            }
            if n <= 16 {
                bench("naive_inlined".into(), &mut |b, g, a| {
                    if fwd {
                        for v in b.iter_mut() {
                            if *v <= 0.0 {
                                *v *= a;
                            }
                        }
                    } else {
                        for (g, &x) in g.iter_mut().zip(&x) {
                            if x <= 0.0 {
                                *g *= a;
                            }
                        }
                    }
                });
            }
            grp.finish();
        }
    }
}

fn benches(c: &mut Criterion) {
    group(c, "");
    match Busy::start() {
        Some(_busy) => group(c, "busy_"),
        None => eprintln!("policy bench: no `taskset`; the busy-core groups are skipped"),
    }
}

criterion_group!(policy_benches, benches);
criterion_main!(policy_benches);
