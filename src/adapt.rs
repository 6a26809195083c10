//! The adaptive half of [`Parallelism::Auto`](crate::Parallelism::Auto): for
//! a call large enough that splitting could pay (from
//! [`PAR_THRESHOLD_BYTES`](crate::PAR_THRESHOLD_BYTES) touched), whether to run
//! it serially or split it, learned from the caller's own calls on this
//! machine, as it is loaded now.
//!
//! **Design.** Calls are grouped into size classes by the bytes they touch (one
//! class per power of two), in one table per operation (forward, backward, and
//! the two mask operations: their costs per byte differ). Each class keeps, for
//! each mode (serial, split), a running estimate of the time per byte its calls
//! take, biased toward the fast samples: a faster sample pulls it halfway, a
//! slower one an eighth of the way (counting at most as twice the estimate).
//! Interference (a preempted call, a worker woken from sleep on a VM) only ever
//! slows a call, so the estimate tracks what the mode achieves, while a lasting
//! slowdown (a core taken by another process) still raises it within a few
//! calls. Those are the weights of a call of 0.5 ms or more; the chosen mode,
//! which runs on every call, weighs shorter ones by their expected time
//! (`SMOOTH_NS`: a call of `d` moves it by `d` / 4 ms of a slower sample's
//! excess, 4x that toward a faster one, and by at least one unit), so its
//! estimate rises over about the last 4 ms of calls and falls over about the
//! last 1 ms, instead of the last 8 and 2 calls. Counted per call, eight calls
//! of 1 Mi `f32` (60-100 µs each) were under a millisecond: on a 2-vCPU Zen 3
//! VM, after each 2 ms pause of the policy bench the first three splits took
//! about 10x, 5x and 3x their steady time (519, 240 and 146 µs in one trace,
//! serial calls 2-4x), which raised split's estimate by 42% and handed the
//! choice to serial for the rest of the burst, though split was the faster mode
//! again 1 ms later. A split that turns 2x slower still hands over within a few
//! milliseconds (23 calls of 0.1 ms in a unit test). Looks and settling runs
//! keep the per-call weights: their few calls must move the other mode's
//! estimate at once. Each call runs the chosen mode; the other takes over only
//! if its estimate beats the chosen one's by a margin (below). The first call
//! of a class runs serially and the next ones split (a settling run, below), to
//! have both; after that the other mode is tried once every `interval` calls to
//! notice a change (another process took a core, or left). An exploration that
//! does not beat the chosen mode's estimate by the margin doubles `interval`
//! (16 up to 1024 calls); one that does resets it to 16 and explores again at
//! the very next call, and so on until the explored mode's estimate beats the
//! chosen one's by the margin below (it is then chosen) or a look does not. A
//! switch, however it comes about, starts the looks afresh, 16 calls later:
//! when the chosen mode's own estimate rose past the other's (a passing
//! slowdown of that mode), the other one's estimate is old, and without that a
//! class left a mode that was fast again alone for up to 1024 calls. Those
//! looks cost nothing, since each was the faster call, and they move the
//! estimate within a few calls: one slow first sample of a mode (a cold pool, a
//! page fault) is corrected at its first exploration instead of over several
//! intervals. A first look that is slower gets a second one at the next call
//! before the interval doubles, and so does each later look that is faster than
//! the one before it (up to six in a row): the first calls after a switch pay
//! for it, which is not what the mode costs while calls keep coming. After a
//! run of serial calls the pool's workers sleep, and the first split pays for
//! waking them (on a VM, halted virtual CPUs); after a run of splits, the first
//! serial calls of 1 Mi `f32` ran 1.3-3x slower than the ones after them for 2
//! to 15 calls on a 2-vCPU Zen 3 (a cost that lasts longer than six looks still
//! keeps the other mode). A stable machine thus pays for two or three calls in
//! 1024 in the slower mode (more looks only while noise makes each look faster
//! than the last); the chosen mode is measured on every call, so its slowing
//! down is seen within a few calls (a few milliseconds of short ones).
//!
//! **Margin.** A mode takes over only if its estimate is lower than the chosen
//! one's by more than 1/16 (6.25%), and a look counts as faster only by that
//! margin too. Without it, two modes within noise of each other traded places
//! whenever the chosen one had a slow stretch, and every switch paid the
//! transition above. On a 2-vCPU Zen 3 VM, in the policy bench's busy 4 Mi
//! `f32` forward row (another process on the second vCPU; serial and split
//! within a few percent), the chosen mode changed 26 to 39 times over the
//! row's calls in three debug traces, and 9 times in two with the margin (the
//! bench's ratios stayed within that machine's noise). The cost of the
//! margin: a class may keep a mode whose estimate is up to 6.25% above the
//! other's, under the 10% the policy is held to. That is of the estimates: a
//! mode whose looks pay for the switch (the first calls after it) can be more
//! than 6.25% slower in steady state and still not be left, as without the
//! margin when the switch costs more than the difference.
//!
//! **Settling runs.** Some machines need a sustained run of splits before a
//! split runs at its speed, longer than any look. On a 2-vCPU Zen 3 VM, after
//! 300 ms of serial 1 Mi `f32` calls, splits ran at 2x the serial time (110-170
//! µs against 65-80) for the first 10 to 45 ms of splits in a row, then at
//! 40-60 µs (in one such run, a debug print showed every piece of the slow
//! calls run by one worker on one vCPU). Looks taken from serial mode see only
//! that start, so once serial was chosen it stayed, while a caller that kept
//! splitting ran 1.2-1.4x faster. So while serial is the chosen mode, the class
//! runs a settling run from time to time: splits for 20 ms of its calls
//! (`SETTLE_US`), at the second call of the class (instead of one split) and
//! then `gap` of the class's call time after the last split: 32 ms after splits
//! stopped paying (split had been the chosen mode for 32 ms of calls or more),
//! doubled after each run that did not make split the chosen mode, or made it
//! the chosen mode for less than that before serial took over again, up to
//! 64 s. That second case is two modes within noise of each other (another
//! process on the second core): split wins a run by the margin and loses within
//! a few calls. Counted as a win, it brought the first gap back each time: in a
//! debug trace of the policy bench's busy forward 4 Mi row at ten times its
//! length (split 1.03x serial pinned), 53 of `Auto`'s 310 samples held calls of
//! a settling run; in a unit test of such a split, 216 runs in 20 s against 9
//! now. Measured in that row (three alternated runs each way, 310 rounds),
//! `Auto` over serial pinned, the median of the per-round ratios: 1.016-1.030
//! now, 1.036-1.051 before; the bench's usual 31-round rows moved within noise
//! (8 runs each way). A run stops after 8 calls if split's estimate is still
//! over 4x serial's (no settling makes up for that). What it costs where split
//! stays slower: each run is 20 ms of splits (plus the call that crosses it; 8
//! calls if that is more, for a split over 4x slower), less the serial time of
//! the same work, and there are about log2(time / 32 ms) runs: in one test,
//! split costing 2x serial over 20 s of calls cost 9 runs and 0.69% extra; but
//! in the first second of a class's calls (or after a change of load), 4 runs,
//! starting at 0, 84, 232 and 508 ms: 4-6% of that second for a split 2-4x
//! slower than serial. Several threads calling the same class share its runs.
//! 20 ms is a compromise between that VM's settling times (10-45 ms) and this
//! cost; a machine that settles more slowly is helped less or not at all, and
//! still charged it.
//!
//! **Cost and memory.** Two `Instant::now()` per adaptive call (tens of ns
//! against the microseconds of a call of 1 MiB or more) and a few relaxed
//! atomics; 2 x 4 tables of 24 classes x 52 bytes (1256 bytes with the
//! table's fields), static. Concurrent calls
//! update the same class without locks: a lost update only delays learning,
//! lengthens a settling run by a call per thread, or doubles a gap once more
//! (a thread's split call recorded after another's serial call took over).
//!
//! **Pools.** Calls from inside a rayon worker (a caller's own pool, nested in
//! its tasks or not) learn in their own table, separate from calls that use
//! rayon's global pool, since the two pools differ (size, load). Inside a
//! caller's pool whose workers are all busy, a split runs mostly on the
//! calling thread, so it measures like serial and costs about as much.
//!
//! **Pinning.** `Parallelism::Serial` and `Parallelism::Parallel` (per call,
//! process-wide, or `LEAKY_RELU_PARALLELISM`) bypass this entirely, for
//! reproducible benchmarks and debugging: they run the two modes this module
//! chooses between (`Parallel` splits an adaptive-size call exactly as a
//! split chosen here does). Every mode gives bit-identical results.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// Serial or split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Serial = 0,
    Split = 1,
}

