//! [`diagnostics`]: the configuration in effect (kernel and why, parallelism
//! and where it came from, the pool a large call would use) and every
//! environment value that was rejected, with the reason.

use crate::dispatch::state;
use crate::par::{self, ParallelismSource, PoolState};
use crate::{KERNEL_ENV, Kernel, PAR_THRESHOLD_BYTES, PARALLELISM_ENV, Parallelism};
use core::fmt;

/// The configuration the free functions run with, as [`diagnostics`] reports
/// it. `Display` writes it for a log, one line per item.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostics {
    /// The crate's version.
    pub version: &'static str,
    /// The kernel the free functions run ([`Kernel::best`]).
    pub kernel: Kernel,
    /// Why that kernel: `true` if `LEAKY_RELU_KERNEL` named it, `false` if it
    /// is the fastest this CPU and build can run.
    pub kernel_from_env: bool,
    /// Every kernel this CPU and build can run, fastest first.
    pub available: Vec<Kernel>,
    /// The default parallelism ([`crate::default_parallelism`]).
    pub parallelism: Parallelism,
    /// Where it came from.
    pub parallelism_source: ParallelismSource,
    /// What a large [`Parallelism::Auto`] call from the calling thread would be
    /// split across, as of now (nothing is started to find out).
    pub pool: PoolState,
    /// Under `Auto`, calls touching at least this many bytes are split.
    pub par_threshold_bytes: usize,
    /// Environment values that were read and ignored because they are
    /// malformed or name a kernel this CPU or build lacks, and why. (A valid
    /// `LEAKY_RELU_PARALLELISM` later overridden by [`crate::set_default_parallelism`]
    /// is not listed: `parallelism_source` says `Set`.)
    pub rejected: Vec<Rejected>,
}

/// An environment variable whose value was ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejected {
    /// The variable's name.
    pub variable: &'static str,
    /// Its value as read (decoded lossily if it was not UTF-8).
    pub value: String,
    /// Why it was ignored, and what would have been accepted.
    pub reason: String,
}

/// The configuration in effect for the free functions, and the environment
/// values that were rejected (malformed, or naming an unavailable kernel). Settles what the first call would (the kernel and
/// the default parallelism, reading `LEAKY_RELU_KERNEL` and
/// `LEAKY_RELU_PARALLELISM` once, as always) but starts no thread. Nothing in
/// the crate prints; log this if you want it seen.
///
/// ```
/// let d = leaky_relu::diagnostics();
/// assert!(d.available.contains(&d.kernel));
/// // A misspelled LEAKY_RELU_KERNEL=sse9 would be listed here, with the reason.
/// for r in &d.rejected {
///     eprintln!("ignored {}={:?}: {}", r.variable, r.value, r.reason);
/// }
/// println!("{d}");
/// ```
pub fn diagnostics() -> Diagnostics {
    let kernel = Kernel::best();
    let kernel_env = state::env_value().as_deref();
    let (parallelism, parallelism_source) = par::parallelism_source();
    let mut rejected = Vec::new();
    if let Some(value) = kernel_env
        && let Some(reason) = state::rejection(value)
    {
        rejected.push(Rejected {
            variable: KERNEL_ENV,
            value: value.to_owned(),
            reason,
        });
    }
    if let Some(value) = par::env_value().as_deref()
        && let Err(e) = value.parse::<Parallelism>()
    {
        rejected.push(Rejected {
            variable: PARALLELISM_ENV,
            value: value.to_owned(),
            reason: e.to_string(),
        });
    }
    Diagnostics {
        version: env!("CARGO_PKG_VERSION"),
        kernel,
        kernel_from_env: kernel_env.is_some_and(|v| state::rejection(v).is_none()),
        available: Kernel::available(),
        parallelism,
        parallelism_source,
        pool: par::pool_state(),
        par_threshold_bytes: PAR_THRESHOLD_BYTES,
        rejected,
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "leaky-relu {}", self.version)?;
        let why = if self.kernel_from_env {
            format!("named by {KERNEL_ENV}")
        } else {
            "the fastest this CPU and build can run".to_owned()
        };
        let available: Vec<&str> = self.available.iter().map(|k| k.name()).collect();
        writeln!(
            f,
            "kernel: {} ({why}; available: {})",
            self.kernel,
            available.join(", ")
        )?;
        let from = match self.parallelism_source {
            ParallelismSource::Default => "the default".to_owned(),
            ParallelismSource::Environment => format!("from {PARALLELISM_ENV}"),
            ParallelismSource::Set => "from set_default_parallelism".to_owned(),
        };
        let rule = match self.parallelism {
            Parallelism::Auto => format!(
                "calls touching less than {} run serially, larger ones serially or split, as measured",
                size(self.par_threshold_bytes)
            ),
            Parallelism::Serial => "every call runs on the calling thread".to_owned(),
            Parallelism::Parallel => format!(
                "every buffer longer than {} is split; calls touching {} or more as auto's split mode does",
                size(crate::GRANULE_BYTES),
                size(self.par_threshold_bytes)
            ),
        };
        writeln!(f, "parallelism: {} ({from}; {rule})", self.parallelism)?;
        match (self.parallelism, self.pool) {
            (Parallelism::Serial, _) => write!(f, "threads: none used (parallelism serial)")?,
            (_, PoolState::Current { threads: 0..=1 } | PoolState::Global { threads: 0..=1 }) => {
                write!(f, "threads: {} (one thread: calls run serially)", self.pool)?
            }
            (_, pool) => write!(f, "threads: {pool}")?,
        }
        for r in &self.rejected {
            write!(f, "\nignored {}={:?}: {}", r.variable, r.value, r.reason)?;
        }
        Ok(())
    }
}

/// `bytes` in MiB or KiB.
fn size(bytes: usize) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}
