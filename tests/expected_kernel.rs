//! Asserts which kernel `Kernel::best()` picked. The cross-CPU script hands in
//! the expectation through `LEAKY_RELU_EXPECT_KERNEL` (neon under qemu-aarch64,
//! portable under a Nehalem model and on wasm, avx2 under Haswell), so a dispatcher that
//! falls back to scalar, or picks AVX2 where the CPU lacks it, fails CI. Without
//! it, the test checks that best() is the most capable available kernel (or the
//! one `LEAKY_RELU_KERNEL` names, when that is available).

use leaky_relu::Kernel;

#[test]
fn best_kernel_is_the_expected_one() {
    let best = Kernel::best();
    match std::env::var("LEAKY_RELU_EXPECT_KERNEL") {
        Ok(want) => {
            let want: Kernel = want
                .parse()
                .expect("LEAKY_RELU_EXPECT_KERNEL names a kernel");
            assert_eq!(best, want, "dispatcher picked {best}, expected {want}");
        }
        Err(_) => {
            let requested = std::env::var("LEAKY_RELU_KERNEL")
                .ok()
                .and_then(|v| v.parse::<Kernel>().ok())
                .filter(|k| k.is_available());
            let want = requested.unwrap_or(Kernel::available()[0]);
            assert_eq!(best, want);
        }
    }
    // Whatever was picked must run, through the dispatcher, correctly.
    let mut x = vec![-4.0f64; 37];
    leaky_relu::forward(&mut x, 0.25);
    assert!(x.iter().all(|&v| v == -1.0));
}

/// `.ci/cross-cpu wasm` sets `LEAKY_RELU_EXPECT_SIMD128=1`: the wasm build must
/// then have simd128 enabled, or `portable` would run on `wide`'s scalar arrays
/// and the SIMD path would go untested.
#[test]
fn wasm_build_has_simd128_when_expected() {
    if std::env::var("LEAKY_RELU_EXPECT_SIMD128").is_ok_and(|v| v == "1") {
        let (wasm, simd128) = (
            cfg!(target_arch = "wasm32"),
            cfg!(target_feature = "simd128"),
        );
        assert!(wasm, "LEAKY_RELU_EXPECT_SIMD128 is for wasm32 runs");
        assert!(simd128, "built without -C target-feature=+simd128");
    }
}
