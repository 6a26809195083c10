//! [`Parallelism`], its policy, and the split of large calls across the current
//! rayon pool. Chunks are whole multiples of [`GRANULE_BYTES`] (a multiple of 64
//! bytes and of the widest vector x unroll), so only the last chunk has a tail,
//! and every chunk runs the same kernel, resolved once before the split. Each
//! element is computed exactly as in a serial call, so results are bit-identical
//! for any split. Knows tasks only by their length and buffer count.

use crate::Element;
use crate::dispatch::Engine;
use crate::kernels::Task;
use core::fmt;
#[cfg(feature = "std")]
use core::str::FromStr;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// How a call may use threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Parallelism {
    /// Run calls whose buffers total less than [`PAR_THRESHOLD_BYTES`] serially
    /// (in-place forward: one buffer; in-place backward and out-of-place
    /// forward: two; out-of-place backward: three), and decide larger ones by
    /// measurement: per operation and size class, serial or split across the
    /// current rayon pool (a few pieces per thread, split further down to
    /// 256 KiB only when another thread steals them, as rayon's parallel
    /// iterators do), whichever the caller's own recent calls found faster on
    /// this machine under its present load (the mode in use keeps its place
    /// unless the other is faster by more than 1/16), re-checked from time to
    /// time. Results are bit-identical either way. To pin the choice
    /// (reproducible benchmarks), use `Serial` or `Parallel`.
    #[default]
    Auto,
    /// Never use threads: run on the calling thread.
    Serial,
    /// Split whenever the current rayon pool has two or more threads: a call
    /// whose buffers total [`PAR_THRESHOLD_BYTES`] or more exactly as `Auto`
    /// splits when it chooses to (so pinning `Parallel` reproduces that
    /// choice), a smaller one too if its first buffer is longer than one chunk
    /// granule ([`GRANULE_BYTES`]), in about 4 chunks per thread (for
    /// experiments and tests: `Auto` never splits those).
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

#[cfg(feature = "std")]
impl FromStr for Parallelism {
    type Err = crate::UnknownName;

    /// `auto`, `serial` or `parallel`, ignoring ASCII case and surrounding
    /// whitespace. Nothing else: a number would read as a thread count, which
    /// this setting is not.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::names::parse(
            s,
            "parallelism",
            &PARALLELISMS,
            &["auto", "serial", "parallel"],
        )
    }
}

/// Name of the parallelism environment variable.
pub const PARALLELISM_ENV: &str = "LEAKY_RELU_PARALLELISM";

/// The default parallelism: `UNSET` until first read or set, else its code
/// (the low two bits) and where it came from (`FROM_ENV`, `FROM_SET`). The cold
/// path reads `LEAKY_RELU_PARALLELISM` once; afterwards a call costs one load.
static PARALLELISM: AtomicU8 = AtomicU8::new(UNSET);
const UNSET: u8 = u8::MAX;
const FROM_ENV: u8 = 4;
const FROM_SET: u8 = 8;

/// `LEAKY_RELU_PARALLELISM` as read at the first call (lossily decoded if not
/// UTF-8), kept for `diagnostics`.
#[cfg(feature = "std")]
static ENV_VALUE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
const PARALLELISMS: [Parallelism; 3] = [
    Parallelism::Auto,
    Parallelism::Serial,
    Parallelism::Parallel,
];

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
    match c & 3 {
        1 => Parallelism::Serial,
        2 => Parallelism::Parallel,
        _ => Parallelism::Auto,
    }
}

#[cold]
#[inline(never)]
fn init_parallelism() -> u8 {
    // Without `std` there is no environment.
    #[cfg(feature = "std")]
    let read = env_value()
        .as_deref()
        .and_then(|v| v.parse::<Parallelism>().ok());
    #[cfg(not(feature = "std"))]
    let read: Option<Parallelism> = None;
    let c = read.map_or(code(Parallelism::Auto), |p| code(p) | FROM_ENV);
    // A concurrent `set_default_parallelism` wins over the environment.
    match PARALLELISM.compare_exchange(UNSET, c, Relaxed, Relaxed) {
        Ok(_) => c,
        Err(current) => current,
    }
}

