//! Whether this x86 CPU, and its operating system, support AVX2, F16C and AVX-512F:
//! through `std`'s cached detection when the `std` feature is on, and through
//! CPUID and XGETBV, cached in one atomic, without it (UEFI applications,
//! kernels, bare metal).
//!
//! Why not a crate: `cpufeatures` answers `false` on `target_os = "uefi"` and
//! `"none"` by design (its source: "Freestanding and UEFI targets do not
//! support SIMD features with default compilation flags"), which is the one
//! place this path exists for; `raw-cpuid` decodes CPUID but not XGETBV (the
//! OS half, which must be written anyway) and, since a dependency cannot depend
//! on a feature being *off*, would enter every x86 build's tree for two bits.
//! The whole of it is `detect_without_std` below; the unit test checks it
//! against `std`'s answer on every CPU that runs the tests.

#[cfg(target_arch = "x86")]
use core::arch::x86::{__cpuid, __cpuid_count, _xgetbv};
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::{__cpuid, __cpuid_count, _xgetbv};

/// `$name()`: the CPU runs `$feature` instructions and the OS saves their
/// registers (std's cached check, or `$bit` of [`detect_without_std`]).
macro_rules! feature {
    ($(#[$doc:meta])* $name:ident, $feature:tt, $bit:ident) => {
        $(#[$doc])*
        #[inline]
        pub(crate) fn $name() -> bool {
            #[cfg(feature = "std")]
            return std::is_x86_feature_detected!($feature);
            #[cfg(not(feature = "std"))]
            return cfg!(target_feature = $feature) || cached() & $bit != 0;
        }
    };
}

feature!(
    /// The CPU runs AVX2 instructions and the OS saves the `ymm` registers.
    avx2, "avx2", AVX2
);
feature!(
    /// The CPU runs F16C instructions (`vcvtph2ps`, `vcvtps2ph`; they use the
    /// `ymm` registers, so check it together with [`avx2`]).
    f16c, "f16c", F16C
);
feature!(
    /// The CPU runs AVX-512F instructions and the OS saves the `zmm` and mask registers.
    avx512f, "avx512f", AVX512F
);

// With `std` these serve only the unit test that checks them against `std`.
#[cfg_attr(feature = "std", allow(dead_code))]
const AVX2: u8 = 1;
#[cfg_attr(feature = "std", allow(dead_code))]
const AVX512F: u8 = 2;
#[cfg_attr(feature = "std", allow(dead_code))]
const F16C: u8 = 4;
#[cfg(not(feature = "std"))]
const KNOWN: u8 = 0x80;

/// `detect_without_std`, computed once; racing first calls compute the same bits.
#[cfg(not(feature = "std"))]
#[inline]
fn cached() -> u8 {
    use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
    static BITS: AtomicU8 = AtomicU8::new(0);
    let mut b = BITS.load(Relaxed);
    if b & KNOWN == 0 {
        b = detect_without_std() | KNOWN;
        BITS.store(b, Relaxed);
    }
    b
}

/// `AVX2 | AVX512F | F16C` as CPUID reports the instructions and XCR0 the OS's
/// register state: AVX state (XCR0 bits 1-2) for AVX2, and also the opmask and
/// upper `zmm` state (bits 5-7) for AVX-512F. XGETBV is executed only when
/// CPUID reports XSAVE enabled by the OS (OSXSAVE), as the SDM requires.
#[cold]
#[cfg_attr(feature = "std", allow(dead_code))]
// CPUID is a safe function in recent Rust and `unsafe` on the MSRV.
#[allow(unused_unsafe)]
pub(crate) fn detect_without_std() -> u8 {
    if cfg!(miri) {
        // Miri has no CPUID; it runs what the target features enable statically.
        return 0;
    }
    // SAFETY: CPUID exists on every CPU Rust's x86 targets run on (i586 and
    // later); leaf 0 is always valid and says which other leaves are.
    let max_leaf = unsafe { __cpuid(0) }.eax;
    if max_leaf < 7 {
        return 0;
    }
    // SAFETY: leaves 1 and 7 are at most `max_leaf`.
    let (l1, l7) = unsafe { (__cpuid(1), __cpuid_count(7, 0)) };
    let osxsave = l1.ecx & (1 << 27) != 0;
    let avx = l1.ecx & (1 << 28) != 0;
    if !(osxsave && avx) {
        return 0;
    }
    // SAFETY: OSXSAVE says the OS enabled XSAVE, so XGETBV with ECX = 0 is valid.
    let xcr0 = unsafe { xcr0() };
    let mut bits = 0;
    if l7.ebx & (1 << 5) != 0 && xcr0 & 0b110 == 0b110 {
        bits |= AVX2;
    }
    if l7.ebx & (1 << 16) != 0 && xcr0 & 0b1110_0110 == 0b1110_0110 {
        bits |= AVX512F;
    }
    if l1.ecx & (1 << 29) != 0 && xcr0 & 0b110 == 0b110 {
        bits |= F16C;
    }
    bits
}

/// XCR0.
///
/// # Safety
/// CPUID.1:ECX.OSXSAVE is set.
#[cfg_attr(feature = "std", allow(dead_code))]
#[target_feature(enable = "xsave")]
unsafe fn xcr0() -> u64 {
    // SAFETY: the caller checked OSXSAVE, which is what XGETBV requires.
    unsafe { _xgetbv(0) }
}

#[cfg(all(test, not(miri)))]
mod tests {
    use super::*;

    #[test]
    fn detection_without_std_agrees_with_std() {
        let bits = detect_without_std();
        assert_eq!(bits & AVX2 != 0, std::is_x86_feature_detected!("avx2"));
        assert_eq!(
            bits & AVX512F != 0,
            std::is_x86_feature_detected!("avx512f")
        );
        assert_eq!(bits & F16C != 0, std::is_x86_feature_detected!("f16c"));
    }
}
