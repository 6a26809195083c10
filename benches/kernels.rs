//! Criterion benches: forward, backward and backward_from_output on f32 and f64,
//! for every available kernel, the dispatched entry point, a naive loop, a
//! branchless loop and the memory roofline (`x *= c`, same bytes moved), at
//! sizes from 16 elements (L1) to 64 Mi (DRAM); and the out-of-place
//! `forward_into` and `backward_into` (from 1 Ki) against their own rooflines
//! (`dst = src * c`, `dx = (dy + x) * c`). The rooflines are compiled with
//! AVX2 (`roofline`) and, where the CPU has AVX-512F, also with 512-bit
//! vectors (`roofline512`).
//!
//! `cargo bench --bench kernels` runs all; filter like `cargo bench --bench kernels -- forward_f32/avx2`.
//! `LEAKY_RELU_BENCH_SIZES=4096,65536` restricts the sizes.
//!
//! Subnormal drift guard: every timed iteration alternates `alpha = 0.01` and
//! `alpha = 100` (its inverse), so values scaled by one are scaled back by the
//! next and the buffer never drifts toward zero (subnormal outputs slow every
//! kernel 2.5-3.7x here). Both alphas use a one-multiply-one-min/max formulation
//! (on AVX-512, every alpha is one masked multiply).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leaky_relu::{Element, Kernel, Options, Parallelism};
#[macro_use]
mod common;
use common::setup;

use std::hint::black_box;

const SIZES: [usize; 8] = [
    16,
    256,
    1 << 10,
    4 << 10,
    64 << 10,
    1 << 20,
    16 << 20,
    64 << 20,
];
/// Out-of-place groups start here (the range: 1 Ki to 64 Mi).
const MIN_INTO: usize = 1 << 10;
const ALPHAS: [f64; 2] = [0.01, 100.0];

fn sizes() -> Vec<usize> {
    match std::env::var("LEAKY_RELU_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|v| v.trim().parse().ok()).collect(),
        Err(_) => SIZES.to_vec(),
    }
}

trait Float: Element + Copy {
    const NAME: &'static str;
    fn from_f64(v: f64) -> Self;
    fn naive_forward(buf: &mut [Self], a: Self);
    fn branchless_forward(buf: &mut [Self], a: Self);
    fn naive_backward(g: &mut [Self], x: &[Self], a: Self);
    fn branchless_backward(g: &mut [Self], x: &[Self], a: Self);
    fn roofline_scale(buf: &mut [Self], c: Self, w512: bool);
    fn roofline_backward(g: &mut [Self], x: &[Self], c: Self, w512: bool);
    fn naive_forward_into(dst: &mut [Self], src: &[Self], a: Self);
    fn roofline_scale_into(dst: &mut [Self], src: &[Self], c: Self, w512: bool);
    fn roofline_backward_into(dx: &mut [Self], dy: &[Self], x: &[Self], c: Self, w512: bool);
}

/// The rooflines to bench: `roofline` (AVX2 where the CPU has it), and
/// `roofline512`, the same loop with 512-bit vectors, where it has AVX-512F.
fn rooflines() -> Vec<(&'static str, bool)> {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx512f") {
        return vec![("roofline", false), ("roofline512", true)];
    }
    vec![("roofline", false)]
}

