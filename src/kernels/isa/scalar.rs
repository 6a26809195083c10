//! The `scalar` kernel: one lane of plain Rust, through the same driver and
//! operations as the SIMD kernels. It runs where nothing better is available,
//! and it is every SIMD kernel's path for slices shorter than one vector. It is
//! tested against [`crate::reference`] like every other kernel.

use crate::kernels::{Lane, Simd, Storage, isa_token};

isa_token!(
    /// Token of the `scalar` kernel: always available.
    Scalar,
    detected: true
);

/// The scalar token. Sound to create anywhere: it needs no CPU feature.
pub(crate) const SCALAR: Scalar = Scalar(());

impl<T: Lane + Storage<Lane = T>> Simd<T> for Scalar {
    type V = T;
    type M = bool;
    const LANES: usize = 1;
    #[inline(always)]
    unsafe fn load(self, p: *const T) -> T {
        // SAFETY: the caller guarantees `p` is valid for one read.
        unsafe { p.read() }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut T, v: T) {
        // SAFETY: the caller guarantees `p` is valid for one write.
        unsafe { p.write(v) }
    }
    #[inline(always)]
    fn splat(self, x: T) -> T {
        x
    }
    #[inline(always)]
    fn mul(self, a: T, b: T) -> T {
        a * b
    }
    #[inline(always)]
    fn max(self, a: T, b: T) -> T {
        if a > b { a } else { b }
    }
    #[inline(always)]
    fn min(self, a: T, b: T) -> T {
        if a < b { a } else { b }
    }
    #[inline(always)]
    fn gt0(self, x: T) -> bool {
        x > T::ZERO
    }
    #[inline(always)]
    fn sign(self, x: T) -> bool {
        x.sign_negative()
    }
    #[inline(always)]
    fn select(self, m: bool, a: T, b: T) -> T {
        if m { a } else { b }
    }
    #[inline(always)]
    fn bits(self, m: bool) -> u64 {
        u64::from(m)
    }
    #[inline(always)]
    fn mask_of_bits(self, b: u64) -> bool {
        b & 1 != 0
    }
}

// The halves through `kernels::halves`' integer code (the same as
// `portable`'s, on one lane): one value at a time, or two to the `u32` for
// `bf16`'s element-wise operations (`halves::Pairs`).
#[cfg(feature = "half")]
crate::kernels::halves::bits_table!(Scalar, u32, bool;
    load |p: *const u16| u32::from(p.read()), store |p: *mut u16, v: u32| p.write(v as u16),
    load_pairs |p: *const u16| p.cast::<u32>().read_unaligned(),
    store_pairs |p: *mut u16, v: u32| p.cast::<u32>().write_unaligned(v),
    int_bits |v: f32| v.to_bits(), float_bits |i| f32::from_bits(i), int |x| x,
    and |a, b| a & b, or |a, b| a | b, add |a: u32, b| a.wrapping_add(b),
    sub |a: u32, b| a.wrapping_sub(b), shl13 |a| a << 13, shl16 |a| a << 16,
    shr13 |a| a >> 13, shr16 |a| a >> 16, gt |a, b| (a as i32) > (b as i32),
    pick |k, a, b| if k { a } else { b }, fadd |a, b| a + b);

#[cfg(feature = "half")]
impl crate::kernels::halves::SoftF16 for Scalar {}
