//! The cached process-wide choice of kernel: which kernel the free functions
//! run, with its token, decided once. With `std`, the cold path reads
//! `LEAKY_RELU_KERNEL` once and afterwards a call costs one load; without it
//! there is no environment, and the choice is the fastest available kernel,
//! kept as its index in one atomic (a call then costs that load and the
//! kernel's cached availability check, which rebuilds its token).
//!
//! Races are benign: two threads that detect at once compute the same kernel
//! from the same CPU and environment.

use super::{Engine, Kernel};
use crate::kernels::isa::scalar::SCALAR;

/// Name of the kernel-override environment variable.
pub const KERNEL_ENV: &str = "LEAKY_RELU_KERNEL";

#[cfg(feature = "std")]
static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();

/// `LEAKY_RELU_KERNEL` as read for [`ENGINE`] (lossily decoded if not UTF-8),
/// kept for `diagnostics`.
#[cfg(feature = "std")]
static ENV_VALUE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// The kernel the free functions run, with its token.
#[cfg(feature = "std")]
#[inline]
pub(crate) fn engine() -> Engine {
    *ENGINE.get_or_init(|| choose(env_value().as_deref()))
}

/// The kernel the free functions run, with its token: the fastest available.
#[cfg(not(feature = "std"))]
#[inline]
pub(crate) fn engine() -> Engine {
    use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
    /// `Kernel::ALL` index of the choice, plus one; 0 until decided.
    static CHOSEN: AtomicU8 = AtomicU8::new(0);
    let i = CHOSEN.load(Relaxed);
    if let Some(e) = i
        .checked_sub(1)
        .and_then(|i| Kernel::ALL[usize::from(i)].engine())
    {
        return e;
    }
    let e = choose(None);
    let i = Kernel::ALL
        .iter()
        .position(|&k| k == e.kernel())
        .unwrap_or(0);
    CHOSEN.store(i as u8 + 1, Relaxed);
    e
}

/// The value of `LEAKY_RELU_KERNEL` the process-wide choice was made from.
#[cfg(feature = "std")]
pub(crate) fn env_value() -> &'static Option<String> {
    ENV_VALUE.get_or_init(|| crate::names::read_env(KERNEL_ENV))
}

/// Why an override value was not followed, or `None` if it was.
#[cfg(feature = "std")]
pub(crate) fn rejection(value: &str) -> Option<String> {
    match value.parse::<Kernel>() {
        Err(e) => Some(e.to_string()),
        Ok(k) if !k.is_available() => Some(format!(
            "kernel `{k}` is not available on this CPU or build; the fastest available one is used"
        )),
        Ok(_) => None,
    }
}

/// The kernel chosen for an override value `env` (the content of
/// `LEAKY_RELU_KERNEL`, if set): the named kernel if it is available, else the
/// fastest available one.
#[cold]
pub(crate) fn choose(env: Option<&str>) -> Engine {
    #[cfg(feature = "std")]
    let named = env.and_then(|v| v.parse::<Kernel>().ok());
    #[cfg(not(feature = "std"))]
    let named: Option<Kernel> = {
        let _ = env;
        None
    };
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

#[cfg(all(test, not(feature = "std")))]
mod no_std_tests {
    use super::*;

    #[test]
    fn the_atomic_cache_keeps_the_fastest_kernel() {
        let best = Kernel::ALL.iter().copied().find(|k| k.is_available());
        assert_eq!(Some(engine().kernel()), best);
        // The second call takes the cached path.
        assert_eq!(engine(), engine());
        assert_eq!(Kernel::best(), engine().kernel());
    }
}

#[cfg(all(test, feature = "std"))]
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
        assert_eq!(rejection("Scalar"), None);
        let unknown = rejection("sse9").unwrap();
        assert!(
            unknown.contains("\"sse9\"") && unknown.contains("avx2"),
            "{unknown}"
        );
        if let Some(k) = Kernel::ALL.iter().find(|k| !k.is_available()) {
            let why = rejection(k.name()).unwrap();
            assert!(why.contains("not available"), "{why}");
        }
    }
}
