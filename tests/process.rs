//! Hostile processes, each scenario in a child process of its own: no thread can
//! be started (`prlimit --nproc=1`, as an unprivileged user), a `fork()`ed child
//! of a process whose large calls used rayon's global pool, calls from inside
//! rayon's `spawn_handler`, and the flush-to-zero / denormals-are-zero floating-point
//! environment. A hang fails the scenario after a deadline instead of blocking CI.
//!
//! `harness = false`: `main` is the parent unless `LEAKY_RELU_PROCESS_CHILD` names a
//! scenario. A scenario that cannot be set up here (no `prlimit`, no permission to
//! switch user, not Linux, emulated) is reported as skipped, unless
//! `LEAKY_RELU_REQUIRE_PROCESS_TESTS=1` (set by `.ci/run`) makes that a failure.

mod common;

use common::*;
use leaky_relu::{Options, PAR_THRESHOLD_BYTES, Parallelism, reference};
use std::process::ExitCode;

const CHILD_ENV: &str = "LEAKY_RELU_PROCESS_CHILD";
/// A child's first line on stderr: the test binary itself is running.
const STARTED: &str = "process-test child started";
/// A child's exit code for "this scenario's precondition does not hold here".
const NOT_SET_UP: u8 = 3;

fn main() -> ExitCode {
    if let Ok(name) = std::env::var(CHILD_ENV) {
        eprintln!("{STARTED}");
        let Some(&(_, run, _, _)) = SCENARIOS.iter().find(|s| s.0 == name) else {
            eprintln!("unknown scenario {name}");
            return ExitCode::FAILURE;
        };
        return match run() {
            Ok(Outcome::Passed) => ExitCode::SUCCESS,
            Ok(Outcome::NotSetUp(why)) => {
                eprintln!("{why}");
                ExitCode::from(NOT_SET_UP)
            }
            Err(e) => {
                eprintln!("{name}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    #[cfg(target_os = "linux")]
    return parent::run();
    #[cfg(not(target_os = "linux"))]
    {
        eprintln!("process: skipped (the scenarios need Linux: prlimit, fork, /proc)");
        ExitCode::SUCCESS
    }
}

enum Outcome {
    Passed,
    /// The scenario's precondition does not hold in this environment.
    NotSetUp(String),
}

type Scenario = fn() -> Result<Outcome, String>;

/// Name, function, the `prlimit --nproc` it runs under (as an unprivileged
/// user), and how many child processes run it (a race needs several tries).
const SCENARIOS: &[(&str, Scenario, Option<u32>, u32)] = &[
    ("no_threads", no_threads, Some(1), 1),
    ("first_calls_race", first_calls_race, Some(3), 10),
    ("fork", fork, None, 1),
    ("spawn_handler", spawn_handler, None, 1),
    ("fp_environment", fp_environment, None, 1),
];

/// Elements in a call large enough for `Auto` to split an in-place `f32` forward.
const LARGE: usize = PAR_THRESHOLD_BYTES / 4 + 1001;

fn check<T: F>(got: &[T], want: &[T], what: &str) -> Result<(), String> {
    match got.iter().zip(want).position(|(&g, &w)| !same(g, w)) {
        None if got.len() == want.len() => Ok(()),
        None => Err(format!("{what}: lengths {} and {}", got.len(), want.len())),
        Some(i) => Err(format!(
            "{what}: element {i} is {:#x}, the reference gives {:#x}",
            got[i].bits(),
            want[i].bits()
        )),
    }
}

/// Every operation, large enough to split under `Auto` and `Parallel`, against the
/// reference.
fn large_calls<T: F>(seed: u64, what: &str) -> Result<(), String> {
    let len = PAR_THRESHOLD_BYTES / core::mem::size_of::<T>() + 1001;
    let mut rng = Rng(seed);
    let x = values::<T>(&mut rng, len);
    let g = values::<T>(&mut rng, len);
    let alpha = T::from_f64(-0.25);
    let mut want = x.clone();
    reference::forward(&mut want, alpha);
    let mut gwant = g.clone();
    reference::backward(&mut gwant, &x, alpha).map_err(|e| e.to_string())?;
    for p in [Parallelism::Auto, Parallelism::Parallel] {
        let opts = Options::new().with_parallelism(p);
        let what = format!("{what}, {} {p}", T::NAME);
        let mut y = x.clone();
        opts.forward(&mut y, alpha);
        check(&y, &want, &format!("{what} forward"))?;
        let mut gg = g.clone();
        opts.backward(&mut gg, &x, alpha)
            .map_err(|e| e.to_string())?;
        check(&gg, &gwant, &format!("{what} backward"))?;
        let mut out = vec![T::default(); len];
        opts.forward_into(&mut out, &x, alpha)
            .map_err(|e| e.to_string())?;
        check(&out, &want, &format!("{what} forward_into"))?;
        opts.backward_into(&mut out, &g, &x, alpha)
            .map_err(|e| e.to_string())?;
        check(&out, &gwant, &format!("{what} backward_into"))?;
        let mut y = x.clone();
        let mut mask = vec![0u8; leaky_relu::mask_len(len)];
        opts.forward_with_mask(&mut y, alpha, &mut mask)
            .map_err(|e| e.to_string())?;
        check(&y, &want, &format!("{what} forward_with_mask"))?;
        let mut gg = g.clone();
        opts.backward_from_mask(&mut gg, &mask, alpha)
            .map_err(|e| e.to_string())?;
        check(&gg, &gwant, &format!("{what} backward_from_mask"))?;
    }
    Ok(())
}

/// Run under `prlimit --nproc=1` as an unprivileged user: no thread can start, so
/// rayon's global pool cannot be built. Every large call must still run (serially)
/// and be right, not only the first.
fn no_threads() -> Result<Outcome, String> {
    if std::thread::Builder::new().spawn(|| ()).is_ok() {
        return Ok(Outcome::NotSetUp(
            "a thread could be started: the thread limit is not in effect".into(),
        ));
    }
    for round in 0..3 {
        large_calls::<f32>(round, &format!("round {round}"))?;
        large_calls::<f64>(round + 10, &format!("round {round}"))?;
    }
    Ok(Outcome::Passed)
}

/// Under `prlimit --nproc=3`: this process and two threads, which make their
/// first large calls at once; rayon's global pool cannot start its workers.
/// Neither call may panic (the one that does not resolve the pool must not ask
/// rayon, whose failed global pool panics), and both must be right.
fn first_calls_race() -> Result<Outcome, String> {
    use std::sync::{Arc, Barrier};
    let barrier = Arc::new(Barrier::new(2));
    let spawn = |seed: u64| {
        let b = Arc::clone(&barrier);
        std::thread::Builder::new().spawn(move || {
            b.wait();
            large_calls::<f32>(seed, "a concurrent first call")
        })
    };
    let (a, b) = match (spawn(1), spawn(2)) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return Ok(Outcome::NotSetUp("two threads could not be started".into())),
    };
    if std::thread::Builder::new().spawn(|| ()).is_ok() {
        return Ok(Outcome::NotSetUp(
            "a third thread could be started: the thread limit is not in effect".into(),
        ));
    }
    for t in [a, b] {
        t.join()
            .map_err(|_| "a first call panicked".to_string())??;
    }
    Ok(Outcome::Passed)
}

/// The parent makes large calls (they start rayon's global pool and run on it),
/// then forks; the child's large call must return, and be right, although the
/// pool's workers do not exist in the child.
#[cfg(unix)]
fn fork() -> Result<Outcome, String> {
    use std::time::{Duration, Instant};
    // The parent runs with `RAYON_NUM_THREADS=2`, so its large calls split.
    #[cfg(feature = "rayon")]
    if rayon::current_num_threads() < 2 {
        return Ok(Outcome::NotSetUp("the global pool has one thread".into()));
    }
    let x = values::<f32>(&mut Rng(7), LARGE);
    let mut want = x.clone();
    reference::forward(&mut want, 0.5);
    let mut y = x.clone();
    leaky_relu::forward(&mut y, 0.5);
    check(&y, &want, "the parent's call before the fork")?;
    // Everything the child touches is allocated before the fork.
    let mut in_child = x.clone();
    let mut in_child_parallel = x.clone();
    let parallel = Options::new().with_parallelism(Parallelism::Parallel);
    // SAFETY: the child only calls the crate on buffers allocated above, compares,
    // and leaves with `_exit`, which runs no destructors or atexit handlers.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        leaky_relu::forward(&mut in_child, 0.5);
        parallel.forward(&mut in_child_parallel, 0.5);
        let ok = in_child.iter().zip(&want).all(|(&a, &b)| same(a, b))
            && in_child_parallel
                .iter()
                .zip(&want)
                .all(|(&a, &b)| same(a, b));
        // SAFETY: ends the forked child at once, as a forked child should.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let mut status = 0;
        // SAFETY: waits for our own child, without blocking.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break status;
        }
        if r < 0 {
            return Err(format!("waitpid: {}", std::io::Error::last_os_error()));
        }
        if Instant::now() > deadline {
            // SAFETY: kills and reaps our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return Err("the forked child's large call hung for 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!(
            "the forked child gave wrong results (status {status:#x})"
        ));
    }
    // The parent's pool is unaffected by the fork.
    large_calls::<f32>(8, "the parent after the fork")?;
    Ok(Outcome::Passed)
}

