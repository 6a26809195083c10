//! Shared by the bench binaries: the seeded input data, the sampling `setup`
//! of the kernel benches, and `with_simd!`, which
//! compiles a roofline loop for the widest vectors the CPU has (a
//! subdirectory, so cargo does not take it for a bench target of its own).

/// `n` seeded values in [-4, 4), about half negative, converted by `from`.
pub fn data<T>(n: usize, seed: u64, from: fn(f64) -> T) -> Vec<T> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            from(((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 8.0)
        })
        .collect()
}

/// `f` compiled with AVX-512F when `$w512` and the CPU has it, else with AVX2 when
/// the CPU has that (the roofline loops), else as is.
#[allow(unused_macros)]
macro_rules! with_simd {
    ($w512:expr, fn $name:ident($($arg:ident: $ty:ty),*) $body:block) => {{
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            if $w512 && std::is_x86_feature_detected!("avx512f") {
                #[target_feature(enable = "avx512f")]
                fn wide($($arg: $ty),*) $body
                // SAFETY: AVX-512F was detected just above.
                return unsafe { wide($($arg),*) };
            }
            if std::is_x86_feature_detected!("avx2") {
                #[target_feature(enable = "avx2")]
                fn $name($($arg: $ty),*) $body
                // SAFETY: AVX2 was detected just above.
                return unsafe { $name($($arg),*) };
            }
        }
        let _ = $w512;
        fn plain($($arg: $ty),*) $body
        plain($($arg),*)
    }};
}

/// Criterion's sampling for a group: fewer, longer samples from 16 Mi elements
/// (`big`), where one call takes milliseconds.
#[allow(dead_code)]
pub fn setup<M: criterion::measurement::Measurement>(
    g: &mut criterion::BenchmarkGroup<'_, M>,
    big: bool,
) {
    if big {
        g.sample_size(10)
            .warm_up_time(std::time::Duration::from_millis(300))
            .measurement_time(std::time::Duration::from_secs(2));
    } else {
        g.sample_size(20)
            .warm_up_time(std::time::Duration::from_millis(200))
            .measurement_time(std::time::Duration::from_millis(600));
    }
}