impl Mode {
    fn other(self) -> Mode {
        match self {
            Mode::Serial => Mode::Split,
            Mode::Split => Mode::Serial,
        }
    }
}

/// Size classes: `bytes` in `[2^(MIN_LOG2 + c), 2^(MIN_LOG2 + c + 1))` is class
/// `c`; the largest calls share the last class.
const CLASSES: usize = 24;
const FIRST_INTERVAL: u32 = 16;
const MAX_INTERVAL: u32 = 1024;
/// Most looks in a row at a mode slower than the chosen one, while each is
/// faster than the look before (the switch's cost wearing off).
const MAX_LOOKS: u32 = 6;
/// Length of a settling run of splits, in microseconds of the class's calls.
const SETTLE_US: u32 = 20_000;
/// A mode takes over from the chosen one only if its estimate is lower by
/// more than 1/`SWITCH_MARGIN` (6.25%) of the chosen one's (see the module docs).
const SWITCH_MARGIN: u32 = 16;
/// The time over which the chosen mode's estimate averages its calls
/// (nanoseconds; see the module docs): a call of `d` ns moves it by
/// `d / SMOOTH_NS` of a slower sample's excess (at most 1/8) and by 4x that
/// toward a faster one (at most 1/2).
const SMOOTH_NS: u64 = 4_000_000;
/// Calls of serial time (microseconds) before the first settling run after
/// splitting stopped paying; doubled after each run that left serial chosen,
/// or after split was chosen for less than this before serial took over. Also
/// how long split must stay chosen to have paid.
const FIRST_GAP_US: u32 = 32_000;
const MAX_GAP_US: u32 = 64_000_000;
/// A settling run stops early, after this many calls, if split's estimate is
/// still over `HOPELESS` times serial's.
const HOPELESS_CALLS: u32 = 8;
const HOPELESS: u64 = 4;

struct Class {
    /// Estimated femtoseconds per byte touched, serial and split; 0: no sample yet.
    cost: [AtomicU32; 2],
    /// Calls until the other mode is tried again.
    countdown: AtomicU32,
    /// The current exploration interval.
    interval: AtomicU32,
    /// Looks at the other mode so far in the current run of consecutive ones.
    looks: AtomicU32,
    /// The per-byte cost of the last look (read only within a run of looks).
    last_look: AtomicU32,
    /// Microseconds of calls recorded in this class (wrapping).
    spent: AtomicU32,
    /// The `spent` at which the next settling run is due (wrapping).
    next_run: AtomicU32,
    /// Microseconds to wait (in `spent`) before the next settling run.
    gap: AtomicU32,
    /// Microseconds left in the current settling run; 0: none under way.
    run_left: AtomicU32,
    /// Calls so far in the current settling run.
    run_calls: AtomicU32,
    /// The chosen mode (`Mode as u32`), which the other must beat by the margin.
    chosen: AtomicU32,
    /// Microseconds of calls split has run as the chosen mode since it last
    /// became it, counted up to `FIRST_GAP_US`; reset when serial takes over
    /// and when a settling run starts.
    paid: AtomicU32,
}