macro_rules! impl_float {
    ($t:ty) => {
        impl Float for $t {
            const NAME: &'static str = stringify!($t);
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn naive_forward(buf: &mut [Self], a: Self) {
                for v in buf {
                    if *v <= 0.0 {
                        *v *= a;
                    }
                }
            }
            #[inline(always)]
            fn branchless_forward(buf: &mut [Self], a: Self) {
                for v in buf {
                    *v = if *v > 0.0 { *v } else { *v * a };
                }
            }
            #[inline(always)]
            fn naive_backward(g: &mut [Self], x: &[Self], a: Self) {
                for (g, &x) in g.iter_mut().zip(x) {
                    if x <= 0.0 {
                        *g *= a;
                    }
                }
            }
            #[inline(always)]
            fn branchless_backward(g: &mut [Self], x: &[Self], a: Self) {
                for (g, &x) in g.iter_mut().zip(x) {
                    *g = if x > 0.0 { *g } else { *g * a };
                }
            }
            fn roofline_scale(buf: &mut [Self], c: Self, w512: bool) {
                with_simd!(
                    w512,
                    fn scale(buf: &mut [$t], c: $t) {
                        for v in buf {
                            *v *= c;
                        }
                    }
                )
            }
            fn roofline_backward(g: &mut [Self], x: &[Self], c: Self, w512: bool) {
                with_simd!(
                    w512,
                    fn scale2(g: &mut [$t], x: &[$t], c: $t) {
                        for (g, &x) in g.iter_mut().zip(x) {
                            *g = (*g + x) * c;
                        }
                    }
                )
            }
            #[inline(always)]
            fn naive_forward_into(dst: &mut [Self], src: &[Self], a: Self) {
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = if x <= 0.0 { x * a } else { x };
                }
            }
            fn roofline_scale_into(dst: &mut [Self], src: &[Self], c: Self, w512: bool) {
                with_simd!(
                    w512,
                    fn scale_into(dst: &mut [$t], src: &[$t], c: $t) {
                        for (d, &x) in dst.iter_mut().zip(src) {
                            *d = x * c;
                        }
                    }
                )
            }
            fn roofline_backward_into(
                dx: &mut [Self],
                dy: &[Self],
                x: &[Self],
                c: Self,
                w512: bool,
            ) {
                with_simd!(
                    w512,
                    fn scale2_into(dx: &mut [$t], dy: &[$t], x: &[$t], c: $t) {
                        for ((d, &g), &x) in dx.iter_mut().zip(dy).zip(x) {
                            *d = (g + x) * c;
                        }
                    }
                )
            }
        }
    };
}
impl_float!(f32);
impl_float!(f64);

/// A buffer whose slice `[off..off + n]` starts on a 64-byte boundary, so every
/// variant sees the same alignment from run to run (allocator alignment otherwise
/// swings L1 results by up to 2x).
struct Aligned<T> {
    store: Vec<T>,
    off: usize,
    n: usize,
}

impl<T: Float> Aligned<T> {
    fn new(vals: &[T]) -> Self {
        let mut store = vec![T::default(); vals.len() + 16];
        let off = store.as_ptr().align_offset(64);
        store[off..off + vals.len()].copy_from_slice(vals);
        Aligned {
            store,
            off,
            n: vals.len(),
        }
    }
    fn get(&mut self) -> &mut [T] {
        &mut self.store[self.off..self.off + self.n]
    }
    fn view(&self) -> &[T] {
        &self.store[self.off..self.off + self.n]
    }
}

/// Variants: (name, options) for each available kernel (serial) and the dispatcher.
fn variants() -> Vec<(String, Options)> {
    let mut v: Vec<(String, Options)> = Kernel::available()
        .into_iter()
        .filter_map(|k| {
            Options::new().with_kernel(k).ok().map(|o| {
                (
                    k.name().to_string(),
                    o.with_parallelism(Parallelism::Serial),
                )
            })
        })
        .collect();
    v.push(("dispatched".to_string(), Options::new()));
    v
}

