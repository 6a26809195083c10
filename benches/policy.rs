//! The parallel policy against what the machine allows, forward and backward
//! `f32` from 16 elements to 64 Mi, timed interleaved (not with criterion):
//! the dispatched call (default `Auto`) next to the one-thread roofline
//! (`x *= c`; backward `g = (g + x) * c`, widest vectors) and the two-thread
//! roofline (the same loop split by rayon's `par_chunks_mut` over the global
//! pool in chunks of 16 Ki, 64 Ki and 256 Ki elements; the table takes the
//! best), first on a quiet machine, then with a busy-loop process pinned to the
//! last core. At 16 elements, also the naive loop inlined in the caller. Above
//! 16 elements, also the operation itself as a plain loop in the widest vectors
//! (`leaky`: `max(x, c * x)`, one vector operation more than the roofline), on
//! one thread and split as the roofline is: the floor under any kernel of this
//! operation. The third table sets it against the roofline (what the operation
//! itself costs over `x *= c`) and the dispatched call against it (what the
//! crate adds).
//!
//! `cargo bench --bench policy` prints the Markdown tables of `docs/PERFORMANCE.md`.
//! Where `Auto` adapts (from 1 MiB), the two modes it chooses between also run
//! pinned (`Parallelism::Serial` and `Parallel`) in the same rounds; the second
//! table sets `Auto` beside them: a row where neither mode comes within 1.10x
//! of the rooflines is not the policy's to fix. Its `paired` columns are the
//! policy's own cost: `Auto`'s sample divided by that of the better pinned mode
//! (the lower median in the row) in the same round, the median over the rounds
//! (a typical round) and the mean (which also counts the rounds that held a
//! look, a switch or a settling run, and noise). Time drifts between rounds (a
//! variant's samples within one row spanned 0.4-1.4 ms at 4 Mi, busy), and the
//! ratio of two medians carries that drift (±0.05-0.10 there), the ratio of
//! samples taken a few milliseconds apart much less of it: in eight debug
//! traces of the quiet 4 Mi rows, the same calls paired this way (`Auto`'s
//! rounds of splits only, against `Parallel` pinned) had medians of 0.96-1.03.
//! `LEAKY_RELU_BENCH_SIZES=4096,1048576` restricts the sizes;
//! `LEAKY_RELU_BENCH_ROUNDS=310` makes every row ten times longer.
//!
//! **Why interleaved.** On a shared 2-vCPU machine the speed of memory and of
//! the second core drifts by 25-40% within minutes, and criterion measures one
//! variant after the other, so a ratio of two variants measured a minute apart
//! carries that drift. Here every round times each variant once (`reps` calls,
//! in a shuffled order, each after a 2 ms pause that lets rayon's idle workers
//! stop spinning), and the table shows each
//! variant's median over the rounds: every ratio compares times taken within
//! the same second. Before the rounds, each variant runs for a warm-up (at
//! least 20 calls), which is also where `Auto` learns its choice.
//!
//! **Same calls per sample.** `reps` is the same for every variant of a row
//! (a sample of the fastest takes about 2 ms). The first calls after a pause
//! run slower than the ones after them, whatever the variant: at 4 Mi on a
//! 2-vCPU Zen 3 VM, a two-thread call took 600-900 µs first and 200-450 µs by
//! the sixth. With `reps` set per variant from its own warm-up (as before
//! 2026-12-06), a variant a little slower in the warm-up got fewer calls per
//! sample (6 against 8), so more of its calls were slow ones: it read
//! 1.1-1.2x slower than a variant whose calls took the same time.
//!
//! **Layout.** Every buffer starts on a cache line, at its own fixed offset in
//! a 4 KiB page (the input at 0, the forward buffer at 1 KiB, the gradient at
//! 2 KiB). Where a buffer starts decides how fast a plain loop runs over it (a
//! vector split across two cache lines; a load that waits on a store whose low
//! 12 address bits it shares, within a call or from the call before), and heap
//! addresses vary from run to run: with the buffers wherever `Vec` put them,
//! the roofline of one row ran 1.6x slower than in the next, and with all of
//! them on page boundaries a 16-element backward waited on the previous call's
//! stores. At these offsets the rooflines run at their best and the comparison
//! is strict; the kernels' own handling of other layouts is covered by
//! `benches/kernels.rs` and the tests.
//!
//! **Slopes.** Each variant alternates its own `alpha` between 100 and 0.01
//! (100 first), so its slopes multiply to 1 after every even number of its
//! calls and to 100 after an odd one: values stay far from infinities and
//! never drift to subnormals (the backward roofline's `g + x` also adds about
//! `x` every two calls).