/// The value of `LEAKY_RELU_PARALLELISM` the default was decided from.
#[cfg(feature = "std")]
pub(crate) fn env_value() -> &'static Option<String> {
    ENV_VALUE.get_or_init(|| crate::names::read_env(PARALLELISM_ENV))
}

/// Where the default parallelism came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParallelismSource {
    /// Nothing chose it: [`Parallelism::Auto`].
    Default,
    /// `LEAKY_RELU_PARALLELISM`, read at the first call.
    Environment,
    /// A call to [`set_default_parallelism`].
    Set,
}

/// The default parallelism and where it came from (reading the environment if
/// no call has yet).
#[cfg(feature = "std")]
pub(crate) fn parallelism_source() -> (Parallelism, ParallelismSource) {
    let _ = default_parallelism();
    // One load, so a concurrent `set_default_parallelism` cannot make the
    // policy and its source disagree.
    let c = PARALLELISM.load(Relaxed);
    let p = PARALLELISMS[usize::from(c & 3).min(2)];
    let source = if c & FROM_SET != 0 {
        ParallelismSource::Set
    } else if c & FROM_ENV != 0 {
        ParallelismSource::Environment
    } else {
        ParallelismSource::Default
    };
    (p, source)
}

/// Sets the process-wide default [`Parallelism`] used by the free functions and
/// by [`Options`](crate::Options) that do not set their own. This is how an
/// embedder with its own thread pool turns the crate's parallelism off at run
/// time: `set_default_parallelism(Parallelism::Serial)`. It overrides
/// `LEAKY_RELU_PARALLELISM`.
pub fn set_default_parallelism(p: Parallelism) {
    PARALLELISM.store(code(p) | FROM_SET, Relaxed);
}

/// Under [`Parallelism::Auto`], calls whose buffers total fewer bytes than
/// this run serially, and larger ones are decided by measurement (1 MiB: an
/// in-place forward of 256 Ki `f32`). Below it a split never pays on any
/// machine measured (waking a pool costs microseconds; such a call takes
/// about one). See `docs/PERFORMANCE.md`.
pub const PAR_THRESHOLD_BYTES: usize = 1 << 20;

/// Under `Auto`, a split cuts the buffers at multiples of this many bytes
/// (256 KiB) of the first, and no piece but the last is smaller: pieces are
/// halved only when stolen, so a busy thread's share goes to the others in
/// pieces down to this size (see `steal_run`).
#[cfg(feature = "rayon")]
const AUTO_CHUNK_BYTES: usize = 256 << 10;

