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
//! calls. Each call runs the mode with the lower estimate. The first call of a
//! class runs serially and the second split, to have both; after that the other
//! mode is tried once every `interval` calls to notice a change (another
//! process took a core, or left). An exploration slower than the chosen mode's
//! estimate doubles `interval` (16 up to 1024 calls); a faster one resets it to
//! 16 and explores again at the very next call, and so on until the explored
//! mode's estimate is below the chosen one's (it is then chosen) or a look is
//! slower. Those looks cost nothing, since each was the faster call, and they
//! move the estimate within a few calls: one slow first sample of a mode (a
//! cold pool, a page fault) is corrected at its first exploration instead of
//! over several intervals. A first look that is slower gets a second one at the
//! next call before the interval doubles, and so does each later look that is
//! faster than the one before it (up to six in a row): the first calls after
//! a switch pay for it, which is not what the mode costs while calls keep
//! coming. After a run of serial calls the pool's workers sleep, and the first
//! split pays for waking them (on a VM, halted virtual CPUs); after a run of
//! splits, the first serial calls of 1 Mi `f32` ran 1.3-3x slower than the
//! ones after them for 2 to 15 calls on a 2-vCPU Zen 3 (a cost that lasts
//! longer than six looks still keeps the other mode). A stable machine thus
//! pays for two or three calls in 1024 in the slower mode (more looks only
//! while noise makes each look faster than the last); the chosen mode is
//! measured on every call, so its slowing down is seen within a few calls. Two modes whose averages are within noise may trade
//! places; that costs nothing, since either is as fast.
//!
//! **Cost and memory.** Two `Instant::now()` per adaptive call (tens of ns
//! against the microseconds of a call of 1 MiB or more) and a few relaxed
//! atomics; 2 x 4 tables of 24 classes x 24 bytes (580 bytes with
//! the table's minimum), static. Concurrent calls
//! update the same class without locks: a lost update only delays learning.
//!
//! **Pools.** Calls from inside a rayon worker (a caller's own pool, nested in
//! its tasks or not) learn in their own table, separate from calls that use
//! rayon's global pool, since the two pools differ (size, load). Inside a
//! caller's pool whose workers are all busy, a split runs mostly on the
//! calling thread, so it measures like serial and costs about as much.
//!
//! **Pinning.** `Parallelism::Serial` and `Parallelism::Parallel` (per call,
//! process-wide, or `LEAKY_RELU_PARALLELISM`) bypass this entirely, for
//! reproducible benchmarks and debugging. Every mode gives bit-identical
//! results.

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
}

impl Class {
    const fn new() -> Self {
        Class {
            cost: [AtomicU32::new(0), AtomicU32::new(0)],
            countdown: AtomicU32::new(FIRST_INTERVAL),
            interval: AtomicU32::new(FIRST_INTERVAL),
            looks: AtomicU32::new(0),
            last_look: AtomicU32::new(0),
        }
    }

    /// The mode with the lower average (serial on a tie or with no samples).
    fn best(&self) -> Mode {
        let (s, p) = (self.cost[0].load(Relaxed), self.cost[1].load(Relaxed));
        if p != 0 && p < s {
            Mode::Split
        } else {
            Mode::Serial
        }
    }
}

/// One table of classes; `min_log2` is the log2 of the smallest adaptive call.
pub(crate) struct Table {
    classes: [Class; CLASSES],
    min_log2: u32,
}

/// A decision: the mode, and whether it is an exploration of the other mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Choice {
    pub(crate) mode: Mode,
    explore: bool,
    class: usize,
}

impl Table {
    pub(crate) const fn new(min_bytes: usize) -> Self {
        Table {
            classes: [const { Class::new() }; CLASSES],
            min_log2: min_bytes.ilog2(),
        }
    }