impl Class {
    const fn new() -> Self {
        Class {
            cost: [AtomicU32::new(0), AtomicU32::new(0)],
            countdown: AtomicU32::new(FIRST_INTERVAL),
            interval: AtomicU32::new(FIRST_INTERVAL),
            looks: AtomicU32::new(0),
            last_look: AtomicU32::new(0),
            spent: AtomicU32::new(0),
            next_run: AtomicU32::new(0),
            gap: AtomicU32::new(FIRST_GAP_US),
            run_left: AtomicU32::new(0),
            run_calls: AtomicU32::new(0),
            chosen: AtomicU32::new(Mode::Serial as u32),
            paid: AtomicU32::new(0),
        }
    }

    /// The chosen mode, after handing the choice to the other mode if its
    /// estimate beats the chosen one's by the margin ([`beats`]); serial
    /// until split has a sample. A switch starts the looks afresh: the mode
    /// left behind is looked at again `FIRST_INTERVAL` calls later, since a
    /// switch that no look led to (the chosen mode's own estimate rose past
    /// the other's) may come from a passing slowdown, and the other mode's
    /// estimate may be old.
    fn best(&self) -> Mode {
        let chosen = if self.chosen.load(Relaxed) == Mode::Split as u32 {
            Mode::Split
        } else {
            Mode::Serial
        };
        let other = chosen.other();
        let (mine, theirs) = (
            self.cost[chosen as usize].load(Relaxed),
            self.cost[other as usize].load(Relaxed),
        );
        if theirs != 0 && beats(theirs, mine) {
            self.chosen.store(other as u32, Relaxed);
            self.interval.store(FIRST_INTERVAL, Relaxed);
            self.countdown.store(FIRST_INTERVAL, Relaxed);
            self.looks.store(0, Relaxed);
            other
        } else {
            chosen
        }
    }
}

/// One table of classes; `min_log2` is the log2 of the smallest adaptive call.
pub(crate) struct Table {
    classes: [Class; CLASSES],
    min_log2: u32,
    /// [`SETTLE_US`], or 0 for no settling runs (the look tests).
    settle_us: u32,
}

/// A decision: the mode, whether it is an exploration of the other mode, and
/// whether it is part of a settling run of splits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Choice {
    pub(crate) mode: Mode,
    explore: bool,
    settle: bool,
    class: usize,
}

/// The estimate `old` moved toward `sample` by a call of `weight_ns`
/// (`u64::MAX` for a call counted in full): a faster sample by
/// `4 * weight_ns / SMOOTH_NS` of the difference, at most half (slow samples
/// come from interference: preemption, a woken vCPU; fast ones do not); a
/// slower one by `weight_ns / SMOOTH_NS`, at most an eighth, and counting at
/// most as twice the estimate (one preempted call cannot flip the choice, a
/// lasting slowdown, a busy core, moves it within a few calls or
/// milliseconds); and by at least one unit toward any sample that differs
/// (where that floor is the larger, the bias toward faster samples is gone).
fn blend(old: u32, sample: u32, weight_ns: u64) -> u32 {
    let (o, x) = (u64::from(old), u64::from(sample.min(old.saturating_mul(2))));
    // At least one unit (a femtosecond per byte, 0.01% of 1 MiB in 10 us)
    // toward a sample that differs: rounded down, a short call's share of a
    // small difference is 0, and the estimate of 1 MiB calls of 10 us would
    // not follow a lasting change of up to 4% (1% toward faster samples).
    let step = |diff: u64, weight: u64| (diff * weight / SMOOTH_NS).clamp(diff.min(1), diff);
    let moved = if x < o {
        o - step(o - x, weight_ns.saturating_mul(4).min(SMOOTH_NS / 2))
    } else {
        o + step(x - o, weight_ns.min(SMOOTH_NS / 8))
    };
    // Between `old` and `x`, both `u32`.
    moved as u32
}

/// Whether a per-byte cost `x` beats the chosen mode's `chosen` by more than
/// 1/[`SWITCH_MARGIN`] of it.
fn beats(x: u32, chosen: u32) -> bool {
    x < chosen - chosen / SWITCH_MARGIN
}

/// Whether the wrapping microsecond count `now` has reached `due` (both within
/// half the `u32` range, 35 minutes, of each other: gaps are at most 64 s).
fn reached(now: u32, due: u32) -> bool {
    (now.wrapping_sub(due) as i32) >= 0
}

impl Table {
    pub(crate) const fn new(min_bytes: usize) -> Self {
        Table {
            classes: [const { Class::new() }; CLASSES],
            min_log2: min_bytes.ilog2(),
            settle_us: SETTLE_US,
        }
    }

    /// A table without settling runs: the tests of the looks alone.
    #[cfg(test)]
    const fn without_settling(min_bytes: usize) -> Self {
        Table {
            settle_us: 0,
            ..Table::new(min_bytes)
        }
    }

    /// The mode for the next call touching `bytes` (at least the table's minimum).
    pub(crate) fn choose(&self, bytes: usize) -> Choice {
        let class = (bytes.max(1).ilog2().saturating_sub(self.min_log2) as usize).min(CLASSES - 1);
        let k = &self.classes[class];
        let pick = |mode, explore| Choice {
            mode,
            explore,
            settle: false,
            class,
        };
        if k.cost[0].load(Relaxed) == 0 {
            return pick(Mode::Serial, false);
        }
        let best = k.best();
        // A settling run under way, or due: serial is chosen and the last
        // split call (or run) was `gap` of this class's time ago.
        let left = k.run_left.load(Relaxed);
        if self.settle_us > 0
            && (left > 0
                || best == Mode::Serial && reached(k.spent.load(Relaxed), k.next_run.load(Relaxed)))
        {
            if left == 0 {
                k.run_left.store(self.settle_us, Relaxed);
                k.run_calls.store(0, Relaxed);
                // A split that was chosen before this run has had its chance.
                k.paid.store(0, Relaxed);
            }
            return Choice {
                settle: true,
                ..pick(Mode::Split, false)
            };
        }
        if k.cost[1].load(Relaxed) == 0 {
            return pick(Mode::Split, false);
        }
        match k.countdown.load(Relaxed) {
            0 => {
                k.countdown.store(k.interval.load(Relaxed), Relaxed);
                pick(best.other(), true)
            }
            n => {
                k.countdown.store(n - 1, Relaxed);
                pick(best, false)
            }
        }
    }