use leaky_relu::{Options, Parallelism};
use rayon::prelude::*;
#[macro_use]
mod common;

use std::hint::black_box;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const SIZES: [usize; 7] = [16, 4 << 10, 64 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20];
const CHUNKS: [usize; 3] = [16 << 10, 64 << 10, 256 << 10];
/// Rounds per size: each variant's median is over this many samples.
const ROUNDS: usize = 31;
/// Time one sample aims at (at least one call).
const SAMPLE: Duration = Duration::from_millis(2);
/// Pause before each sample (see `measure`).
const SETTLE: Duration = Duration::from_millis(2);

/// `ROUNDS`, or `LEAKY_RELU_BENCH_ROUNDS` (longer rows show what `Auto` costs
/// once it has learned, after the first second of a size's calls).
fn rounds() -> usize {
    std::env::var("LEAKY_RELU_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(ROUNDS)
}

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

/// The operation itself as a plain loop for the bench's slopes (all in
/// `(0, 1)` or `(1, 100]`): forward `max(x, c * x)` below 1, `min` above, in the
/// widest vectors (`maxps` and `minps` pick exactly that for every `x` here);
/// backward `g * (x > 0 ? 1 : c)`. Leaky ReLU in one vector operation more
/// than the rooflines: the floor under any kernel of this operation, and the
/// third table's reference.
fn leaky(buf: &mut [f32], c: f32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // One loop per vector width: 4 vectors a step, then the scalar tail.
        macro_rules! wide_loop {
            ($feature:literal, $lanes:literal, $set1:ident, $load:ident, $store:ident,
             $mul:ident, $max:ident, $min:ident) => {{
                #[target_feature(enable = $feature)]
                fn run(buf: &mut [f32], c: f32) {
                    let a = $set1(c);
                    let mut steps = buf.chunks_exact_mut(4 * $lanes);
                    for step in &mut steps {
                        let p = step.as_mut_ptr();
                        // SAFETY: `step` holds 4 vectors; the loads and stores
                        // are unaligned.
                        unsafe {
                            let x: [_; 4] = core::array::from_fn(|k| $load(p.add(k * $lanes)));
                            for (k, x) in x.into_iter().enumerate() {
                                let y = if c < 1.0 {
                                    $max(x, $mul(x, a))
                                } else {
                                    $min(x, $mul(x, a))
                                };
                                $store(p.add(k * $lanes), y);
                            }
                        }
                    }
                    for v in steps.into_remainder() {
                        let p = *v * c;
                        *v = if c < 1.0 { v.max(p) } else { v.min(p) };
                    }
                }
                // SAFETY: the caller checked the feature.
                unsafe { run(buf, c) }
            }};
        }
        if std::is_x86_feature_detected!("avx512f") {
            return wide_loop!(
                "avx512f",
                16,
                _mm512_set1_ps,
                _mm512_loadu_ps,
                _mm512_storeu_ps,
                _mm512_mul_ps,
                _mm512_max_ps,
                _mm512_min_ps
            );
        }
        if std::is_x86_feature_detected!("avx2") {
            return wide_loop!(
                "avx2",
                8,
                _mm256_set1_ps,
                _mm256_loadu_ps,
                _mm256_storeu_ps,
                _mm256_mul_ps,
                _mm256_max_ps,
                _mm256_min_ps
            );
        }
    }
    for v in buf {
        let p = *v * c;
        *v = if c < 1.0 { v.max(p) } else { v.min(p) };
    }
}

