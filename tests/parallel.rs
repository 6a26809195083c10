//! The rayon split: bit-identical to serial around the threshold and chunk
//! boundaries, inside a caller's pool (including nested in its tasks), and from
//! several threads at once.
#![cfg(feature = "rayon")]

mod common;

use common::*;
use leaky_relu::{Kernel, Options, PAR_THRESHOLD_BYTES, Parallelism, reference};
use rayon::prelude::*;

fn check_auto<T: F>(len: usize, seed: u64, opts: Options) {
    let mut rng = Rng(seed);
    let x = values::<T>(&mut rng, len);
    let g = values::<T>(&mut rng, len);
    for alpha in [
        T::from_f64(0.01),
        T::from_f64(-0.5),
        T::default(),
        T::from_f64(3.0),
    ] {
        let ctx = || format!("{} len {len} alpha {alpha} {opts:?}", T::NAME);
        let mut got = x.clone();
        opts.forward(&mut got, alpha);
        let mut want = x.clone();
        reference::forward(&mut want, alpha);
        assert_same(&got, &want, &ctx);

        let mut gg = g.clone();
        opts.backward(&mut gg, &x, alpha).unwrap();
        let mut gw = g.clone();
        reference::backward(&mut gw, &x, alpha).unwrap();
        assert_same(&gg, &gw, &ctx);

        // Out of place: the same results.
        let mut y = vec![T::default(); len];
        opts.forward_into(&mut y, &x, alpha).unwrap();
        assert_same(&y, &want, &ctx);
        let mut dx = vec![T::default(); len];
        opts.backward_into(&mut dx, &g, &x, alpha).unwrap();
        assert_same(&dx, &gw, &ctx);
    }
}

fn around_threshold<T: F>() {
    let t = PAR_THRESHOLD_BYTES / core::mem::size_of::<T>();
    let lens: &[usize] = if light() {
        &[t - 1, t + 33]
    } else {
        &[t - 1, t, t + 1, t + 33, 2 * t + 7]
    };
    for k in Kernel::available() {
        for p in [Parallelism::Auto, Parallelism::Parallel] {
            let opts = Options::new().with_kernel(k).unwrap().with_parallelism(p);
            for &len in lens {
                check_auto::<T>(len, len as u64, opts);
            }
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "multi-MiB buffers; Miri covers the split in tests/kernels.rs parallel_split_*"
)]
fn around_threshold_f32() {
    around_threshold::<f32>();
}

#[test]
#[cfg_attr(
    miri,
    ignore = "multi-MiB buffers; Miri covers the split in tests/kernels.rs parallel_split_*"
)]
fn around_threshold_f64() {
    around_threshold::<f64>();
}

#[test]
#[cfg_attr(
    miri,
    ignore = "multi-MiB buffers; Miri covers the split in tests/kernels.rs parallel_split_*"
)]
#[cfg_attr(
    target_family = "wasm",
    ignore = "needs threads: wasm32-wasip1 has none"
)]
fn inside_a_callers_pool_and_nested() {
    let len = PAR_THRESHOLD_BYTES / 4 + 1001;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    // Called from install: splits on `pool`.
    pool.install(|| check_auto::<f32>(len, 1, Options::new()));
    // Called from inside the pool's own tasks: must neither deadlock nor diverge.
    pool.install(|| {
        (0..6u64)
            .into_par_iter()
            .for_each(|s| check_auto::<f32>(len / 2 + s as usize * 129, s, Options::new()))
    });
    // A one-thread pool runs serially (and still correctly).
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    one.install(|| {
        check_auto::<f64>(
            len,
            2,
            Options::new().with_parallelism(Parallelism::Parallel),
        )
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "multi-MiB buffers; Miri covers the split in tests/kernels.rs parallel_split_*"
)]
#[cfg_attr(
    target_family = "wasm",
    ignore = "needs threads: wasm32-wasip1 has none"
)]
fn from_several_threads_at_once() {
    let len = PAR_THRESHOLD_BYTES / 4 + 4099;
    std::thread::scope(|s| {
        for t in 0..4u64 {
            s.spawn(move || check_auto::<f32>(len, 100 + t, Options::new()));
        }
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "multi-MiB buffers; Miri covers the split in tests/kernels.rs parallel_split_*"
)]
#[cfg_attr(
    target_family = "wasm",
    ignore = "needs threads: wasm32-wasip1 has none"
)]
fn panic_in_a_callers_task_does_not_corrupt_other_calls() {
    let len = PAR_THRESHOLD_BYTES / 4 + 5;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| {
            (0..4u32).into_par_iter().for_each(|i| {
                let mut v = vec![-1.0f32; len];
                leaky_relu::forward(&mut v, 0.5);
                assert!(i != 2, "user panic in task {i}");
            })
        })
    }));
    assert!(r.is_err(), "the user's panic propagates to the user");
    // The crate keeps working, in that pool and elsewhere.
    pool.install(|| check_auto::<f32>(len, 5, Options::new()));
    check_auto::<f64>(len, 6, Options::new());
}
