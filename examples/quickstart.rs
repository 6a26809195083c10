//! Quickstart: detects the CPU, runs forward and backward on a 16 Mi-element
//! f32 buffer, checks the results against the scalar reference, and prints the
//! throughput of every available kernel and of a naive loop.
//!
//! Run: `cargo run --release --example quickstart`

use leaky_relu::{Kernel, Options, Parallelism, reference};
use std::hint::black_box;
use std::time::{Duration, Instant};

const N: usize = 16 << 20;
const ALPHA: f32 = 0.01;
const REPS: usize = 9;

fn main() -> Result<(), leaky_relu::Error> {
    let available: Vec<&str> = Kernel::available().iter().map(|k| k.name()).collect();
    println!("leaky-relu quickstart");
    println!("  chosen kernel:     {}", Kernel::best());
    println!("  available kernels: {}", available.join(", "));
    println!(
        "  default parallelism: {} ({} rayon threads)",
        leaky_relu::default_parallelism(),
        threads()
    );

    // A realistic activation buffer: about half negative, seeded.
    let x: Vec<f32> = seeded(N, 1);
    let g: Vec<f32> = seeded(N, 2);

    // Forward and backward with the dispatched kernel, checked against the reference.
    let mut y = x.clone();
    leaky_relu::forward(&mut y, ALPHA);
    let mut y_ref = x.clone();
    reference::forward(&mut y_ref, ALPHA);
    let mut grad = g.clone();
    leaky_relu::backward(&mut grad, &x, ALPHA)?;
    let mut grad_ref = g.clone();
    reference::backward(&mut grad_ref, &x, ALPHA)?;
    let mut grad_y = g.clone();
    leaky_relu::backward_from_output(&mut grad_y, &y, ALPHA)?;
    let ok = bits_eq(&y, &y_ref) && bits_eq(&grad, &grad_ref) && bits_eq(&grad_y, &grad_ref);
    println!(
        "  forward + backward on {} Mi f32: {}",
        N >> 20,
        if ok {
            "bit-identical to the scalar reference"
        } else {
            "MISMATCH"
        }
    );
    if !ok {
        std::process::exit(1);
    }

    println!();
    println!("throughput, median of {REPS} runs, GB/s (bytes read + written), 16 Mi f32:");
    println!("  {:<22} {:>9} {:>9}", "variant", "forward", "backward");
    let mut rows: Vec<(String, Options)> = Kernel::available()
        .into_iter()
        .map(|k| {
            let o = Options::new()
                .with_kernel(k)
                .map(|o| o.with_parallelism(Parallelism::Serial));
            (format!("{k} (serial)"), o)
        })
        .filter_map(|(n, o)| o.ok().map(|o| (n, o)))
        .collect();
    rows.push((
        format!("dispatched ({})", leaky_relu::default_parallelism()),
        Options::new(),
    ));
    for (name, opts) in &rows {
        let f = median(|buf, _| opts.forward(buf, ALPHA), &x, &x);
        let b = median(
            |buf, input| {
                let _ = opts.backward(buf, input, ALPHA);
            },
            &g,
            &x,
        );
        println!("  {name:<22} {:>9.1} {:>9.1}", gbs(2, f), gbs(3, b));
    }
    let f = median(|buf, _| naive_forward(buf, ALPHA), &x, &x);
    let b = median(|buf, input| naive_backward(buf, input, ALPHA), &g, &x);
    println!(
        "  {:<22} {:>9.1} {:>9.1}",
        "naive loop",
        gbs(2, f),
        gbs(3, b)
    );
    Ok(())
}

/// The loop users write.
#[inline(never)]
fn naive_forward(buf: &mut [f32], a: f32) {
    for v in buf {
        if *v <= 0.0 {
            *v *= a;
        }
    }
}

#[inline(never)]
fn naive_backward(grad: &mut [f32], x: &[f32], a: f32) {
    for (g, &x) in grad.iter_mut().zip(x) {
        if x <= 0.0 {
            *g *= a;
        }
    }
}

/// Median time of `f` over fresh copies of `src` (the copy is not timed, so
/// values never drift toward subnormals).
fn median(f: impl Fn(&mut [f32], &[f32]), src: &[f32], aux: &[f32]) -> Duration {
    let mut buf = src.to_vec();
    let mut times: Vec<Duration> = (0..REPS)
        .map(|_| {
            buf.copy_from_slice(src);
            let t = Instant::now();
            f(black_box(&mut buf), black_box(aux));
            t.elapsed()
        })
        .collect();
    times.sort();
    times[REPS / 2]
}

fn gbs(streams: usize, t: Duration) -> f64 {
    (streams * N * 4) as f64 / t.as_secs_f64() / 1e9
}

fn bits_eq(a: &[f32], b: &[f32]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

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

fn threads() -> usize {
    #[cfg(feature = "rayon")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "rayon"))]
    {
        1
    }
}