/// What `Auto` learned, for calls from outside any pool (rayon's global pool)
/// and from inside a rayon worker (a caller's pool), for each operation
/// ([`Task::kind`]): a forward and a forward with its mask of the same bytes
/// cost differently, and one's timings must not decide for the other
/// (2 x 4 tables of 1256 bytes).
#[cfg(feature = "rayon")]
static LEARNED: [[crate::adapt::Table; Task::<'static, f32>::KINDS]; 2] = [const {
    [const { crate::adapt::Table::new(PAR_THRESHOLD_BYTES) }; Task::<'static, f32>::KINDS]
}; 2];

/// Chunk sizes are multiples of this many bytes (4 KiB): a multiple of the
/// cache line (64 B) and of the widest kernel step (AVX2, 4 x 32 B).
pub const GRANULE_BYTES: usize = 4096;

/// Chunks per thread under `Parallel`.
#[cfg(feature = "rayon")]
const CHUNKS_PER_THREAD: usize = 4;

/// Which pool a call would split across, and how many threads it may use there,
/// without ever letting rayon panic or hang.
///
/// - **Inside a rayon worker** (`pool.install`, a `par_iter`, a `join`), the
///   worker's own pool: it exists and runs in this process, and
///   `rayon::current_num_threads()` reads it without touching the global pool.
/// - **Outside any pool**, rayon's global pool, but only through a state this
///   module keeps: `0` until the first large call from outside a pool, then
///   either `UNUSABLE` or the process id and thread count. Resolving it calls
///   `ThreadPoolBuilder::new().build_global()`, the same default configuration
///   rayon would start lazily (so `RAYON_NUM_THREADS` still applies), and
///   looks at the result: `Ok`, or "already initialized" by other code, means
///   the pool runs; an I/O error means its threads could not be started (a
///   process or container at its thread limit). Then rayon has marked the
///   global pool failed for good and every rayon call that reaches it would
///   panic, so the crate runs serially from then on: correct, every time.
/// - A call from a **forked child** sees a process id other than the one that
///   resolved the state: the global pool's workers exist only in the parent
///   (fork copies one thread), and a job sent to them would never run. It runs
///   serially instead. A large call costs one `getpid` more for this (tens of
///   nanoseconds against the microseconds of a call this large).
/// - Without threads at all (wasm32 without the `atomics` feature), serial, and
///   the global pool is not touched (rayon's own lazy start falls back to the
///   calling thread there; an explicit `build_global` would fail and take that
///   fallback away from other code in the process).
#[cfg(feature = "rayon")]
mod pool {
    use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

    /// `0`: not resolved; `pid << 32`: being resolved by a thread of process
    /// `pid`; `UNUSABLE`; else `pid << 32 | threads` (threads >= 1).
    static GLOBAL: AtomicU64 = AtomicU64::new(0);
    const UNUSABLE: u64 = u64::MAX;

    /// Threads to split a call across; `1` means run serially.
    #[inline]
    pub(super) fn threads() -> usize {
        if rayon::current_thread_index().is_some() {
            return rayon::current_num_threads();
        }
        let pid = pid();
        let mut state = GLOBAL.load(Relaxed);
        if state == 0 {
            state = resolve(pid);
        }
        global_threads(state, pid)
    }

    /// What a large `Auto` call from this thread would run on, without starting
    /// or resolving anything.
    pub(super) fn describe() -> super::PoolState {
        use super::PoolState;
        if rayon::current_thread_index().is_some() {
            return PoolState::Current {
                threads: rayon::current_num_threads(),
            };
        }
        let state = GLOBAL.load(Relaxed);
        if state == UNUSABLE || cfg!(all(target_family = "wasm", not(target_feature = "atomics"))) {
            PoolState::Unavailable
        } else if (state >> 32) as u32 != pid() && state != 0 {
            PoolState::ForkedChild
        } else if state as u32 == 0 {
            PoolState::NotStarted
        } else {
            PoolState::Global {
                threads: global_threads(state, pid()),
            }
        }
    }

    /// This process's id where `fork` exists (unix); elsewhere a constant
    /// (`std::process::id` panics on wasm32-wasip1).
    #[inline]
    fn pid() -> u32 {
        if cfg!(unix) { std::process::id() } else { 1 }
    }

    /// The decision for `state`, seen from process `pid`: serial unless the
    /// global pool was found running by this process (not a forked parent's,
    /// not still being resolved).
    pub(super) fn global_threads(state: u64, pid: u32) -> usize {
        if state == UNUSABLE || (state >> 32) as u32 != pid {
            return 1;
        }
        (state as u32).max(1) as usize
    }

    /// Starts (or finds) rayon's global pool, records the outcome, returns it.
    /// One thread resolves: it claims the state first. A concurrent first call
    /// runs serially meanwhile rather than wait (in a child forked while its
    /// parent was resolving, the wait would never end) or ask rayon itself
    /// (after a failed start rayon answers "already initialized" and then
    /// panics when asked for the thread count).
    #[cold]
    #[inline(never)]
    fn resolve(pid: u32) -> u64 {
        let claim = u64::from(pid) << 32;
        if let Err(current) = GLOBAL.compare_exchange(0, claim, Relaxed, Relaxed) {
            return current;
        }
        let state = if cfg!(all(target_family = "wasm", not(target_feature = "atomics"))) {
            UNUSABLE
        } else {
            encode(
                rayon::ThreadPoolBuilder::new().build_global(),
                pid,
                rayon::current_num_threads,
            )
        };
        GLOBAL.store(state, Relaxed);
        state
    }

    /// The state for `build_global`'s result in process `pid`; `threads` is
    /// called only when the global pool runs (it would panic otherwise).
    pub(super) fn encode(
        built: Result<(), rayon::ThreadPoolBuildError>,
        pid: u32,
        threads: impl FnOnce() -> usize,
    ) -> u64 {
        match built {
            // An I/O error is the only kind with a source: threads could not start.
            Err(e) if std::error::Error::source(&e).is_some() => UNUSABLE,
            // `Ok`, or already initialized by other code (this crate resolves once).
            _ => (u64::from(pid) << 32) | threads().clamp(1, u32::MAX as usize) as u64,
        }
    }
}

/// The threads a large [`Parallelism::Auto`] call from the calling thread would
/// be split across, as [`crate::diagnostics`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PoolState {
    /// Built without the `rayon` feature: every call runs serially.
    NoRayon,
    /// Called from a worker of a rayon pool: that pool, of `threads` threads.
    Current {
        /// Threads of that pool.
        threads: usize,
    },
    /// rayon's global pool, started or found by this crate.
    Global {
        /// Threads of the global pool.
        threads: usize,
    },
    /// Not decided yet: the first large call from outside a pool starts
    /// rayon's global pool, or finds it if other code started it already
    /// (rayon offers no way to ask without starting it).
    NotStarted,
    /// The global pool could not be started (no thread could be created), or
    /// the target has no threads: calls run serially.
    Unavailable,
    /// A `fork()`ed child of the process that started the pool: serial.
    ForkedChild,
}

