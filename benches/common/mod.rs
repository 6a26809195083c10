//! Shared by the bench binaries: the seeded input data (a subdirectory, so cargo
//! does not take it for a bench target of its own).

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
