//! `LEAKY_RELU_KERNEL` and `LEAKY_RELU_PARALLELISM` are honoured. This is its own
//! test binary (its own process), so the cached choice is not shared with other
//! tests; it holds a single `#[test]` so nothing reads the choice before the
//! variables are set.

use leaky_relu::{Kernel, Parallelism, ParallelismSource};

#[test]
fn env_overrides_kernel_and_parallelism() {
    // SAFETY: this binary's only test; no other thread reads or writes the
    // environment while these run, and the crate has not read it yet.
    unsafe {
        std::env::set_var("LEAKY_RELU_KERNEL", "Scalar");
        std::env::set_var("LEAKY_RELU_PARALLELISM", "serial");
    }
    assert_eq!(Kernel::best(), Kernel::Scalar);
    assert_eq!(leaky_relu::default_parallelism(), Parallelism::Serial);
    let d = leaky_relu::diagnostics();
    assert_eq!((d.kernel, d.kernel_from_env), (Kernel::Scalar, true));
    assert_eq!(d.parallelism_source, ParallelismSource::Environment);
    assert_eq!(d.rejected, []);
    let shown = d.to_string();
    assert!(
        shown.contains("kernel: scalar (named by LEAKY_RELU_KERNEL"),
        "{shown}"
    );
    assert!(
        shown.contains("parallelism: serial (from LEAKY_RELU_PARALLELISM"),
        "{shown}"
    );

    // Read once: a later change of the variable has no effect.
    // SAFETY: as above.
    unsafe { std::env::set_var("LEAKY_RELU_KERNEL", "portable") };
    assert_eq!(Kernel::best(), Kernel::Scalar);

    // The dispatched functions use it and stay correct.
    let mut x = vec![-2.0f32, 2.0, -0.0, f32::NEG_INFINITY];
    leaky_relu::forward(&mut x, 0.5);
    assert_eq!(x[..2], [-1.0, 2.0]);
    assert_eq!(x[2].to_bits(), (-0.0f32).to_bits());
    assert_eq!(x[3], f32::NEG_INFINITY);

    // The run-time switch overrides the variable, and keeps the kernel.
    leaky_relu::set_default_parallelism(Parallelism::Auto);
    assert_eq!(leaky_relu::default_parallelism(), Parallelism::Auto);
    assert_eq!(Kernel::best(), Kernel::Scalar);
    let d = leaky_relu::diagnostics();
    assert_eq!(d.parallelism_source, ParallelismSource::Set);
}
