//! **Leaky ReLU**, forward and backward, in place and out of place, for `f32`,
//! `f64`, `f16` and `bf16` slices, dispatched at run time to AVX-512, AVX2, NEON, portable SIMD or
//! scalar kernels that are all bit-identical to the scalar reference.
//!
//! # The contract
//!
//! - [`forward(x, alpha)`](forward): `x` where `x > 0`, `alpha * x` everywhere
//!   else (`x <= 0` and NaN). `alpha` is any value of the element type: 0, -0.0,
//!   negative, greater than 1, ±inf, NaN. So `-0.0` becomes `alpha * -0.0`, and
//!   NaN stays NaN.
//! - [`backward(grad, x, alpha)`](backward): `grad` where `x > 0`,
//!   `grad * alpha` everywhere else. The derivative at 0 is `alpha`, as in
//!   PyTorch and oneDNN.
//! - [`backward_from_output(grad, y, alpha)`](backward_from_output): the same
//!   gradient, decided from the forward output `y`. Only valid for `alpha >= 0`
//!   (IEEE comparison, so `-0.0` and `+inf` qualify), because then `y > 0`
//!   exactly when `x > 0`. For a negative or NaN `alpha` it returns
//!   [`Error::InvalidSlope`] and leaves `grad` untouched (PyTorch issue #31938
//!   shows what goes wrong otherwise).
//! - Out of place, [`forward_into(dst, src, alpha)`](forward_into),
//!   [`backward_into(dx, dy, input, alpha)`](backward_into) and
//!   [`backward_from_output_into(dx, dy, output, alpha)`](backward_from_output_into)
//!   are exactly the in-place operation applied to a copy of `src` (`dy`):
//!   inputs are never written, and a length that differs from the destination's
//!   is [`Error::LengthMismatch`] (naming the [`Operand`]) with `dst` untouched.
//! - [`forward_with_mask(buf, alpha, mask)`](forward_with_mask) is [`forward`]
//!   plus a 1-bit mask of where the input was `> 0` (bit `i % 8` of `mask[i / 8]`,
//!   [`mask_len`]`(n)` bytes, unused high bits 0), and
//!   [`backward_from_mask(grad, mask, alpha)`](backward_from_mask) is
//!   bit-identical to [`backward`] with the input that produced the mask, for
//!   every `alpha`: the memory-saving path for training (one bit kept per
//!   element instead of 4 or 8 bytes). Out of place:
//!   [`forward_with_mask_into`], [`backward_from_mask_into`]. A mask of another
//!   length is [`Error::MaskLength`], with nothing written.
//! - Every kernel, every length, every alignment, serial or parallel, gives
//!   results bit-identical to the scalar reference ([`reference`](mod@reference)). Where the
//!   reference gives NaN, the kernel gives a NaN; the payload is not specified.
//! - On error nothing is written. Nothing panics on any input, and no kernel
//!   reads or writes outside the slices it is given. A call never panics or
//!   hangs because threads cannot be had (see [Parallelism](#parallelism)).
//! - Bit-identity holds in the **default floating-point environment** (round to
//!   nearest, subnormals kept), the one Rust guarantees. If foreign code has
//!   switched on flush-to-zero (FTZ) or denormals-are-zero (DAZ), as libraries
//!   built with `-ffast-math` do, an element whose input, `alpha`, gradient or
//!   product is tiny (nonzero and at most `MIN_POSITIVE` in magnitude) may come
//!   out differently from the reference and between kernels: flushed to a zero,
//!   or decided as if a subnormal input were 0. Every other element is
//!   unaffected, and bounds, errors and the absence of panics do not depend on
//!   the environment. For example, under FTZ and DAZ with `alpha = 1` the input
//!   `f32::from_bits(0x8000_0001)` comes back unchanged (`alpha = 1` copies)
//!   while the product `1 * x` computed under DAZ is `-0.0` (so the reference,
//!   if the compiler keeps its multiplication, differs); with `alpha = 1.5`,
//!   `f32::from_bits(1)` becomes `+0.0` in `avx2` and `portable` (DAZ makes it
//!   compare as 0), where the default environment keeps it.
//!
//! ```
//! let mut x = vec![1.5f32, -2.0, 0.0, -0.0];
//! leaky_relu::forward(&mut x, 0.1);
//! assert_eq!(x[..2], [1.5, -0.2]);
//!
//! let input = [1.5f32, -2.0];
//! let mut grad = vec![1.0f32, 1.0];
//! leaky_relu::backward(&mut grad, &input, 0.1)?;
//! assert_eq!(grad, [1.0, 0.1]);
//!
//! let mut y = [0.0f32; 2];
//! leaky_relu::forward_into(&mut y, &input, 0.1)?;
//! assert_eq!(y, [1.5, -0.2]);
//! # Ok::<(), leaky_relu::Error>(())
//! ```
//!
//! # Kernels and dispatch
//!
//! | [`Kernel`] | architecture | selected when |
//! |---|---|---|
//! | `avx512` | x86, x86_64 | the CPU and OS report AVX-512F (CPUID and XCR0, cached), or the target guarantees it |
//! | `avx2` | x86, x86_64 | the CPU reports AVX2 and F16C but not AVX-512F, or the target guarantees them |
//! | `neon` | aarch64 | always on standard aarch64 targets (NEON is baseline) |
//! | `portable` | any (`wide`: SSE2 on x86_64, NEON on aarch64, simd128 on wasm) | no AVX2/NEON (x86 without AVX2, wasm32 with `+simd128`); `portable` feature on |
//! | `scalar` | any | nothing better is available (one lane, same driver) |
//!
//! [`Kernel::best()`] is decided once per process and cached; a call then
//! costs two loads (kernel, parallelism) and a direct call. The environment variable
//! **`LEAKY_RELU_KERNEL`** (`scalar`, `portable`, `avx2`, `avx512` or `neon`, any case) is
//! read once, at the first call, and overrides the choice when the named
//! kernel is available on this CPU; an unknown or unavailable name is ignored
//! (the detected best kernel is used), so no value can make a safe call execute
//! an instruction the CPU lacks. Explicit kernels: [`Kernel::forward`] and
//! friends, or [`Options::with_kernel`], which return
//! [`Error::KernelUnavailable`] instead.
//!
//! # Parallelism
//!
//! With the `rayon` feature (default), [`Parallelism::Auto`] runs calls whose
//! buffers total less than [`PAR_THRESHOLD_BYTES`] serially, and decides larger
//! ones by measurement: per size class, serial or split across the **current**
//! rayon pool (a few pieces per thread, halved down to 256 KiB only when
//! another thread steals them), whichever the process's recent calls of that
//! size found faster on this machine under its present load (re-checked from
//! time to time, so a core taken by another process is noticed). Results are
//! bit-identical either way. `pool.install(|| leaky_relu::forward(..))` runs on
//! `pool`, and a call from inside a rayon task neither deadlocks nor
//! oversubscribes. Outside any pool, that is rayon's global pool. To keep all
//! work on the calling thread, pass [`Parallelism::Serial`] through
//! [`Options`], call [`set_default_parallelism`], set
//! **`LEAKY_RELU_PARALLELISM=serial`**, or build without the `rayon` feature;
//! to pin the split (reproducible benchmarks), [`Parallelism::Parallel`].
//! Calls below the threshold, and [`Parallelism::Serial`] calls, never touch
//! rayon at all. Calls of at most 16 elements with the process-wide kernel
//! run an inlined loop of the reference formula (no dispatch at all).
//!
//! When threads are scarce the crate runs serially rather than panic or hang:
//!
//! - **No thread can be started** (a process or container at its thread limit,
//!   `ulimit -u`, a pids cgroup): the first large call from outside a pool
//!   starts rayon's global pool itself (`ThreadPoolBuilder::new().build_global()`,
//!   rayon's default configuration, so `RAYON_NUM_THREADS` applies); when that
//!   fails, rayon has marked its global pool failed for good, and this call and
//!   every later one run serially, bit-identical as always.
//! - **A `fork()`ed child** (Python's `multiprocessing` with the fork start
//!   method): rayon's workers exist only in the parent, so a job sent to them
//!   from the child would never run. A large call from outside a pool compares
//!   the process id with the one that started (or found) the global pool and, in
//!   a child, runs serially. Calls inside a pool the child builds use it.
//!   Limit: if other code started the global pool in the parent and the crate
//!   first reaches it in the child, the crate cannot tell (rayon offers no way
//!   to ask) and the call waits like any rayon call in that child would; set
//!   [`Parallelism::Serial`] in the child (for example from
//!   `os.register_at_fork(after_in_child=...)`) or make one large call before
//!   forking.
//! - **Inside the `spawn_handler` given to `ThreadPoolBuilder::build_global`**,
//!   rayon is building its global pool on that very thread, and anything that
//!   reaches the global pool there deadlocks inside rayon (so does
//!   `rayon::current_num_threads()`). Small calls and [`Parallelism::Serial`]
//!   calls are safe there; so are large calls in the `spawn_handler` of an
//!   ordinary (non-global) pool, and everything after `build_global` returns.
//!   Likewise, if other code called `build_global` and ignored its error, the
//!   global pool is failed and a large `Auto` call from outside a pool panics
//!   in rayon, like every rayon call would: the crate cannot observe that state.
//!
//! # Cargo features
//!
//! | feature | default | what it turns on |
//! |---|---|---|
//! | `std` | yes | run-time detection through `std`, the environment overrides, [`diagnostics()`], [`Kernel::available`], parsing; without it the crate is `#![no_std]` and needs no allocator |
//! | `rayon` | yes | splitting large buffers across the current rayon pool (implies `std`) |
//! | `portable` | yes | the `portable` kernel on `wide` (the fallback for x86 without AVX2) |
//! | `half` | yes | [`half::f16`] and [`half::bf16`] as element types (native and [`opmath`], PyTorch's variant, which without halves is the native API), [`DType::F16`]/[`DType::BF16`] in the byte API; re-exports [`half`] |
//! | `ndarray` | no | `leaky_relu::ndarray`: the operations on arrays and views of any layout |
//!
//! With `default-features = false` the only dependency is `bytemuck`, the
//! crate is `#![no_std]` without an allocator, and every call runs serially.
//! It builds for `thumbv7em-none-eabihf`, `aarch64-unknown-none` (`neon`,
//! statically) and `x86_64-unknown-uefi`. On x86 without `std` the CPU is
//! detected with CPUID and XGETBV (OS support for the `ymm`/`zmm` state), so
//! a UEFI application runs `avx512` or `avx2` where the firmware enabled them;
//! on soft-float targets such as `x86_64-unknown-uefi` those kernels compute
//! their compares, min/max and `f16` conversions on the bits as integers,
//! which LLVM can lower there. Without `std` there is no environment: `LEAKY_RELU_KERNEL` and
//! `LEAKY_RELU_PARALLELISM` do not apply, and the fastest kernel is used.
//!
//! # Half precision
//!
//! With the `half` feature (default) every operation takes [`half::f16`] and
//! [`half::bf16`] buffers, and every kernel runs them: each vector is widened
//! to `f32` in registers and the results rounded back once. With a slope of
//! the element type, `alpha * x` is the product in that format, correctly
//! rounded, exactly what a native `f16`/`bf16` multiply gives (the proof is in
//! `src/kernels/formula.rs`; `tests/half.rs` checks all 65536 inputs, and all
//! 2^32 (input, alpha) pairs in an ignored test). PyTorch instead multiplies
//! by an `f32` slope in `f32` and rounds: that is [`opmath`] and
//! [`Options::opmath`] ([`Opmath`] has the two side by side).
//!
//! ```
//! # #[cfg(feature = "half")] {
//! use leaky_relu::half::{bf16, f16};
//! let mut x = [f16::from_f32(-2.0), f16::from_f32(0.5)];
//! leaky_relu::forward(&mut x, f16::from_f32(0.125));
//! assert_eq!(x, [f16::from_f32(-0.25), f16::from_f32(0.5)]);
//! let mut b = [bf16::from_f32(-3.0)];
//! leaky_relu::opmath::forward(&mut b, 0.01f32); // PyTorch: round(f32(x) * 0.01)
//! assert_eq!(b[0], bf16::from_f32(-3.0 * 0.01f32));
//! # }
//! ```
//!
//! # Byte buffers and diagnostics
//!
//! Every operation has a `_bytes` form for tensors held as bytes with a
//! run-time element type: [`forward_bytes(bytes, DType::F32, alpha)`](forward_bytes),
//! with `alpha` an `f64` rounded once to the [`DType`]. [`diagnostics()`] reports
//! the configuration in effect (kernel and why, parallelism and its source, the
//! pool a large call would use) and every environment value that was ignored.

