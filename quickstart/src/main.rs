//! The quickstart: prints the configuration in effect (kernel and why,
//! parallelism, threads), checks forward and backward of every available
//! kernel against the scalar reference, and measures them against the loops a
//! user would write, in cache and out of it.
//!
//! Run: `cargo run --release -p leaky-relu-quickstart`

use leaky_relu::{
    GRANULE_BYTES, Kernel, Options, PAR_THRESHOLD_BYTES, Parallelism, PoolState, reference,
};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ALPHA: f32 = 0.01;
/// In cache: 16 Ki f32 (64 KiB per buffer, in L2 on every CPU we know).
const SMALL: usize = 16 << 10;
/// Out of cache: 16 Mi f32 (64 MiB per buffer, past any L3 we know).
const LARGE: usize = 16 << 20;

fn main() {
    // Correctness first: every kernel, forward and backward, on data with
    // about half the values negative, against the scalar reference, bit for bit.
    let x = seeded(LARGE, 1);
    let g = seeded(LARGE, 2);
    let mut y_ref = x.clone();
    reference::forward(&mut y_ref, ALPHA);
    let mut g_ref = g.clone();
    reference::backward(&mut g_ref, &x, ALPHA).expect("same lengths");
    let mut all_ok = true;
    for (name, opts) in variants() {
        let mut y = x.clone();
        opts.forward(&mut y, ALPHA);
        let mut grad = g.clone();
        opts.backward(&mut grad, &x, ALPHA).expect("same lengths");
        let ok = bits_eq(&y, &y_ref) && bits_eq(&grad, &g_ref);
        all_ok &= ok;
        println!(
            "check {name:<20} {}",
            if ok {
                "bit-identical to the scalar reference"
            } else {
                "MISMATCH"
            }
        );
    }
    if !all_ok {
        std::process::exit(1);
    }
    // After a large call, so the thread pool it used is known.
    let config = leaky_relu::diagnostics();
    println!("\n{config}");

    for (n, reps, where_) in [
        (SMALL, 201, "in cache"),
        (LARGE, 9, "out of cache, memory-bound"),
    ] {
        let (x, g) = (&x[..n], &g[..n]);
        println!(
            "\n{} f32 ({where_}): median of {reps} runs, GB/s of bytes read + written",
            human(n)
        );
        println!("  {:<40} {:>8} {:>8}", "variant", "forward", "backward");
        let row = |name: &str, f: &dyn Fn(&mut [f32], &[f32]), b: &dyn Fn(&mut [f32], &[f32])| {
            let tf = median(reps, f, x, x);
            let tb = median(reps, b, g, x);
            println!(
                "  {name:<40} {:>8.1} {:>8.1}",
                gbs(2 * n, tf),
                gbs(3 * n, tb)
            );
        };
        for (name, opts) in variants() {
            row(&name, &|buf, _| opts.forward(buf, ALPHA), &|buf, inp| {
                let _ = opts.backward(buf, inp, ALPHA);
            });
        }
        row(
            "branchless loop (what LLVM vectorizes)",
            &|buf, _| branchless_forward(buf, ALPHA),
            &|buf, inp| branchless_backward(buf, inp, ALPHA),
        );
        row(
            "branchy loop (if x <= 0 { x *= a })",
            &|buf, _| branchy_forward(buf, ALPHA),
            &|buf, inp| branchy_backward(buf, inp, ALPHA),
        );
    }
    println!();
    let threads = match config.pool {
        PoolState::Global { threads } | PoolState::Current { threads } => threads,
        _ => 1,
    };
    for (n, where_) in [(SMALL, "in cache"), (LARGE, "out of cache")] {
        println!(
            "What `dispatched ({})` did {where_} ({}): forward {}, backward {}.",
            config.parallelism,
            human(n),
            decision(config.parallelism, threads, n, 1),
            decision(config.parallelism, threads, n, 2),
        );
    }
    for line in [
        "Out of cache every variant waits on memory, which one or two cores already saturate:",
        "splitting gains little there, and on a busy machine it can lose, which `auto` notices.",
        "Pin the choice with LEAKY_RELU_PARALLELISM=serial|parallel or Options::with_parallelism.",
        "A shared machine is noisy: compare the rows of one run, not runs.",
    ] {
        println!("{line}");
    }
}