    /// The mode for the next call touching `bytes` (at least the table's minimum).
    pub(crate) fn choose(&self, bytes: usize) -> Choice {
        let class = (bytes.max(1).ilog2().saturating_sub(self.min_log2) as usize).min(CLASSES - 1);
        let k = &self.classes[class];
        let pick = |mode, explore| Choice {
            mode,
            explore,
            class,
        };
        if k.cost[0].load(Relaxed) == 0 {
            return pick(Mode::Serial, false);
        }
        if k.cost[1].load(Relaxed) == 0 {
            return pick(Mode::Split, false);
        }
        let best = k.best();
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
        } else if sample < old {
            // A fast sample pulls the average halfway: slow samples come from
            // interference (preemption, a woken vCPU), fast ones do not.
            old / 2 + sample / 2
        } else {
            // A slow one by an eighth, and counts at most as twice the
            // average: one preempted call cannot flip the choice, a lasting
            // slowdown (a busy core) moves it within a few calls.
            let x = sample.min(old.saturating_mul(2));
            old - old / 8 + x / 8
        };
        slot.store(new.max(1), Relaxed);
        if choice.explore {
            // The other mode looked faster than the chosen one's average: look
            // again at the next call, until its average has moved past the
            // chosen one's (each such call was the faster one, so the looks
            // cost nothing) or a look is slower. A look that was slower gets
            // another at the next call if it is the first, or faster than the
            // look before (up to `MAX_LOOKS`): the cost of the switch wearing
            // off (see the module docs). Else wait twice as long before the
            // next look.
            let chosen = k.cost[choice.mode.other() as usize].load(Relaxed);
            let looks = k.looks.load(Relaxed);
            let last = k.last_look.load(Relaxed);
            let settling = looks == 0 || (sample < last && looks + 1 < MAX_LOOKS);
            let (interval, countdown, looks) = if sample < chosen {
                if new < chosen {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

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
        cost: impl Fn(usize, Mode, Option<Mode>) -> u64,
    ) -> Vec<Mode> {
        let mut modes = Vec::with_capacity(calls);
        for i in 0..calls {
            let c = t.choose(bytes);
            t.record(c, bytes, cost(i, c.mode, modes.last().copied()));
            modes.push(c.mode);
        }
        modes
    }

    /// [`drive_after`] on a fresh table, 4 MiB calls: the first call (serial)
    /// is cold, 500 us; then split costs `split` ns, and the `k`-th serial
    /// call in a row after a split `serial(k)` ns (`k` from 0).
    fn drive_cold_serial(calls: usize, split: u64, serial: impl Fn(usize) -> u64) -> Vec<Mode> {
        let t = Table::new(MIB);
        let streak = core::cell::Cell::new(0);
        drive_after(&t, 4 * MIB, calls, |i, mode, before| {
            let k = if before == Some(mode) {
                streak.get() + 1
            } else {
                0
            };
            streak.set(k);
            match mode {
                Mode::Serial if i == 0 => 500_000,
                Mode::Serial => serial(k),
                Mode::Split => split,
            }
        })
    }

    fn count(modes: &[Mode], m: Mode) -> usize {
        modes.iter().filter(|&&x| x == m).count()
    }

    #[test]
    fn learns_both_then_keeps_the_faster() {
        let t = Table::new(MIB);
        let modes = drive(&t, 4 * MIB, 2000, |_| 50_000, |_| 25_000);
        assert_eq!(&modes[..2], &[Mode::Serial, Mode::Split]);
        // Explorations (two looks each) back off: 16, 32, ... 1024 calls apart.
        let serial = count(&modes, Mode::Serial);
        assert!((2..=16).contains(&serial), "{serial} serial calls of 2000");
        // The opposite machine.
        let t = Table::new(MIB);
        let modes = drive(&t, 4 * MIB, 2000, |_| 25_000, |_| 50_000);
        let split = count(&modes, Mode::Split);
        assert!((1..=16).contains(&split), "{split} split calls of 2000");
    }

    #[test]
    fn notices_a_busy_core_and_its_end() {
        let t = Table::new(MIB);
        // Split is 2x faster, then (a busy core) 2x slower from call 3000 on,
        // then fast again from 6000 on.
        let slow = |i: usize| (3000..6000).contains(&i);
        let modes = drive(
            &t,
            8 * MIB,
            9000,
            |_| 100_000,
            |i| {
                if slow(i) { 200_000 } else { 50_000 }
            },
        );
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
        let t = Table::new(MIB);
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
        let t = Table::new(MIB);
        let modes = drive_after(&t, 4 * MIB, 300, |i, mode, before| match mode {
            Mode::Serial => 50_000,
            Mode::Split if before == Some(Mode::Split) || i == 0 => 25_000,
            Mode::Split => 150_000,
        });
        assert!(count(&modes[100..], Mode::Serial) <= 8, "{modes:?}");
    }

    #[test]
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
        let t = Table::new(MIB);
        let modes = drive(&t, 4 * MIB, 2000, |_| 65_000, |_| 50_000);
        assert!(count(&modes, Mode::Serial) <= 16, "{modes:?}");
    }

    #[test]
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
        let t = Table::new(MIB);
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

    #[test]
    fn classes_are_independent_and_saturate() {
        let t = Table::new(MIB);
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
}