// Unit tests always have std (the harness needs it); `feature = "std"` still
// selects the code paths, so `cargo test --no-default-features --lib` runs the
// no_std ones natively.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![deny(
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks,
    missing_docs
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Layering, bottom up; each module imports only from those before it:
// names, kernels, element, dispatch, error, reference, adapt, par, api, nd,
// diagnostics.
#[cfg(feature = "rayon")]
mod adapt;
mod api;
#[cfg(feature = "std")]
mod diagnostics;
mod dispatch;
mod element;
mod error;
mod kernels;
mod names;
#[cfg(feature = "ndarray")]
#[cfg_attr(docsrs, doc(cfg(feature = "ndarray")))]
pub mod ndarray {
    //! The operations on [`ndarray`] arrays and views (feature
    //! `ndarray`), any dimension, any layout: contiguous operands that share
    //! their memory order (standard, Fortran, reversed axes, transposed) run as
    //! slices, with the dispatched kernel and the default parallelism;
    //! anything else (stepped or sliced views, mixed layouts) runs element by
    //! element with the reference formula, correct and serial. Every result is
    //! bit-identical to the reference on the same logical elements. Shapes must
    //! be equal ([`Error::ShapeMismatch`](crate::Error::ShapeMismatch)); nothing
    //! broadcasts. Arrays are passed as `&mut a` / `&a` (an `Array`, a view or
    //! an `ArrayRef`). The mask operations have no array form: use the slice
    //! forms on `as_slice_memory_order`.
    pub use crate::nd::*;
}
#[cfg(feature = "ndarray")]
mod nd;
mod par;
pub mod reference;