#[cfg(not(unix))]
fn fork() -> Result<Outcome, String> {
    Ok(Outcome::NotSetUp("no fork() here".into()))
}

/// Inside the `spawn_handler` of `build_global`, rayon is building the global pool
/// on this very thread: what the crate documents as safe there (small calls, and
/// large calls with `Parallelism::Serial`) must work; after the build, large calls
/// use the pool. A non-global pool's `spawn_handler` may make large `Auto` calls.
#[cfg(feature = "rayon")]
fn spawn_handler() -> Result<Outcome, String> {
    use std::sync::Mutex;
    let failures = Mutex::new(Vec::<String>::new());
    let record = |r: Result<(), String>| {
        if let Err(e) = r {
            failures.lock().unwrap_or_else(|p| p.into_inner()).push(e);
        }
    };
    let x = values::<f32>(&mut Rng(11), LARGE);
    let mut want = x.clone();
    reference::forward(&mut want, -2.0);
    let serial = Options::new().with_parallelism(Parallelism::Serial);
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .spawn_handler(|thread| {
            let mut small = x[..1000].to_vec();
            leaky_relu::forward(&mut small, -2.0);
            record(check(
                &small,
                &want[..1000],
                "small call in build_global's handler",
            ));
            let mut large = x.clone();
            serial.forward(&mut large, -2.0);
            record(check(
                &large,
                &want,
                "serial call in build_global's handler",
            ));
            std::thread::Builder::new().spawn(|| thread.run())?;
            Ok(())
        })
        .build_global()
        .map_err(|e| format!("build_global: {e}"))?;
    large_calls::<f32>(12, "after build_global")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .spawn_handler(|thread| {
            let mut large = x.clone();
            leaky_relu::forward(&mut large, -2.0);
            record(check(&large, &want, "auto call in a local pool's handler"));
            std::thread::Builder::new().spawn(|| thread.run())?;
            Ok(())
        })
        .build()
        .map_err(|e| format!("build: {e}"))?;
    pool.install(|| large_calls::<f32>(13, "inside the local pool"))?;
    let failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    match failures.first() {
        Some(e) => Err(e.clone()),
        None => Ok(Outcome::Passed),
    }
}

