//! The cached process-wide choice: which kernel the free functions run (with
//! its token, decided once) and the default [`Parallelism`]. The cold paths read
//! `LEAKY_RELU_KERNEL` and `LEAKY_RELU_PARALLELISM` once; afterwards a call
//! costs one load of each.
//!
//! Races are benign: two threads that detect at once compute the same kernel
//! from the same CPU and environment.

use super::{Engine, Kernel};
use crate::Parallelism;
use crate::kernels::isa::scalar::SCALAR;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
use std::sync::OnceLock;

/// Name of the kernel-override environment variable.
pub const KERNEL_ENV: &str = "LEAKY_RELU_KERNEL";
/// Name of the parallelism environment variable.
pub const PARALLELISM_ENV: &str = "LEAKY_RELU_PARALLELISM";

static ENGINE: OnceLock<Engine> = OnceLock::new();

/// The default parallelism: `UNSET` until first read or set.
static PARALLELISM: AtomicU8 = AtomicU8::new(UNSET);
const UNSET: u8 = u8::MAX;
const PARALLELISMS: [Parallelism; 3] = [
    Parallelism::Auto,
    Parallelism::Serial,
    Parallelism::Parallel,
];

/// The kernel the free functions run, with its token.
#[inline]
pub(crate) fn engine() -> Engine {
    *ENGINE.get_or_init(|| choose(std::env::var(KERNEL_ENV).ok().as_deref()))
}

/// The kernel chosen for an override value `env` (the content of
/// `LEAKY_RELU_KERNEL`, if set): the named kernel if it is available, else the
/// fastest available one.
#[cold]
pub(crate) fn choose(env: Option<&str>) -> Engine {
    let named = env.and_then(|v| v.parse::<Kernel>().ok());
    named
        .and_then(Kernel::engine)
        .or_else(|| Kernel::ALL.iter().find_map(|k| k.engine()))
        .unwrap_or(Engine::Scalar(SCALAR))
}

impl Kernel {
    /// The kernel the crate's free functions use: the fastest available one,
    /// unless `LEAKY_RELU_KERNEL` names another available kernel (see the crate
    /// docs). Decided once per process.
    #[inline]
    pub fn best() -> Kernel {
        engine().kernel()
    }
}

fn code(p: Parallelism) -> u8 {
    PARALLELISMS.iter().position(|&q| q == p).unwrap_or(0) as u8
}

/// The process-wide default [`Parallelism`] (see [`set_default_parallelism`]).
#[inline]
pub fn default_parallelism() -> Parallelism {
    let mut c = PARALLELISM.load(Relaxed);
    if c == UNSET {
        c = init_parallelism();
    }
    match c {
        1 => Parallelism::Serial,
        2 => Parallelism::Parallel,
        _ => Parallelism::Auto,
    }
}

#[cold]
#[inline(never)]
fn init_parallelism() -> u8 {
    let p = std::env::var(PARALLELISM_ENV)
        .ok()
        .and_then(|v| v.parse::<Parallelism>().ok())
        .unwrap_or(Parallelism::Auto);
    // A concurrent `set_default_parallelism` wins over the environment.
    match PARALLELISM.compare_exchange(UNSET, code(p), Relaxed, Relaxed) {
        Ok(_) => code(p),
        Err(current) => current,
    }
}

/// Sets the process-wide default [`Parallelism`] used by the free functions and
/// by [`Options`](crate::Options) that do not set their own. This is how an
/// embedder with its own thread pool turns the crate's parallelism off at run
/// time: `set_default_parallelism(Parallelism::Serial)`. It overrides
/// `LEAKY_RELU_PARALLELISM`.
pub fn set_default_parallelism(p: Parallelism) {
    PARALLELISM.store(code(p), Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_never_returns_an_unavailable_kernel() {
        let best = choose(None).kernel();
        assert!(best.is_available());
        assert_eq!(best, Kernel::available()[0]);
        for v in [
            "scalar", "portable", "avx2", "neon", "AVX2", " neon ", "", "sse9", "avx512",
        ] {
            let k = choose(Some(v)).kernel();
            assert!(k.is_available(), "{v:?} -> {k}");
            match v.parse::<Kernel>() {
                Ok(named) if named.is_available() => assert_eq!(k, named, "{v:?}"),
                _ => assert_eq!(k, best, "{v:?} must fall back to the detected best"),
            }
        }
        assert_eq!(choose(Some("scalar")).kernel(), Kernel::Scalar);
    }

    #[test]
    fn parallelism_codes_round_trip() {
        for p in PARALLELISMS {
            assert_eq!(PARALLELISMS[code(p) as usize], p);
        }
    }
}