fn leaky2(g: &mut [f32], x: &[f32], c: f32) {
    with_simd!(
        true,
        fn leaky2(g: &mut [f32], x: &[f32], c: f32) {
            for (g, &x) in g.iter_mut().zip(x) {
                *g *= if x > 0.0 { 1.0 } else { c };
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

/// One variant: runs on the forward buffer or the gradient, with a slope.
type Variant<'a> = Box<dyn FnMut(&mut [f32], &mut [f32], f32) + 'a>;

/// Seconds per call of each variant in each round (`[variant][round]`), timed
/// interleaved.
fn measure(variants: &mut [(String, Variant)], buf: &mut [f32], g: &mut [f32]) -> Vec<Vec<f64>> {
    // Each variant alternates the slope and its inverse (see the module docs).
    let alphas = [0.01f32, 100.0];
    let mut parity = vec![0usize; variants.len()];
    let mut call = |v: usize, f: &mut Variant, buf: &mut [f32], g: &mut [f32]| {
        parity[v] ^= 1;
        f(black_box(buf), black_box(g), alphas[parity[v]]);
    };
    // Warm-up: at least 20 calls (an even number) and 100 ms a variant. It
    // sets `reps`, the same for every variant, so that a sample of the
    // fastest takes about `SAMPLE`: after the pause the first calls run slow
    // (on a 2-vCPU VM the 4 Mi rows' first calls took 2-3x the sixth), so a
    // variant given fewer calls per sample would average more slow ones.
    let mut fastest = Duration::MAX;
    for (v, (_, f)) in variants.iter_mut().enumerate() {
        let start = Instant::now();
        let mut calls = 0u32;
        while calls < 20 || calls % 2 == 1 || start.elapsed() < Duration::from_millis(100) {
            call(v, f, buf, g);
            calls += 1;
        }
        fastest = fastest.min(start.elapsed() / calls);
    }
    let reps = (SAMPLE.as_nanos() / fastest.as_nanos().max(1)).clamp(1, 1 << 20) as u32;
    let rounds = rounds();
    let mut samples = vec![Vec::with_capacity(rounds); variants.len()];
    let mut order: Vec<usize> = (0..variants.len()).collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..rounds {
        // A fresh order every round (Fisher-Yates, seeded), so no variant
        // always follows the same one.
        for k in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(k, (seed % (k as u64 + 1)) as usize);
        }
        for &v in &order {
            // Let the pool's workers fall asleep: after a split, rayon's idle
            // workers spin for a while, and on two cores they took time from
            // the next variant (a serial call of 64 Ki ran 1.5x slower right
            // after a two-thread roofline than after a serial one).
            std::thread::sleep(SETTLE);
            let f = &mut variants[v].1;
            let start = Instant::now();
            for _ in 0..reps {
                call(v, f, buf, g);
            }
            samples[v].push(start.elapsed().as_secs_f64() / f64::from(reps));
        }
    }
    samples
}

/// The median of `s`.
fn median(mut s: Vec<f64>) -> f64 {
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// One row: the dispatched call and the rooflines at `n`, medians in seconds.
struct Row {
    dispatched: f64,
    roofline1: f64,
    /// The best two-thread roofline and its chunk (elements), if `n` is over a chunk.
    roofline2: Option<(f64, usize)>,
    naive: Option<f64>,
    /// The operation's own loop ([`leaky`]) on one thread and the best of its
    /// two-thread splits (if `n` is over a chunk), from 4 Ki.
    leaky: Option<(f64, Option<f64>)>,
    /// The two modes `Auto` chooses between, pinned (`Serial`, `Parallel`),
    /// where `Auto` adapts.
    pinned: Option<(f64, f64)>,
    /// Where `Auto` adapts: the median and the mean over rounds of `Auto`'s
    /// sample divided by that of the better pinned mode in the same round.
    paired: Option<(f64, f64)>,
}

/// `n` elements of `data(n, seed)` starting `offset` bytes (a multiple of 64)
/// into a 4 KiB page of `store`.
fn placed(store: &mut Vec<f32>, n: usize, offset: usize, seed: u64) -> &mut [f32] {
    const PAGE: usize = 4096;
    *store = vec![0.0; n + PAGE / 4];
    let at = (PAGE + offset - store.as_ptr() as usize % PAGE) % PAGE / 4;
    let buf = &mut store[at..at + n];
    buf.copy_from_slice(&common::data(n, seed, |v| v as f32));
    buf
}

/// A plain loop as variants of a row: `{name}1` on one thread (`one`
/// forward, `two` backward) and `{name}2_{chunk}` split by rayon's
/// `par_chunks_mut` in each chunk of `CHUNKS` shorter than `n`. Generic, so
/// that each closure calls its loop directly, as a closure written out would.
fn simple_loops<'a, F, B>(
    name: &str,
    n: usize,
    forward: bool,
    xs: &'a [f32],
    one: F,
    two: B,
) -> Vec<(String, Variant<'a>)>
where
    F: Fn(&mut [f32], f32) + Copy + Send + Sync + 'a,
    B: Fn(&mut [f32], &[f32], f32) + Copy + Send + Sync + 'a,
{
    let mut variants: Vec<(String, Variant<'a>)> = vec![(
        format!("{name}1"),
        Box::new(
            move |b, g, a| {
                if forward { one(b, a) } else { two(g, xs, a) }
            },
        ),
    )];
    for chunk in CHUNKS.iter().copied().filter(|&c| c < n) {
        variants.push((
            format!("{name}2_{chunk}"),
            Box::new(move |b, g, a| {
                if forward {
                    b.par_chunks_mut(chunk).for_each(|p| one(p, a));
                } else {
                    g.par_chunks_mut(chunk)
                        .zip(xs.par_chunks(chunk))
                        .for_each(|(p, q)| two(p, q, a));
                }
            }),
        ));
    }
    variants
}

fn row(n: usize, forward: bool) -> Row {
    let (mut x_store, mut buf_store, mut g_store) = (Vec::new(), Vec::new(), Vec::new());
    let xs: &[f32] = placed(&mut x_store, n, 0, 1);
    let buf = placed(&mut buf_store, n, 1024, 1);
    let g = placed(&mut g_store, n, 2048, 2);
    let mut variants: Vec<(String, Variant)> = vec![(
        "dispatched".into(),
        Box::new(move |b, g, a| {
            if forward {
                leaky_relu::forward(b, a);
            } else {
                let _ = leaky_relu::backward(g, xs, a);
            }
        }),
    )];
    variants.extend(simple_loops("roofline", n, forward, xs, scale, scale2));
    // The operation's own loop, on one thread and split as the roofline is.
    if n > 16 {
        variants.extend(simple_loops("leaky", n, forward, xs, leaky, leaky2));
    }
    // Where `Auto` adapts: backward touches two buffers.
    if n * 4 * (if forward { 1 } else { 2 }) >= leaky_relu::PAR_THRESHOLD_BYTES {
        for (name, p) in [
            ("pinned_serial", Parallelism::Serial),
            ("pinned_split", Parallelism::Parallel),
        ] {
            let o = Options::new().with_parallelism(p);
            variants.push((
                name.into(),
                Box::new(move |b, g, a| {
                    if forward {
                        o.forward(b, a);
                    } else {
                        let _ = o.backward(g, xs, a);
                    }
                }),
            ));
        }
    }
    if n <= 16 {
        variants.push((
            "naive_inlined".into(),
            Box::new(move |b, g, a| {
                if forward {
                    for v in b.iter_mut() {
                        if *v <= 0.0 {
                            *v *= a;
                        }
                    }
                } else {
                    for (g, &x) in g.iter_mut().zip(xs) {
                        if x <= 0.0 {
                            *g *= a;
                        }
                    }
                }
            }),
        ));
    }
    let samples = measure(&mut variants, buf, g);
    let t: Vec<f64> = samples.iter().cloned().map(median).collect();
    let index = |name: &str| variants.iter().position(|(v, _)| v == name);
    let of = |name: &str| index(name).map(|i| t[i]);
    // `Auto` against the better of its pinned modes (by median), round by
    // round: the median and the mean of the ratios of samples taken within
    // the same round.
    let paired = index("pinned_serial")
        .zip(index("pinned_split"))
        .map(|(s, p)| {
            let better = if t[s] <= t[p] { s } else { p };
            let ratios: Vec<f64> = samples[0]
                .iter()
                .zip(&samples[better])
                .map(|(a, b)| a / b)
                .collect();
            let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
            (median(ratios), mean)
        });
    let best2 = |prefix: &str| {
        CHUNKS
            .iter()
            .filter_map(|&c| of(&format!("{prefix}_{c}")).map(|s| (s, c)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    Row {
        dispatched: t[0],
        roofline1: t[1],
        roofline2: best2("roofline2"),
        leaky: of("leaky1").map(|l1| (l1, best2("leaky2").map(|(s, _)| s))),
        naive: of("naive_inlined"),
        pinned: of("pinned_serial").zip(of("pinned_split")),
        paired,
    }
}

fn time(s: f64) -> String {
    let ns = s * 1e9;
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn human(n: usize) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} Mi", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} Ki", n >> 10),
        n => n.to_string(),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let sizes = sizes();
    let mut quiet = Vec::new();
    for forward in [true, false] {
        for &n in &sizes {
            quiet.push(row(n, forward));
        }
    }
    let busy: Vec<Option<Row>> = match Busy::start() {
        Some(_busy) => [true, false]
            .iter()
            .flat_map(|&forward| sizes.iter().map(move |&n| Some(row(n, forward))))
            .collect(),
        None => {
            eprintln!("policy bench: no `taskset`; the busy-core columns are empty");
            quiet.iter().map(|_| None).collect()
        }
    };
    println!(
        "| op | n (f32) | dispatched | roofline, 1 thread | roofline, 2 threads (best chunk) | dispatched / best | busy: dispatched | busy: roofline, 1 thread | busy: roofline, 2 threads | busy: dispatched / roofline, 1 thread |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let ops = ["forward", "backward"];
    let cells = |r: &Row| {
        let r2 = r.roofline2.map_or("(one chunk)".to_string(), |(s, c)| {
            format!("{} ({}k)", time(s), c >> 10)
        });
        (time(r.dispatched), time(r.roofline1), r2)
    };
    for (i, (q, b)) in quiet.iter().zip(&busy).enumerate() {
        let (op, n) = (ops[i / sizes.len()], sizes[i % sizes.len()]);
        let best = r_best(q);
        let (d, r1, r2) = cells(q);
        let busy = b.as_ref().map_or(String::from("| | | |"), |b| {
            let (d, r1, r2) = cells(b);
            format!("| {d} | {r1} | {r2} | {:.2} |", b.dispatched / b.roofline1)
        });
        println!(
            "| {op} | {} | {d} | {r1} | {r2} | {:.2} {busy}",
            human(n),
            q.dispatched / best
        );
    }
    println!(
        "\n| op | n (f32) | serial / best | split / best | `Auto` / best | `Auto` / better pinned, paired: median (mean) | busy: serial / roofline, 1 thread | busy: split / roofline, 1 thread | busy: `Auto` / roofline, 1 thread | busy: `Auto` / better pinned, paired: median (mean) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let paired = |r: &Row| {
        r.paired
            .map_or(String::new(), |(m, a)| format!("{m:.3} ({a:.3})"))
    };
    for (i, (q, b)) in quiet.iter().zip(&busy).enumerate() {
        let (op, n) = (ops[i / sizes.len()], sizes[i % sizes.len()]);
        let Some((s, p)) = q.pinned else { continue };
        let busy = b.as_ref().and_then(|b| b.pinned.map(|bp| (b, bp))).map_or(
            String::from("| | | | |"),
            |(b, (bs, bp))| {
                let r = b.roofline1;
                format!(
                    "| {:.2} | {:.2} | {:.2} | {} |",
                    bs / r,
                    bp / r,
                    b.dispatched / r,
                    paired(b)
                )
            },
        );
        let best = r_best(q);
        println!(
            "| {op} | {} | {:.2} | {:.2} | {:.2} | {} {busy}",
            human(n),
            s / best,
            p / best,
            q.dispatched / best,
            paired(q)
        );
    }
    println!(
        "\n| op | n (f32) | leaky loop / best roofline | dispatched / best leaky loop | busy: leaky loop / roofline, 1 thread | busy: dispatched / leaky loop, 1 thread |"
    );
    println!("|---|---|---|---|---|---|");
    for (i, (q, b)) in quiet.iter().zip(&busy).enumerate() {
        let (op, n) = (ops[i / sizes.len()], sizes[i % sizes.len()]);
        let Some((l1, l2)) = q.leaky else { continue };
        let lbest = l2.map_or(l1, |l2| l2.min(l1));
        let busy = b
            .as_ref()
            .and_then(|b| b.leaky.map(|(bl1, _)| (b, bl1)))
            .map_or(String::from("| |"), |(b, bl1)| {
                format!("| {:.2} | {:.2} |", bl1 / b.roofline1, b.dispatched / bl1)
            });
        println!(
            "| {op} | {} | {:.2} | {:.2} {busy}",
            human(n),
            lbest / r_best(q),
            q.dispatched / lbest
        );
    }
    for (i, q) in quiet.iter().enumerate() {
        if let Some(nv) = q.naive {
            println!(
                "\n{}, {} elements: dispatched {}, naive loop inlined {}: {:.2}x",
                ops[i / sizes.len()],
                sizes[i % sizes.len()],
                time(q.dispatched),
                time(nv),
                q.dispatched / nv
            );
        }
    }
}

/// The faster of the one-thread and the best two-thread roofline.
fn r_best(r: &Row) -> f64 {
    r.roofline2.map_or(r.roofline1, |(s, _)| s.min(r.roofline1))
}
