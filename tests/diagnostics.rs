//! `leaky_relu::diagnostics()` reports misspelled `LEAKY_RELU_KERNEL` and
//! `LEAKY_RELU_PARALLELISM` values with the reason, and the configuration that
//! was used instead. Its own test binary (own process), one `#[test]`, so the
//! variables are set before the crate reads them.

use leaky_relu::{Kernel, Parallelism, ParallelismSource, PoolState};

#[test]
fn rejected_environment_values_are_reported() {
    // SAFETY: this binary's only test; no other thread reads or writes the
    // environment while these run, and the crate has not read it yet.
    unsafe {
        std::env::set_var("LEAKY_RELU_KERNEL", "sse9");
        std::env::set_var("LEAKY_RELU_PARALLELISM", "threads");
    }
    let d = leaky_relu::diagnostics();
    // The misspellings are ignored: the detected kernel, the default policy.
    assert_eq!(d.kernel, Kernel::available()[0]);
    assert!(!d.kernel_from_env);
    assert_eq!(d.available, Kernel::available());
    assert_eq!(
        (d.parallelism, d.parallelism_source),
        (Parallelism::Auto, ParallelismSource::Default)
    );
    assert_eq!(d.version, env!("CARGO_PKG_VERSION"));
    let vars: Vec<(&str, &str)> = d
        .rejected
        .iter()
        .map(|r| (r.variable, r.value.as_str()))
        .collect();
    assert_eq!(
        vars,
        [
            ("LEAKY_RELU_KERNEL", "sse9"),
            ("LEAKY_RELU_PARALLELISM", "threads")
        ]
    );
    assert!(d.rejected[0].reason.contains("expected one of"));
    assert!(
        d.rejected[1]
            .reason
            .contains("one of auto, serial, parallel")
    );
    let shown = d.to_string();
    assert!(
        shown.contains("ignored LEAKY_RELU_KERNEL=\"sse9\": unknown kernel"),
        "{shown}"
    );
    assert!(
        shown.contains("the fastest this CPU and build can run"),
        "{shown}"
    );

    // wasm32 has no threads: the pool is reported unavailable from the start.
    #[cfg(all(feature = "rayon", target_family = "wasm"))]
    assert_eq!(d.pool, PoolState::Unavailable);
    // Nothing was started to find out; the first large call starts the pool.
    #[cfg(all(feature = "rayon", not(target_family = "wasm")))]
    {
        assert_eq!(d.pool, PoolState::NotStarted);
        let mut x = vec![-1.0f32; 2 << 20];
        leaky_relu::forward(&mut x, 0.5);
        match leaky_relu::diagnostics().pool {
            PoolState::Global { threads } => assert!(threads >= 1),
            other => panic!("after a large call: {other:?}"),
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let inside = pool.install(|| leaky_relu::diagnostics().pool);
        assert_eq!(inside, PoolState::Current { threads: 3 });
    }
    #[cfg(not(feature = "rayon"))]
    assert_eq!(d.pool, PoolState::NoRayon);
}