/// What a call on `n` f32 elements touching `buffers` buffers does under `p`
/// with a pool of `threads`: the crate's rule (`Parallelism`'s docs).
fn decision(p: Parallelism, threads: usize, n: usize, buffers: usize) -> String {
    let bytes = n * 4 * buffers;
    let split = match p {
        Parallelism::Serial => return "ran serially (policy serial)".into(),
        Parallelism::Auto if bytes < PAR_THRESHOLD_BYTES => {
            return format!(
                "ran serially ({} KiB touched, below the {} MiB threshold)",
                bytes >> 10,
                PAR_THRESHOLD_BYTES >> 20
            );
        }
        Parallelism::Parallel if n * 4 <= GRANULE_BYTES => {
            return "ran serially (one granule)".into();
        }
        Parallelism::Auto => false,
        _ => true,
    };
    if threads < 2 {
        "ran serially (one thread in the pool)".into()
    } else if split {
        format!("was split across {threads} threads")
    } else {
        format!(
            "ran serially or split across {threads} threads, whichever this process's earlier calls of that size measured faster"
        )
    }
}

/// Every available kernel (serial), then the dispatched default.
fn variants() -> Vec<(String, Options)> {
    let mut v: Vec<(String, Options)> = Kernel::available()
        .into_iter()
        .filter_map(|k| {
            let o = Options::new().with_kernel(k).ok()?;
            Some((
                format!("{k} (serial)"),
                o.with_parallelism(Parallelism::Serial),
            ))
        })
        .collect();
    v.push((
        format!("dispatched ({})", leaky_relu::default_parallelism()),
        Options::new(),
    ));
    v
}

/// The loop a careful user writes: a select LLVM turns into SIMD blends.
#[inline(never)]
fn branchless_forward(buf: &mut [f32], a: f32) {
    for v in buf {
        *v = if *v > 0.0 { *v } else { a * *v };
    }
}

#[inline(never)]
fn branchless_backward(grad: &mut [f32], x: &[f32], a: f32) {
    for (g, &x) in grad.iter_mut().zip(x) {
        *g = if x > 0.0 { *g } else { *g * a };
    }
}

/// The loop most users write first: a branch per element, mispredicted on
/// random signs.
#[inline(never)]
fn branchy_forward(buf: &mut [f32], a: f32) {
    for v in buf {
        if *v <= 0.0 {
            *v *= a;
        }
    }
}

#[inline(never)]
fn branchy_backward(grad: &mut [f32], x: &[f32], a: f32) {
    for (g, &x) in grad.iter_mut().zip(x) {
        if x <= 0.0 {
            *g *= a;
        }
    }
}

/// Median time of `f` over fresh copies of `src` (the copy is not timed, so
/// values never drift toward subnormals).
fn median(reps: usize, f: &dyn Fn(&mut [f32], &[f32]), src: &[f32], aux: &[f32]) -> Duration {
    let mut buf = src.to_vec();
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            buf.copy_from_slice(src);
            let t = Instant::now();
            f(black_box(&mut buf), black_box(aux));
            t.elapsed()
        })
        .collect();
    times.sort();
    times[reps / 2]
}

fn gbs(elements: usize, t: Duration) -> f64 {
    (elements * 4) as f64 / t.as_secs_f64() / 1e9
}

fn human(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{} Mi", n >> 20)
    } else {
        format!("{} Ki", n >> 10)
    }
}

fn bits_eq(a: &[f32], b: &[f32]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

/// Reproducible values in [-4, 4): about half negative.
fn seeded(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 8.0
        })
        .collect()
}
