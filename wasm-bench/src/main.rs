//! Forward f32 on wasm32-wasip1, timed with `Instant` (criterion needs threads):
//! the `portable` kernel (what wasm runs) against a hand-written simd128
//! compare-and-select loop, the branchless loop and the `x *= c` roofline, at
//! 1 Ki to 1 Mi elements; the median of 15 samples, and the ratios from this
//! one run. Build and run (see docs/PERFORMANCE.md):
//!
//! ```sh
//! RUSTFLAGS="-C target-feature=+simd128" cargo build --release -p leaky-relu-wasm-bench --target wasm32-wasip1
//! target/wasm-venv/bin/python .ci/wasi-run.py target/wasm32-wasip1/release/leaky-relu-wasm-bench.wasm
//! ```
//!
//! On any other target it only says so.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod bench {
    use core::arch::wasm32::*;
    use leaky_relu::{Kernel, Options, Parallelism};
    use std::hint::black_box;
    use std::time::Instant;

    /// The hand-written ceiling: four vectors per step through one pointer,
    /// `x > 0 ? x : a * x` as compare, multiply and bitselect.
    #[inline(never)]
    fn simd128_select(buf: &mut [f32], a: f32) {
        let (av, z) = (f32x4_splat(a), f32x4_splat(0.0));
        let f = |x: v128| v128_bitselect(x, f32x4_mul(x, av), f32x4_gt(x, z));
        let mut chunks = buf.chunks_exact_mut(16);
        for c in &mut chunks {
            let p = c.as_mut_ptr().cast::<v128>();
            for k in 0..4 {
                // SAFETY: the chunk holds 16 f32 = 4 v128 (v128_load/store need no alignment).
                unsafe { v128_store(p.add(k), f(v128_load(p.add(k)))) };
            }
        }
        for v in chunks.into_remainder() {
            *v = if *v > 0.0 { *v } else { *v * a };
        }
    }

    #[inline(never)]
    fn branchless(buf: &mut [f32], a: f32) {
        for v in buf {
            *v = if *v > 0.0 { *v } else { *v * a };
        }
    }

    #[inline(never)]
    fn roofline(buf: &mut [f32], a: f32) {
        for v in buf {
            *v *= a;
        }
    }

    /// Median seconds per call; alpha alternates 0.01 / 100 so values do not drift.
    fn time(buf: &mut [f32], f: &mut dyn FnMut(&mut [f32], f32)) -> f64 {
        let iters = ((64 << 20) / buf.len()).max(1);
        let mut samples: Vec<f64> = (0..15)
            .map(|_| {
                let t = Instant::now();
                for i in 0..iters {
                    f(black_box(&mut *buf), if i & 1 == 0 { 0.01 } else { 100.0 });
                }
                t.elapsed().as_secs_f64() / iters as f64
            })
            .collect();
        samples.sort_by(f64::total_cmp);
        samples[samples.len() / 2]
    }

    pub fn run() {
        println!("dispatched kernel: {}", Kernel::best());
        let port = Options::new()
            .with_kernel(Kernel::Portable)
            .expect("portable is always available")
            .with_parallelism(Parallelism::Serial);
        println!(
            "| n | portable GB/s | simd128 select | branchless | roofline | select / portable | portable / roofline |"
        );
        println!("|---|---|---|---|---|---|---|");
        for n in [1usize << 10, 4 << 10, 64 << 10, 1 << 20] {
            let mut buf: Vec<f32> = (0..n).map(|i| ((i * 7919) % 200) as f32 - 100.0).collect();
            let gbs = |t: f64| (8 * n) as f64 / t / 1e9;
            let p = time(&mut buf, &mut |b, a| port.forward(b, a));
            let s = time(&mut buf, &mut simd128_select);
            let b = time(&mut buf, &mut branchless);
            let r = time(&mut buf, &mut roofline);
            println!(
                "| {n} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} |",
                gbs(p),
                gbs(s),
                gbs(b),
                gbs(r),
                p / s,
                r / p
            );
        }
    }
}

fn main() {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    bench::run();
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    eprintln!("build for wasm32 with -C target-feature=+simd128 (see src/main.rs)");
}