    /// Records that the call `choice` was made for, touching `bytes`, took `ns`.
    pub(crate) fn record(&self, choice: Choice, bytes: usize, ns: u64) {
        let k = &self.classes[choice.class];
        // Femtoseconds per byte: 1 MiB in 10 µs is about 9500.
        let per_byte = ns.saturating_mul(1_000_000) / bytes.max(1) as u64;
        let sample = per_byte.clamp(1, u64::from(u32::MAX / 4)) as u32;
        let slot = &k.cost[choice.mode as usize];
        let old = slot.load(Relaxed);
        let new = if old == 0 {
            sample
        } else if choice.explore || choice.settle {
            // A look or a settling run: a few calls of the other mode, each
            // with the most weight.
            blend(old, sample, u64::MAX)
        } else {
            // The chosen mode, on every call: weighted by the call's expected
            // time (from the estimate, so a slow call does not weigh more),
            // so a burst of slow calls (the first calls after the caller
            // paused) moves it by about the burst's expected duration /
            // `SMOOTH_NS` of their excess, not by an eighth a call; calls of
            // 0.5 ms or more still count an eighth each.
            let expected = u64::from(old).saturating_mul(bytes as u64) / 1_000_000;
            blend(old, sample, expected)
        };
        slot.store(new.max(1), Relaxed);
        let us = u32::try_from(ns / 1000).unwrap_or(u32::MAX);
        let spent = k.spent.load(Relaxed).wrapping_add(us);
        k.spent.store(spent, Relaxed);
        if choice.settle {
            self.settled(k, us, spent);
        } else if !choice.explore {
            self.scheduled(k, choice.mode, us, spent);
        }
        if choice.explore {
            // The other mode looked faster than the chosen one's average (by
            // the margin): look again at the next call, until its average has
            // moved past the chosen one's by the margin (each such call was
            // the faster one, so the looks cost nothing) or a look is not
            // faster by the margin. A look that was slower gets
            // another at the next call if it is the first, or faster than the
            // look before (up to `MAX_LOOKS`): the cost of the switch wearing
            // off (see the module docs). Else wait twice as long before the
            // next look.
            let chosen = k.cost[choice.mode.other() as usize].load(Relaxed);
            let looks = k.looks.load(Relaxed);
            let last = k.last_look.load(Relaxed);
            let settling = looks == 0 || (sample < last && looks + 1 < MAX_LOOKS);
            let (interval, countdown, looks) = if beats(sample, chosen) {
                if beats(new, chosen) {
                    (FIRST_INTERVAL, FIRST_INTERVAL, 0)
                } else {
                    (FIRST_INTERVAL, 0, looks + 1)
                }
            } else if settling {
                (k.interval.load(Relaxed), 0, looks + 1)
            } else {
                let i = (k.interval.load(Relaxed) * 2).min(MAX_INTERVAL);
                (i, i, 0)
            };
            k.last_look.store(sample, Relaxed);
            k.looks.store(looks, Relaxed);
            k.interval.store(interval, Relaxed);
            k.countdown.store(countdown, Relaxed);
        }
    }

    /// Moves the next settling run of `k` after a call of the chosen `mode`
    /// that took `us` microseconds (the class's time is now `spent`). While
    /// split is chosen, the run is due `gap` after its last call; once split
    /// has been chosen for `FIRST_GAP_US` of calls it has paid, and the gap
    /// is the first one again. Should serial take over before that (split won
    /// a run or a look, and lost again within a few calls: two modes within
    /// noise of each other, as with another process on the second core), the
    /// gap doubles, as after a run that split did not win.
    fn scheduled(&self, k: &Class, mode: Mode, us: u32, spent: u32) {
        match mode {
            Mode::Split => {
                let mut paid = k.paid.load(Relaxed);
                if paid < FIRST_GAP_US {
                    paid = k.paid.fetch_add(us, Relaxed).saturating_add(us);
                }
                let mut gap = k.gap.load(Relaxed);
                if paid >= FIRST_GAP_US && gap != FIRST_GAP_US {
                    gap = FIRST_GAP_US;
                    k.gap.store(gap, Relaxed);
                }
                k.next_run.store(spent.wrapping_add(gap), Relaxed);
            }
            // One read on the serial calls that follow; the swap lets one
            // thread alone act on the takeover.
            Mode::Serial if k.paid.load(Relaxed) != 0 => {
                let paid = k.paid.swap(0, Relaxed);
                if paid != 0 && paid < FIRST_GAP_US {
                    let gap = k.gap.load(Relaxed).saturating_mul(2).min(MAX_GAP_US);
                    k.gap.store(gap, Relaxed);
                    k.next_run.store(spent.wrapping_add(gap), Relaxed);
                }
            }
            Mode::Serial => {}
        }
    }