#[cfg(not(feature = "rayon"))]
fn spawn_handler() -> Result<Outcome, String> {
    Ok(Outcome::NotSetUp(
        "built without the `rayon` feature".into(),
    ))
}

/// Flush-to-zero and denormals-are-zero, as a `-ffast-math` library leaves them.
/// Rust treats a non-default environment as undefined behaviour, so the crate can
/// only document what happens; this checks what the documentation says: every
/// element with no tiny operand or product is still bit-identical to the
/// default-environment reference, for every kernel, and the two examples hold.
#[cfg(target_arch = "x86_64")]
fn fp_environment() -> Result<Outcome, String> {
    use leaky_relu::Kernel;
    const FTZ_DAZ: u32 = (1 << 15) | (1 << 6);
    fn mxcsr() -> u32 {
        let mut v = 0u32;
        // SAFETY: stores MXCSR into a local.
        unsafe { core::arch::asm!("stmxcsr [{}]", in(reg) &mut v, options(nostack)) };
        v
    }
    fn set_mxcsr(v: u32) {
        // SAFETY: loads MXCSR from a local holding valid control bits. This is the
        // non-default environment the scenario is about (see the function's docs).
        unsafe { core::arch::asm!("ldmxcsr [{}]", in(reg) &v, options(nostack)) };
    }
    let saved = mxcsr();
    // What each kernel gives under FTZ/DAZ, per element: forward and backward.
    fn under_ftz<T: F>(k: Kernel, x: &[T], g: &[T], alpha: T, env: u32) -> (Vec<T>, Vec<T>) {
        let opts = Options::new()
            .with_kernel(k)
            .expect("available")
            .with_parallelism(Parallelism::Serial);
        let (mut y, mut gg) = (x.to_vec(), g.to_vec());
        set_mxcsr(env | FTZ_DAZ);
        opts.forward(&mut y, alpha);
        let r = opts.backward(&mut gg, x, alpha);
        set_mxcsr(env);
        r.expect("same lengths");
        (y, gg)
    }
    fn sweep<T: F>(env: u32) -> Result<(), String> {
        let mut rng = Rng(5);
        let mut x = T::specials();
        x.extend(values::<T>(&mut rng, 2000));
        let g: Vec<T> = x.iter().rev().copied().collect();
        for alpha in alphas::<T>() {
            let mut want = x.clone();
            reference::forward(&mut want, alpha);
            let mut gwant = g.clone();
            reference::backward(&mut gwant, &x, alpha).expect("same lengths");
            for k in Kernel::available() {
                let (y, gg) = under_ftz(k, &x, &g, alpha, env);
                for i in 0..x.len() {
                    let what = format!("{} {k} alpha {alpha} x {:#x}", T::NAME, x[i].bits());
                    let fwd_tiny = x[i].tiny() || alpha.tiny() || (alpha * x[i]).tiny();
                    if !fwd_tiny && !same(y[i], want[i]) {
                        return Err(format!("{what}: forward changed by FTZ/DAZ"));
                    }
                    let bwd_tiny =
                        x[i].tiny() || g[i].tiny() || alpha.tiny() || (g[i] * alpha).tiny();
                    if !bwd_tiny && !same(gg[i], gwant[i]) {
                        return Err(format!("{what}: backward changed by FTZ/DAZ"));
                    }
                }
            }
        }
        Ok(())
    }
    sweep::<f32>(saved)?;
    sweep::<f64>(saved)?;
    // The documentation's examples. `black_box` keeps LLVM from folding
    // `1 * x` to `x` (it may, assuming the default environment).
    let x = [f32::from_bits(0x8000_0001)];
    set_mxcsr(saved | FTZ_DAZ);
    let product = std::hint::black_box(1.0f32) * std::hint::black_box(x[0]);
    set_mxcsr(saved);
    if product.to_bits() != 0x8000_0000 {
        return Err(format!("1 * x under FTZ/DAZ: {:#x}", product.to_bits()));
    }
    for k in Kernel::available() {
        let (y, _) = under_ftz(k, &x, &x, 1.0, saved);
        if y[0].to_bits() != 0x8000_0001 {
            return Err(format!("{k}, alpha 1: {:#x}", y[0].to_bits()));
        }
    }
    for k in [Kernel::Avx2, Kernel::Portable] {
        if k.is_available() {
            let (y, _) = under_ftz(k, &[f32::from_bits(1)], &[1.0], 1.5, saved);
            if y[0].to_bits() != 0 {
                return Err(format!("{k}, alpha 1.5, x = 0x1: {:#x}", y[0].to_bits()));
            }
        }
    }
    if mxcsr() != saved {
        return Err("MXCSR not restored".into());
    }
    Ok(Outcome::Passed)
}