impl fmt::Display for PoolState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolState::NoRayon => f.write_str("none (built without the `rayon` feature): serial"),
            PoolState::Current { threads } => {
                write!(f, "the current rayon pool, {threads} threads")
            }
            PoolState::Global { threads } => write!(f, "rayon's global pool, {threads} threads"),
            PoolState::NotStarted => f.write_str(
                "rayon's global pool, not yet used by this crate (the first large call from outside a pool starts it, or finds it started)",
            ),
            PoolState::Unavailable => {
                f.write_str("none: rayon's global pool could not be started; calls run serially")
            }
            PoolState::ForkedChild => f.write_str(
                "none: this is a forked child of the process that started the pool; calls run serially",
            ),
        }
    }
}

/// The pool state for the calling thread.
#[cfg(feature = "std")]
pub(crate) fn pool_state() -> PoolState {
    #[cfg(feature = "rayon")]
    return pool::describe();
    #[cfg(not(feature = "rayon"))]
    PoolState::NoRayon
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

/// Runs `task` on `engine`, serially or split across the current rayon pool
/// according to `p`.
#[inline(always)]
pub(crate) fn run<T: Element>(engine: Engine, p: Parallelism, task: Task<'_, T>) {
    #[cfg(feature = "rayon")]
    {
        let (len, size) = (task.len(), core::mem::size_of::<T>());
        let bytes = len.saturating_mul(size).saturating_mul(task.buffers());
        match p {
            Parallelism::Auto if bytes >= PAR_THRESHOLD_BYTES => {
                let pool = usize::from(rayon::current_thread_index().is_some());
                let table = &LEARNED[pool][task.kind()];
                return adaptive(engine, task, bytes, pool::threads(), table);
            }
            Parallelism::Parallel if bytes >= PAR_THRESHOLD_BYTES => {
                let chunk = auto_chunk::<T>();
                if pool::threads() >= 2 && chunk < len {
                    return steal_run(engine, task, chunk);
                }
            }
            Parallelism::Parallel if len.saturating_mul(size) > GRANULE_BYTES => {
                if let Some(chunk) = split(len, size, pool::threads(), GRANULE_BYTES) {
                    return split_run(engine, task, chunk);
                }
            }
            _ => {}
        }
    }
    let _ = p;
    engine.run(task)
}

/// A large `Auto` call: serial or split over `threads` in runs of
/// [`AUTO_CHUNK_BYTES`] chunks (`steal_run`), as `table` decides, timed for
/// `table` to learn from.
#[cfg(feature = "rayon")]
#[inline(never)]
fn adaptive<T: Element>(
    engine: Engine,
    task: Task<'_, T>,
    bytes: usize,
    threads: usize,
    table: &crate::adapt::Table,
) {
    let chunk = auto_chunk::<T>();
    if threads < 2 || chunk >= task.len() {
        return engine.run(task);
    }
    let choice = table.choose(bytes);
    let start = std::time::Instant::now();
    match choice.mode {
        crate::adapt::Mode::Serial => engine.run(task),
        crate::adapt::Mode::Split => steal_run(engine, task, chunk),
    }
    let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    table.record(choice, bytes, ns);
}

/// The smallest piece of a split from [`PAR_THRESHOLD_BYTES`] up, in elements:
/// [`AUTO_CHUNK_BYTES`] of `T`.
#[cfg(feature = "rayon")]
fn auto_chunk<T: Element>() -> usize {
    let size = core::mem::size_of::<T>();
    (AUTO_CHUNK_BYTES / size).max(GRANULE_BYTES / size)
}

/// Splits `task` as rayon's own parallel iterators do (`rayon::iter::split`):
/// into a few pieces per thread, and a piece further, in halves at multiples
/// of `chunk`, only when another thread steals it, never below `chunk`. On a
/// quiet machine that is a handful of large pieces (each `join` costs a
/// wake-up and a cache-cold start); when a thread is slow (a busy core), the
/// others steal its pending halves down to `chunk`, so the work still
/// balances. Pieces are runs of whole chunks (the last one ragged), so every
/// element is computed as in a serial call.
#[cfg(feature = "rayon")]
fn steal_run<T: Element>(engine: Engine, task: Task<'_, T>, chunk: usize) {
    use rayon::iter::ParallelIterator;
    rayon::iter::split(task, |t| halve(t, chunk)).for_each(|t| run_piece(engine, t));
}

/// `task` cut at a multiple of `chunk` into two runs of whole chunks (the
/// second may end ragged), or `task` alone if it is at most one chunk.
#[cfg(feature = "rayon")]
fn halve<T: Element>(task: Task<'_, T>, chunk: usize) -> (Task<'_, T>, Option<Task<'_, T>>) {
    let len = task.len();
    if len <= chunk {
        return (task, None);
    }
    // `k = ceil(len / chunk) >= 2` chunks; the first `k / 2` go left, so
    // `chunk <= mid < len`.
    let (a, b) = task.split_at(len.div_ceil(chunk) / 2 * chunk);
    (a, Some(b))
}

/// One piece of a split, counted in test builds.
#[cfg(feature = "rayon")]
fn run_piece<T: Element>(engine: Engine, task: Task<'_, T>) {
    #[cfg(test)]
    tests::CHUNKS_RUN.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
    engine.run(task)
}

/// Halves `task` at a multiple of `chunk` until each piece is at most `chunk`
/// long, running the halves with `rayon::join` (on the current pool).
#[cfg(feature = "rayon")]
fn split_run<T: Element>(engine: Engine, task: Task<'_, T>, chunk: usize) {
    match halve(task, chunk) {
        (a, None) => run_piece(engine, a),
        (a, Some(b)) => {
            rayon::join(
                || split_run(engine, a, chunk),
                || split_run(engine, b, chunk),
            );
        }
    }
}

#[cfg(all(test, feature = "rayon"))]
mod tests {
    use super::*;
    use crate::kernels::{InOut, formula};
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    /// Pieces `split_run` or `steal_run` handed to a kernel (test builds
    /// only). The tests that read it hold `COUNTING`, so their counts do not mix.
    pub(super) static CHUNKS_RUN: AtomicUsize = AtomicUsize::new(0);
    static COUNTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// Runs an in-place (or out-of-place) forward of `len` f32 through `go` in
    /// a pool of `threads` threads and returns how many pieces the kernel was
    /// handed (0: it ran unsplit).
    fn pieces_with(
        threads: usize,
        len: usize,
        into: bool,
        go: impl FnOnce(Task<'_, f32>) + Send,
    ) -> usize {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let src = vec![-1.0f32; len];
        // In place the buffer starts as the source, so an element the kernel
        // skipped would stay -1 and fail the check below.
        let mut dst = if into { vec![0.0f32; len] } else { src.clone() };
        let _one_at_a_time = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
        let before = CHUNKS_RUN.load(Relaxed);
        pool.install(|| {
            let x = if into {
                InOut::Into {
                    dst: &mut dst,
                    src: &src,
                }
            } else {
                InOut::InPlace(&mut dst)
            };
            go(Task::Forward {
                x,
                alpha: 0.5,
                f: formula::forward(0.5f32),
            })
        });
        assert!(dst.iter().all(|&v| v == -0.5), "{threads} {len}");
        CHUNKS_RUN.load(Relaxed) - before
    }

    fn pieces(threads: usize, p: Parallelism, len: usize, into: bool) -> usize {
        pieces_with(threads, len, into, |t| {
            run(crate::dispatch::state::engine(), p, t)
        })
    }

    /// `Auto`'s large calls, through a fresh table (the static ones are shared
    /// by every test in the binary).
    fn auto_pieces(table: &crate::adapt::Table, threads: usize, len: usize, into: bool) -> usize {
        pieces_with(threads, len, into, |t| {
            let bytes = t.len() * 4 * t.buffers();
            let threads = rayon::current_num_threads();
            adaptive(crate::dispatch::state::engine(), t, bytes, threads, table)
        })
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "multi-MiB buffers in new pools; Miri covers the split in tests/kernels.rs parallel_split_f32"
    )]
    #[cfg_attr(
        target_family = "wasm",
        ignore = "needs threads: wasm32-wasip1 has none"
    )]
    fn splits_inside_a_fixed_pool() {
        let t = PAR_THRESHOLD_BYTES / 4;
        // Below the threshold: serial, whatever was learned.
        assert_eq!(pieces(4, Parallelism::Auto, t - 1, false), 0);
        assert_eq!(pieces(4, Parallelism::Auto, t / 2 - 1, true), 0);
        // Above it: the first call of a size class runs serially, the second
        // split, into runs of 256 KiB chunks: at least one piece per thread
        // of the pool, further halves only when stolen, none below a chunk
        // (16 MiB: at most 64 pieces).
        let table = crate::adapt::Table::new(PAR_THRESHOLD_BYTES);
        assert_eq!(auto_pieces(&table, 4, 16 * t, false), 0);
        let split = auto_pieces(&table, 4, 16 * t, false);
        assert!((4..=64).contains(&split), "{split} pieces");
        // `Parallel` splits such a call the same way, so pinning it reproduces
        // `Auto`'s split: 2 MiB of `f32` in pieces of 256 KiB or more (at most
        // 8), not 4 chunks per thread (16 of 128 KiB, the rule below the
        // threshold).
        for into in [false, true] {
            let pinned = pieces(4, Parallelism::Parallel, 2 * t, into);
            assert!((2..=8).contains(&pinned), "{pinned} pieces");
        }
        // Out of place touches two buffers: adaptive from half the length.
        let table = crate::adapt::Table::new(PAR_THRESHOLD_BYTES);
        assert_eq!(auto_pieces(&table, 4, t / 2, true), 0);
        assert_eq!(auto_pieces(&table, 4, t / 2, true), 2);
        // A one-thread pool never splits, nor does `Serial`.
        let table = crate::adapt::Table::new(PAR_THRESHOLD_BYTES);
        for _ in 0..3 {
            assert_eq!(auto_pieces(&table, 1, 16 * t, false), 0);
        }
        assert_eq!(pieces(4, Parallelism::Serial, 16 * t, false), 0);
        // Through `run`, a large `Auto` call splits at least once in a few
        // dozen calls, whatever other tests taught the shared table (a
        // regression to "always serial" fails here).
        let split: usize = (0..40)
            .map(|_| pieces(2, Parallelism::Auto, 8 * t, false))
            .sum();
        assert!(split > 0, "Auto never split");
    }

    /// Small enough for Miri, which runs it in `.ci/hardening` (Tree Borrows):
    /// the split happens, in a pool of two threads, in place and out of place.
    #[test]
    #[cfg_attr(
        target_family = "wasm",
        ignore = "needs threads: wasm32-wasip1 has none"
    )]
    fn forced_parallel_splits_in_a_two_thread_pool() {
        // 32 KiB: 4 chunks per thread, down to the 4 KiB granule.
        assert_eq!(pieces(2, Parallelism::Parallel, 8 * 1024, false), 8);
        assert_eq!(pieces(2, Parallelism::Parallel, 8 * 1024, true), 8);
        // A ragged length: chunks of 2 Ki, the last one 3 elements.
        assert_eq!(pieces(2, Parallelism::Parallel, 8 * 1024 + 3, false), 5);
        assert_eq!(pieces(2, Parallelism::Parallel, 1024, false), 0);
    }

    /// The global-pool decision from injected `build_global` outcomes: threads
    /// that cannot start mean serial (without asking rayon for a count, which
    /// would panic), and a process id other than the one that resolved the
    /// state (a forked child) means serial.
    #[test]
    fn global_pool_states() {
        use pool::{encode, global_threads};
        let no_threads = rayon::ThreadPoolBuilder::new()
            .spawn_handler(|_| Err(std::io::Error::other("EAGAIN")))
            .build()
            .map(drop);
        let unusable = encode(no_threads, 7, || unreachable!("rayon would panic"));
        assert_eq!(global_threads(unusable, 7), 1);
        assert_eq!(global_threads(unusable, 8), 1);
        let running = encode(Ok(()), 7, || 4);
        assert_eq!(global_threads(running, 7), 4);
        assert_eq!(global_threads(running, 8), 1, "forked child");
        assert_eq!(global_threads(encode(Ok(()), 7, || 0), 7), 1);
        assert_eq!(
            global_threads(7 << 32, 7),
            1,
            "being resolved: serial meanwhile"
        );
        assert_eq!(global_threads(7 << 32, 8), 1);
        assert_eq!(global_threads(encode(Ok(()), u32::MAX, || 2), u32::MAX), 2);
    }

    /// An error without an I/O source (here: a second pool on a worker thread,
    /// like "already initialized") means the pool runs.
    #[test]
    #[cfg_attr(miri, ignore = "starts a pool whose threads outlive the test")]
    #[cfg_attr(
        target_family = "wasm",
        ignore = "needs threads: wasm32-wasip1 has none"
    )]
    fn build_errors_without_a_source_keep_the_pool() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let again = pool.install(|| {
            rayon::ThreadPoolBuilder::new()
                .use_current_thread()
                .build()
                .map(drop)
        });
        assert!(again.is_err());
        assert_eq!(pool::global_threads(pool::encode(again, 3, || 2), 3), 2);
    }

    #[test]
    fn parallelism_codes_round_trip() {
        for p in PARALLELISMS {
            assert_eq!(PARALLELISMS[code(p) as usize], p);
            assert_eq!(p.to_string().parse(), Ok(p));
            assert_eq!(format!(" {} ", p.to_string().to_uppercase()).parse(), Ok(p));
        }
        for bad in ["1", "0", "on", "threads", "", "auto2"] {
            let e = bad.parse::<Parallelism>().unwrap_err();
            assert_eq!((e.kind, e.input.as_str()), ("parallelism", bad));
            assert!(
                e.to_string().contains("one of auto, serial, parallel"),
                "{e}"
            );
        }
    }

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
        let c = split(16 << 20, 4, 2, GRANULE_BYTES).unwrap();
        assert_eq!(c, 2 << 20, "16 Mi f32 on 2 threads: 8 chunks of 2 Mi");
    }
}
