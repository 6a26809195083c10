//! The cached process-wide choice: which kernel the free functions run and the
//! default [`Parallelism`], packed in one `AtomicU8` so a call pays a single
//! relaxed load. The cold path reads `LEAKY_RELU_KERNEL` and
//! `LEAKY_RELU_PARALLELISM` once.
//!
//! Races are benign: two threads that detect at once compute the same kernel
//! from the same CPU and environment; [`set_default_parallelism`] updates with a
//! compare-and-swap so it never loses the kernel bits.

use crate::{Kernel, Parallelism};
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Bit 7: initialised. Bits 0-2: kernel. Bits 3-4: default parallelism.
static STATE: AtomicU8 = AtomicU8::new(0);
const INIT: u8 = 0x80;

/// Name of the kernel-override environment variable.
pub const KERNEL_ENV: &str = "LEAKY_RELU_KERNEL";
/// Name of the parallelism environment variable.
pub const PARALLELISM_ENV: &str = "LEAKY_RELU_PARALLELISM";

const fn kernel_code(k: Kernel) -> u8 {
    match k {
        Kernel::Scalar => 0,
        Kernel::Portable => 1,
        Kernel::Avx2 => 2,
        Kernel::Neon => 3,
    }
}

const fn kernel_from(code: u8) -> Kernel {
    match code & 7 {
        1 => Kernel::Portable,
        2 => Kernel::Avx2,
        3 => Kernel::Neon,
        _ => Kernel::Scalar,
    }
}

const fn par_code(p: Parallelism) -> u8 {
    match p {
        Parallelism::Auto => 0,
        Parallelism::Serial => 1,
        Parallelism::Parallel => 2,
    }
}

const fn par_from(code: u8) -> Parallelism {
    match (code >> 3) & 3 {
        1 => Parallelism::Serial,
        2 => Parallelism::Parallel,
        _ => Parallelism::Auto,
    }
}

/// The current (kernel, default parallelism). The kernel is always available.
#[inline]
pub(crate) fn state() -> (Kernel, Parallelism) {
    let mut s = STATE.load(Relaxed);
    if s == 0 {
        s = init();
    }
    (kernel_from(s), par_from(s))
}

#[cold]
#[inline(never)]
fn init() -> u8 {
    let kernel = choose(std::env::var(KERNEL_ENV).ok().as_deref());
    let par = std::env::var(PARALLELISM_ENV)
        .ok()
        .and_then(|v| v.parse::<Parallelism>().ok())
        .unwrap_or(Parallelism::Auto);
    let s = INIT | kernel_code(kernel) | (par_code(par) << 3);
    // Another thread may have initialised (or changed the parallelism) first; keep theirs.
    match STATE.compare_exchange(0, s, Relaxed, Relaxed) {
        Ok(_) => s,
        Err(current) => current,
    }
}

/// The kernel chosen for an override value `env` (the content of
/// `LEAKY_RELU_KERNEL`, if set): the named kernel if it is available, else the
/// fastest available one. Never returns an unavailable kernel.
pub(crate) fn choose(env: Option<&str>) -> Kernel {
    if let Some(k) = env.and_then(|v| v.parse::<Kernel>().ok())
        && k.is_available()
    {
        return k;
    }
    Kernel::ALL
        .into_iter()
        .find(|k| k.is_available())
        .unwrap_or(Kernel::Scalar)
}

/// Sets the process-wide default [`Parallelism`] used by the free functions and
/// by [`Options`](crate::Options) that do not set their own. This is how an
/// embedder with its own thread pool turns the crate's parallelism off at run
/// time: `set_default_parallelism(Parallelism::Serial)`. It overrides
/// `LEAKY_RELU_PARALLELISM`.
pub fn set_default_parallelism(p: Parallelism) {
    if STATE.load(Relaxed) == 0 {
        init();
    }
    let _ = STATE.fetch_update(Relaxed, Relaxed, |s| {
        Some((s & !(3 << 3)) | (par_code(p) << 3))
    });
}

/// The process-wide default [`Parallelism`] (see [`set_default_parallelism`]).
pub fn default_parallelism() -> Parallelism {
    state().1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_never_returns_an_unavailable_kernel() {
        let best = choose(None);
        assert!(best.is_available());
        for v in [
            "scalar", "portable", "avx2", "neon", "AVX2", " neon ", "", "sse9", "avx512",
        ] {
            let k = choose(Some(v));
            assert!(k.is_available(), "{v:?} -> {k}");
            match v.parse::<Kernel>() {
                Ok(named) if named.is_available() => assert_eq!(k, named, "{v:?}"),
                _ => assert_eq!(k, best, "{v:?} must fall back to the detected best"),
            }
        }
        assert_eq!(choose(Some("scalar")), Kernel::Scalar);
    }

    #[test]
    fn codes_round_trip() {
        for k in Kernel::ALL {
            assert_eq!(kernel_from(kernel_code(k)), k);
        }
        for p in [
            Parallelism::Auto,
            Parallelism::Serial,
            Parallelism::Parallel,
        ] {
            assert_eq!(par_from(par_code(p) << 3), p);
        }
    }
}