pub use api::{Opmath, opmath};
pub use api::{
    Options, backward, backward_bytes, backward_from_mask, backward_from_mask_bytes,
    backward_from_mask_into, backward_from_mask_into_bytes, backward_from_output,
    backward_from_output_bytes, backward_from_output_into, backward_from_output_into_bytes,
    backward_into, backward_into_bytes, forward, forward_bytes, forward_into, forward_into_bytes,
    forward_with_mask, forward_with_mask_bytes, forward_with_mask_into,
    forward_with_mask_into_bytes, mask_len,
};
#[cfg(feature = "std")]
pub use diagnostics::{Diagnostics, Rejected, diagnostics};
pub use dispatch::Kernel;
pub use dispatch::state::KERNEL_ENV;
pub use element::{DType, Element, Scalar};
pub use error::{Error, Operand};
/// The `half` crate, whose [`f16`](half::f16) and [`bf16`](half::bf16) are
/// element types (feature `half`, on by default).
#[cfg(feature = "half")]
#[cfg_attr(docsrs, doc(cfg(feature = "half")))]
pub use half;
#[cfg(feature = "std")]
pub use names::UnknownName;
pub use par::{
    GRANULE_BYTES, PAR_THRESHOLD_BYTES, PARALLELISM_ENV, Parallelism, ParallelismSource, PoolState,
    default_parallelism, set_default_parallelism,
};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
