//! [`Parallelism`] and the split of large buffers across the current rayon
//! pool. Chunks are whole multiples of [`GRANULE_BYTES`] (a multiple of 64 bytes
//! and of the widest vector x unroll), so only the last chunk has a tail, and
//! every chunk runs the same kernel, resolved once outside the parallel closure.
//! Each element is computed exactly as in a serial call, so results are
//! bit-identical for any split.

use crate::formula::Forward;
use crate::{Element, Kernel};
use core::fmt;
use core::str::FromStr;

/// How a call may use threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Parallelism {
    /// Split a call across the current rayon pool, when it has more than one
    /// thread, if the buffers it reads total at least [`PAR_THRESHOLD_BYTES`]
    /// (forward: the buffer; backward: `grad` plus the input or output); run
    /// smaller calls serially.
    #[default]
    Auto,
    /// Never use threads: run on the calling thread.
    Serial,
    /// Split every buffer larger than one chunk granule ([`GRANULE_BYTES`]) across
    /// the current rayon pool, whatever its size (for experiments and tests).
    Parallel,
}

impl fmt::Display for Parallelism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Parallelism::Auto => "auto",
            Parallelism::Serial => "serial",
            Parallelism::Parallel => "parallel",
        })
    }
}

impl FromStr for Parallelism {
    type Err = ();

    /// `auto`, `serial` (also `off`, `0`, `1`) or `parallel` (also `on`), any ASCII case.
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Parallelism::Auto),
            "serial" | "off" | "0" | "1" | "false" => Ok(Parallelism::Serial),
            "parallel" | "on" | "true" => Ok(Parallelism::Parallel),
            _ => Err(()),
        }
    }
}

/// Under [`Parallelism::Auto`], calls whose buffers total at least this many
/// bytes are split across threads (4 MiB: forward from 1 Mi `f32` / 512 Ki `f64`
/// elements, backward, which reads two buffers, from 512 Ki `f32` / 256 Ki `f64`).
/// Chosen from the crossover measured by `benches/parallel.rs`; see the README.
pub const PAR_THRESHOLD_BYTES: usize = 4 << 20;

/// Chunk sizes are multiples of this many bytes (4 KiB): a multiple of the
/// cache line (64 B) and of the widest kernel step (AVX2, 4 x 32 B).
pub const GRANULE_BYTES: usize = 4096;

/// Chunks per thread under `Auto`/`Parallel`, for load balance on a busy machine.
#[cfg(feature = "rayon")]
const CHUNKS_PER_THREAD: usize = 4;

/// Under `Auto`, no chunk is smaller than this (it bounds the per-task overhead).
#[cfg(feature = "rayon")]
const MIN_AUTO_CHUNK_BYTES: usize = 256 << 10;

/// The chunk length in elements to split `len` elements of `T` into, or `None`
/// to run serially.
#[cfg(feature = "rayon")]
#[inline]
fn chunk_len<T>(p: Parallelism, len: usize, buffers: usize) -> Option<usize> {
    let size = core::mem::size_of::<T>();
    let bytes = len.saturating_mul(size).saturating_mul(buffers);
    let min_chunk = match p {
        Parallelism::Serial => return None,
        Parallelism::Auto if bytes < PAR_THRESHOLD_BYTES => return None,
        Parallelism::Auto => MIN_AUTO_CHUNK_BYTES,
        Parallelism::Parallel if len.saturating_mul(size) <= GRANULE_BYTES => return None,
        Parallelism::Parallel => GRANULE_BYTES,
    };
    split(len, size, rayon::current_num_threads(), min_chunk)
}

/// Pure chunking rule, separated for testing: `None` if one thread, else a
/// chunk length (elements) that is a multiple of the granule, at least
/// `min_chunk` bytes, and gives about `CHUNKS_PER_THREAD` chunks per thread.
#[cfg(feature = "rayon")]
fn split(len: usize, size: usize, threads: usize, min_chunk: usize) -> Option<usize> {
    if threads < 2 {
        return None;
    }
    let granule = GRANULE_BYTES / size;
    let target = len.div_ceil(threads.saturating_mul(CHUNKS_PER_THREAD));
    let chunk = target.max(min_chunk / size).div_ceil(granule) * granule;
    (chunk < len).then_some(chunk)
}

/// Forward on `buf`, serial or split.
///
/// # Safety
/// `k.is_available()` must be true.
#[inline]
pub(crate) unsafe fn forward<T: Element>(
    k: Kernel,
    p: Parallelism,
    buf: &mut [T],
    alpha: T,
    f: Forward,
) {
    #[cfg(feature = "rayon")]
    if let Some(chunk) = chunk_len::<T>(p, buf.len(), 1) {
        use rayon::prelude::*;
        buf.par_chunks_mut(chunk)
            // SAFETY: the caller guarantees `k` is available; it is the same kernel
            // on every thread of this process.
            .for_each(|c| unsafe { T::kernel_forward(k, c, alpha, f) });
        return;
    }
    let _ = p;
    // SAFETY: the caller guarantees `k` is available.
    unsafe { T::kernel_forward(k, buf, alpha, f) }
}

/// Backward on equal-length `grad` and `decide`, serial or split.
///
/// # Safety
/// `k.is_available()` must be true.
#[inline]
pub(crate) unsafe fn backward<T: Element>(
    k: Kernel,
    p: Parallelism,
    grad: &mut [T],
    decide: &[T],
    alpha: T,
) {
    #[cfg(feature = "rayon")]
    if let Some(chunk) = chunk_len::<T>(p, grad.len(), 2) {
        use rayon::prelude::*;
        grad.par_chunks_mut(chunk)
            .zip(decide.par_chunks(chunk))
            // SAFETY: as in `forward`.
            .for_each(|(g, x)| unsafe { T::kernel_backward(k, g, x, alpha) });
        return;
    }
    let _ = p;
    // SAFETY: the caller guarantees `k` is available.
    unsafe { T::kernel_backward(k, grad, decide, alpha) }
}

#[cfg(all(test, feature = "rayon"))]
mod tests {
    use super::*;

    #[test]
    fn split_rules() {
        assert_eq!(split(1 << 20, 4, 1, 0), None, "one thread never splits");
        for &(len, size, threads) in &[
            (1usize << 20, 4usize, 2usize),
            (3 << 20, 8, 16),
            (5000, 4, 2),
            (usize::MAX / 8, 8, 64),
        ] {
            if let Some(c) = split(len, size, threads, GRANULE_BYTES) {
                assert_eq!((c * size) % GRANULE_BYTES, 0, "{len} {size} {threads}");
                assert!(c < len);
                assert!(c * size >= GRANULE_BYTES);
            }
        }
        let c = split(16 << 20, 4, 2, MIN_AUTO_CHUNK_BYTES).unwrap();
        assert_eq!(c, 2 << 20, "16 Mi f32 on 2 threads: 8 chunks of 2 Mi");
    }
}