fn bench_type<T: Float>(c: &mut Criterion) {
    let alphas = ALPHAS.map(T::from_f64);
    for n in sizes() {
        let big = n >= (16 << 20);
        let size = core::mem::size_of::<T>() as u64;
        let xa = Aligned::new(&common::data(n, 1, T::from_f64));
        let x = xa.view();
        let g0 = common::data(n, 2, T::from_f64);
        // Forward output, for backward_from_output.
        let mut ya = Aligned::new(x);
        leaky_relu::forward(ya.get(), alphas[0]);
        let y = ya.view();

        // forward
        {
            let mut grp = c.benchmark_group(format!("forward_{}", T::NAME));
            setup(&mut grp, big);
            grp.throughput(Throughput::Bytes(2 * size * n as u64));
            let mut bufa = Aligned::new(x);
            let buf = bufa.get();
            for (name, o) in variants() {
                grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                    let mut i = 0;
                    b.iter(|| {
                        i ^= 1;
                        o.forward(black_box(&mut buf[..]), alphas[i]);
                    })
                });
            }
            grp.bench_with_input(BenchmarkId::new("naive", n), &n, |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i ^= 1;
                    T::naive_forward(black_box(&mut buf[..]), alphas[i]);
                })
            });
            grp.bench_with_input(BenchmarkId::new("branchless", n), &n, |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i ^= 1;
                    T::branchless_forward(black_box(&mut buf[..]), alphas[i]);
                })
            });
            for (name, w512) in rooflines() {
                grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                    let mut i = 0;
                    b.iter(|| {
                        i ^= 1;
                        T::roofline_scale(black_box(&mut buf[..]), alphas[i], w512);
                    })
                });
            }
            grp.finish();
        }

        // backward and backward_from_output: two reads and one write per element.
        for (op, decide) in [("backward", x), ("backward_from_output", y)] {
            let mut grp = c.benchmark_group(format!("{op}_{}", T::NAME));
            setup(&mut grp, big);
            grp.throughput(Throughput::Bytes(3 * size * n as u64));
            let mut ga = Aligned::new(&g0);
            let g = ga.get();
            for (name, o) in variants() {
                grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                    let mut i = 0;
                    b.iter(|| {
                        i ^= 1;
                        let r = if op == "backward" {
                            o.backward(black_box(&mut g[..]), decide, alphas[i])
                        } else {
                            o.backward_from_output(black_box(&mut g[..]), decide, alphas[i])
                        };
                        r.unwrap()
                    })
                });
            }
            grp.bench_with_input(BenchmarkId::new("naive", n), &n, |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i ^= 1;
                    T::naive_backward(black_box(&mut g[..]), decide, alphas[i]);
                })
            });
            grp.bench_with_input(BenchmarkId::new("branchless", n), &n, |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i ^= 1;
                    T::branchless_backward(black_box(&mut g[..]), decide, alphas[i]);
                })
            });
            for (name, w512) in rooflines() {
                grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                    let mut i = 0;
                    b.iter(|| {
                        i ^= 1;
                        // (g + x) * c: two reads, one write, like backward.
                        T::roofline_backward(black_box(&mut g[..]), decide, alphas[i], w512);
                    })
                });
            }
            grp.finish();
        }

        if n >= MIN_INTO {
            bench_into(c, n, x, &g0, big);
        }
    }
}

/// Out of place: `forward_into(dst, x)` and `backward_into(dx, g, x)`; the
/// sources are never written, so no drift guard is needed, but alpha still
/// alternates like in place.
fn bench_into<T: Float>(c: &mut Criterion, n: usize, x: &[T], g: &[T], big: bool) {
    let alphas = ALPHAS.map(T::from_f64);
    let size = core::mem::size_of::<T>() as u64;
    let mut da = Aligned::new(x);
    let dst = da.get();
    let ga = Aligned::new(g);
    let dy = ga.view();

    let mut grp = c.benchmark_group(format!("forward_into_{}", T::NAME));
    setup(&mut grp, big);
    grp.throughput(Throughput::Bytes(2 * size * n as u64));
    for (name, o) in variants() {
        grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                o.forward_into(black_box(&mut dst[..]), x, alphas[i])
                    .unwrap()
            })
        });
    }
    grp.bench_with_input(BenchmarkId::new("naive", n), &n, |b, _| {
        let mut i = 0;
        b.iter(|| {
            i ^= 1;
            T::naive_forward_into(black_box(&mut dst[..]), x, alphas[i]);
        })
    });
    for (name, w512) in rooflines() {
        grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                T::roofline_scale_into(black_box(&mut dst[..]), x, alphas[i], w512);
            })
        });
    }
    grp.finish();

    let mut grp = c.benchmark_group(format!("backward_into_{}", T::NAME));
    setup(&mut grp, big);
    grp.throughput(Throughput::Bytes(3 * size * n as u64));
    for (name, o) in variants() {
        grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                o.backward_into(black_box(&mut dst[..]), dy, x, alphas[i])
                    .unwrap()
            })
        });
    }
    for (name, w512) in rooflines() {
        grp.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i ^= 1;
                T::roofline_backward_into(black_box(&mut dst[..]), dy, x, alphas[i], w512);
            })
        });
    }
    grp.finish();
}

fn benches(c: &mut Criterion) {
    bench_type::<f32>(c);
    bench_type::<f64>(c);
}

criterion_group!(kernel_benches, benches);
criterion_main!(kernel_benches);