    /// Accounts a call of `us` microseconds of a settling run of `k`, whose
    /// time is now `spent`: the run ends when its calls have taken
    /// `settle_us`, or after `HOPELESS_CALLS` calls if split's estimate is
    /// still over `HOPELESS` times serial's. After it, the next run is due
    /// `gap` later: the same gap if split won (it is then the chosen mode,
    /// and `scheduled` decides once it has paid or lost), else twice the
    /// last, up to `MAX_GAP_US`.
    fn settled(&self, k: &Class, us: u32, spent: u32) {
        let left = k.run_left.load(Relaxed);
        if left == 0 {
            // Another thread's call ended the run: this one must not end it
            // again (doubling the gap once more) nor restart it.
            return;
        }
        let left = left.saturating_sub(us);
        let calls = k.run_calls.load(Relaxed).saturating_add(1);
        k.run_calls.store(calls, Relaxed);
        let (serial, split) = (k.cost[0].load(Relaxed), k.cost[1].load(Relaxed));
        let hopeless = calls >= HOPELESS_CALLS && u64::from(split) > HOPELESS * u64::from(serial);
        if left > 0 && !hopeless {
            k.run_left.store(left, Relaxed);
            return;
        }
        k.run_left.store(0, Relaxed);
        // If split won, the gap stays until it has paid or lost (`scheduled`).
        let gap = if k.best() == Mode::Split {
            k.paid.store(0, Relaxed);
            k.gap.load(Relaxed)
        } else {
            k.gap.load(Relaxed).saturating_mul(2).min(MAX_GAP_US)
        };
        k.gap.store(gap, Relaxed);
        k.next_run.store(spent.wrapping_add(gap), Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;
    // The tests of the looks use tables without settling runs (which would
    // add runs of splits to every scenario); the settling runs have their
    // own tests, at the end.

    /// Runs `calls` calls of `bytes` through `t`, the serial mode costing
    /// `serial(i)` ns and the split `split(i)` ns at call `i`; returns the modes.
    fn drive(
        t: &Table,
        bytes: usize,
        calls: usize,
        serial: impl Fn(usize) -> u64,
        split: impl Fn(usize) -> u64,
    ) -> Vec<Mode> {
        drive_after(t, bytes, calls, |i, mode, _| match mode {
            Mode::Serial => serial(i),
            Mode::Split => split(i),
        })
    }

    /// [`drive`] with one cost function of the call, its mode and the mode of
    /// the call before (`None` for the first).
    fn drive_after(
        t: &Table,
        bytes: usize,
        calls: usize,
        cost: impl FnMut(usize, Mode, Option<Mode>) -> u64,
    ) -> Vec<Mode> {
        drive_choices(t, bytes, calls, cost)
            .iter()
            .map(|c| c.mode)
            .collect()
    }

    /// [`drive_after`], returning the whole choices (a settling run's calls
    /// are marked).
    fn drive_choices(
        t: &Table,
        bytes: usize,
        calls: usize,
        mut cost: impl FnMut(usize, Mode, Option<Mode>) -> u64,
    ) -> Vec<Choice> {
        let mut choices: Vec<Choice> = Vec::with_capacity(calls);
        for i in 0..calls {
            let c = t.choose(bytes);
            t.record(c, bytes, cost(i, c.mode, choices.last().map(|c| c.mode)));
            choices.push(c);
        }
        choices
    }

    /// [`drive_after`] on a fresh table, 4 MiB calls: the first call (serial)
    /// is cold, 500 us; then split costs `split` ns, and the `k`-th serial
    /// call in a row after a split `serial(k)` ns (`k` from 0).
    fn drive_cold_serial(calls: usize, split: u64, serial: impl Fn(usize) -> u64) -> Vec<Mode> {
        let t = Table::without_settling(MIB);
        let mut streak = 0;
        drive_after(&t, 4 * MIB, calls, |i, mode, before| {
            streak = if before == Some(mode) { streak + 1 } else { 0 };
            match mode {
                Mode::Serial if i == 0 => 500_000,
                Mode::Serial => serial(streak),
                Mode::Split => split,
            }
        })
    }

    /// [`drive`] on a fresh table without settling runs: serial costs
    /// `serial` ns, split `split.0` ns, and `split.1` ns during the calls in
    /// `slow`.
    fn drive_split_slowed(
        bytes: usize,
        calls: usize,
        serial: u64,
        split: (u64, u64),
        slow: core::ops::Range<usize>,
    ) -> Vec<Mode> {
        let t = Table::without_settling(MIB);
        drive(
            &t,
            bytes,
            calls,
            |_| serial,
            |i| {
                if slow.contains(&i) { split.1 } else { split.0 }
            },
        )
    }

    fn count(modes: &[Mode], m: Mode) -> usize {
        modes.iter().filter(|&&x| x == m).count()
    }

    /// Calls of `choices` that ran `m` as the chosen mode (not as a look).
    fn count_chosen(choices: &[Choice], m: Mode) -> usize {
        choices.iter().filter(|c| c.mode == m && !c.explore).count()
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn learns_both_then_keeps_the_faster() {
        let t = Table::without_settling(MIB);
        let modes = drive(&t, 4 * MIB, 2000, |_| 50_000, |_| 25_000);
        assert_eq!(&modes[..2], &[Mode::Serial, Mode::Split]);
        // Explorations (two looks each) back off: 16, 32, ... 1024 calls apart.
        let serial = count(&modes, Mode::Serial);
        assert!((2..=16).contains(&serial), "{serial} serial calls of 2000");
        // The opposite machine.
        let t = Table::without_settling(MIB);
        let modes = drive(&t, 4 * MIB, 2000, |_| 25_000, |_| 50_000);
        let split = count(&modes, Mode::Split);
        assert!((1..=16).contains(&split), "{split} split calls of 2000");
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn notices_a_busy_core_and_its_end() {
        // Split is 2x faster, then (a busy core) 2x slower from call 3000 on,
        // then fast again from 6000 on.
        let modes = drive_split_slowed(8 * MIB, 9000, 100_000, (50_000, 200_000), 3000..6000);
        // Within one maximal interval (1024 calls) plus the averaging, the
        // choice follows the machine.
        assert!(count(&modes[4200..6000], Mode::Split) <= 4, "busy: serial");
        assert!(
            count(&modes[7200..9000], Mode::Serial) <= 4,
            "quiet again: split"
        );
    }

    #[test]
    fn a_slow_first_sample_is_corrected_at_the_first_look() {
        // The first split call is cold (3x the serial time), every later one
        // takes half the serial time: one interval, then a few looks in a row.
        let t = Table::without_settling(MIB);
        let cold = |i| if i == 1 { 150_000 } else { 25_000 };
        let modes = drive(&t, 4 * MIB, 200, |_| 50_000, cold);
        let first = modes[2..].iter().position(|&m| m == Mode::Split).unwrap() + 2;
        assert!(first <= 2 + FIRST_INTERVAL as usize + 1, "{modes:?}");
        assert!(count(&modes[first + 4..], Mode::Serial) <= 8, "{modes:?}");
    }

    #[test]
    fn a_split_after_serial_calls_gets_a_second_look() {
        // A split right after a serial call pays for waking the pool (3x the
        // serial time); one after a split takes half the serial time.
        let t = Table::without_settling(MIB);
        let modes = drive_after(&t, 4 * MIB, 300, |i, mode, before| match mode {
            Mode::Serial => 50_000,
            Mode::Split if before == Some(Mode::Split) || i == 0 => 25_000,
            Mode::Split => 150_000,
        });
        assert!(count(&modes[100..], Mode::Serial) <= 8, "{modes:?}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn a_switch_cost_that_wears_off_over_calls_is_looked_past() {
        // Serial is the faster mode (50 us against 65 us), but the very first
        // call is cold (10x), so split is chosen first, and the first serial
        // calls after a split cost 3x, 2x and 1.4x: two looks see only those;
        // looks that keep getting faster carry on until serial wins.
        let modes = drive_cold_serial(400, 65_000, |k| {
            [150_000, 100_000, 70_000, 50_000][k.min(3)]
        });
        assert!(count(&modes[100..], Mode::Split) <= 8, "{modes:?}");
        // A mode that is slower on every look, by the same amount, is looked
        // at twice per interval, as before.
        let t = Table::without_settling(MIB);
        let modes = drive(&t, 4 * MIB, 2000, |_| 65_000, |_| 50_000);
        assert!(count(&modes, Mode::Serial) <= 16, "{modes:?}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn looks_that_keep_getting_faster_stop_after_six() {
        // Serial gets faster at every look but never catches up with split:
        // at most `MAX_LOOKS` serial calls in a row, then the interval doubles.
        let modes = drive_cold_serial(3000, 50_000, |k| 200_000 - 1_000 * k as u64);
        let longest = modes[1..]
            .split(|&m| m == Mode::Split)
            .map(<[Mode]>::len)
            .max();
        assert_eq!(longest, Some(MAX_LOOKS as usize), "{modes:?}");
    }

    #[test]
    fn one_outlier_does_not_flip_the_choice() {
        let t = Table::without_settling(MIB);
        let modes = drive(
            &t,
            2 * MIB,
            500,
            |_| 25_000,
            |i| {
                if i == 100 { 25_000_000 } else { 15_000 }
            },
        );
        // Only the explorations' pairs of looks run serially: never three in a row.
        let longest = modes[101..]
            .split(|&m| m == Mode::Split)
            .map(<[Mode]>::len)
            .max();
        assert!(longest <= Some(2), "{modes:?}");
    }

    /// Calls of 4 MiB where serial costs `serial` ns and split `split` ns,
    /// each times a factor drawn from `[1, 1.05)` per call (deterministic);
    /// returns the modes of the calls that were not looks.
    fn drive_noisy(calls: usize, serial: u64, split: u64) -> Vec<Mode> {
        let t = Table::without_settling(MIB);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        drive_choices(&t, 4 * MIB, calls, |_, mode, _| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let base = if mode == Mode::Serial { serial } else { split };
            base + base * (seed % 50) / 1000
        })
        .iter()
        .filter(|c| !c.explore)
        .map(|c| c.mode)
        .collect()
    }

    /// How often the chosen mode changes.
    fn switches(modes: &[Mode]) -> usize {
        modes.windows(2).filter(|w| w[0] != w[1]).count()
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn modes_within_the_margin_keep_the_first_choice() {
        // Split 2% faster than serial, both with 5% of noise: the choice
        // settles once and stays (every switch would pay the transition).
        // Calls of 1 ms, which count in full (shorter ones are smoothed over
        // `SMOOTH_NS`, which alone keeps these from switching): without the
        // margin the choice changed 8 times in these calls.
        let modes = drive_noisy(5000, 1_000_000, 980_000);
        assert!(
            switches(&modes[2..]) <= 1,
            "{} switches",
            switches(&modes[2..])
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn a_mode_faster_by_more_than_the_margin_takes_over() {
        // Split 10% faster (beyond the margin, 6.25%, with the noise): chosen.
        let modes = drive_noisy(2000, 100_000, 90_000);
        assert!(count(&modes[100..], Mode::Serial) == 0, "{modes:?}");
        // And serial 10% faster: kept, split only ever looked at.
        let modes = drive_noisy(2000, 90_000, 100_000);
        assert!(count(&modes[100..], Mode::Split) == 0, "{modes:?}");
    }

    #[test]
    fn a_switch_without_looks_brings_the_next_look_close() {
        // Split (80 us, serial 100) is chosen and the interval has grown;
        // then split slows to 160 us for 60 calls: its own estimate rises past
        // serial's, which takes over. Once split is fast again it must be
        // looked at, and chosen, soon (the old interval was 256 calls).
        let modes = drive_split_slowed(4 * MIB, 800, 100_000, (80_000, 160_000), 500..560);
        assert!(
            count(&modes[500..560], Mode::Serial) > 30,
            "{:?}",
            &modes[500..560]
        );
        let back = modes[560..]
            .iter()
            .position(|&m| m == Mode::Split)
            .unwrap_or(modes.len());
        assert!(
            back <= 80,
            "split chosen again {back} calls after it was fast"
        );
        // Then only looks at serial, backing off again.
        let after = &modes[560 + back..];
        assert!(count(after, Mode::Serial) * 10 <= after.len(), "{after:?}");
    }

    #[test]
    fn classes_are_independent_and_saturate() {
        let t = Table::without_settling(MIB);
        // Small calls: serial wins; large calls: split wins.
        drive(&t, MIB, 200, |_| 10_000, |_| 90_000);
        drive(&t, 64 * MIB, 200, |_| 9_000_000, |_| 1_000_000);
        assert_eq!(t.choose(MIB + 1).mode, Mode::Serial);
        assert_eq!(t.choose(100 * MIB).mode, Mode::Split);
        // Beyond the last class, and at the minimum: no panic.
        let c = t.choose(usize::MAX);
        t.record(c, usize::MAX, u64::MAX);
        let c = t.choose(MIB);
        t.record(c, MIB, 0);
    }

    /// A split that runs slow (150 us, serial 50 us) once 5 ms of serial
    /// calls have passed since the last split, until 10 ms of splits in a row
    /// have run, and fast (35 us) after that: what a pool whose workers fell
    /// asleep did on a 2-vCPU VM. Returns the modes and whether each call
    /// was part of a settling run.
    fn drive_sleepy_pool(t: &Table, calls: usize) -> Vec<(Mode, bool)> {
        let (mut idle, mut warmth, mut cold) = (0u64, 0u64, true);
        let choices = drive_choices(t, 4 * MIB, calls, |_, mode, _| match mode {
            Mode::Serial => {
                idle += 50_000;
                if idle > 5_000_000 {
                    (cold, warmth) = (true, 0);
                }
                50_000
            }
            Mode::Split if cold => {
                warmth += 150_000;
                cold = warmth < 10_000_000;
                idle = 0;
                150_000
            }
            Mode::Split => {
                idle = 0;
                35_000
            }
        });
        choices.iter().map(|c| (c.mode, c.settle)).collect()
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn a_split_that_needs_a_sustained_run_to_settle_is_found() {
        // Short looks see only the slow splits, so without settling runs the
        // table keeps serial (the test fails if the runs are taken out).
        let t = Table::without_settling(MIB);
        let modes = drive_sleepy_pool(&t, 3000);
        assert!(modes[100..].iter().filter(|m| m.0 == Mode::Split).count() <= 40);
        // A settling run (20 ms) outlasts the slow phase: split is chosen.
        let t = Table::new(MIB);
        let modes = drive_sleepy_pool(&t, 3000);
        let serial = modes[1000..].iter().filter(|m| m.0 == Mode::Serial).count();
        assert!(serial <= 40, "{serial} serial calls of 2000");
    }

    /// `calls` calls of 4 MiB on a fresh table, serial costing `serial` ns
    /// and split `split` ns: each settling run's start (ns of calls before it)
    /// and length in calls, and the ns of all the calls.
    fn settling_runs(calls: usize, serial: u64, split: u64) -> (Vec<(u64, u32)>, u64) {
        let cost = |mode| if mode == Mode::Split { split } else { serial };
        let choices = drive_choices(&Table::new(MIB), 4 * MIB, calls, |_, m, _| cost(m));
        let (mut runs, mut spent, mut in_run) = (Vec::<(u64, u32)>::new(), 0u64, false);
        for c in choices {
            match runs.last_mut() {
                Some(run) if c.settle && in_run => run.1 += 1,
                _ if c.settle => runs.push((spent, 1)),
                _ => {}
            }
            in_run = c.settle;
            spent += cost(c.mode);
        }
        (runs, spent)
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn settling_runs_back_off_while_split_stays_slower() {
        // Split always costs twice serial (1 ms): over 20 s of calls the runs
        // (and looks) cost under 1%, ever less often (the gap doubles).
        let (runs, spent) = settling_runs(20_000, 1_000_000, 2_000_000);
        // About log2(20 s / 32 ms) runs of 20 ms each.
        assert!((8..=12).contains(&runs.len()), "{runs:?}");
        let extra = spent - 20_000 * 1_000_000;
        assert!(extra * 100 <= spent, "{extra} ns extra of {spent}");
        let gaps: Vec<u64> = runs.windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(gaps.windows(2).all(|g| g[1] > g[0]), "{gaps:?}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn a_hopeless_split_ends_a_settling_run_early() {
        // Split costs ten times serial: each run stops after 8 calls.
        let (runs, _) = settling_runs(20_000, 10_000, 100_000);
        assert!(runs.len() >= 2, "{runs:?}");
        assert!(runs.iter().all(|r| r.1 == HOPELESS_CALLS), "{runs:?}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn a_split_chosen_again_brings_the_first_gap_back() {
        // 20 s with split at 2x serial (1 ms): the gap grows to seconds. Then
        // split is faster for 3000 calls (a look finds it and it is chosen),
        // then slower again: the next run comes the first gap (32 ms) after
        // the last split, not seconds later.
        let t = Table::new(MIB);
        let mut first_serial = None;
        for i in 0..26_000 {
            let c = t.choose(4 * MIB);
            let split = if (20_000..23_000).contains(&i) {
                500_000
            } else {
                2_000_000
            };
            let ns = if c.mode == Mode::Split {
                split
            } else {
                1_000_000
            };
            t.record(c, 4 * MIB, ns);
            if i == 22_999 {
                assert_eq!(t.classes[2].best(), Mode::Split, "split chosen");
            }
            if i >= 23_000 && c.mode == Mode::Serial && first_serial.is_none() {
                first_serial = Some(i);
            }
            if let Some(s) = first_serial.filter(|_| c.settle) {
                assert!(i - s <= 40, "run {} calls after serial took over", i - s);
                return;
            }
        }
        panic!("no settling run after split stopped paying");
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn a_split_that_wins_runs_but_loses_when_chosen_backs_off() {
        // Serial costs 1 ms. Split wins each settling run (0.85 ms) and, once
        // chosen, runs at 1.3 ms, so serial takes over again within a few
        // calls: two modes within noise of each other. Over 20 s the runs
        // back off as for a split that never wins, instead of coming 32 ms
        // after each brief win (about 200 runs when the first gap came back
        // whenever split was chosen at all).
        let t = Table::new(MIB);
        let (mut runs, mut starts, mut in_run, mut spent) = (0, Vec::new(), false, 0u64);
        // Runs after which split was the chosen mode (at the next call).
        let mut won = 0;
        for _ in 0..20_000 {
            let c = t.choose(4 * MIB);
            let ns = match (c.mode, c.settle) {
                (Mode::Serial, _) => 1_000_000,
                (Mode::Split, true) => 850_000,
                (Mode::Split, false) => 1_300_000,
            };
            if c.settle && !in_run {
                runs += 1;
                starts.push(spent);
            }
            if in_run && !c.settle && !c.explore && c.mode == Mode::Split {
                won += 1;
            }
            in_run = c.settle;
            spent += ns;
            t.record(c, 4 * MIB, ns);
        }
        assert!(
            (8..=14).contains(&runs),
            "{runs} runs, starting at {starts:?}"
        );
        let gaps: Vec<u64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.windows(2).all(|g| g[1] > g[0]), "{gaps:?}");
        // Split won the runs (this is not a split that never wins).
        assert!(won + 1 >= runs, "split chosen after {won} of {runs} runs");
    }

    #[test]
    fn a_late_call_of_an_ended_run_changes_nothing() {
        // Two threads chose the same settling run; the first one's call ends
        // it (the gap doubles once), the second one's must not end it again.
        let t = Table::new(MIB);
        let c = t.choose(4 * MIB);
        t.record(c, 4 * MIB, 1_000_000);
        let (a, b) = (t.choose(4 * MIB), t.choose(4 * MIB));
        assert!(a.settle && b.settle);
        t.record(a, 4 * MIB, 25_000_000);
        let k = &t.classes[a.class];
        let (gap, due) = (k.gap.load(Relaxed), k.next_run.load(Relaxed));
        assert_eq!((gap, k.run_left.load(Relaxed)), (2 * FIRST_GAP_US, 0));
        t.record(b, 4 * MIB, 25_000_000);
        assert_eq!(k.gap.load(Relaxed), gap);
        assert_eq!(k.next_run.load(Relaxed), due);
        assert_eq!(k.run_left.load(Relaxed), 0);
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of simulated calls of safe code")]
    fn a_burst_of_slow_calls_after_a_pause_does_not_hand_over_the_choice() {
        // 1 MiB calls: split 50 us, serial 60 us; every 40th call starts a
        // burst (the caller paused) whose first three calls take 10x, 5x and
        // 3x, whatever the mode: 0.9 ms of slow calls, well under `SMOOTH_NS`.
        // Counted per call, they raised split's estimate by 42% and handed
        // the choice to serial after each burst.
        let t = Table::without_settling(MIB);
        let choices = drive_choices(&t, MIB, 2000, |i, mode, _| {
            let base = if mode == Mode::Split { 50_000 } else { 60_000 };
            base * [10, 5, 3].get(i % 40).copied().unwrap_or(1)
        });
        // Only looks run serially after the first bursts.
        assert_eq!(
            count_chosen(&choices[200..], Mode::Serial),
            0,
            "{:?}",
            choices[200..400].iter().map(|c| c.mode).collect::<Vec<_>>()
        );
        // And a lasting slowdown of split (2x from call 2000, 0.1 ms a call)
        // still hands it over within a few milliseconds of calls.
        let after = drive_choices(&t, MIB, 100, |_, mode, _| {
            if mode == Mode::Split { 100_000 } else { 60_000 }
        });
        // The first serial call that is not a look: the handover.
        let handover = after
            .iter()
            .position(|c| c.mode == Mode::Serial && !c.explore);
        assert!(handover.is_some_and(|h| h <= 40), "{after:?}");
        // And no split after it but looks.
        assert_eq!(
            count_chosen(&after[handover.unwrap_or(0)..], Mode::Split),
            0,
            "{after:?}"
        );
    }

    #[test]
    fn short_calls_follow_a_small_lasting_change() {
        // 1 MiB in 10 us is about 9537 fs per byte; calls that stay 3% slower
        // (or 1% faster) for 20 ms of 10 us calls move the estimate there.
        let follow = |sample: u32| (0..2000).fold(9537, |e, _| blend(e, sample, 10_000));
        assert!(follow(9823) >= 9800, "{}", follow(9823));
        assert!(follow(9442) <= 9460, "{}", follow(9442));
        // Toward a faster sample 4x the weight of a slower one: calls of
        // 100 us (2.5% and 10% a call) cover over twice the share of the
        // distance in 7 calls.
        let share = |sample: u32| {
            let e = (0..7).fold(10_000u32, |e, _| blend(e, sample, 100_000));
            f64::from(e.abs_diff(10_000)) / f64::from(sample.abs_diff(10_000))
        };
        assert!(
            share(5_000) > 2.0 * share(15_000),
            "{} {}",
            share(5_000),
            share(15_000)
        );
        // And never past the sample.
        assert_eq!(follow(9538), 9538);
        assert_eq!(follow(9536), 9536);
    }

    #[test]
    fn table_size_is_as_documented() {
        assert_eq!(core::mem::size_of::<Table>(), 1256);
    }

    #[test]
    fn wrapping_time_comparisons() {
        assert!(reached(5, u32::MAX - 3));
        assert!(!reached(u32::MAX - 3, 5));
        assert!(reached(7, 7));
        assert!(!reached(6, 7));
    }
}