#[cfg(not(target_arch = "x86_64"))]
fn fp_environment() -> Result<Outcome, String> {
    Ok(Outcome::NotSetUp(
        "FTZ/DAZ is checked on x86_64 (MXCSR)".into(),
    ))
}

/// Starts each scenario in a child process, with a deadline, and reports.
#[cfg(target_os = "linux")]
mod parent {
    use super::*;

    const REQUIRE_ENV: &str = "LEAKY_RELU_REQUIRE_PROCESS_TESTS";
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    enum Result {
        Passed(String),
        Skipped(String),
        Failed(String),
    }

    pub fn run() -> ExitCode {
        if cfg!(miri) {
            eprintln!("process: skipped (the scenarios start child processes; not under Miri)");
            return ExitCode::SUCCESS;
        }
        let require = std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1");
        let mut failed = false;
        for &(name, _, limit, runs) in SCENARIOS {
            let mut result = scenario(name, limit);
            for _ in 1..runs {
                if !matches!(result, Result::Passed(_)) {
                    break;
                }
                result = scenario(name, limit);
            }
            if let (Result::Passed(how), 2..) = (&mut result, runs) {
                how.push_str(&format!(", {runs} runs"));
            }
            let (tag, text) = match &result {
                Result::Passed(how) => ("ok", how.clone()),
                Result::Skipped(why) if require => (
                    "FAILED",
                    format!("{why} (skipping refused: {REQUIRE_ENV}=1)"),
                ),
                Result::Skipped(why) => ("skipped", why.clone()),
                Result::Failed(why) => ("FAILED", why.clone()),
            };
            failed |= tag == "FAILED";
            eprintln!("process: {name} ... {tag}: {text}");
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    fn scenario(name: &str, limit: Option<u32>) -> Result {
        let exe = match std::env::current_exe() {
            Ok(e) => e,
            Err(e) => return Result::Skipped(format!("current_exe: {e}")),
        };
        let mut how = "in a child process".to_string();
        let mut cmd;
        let _copy;
        if let Some(limit) = limit {
            // RLIMIT_NPROC counts the user's threads; root is exempt, so the child
            // runs as `nobody`, from a copy of this binary that `nobody` can execute.
            let root = std::fs::metadata("/proc/self").is_ok_and(|m| {
                use std::os::unix::fs::MetadataExt;
                m.uid() == 0
            });
            let copy = match Copy::new(&exe) {
                Ok(c) => c,
                Err(e) => return Result::Skipped(format!("copying the test binary: {e}")),
            };
            cmd = Command::new("prlimit");
            cmd.arg(format!("--nproc={limit}")).arg("--").arg(&copy.0);
            how = format!("under prlimit --nproc={limit}");
            if root {
                use std::os::unix::process::CommandExt;
                cmd.uid(65534).gid(65534);
                how = format!("as uid 65534 {how}");
            }
            _copy = Some(copy);
        } else {
            cmd = Command::new(&exe);
            _copy = None;
        }
        // LeakSanitizer's exit-time check needs a thread; the ASan run is about memory.
        // Two workers, so the parent's large calls in `fork` really split.
        cmd.env(CHILD_ENV, name)
            .env("RAYON_NUM_THREADS", "2")
            .env("ASAN_OPTIONS", "detect_leaks=0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => return Result::Skipped(format!("cannot start {:?}: {e}", cmd.get_program())),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if Instant::now() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Result::Failed("hung: no exit within 120 s".into());
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Result::Failed(format!("wait: {e}")),
            }
        };
        let mut err = String::new();
        if let Some(mut s) = child.stderr.take() {
            use std::io::Read;
            let _ = s.read_to_string(&mut err);
        }
        let err = err.trim().to_string();
        let said = err.replacen(STARTED, "", 1).trim().to_string();
        match status.code() {
            Some(0) => Result::Passed(how),
            Some(c) if c == i32::from(NOT_SET_UP) => Result::Skipped(said),
            // `prlimit` or the user switch failed before the test binary ran.
            _ if !err.contains(STARTED) => Result::Skipped(format!(
                "the test binary did not start {how} ({status}; an emulated run cannot start it natively): {err}"
            )),
            _ => Result::Failed(format!("{status}: {said}")),
        }
    }

    /// A copy of the test binary in a fresh directory anyone may read and run.
    struct Copy(std::path::PathBuf);
    impl Copy {
        fn new(exe: &std::path::Path) -> std::io::Result<Copy> {
            use std::os::unix::fs::PermissionsExt;
            let dir =
                std::env::temp_dir().join(format!("leaky-relu-process-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
            let path = dir.join("process-test");
            std::fs::copy(exe, &path)?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
            Ok(Copy(path))
        }
    }
    impl Drop for Copy {
        fn drop(&mut self) {
            if let Some(dir) = self.0.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}
