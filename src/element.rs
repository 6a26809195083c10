//! The sealed [`Element`] trait (implemented for `f32` and `f64`) and the
//! per-type fan-out from a [`Kernel`] to its monomorphic implementation.

use crate::Kernel;
use crate::formula::Forward;
use core::fmt::Debug;
use core::ops::Mul;

/// A float type the kernels support: `f32` or `f64`. Sealed.
pub trait Element:
    private::Sealed
    + Copy
    + Default
    + PartialOrd
    + Mul<Output = Self>
    + Debug
    + Send
    + Sync
    + bytemuck::Pod
    + 'static
{
}

impl Element for f32 {}
impl Element for f64 {}

pub(crate) mod private {
    use super::*;

    /// Crate-private methods of [`Element`]; not nameable outside the crate.
    pub trait Sealed: Sized {
        const ONE: Self;
        const MAX: Self;
        /// `true` if the sign bit is set (also for `-0.0` and negative NaNs).
        fn sign_negative(self) -> bool;
        /// Lossless widening, for error messages.
        fn to_f64(self) -> f64;
        /// Runs the forward kernel `k` on `buf` serially.
        ///
        /// # Safety
        /// `k.is_available()` must be true.
        unsafe fn kernel_forward(k: Kernel, buf: &mut [Self], alpha: Self, f: Forward);
        /// Runs the backward kernel `k` serially; `decide` and `grad` have equal lengths.
        ///
        /// # Safety
        /// `k.is_available()` must be true.
        unsafe fn kernel_backward(k: Kernel, grad: &mut [Self], decide: &[Self], alpha: Self);
    }
}

macro_rules! impl_element {
    ($t:ident, $fwd:ident, $bwd:ident) => {
        impl private::Sealed for $t {
            const ONE: Self = 1.0;
            const MAX: Self = $t::MAX;

            #[inline(always)]
            fn sign_negative(self) -> bool {
                self.is_sign_negative()
            }

            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }

            #[inline]
            unsafe fn kernel_forward(k: Kernel, buf: &mut [Self], alpha: Self, f: Forward) {
                match k {
                    Kernel::Scalar => crate::reference::forward(buf, alpha),
                    #[cfg(feature = "portable")]
                    Kernel::Portable => crate::arch::portable::$fwd(buf, alpha, f),
                    #[cfg(lr_avx2)]
                    // SAFETY: the caller guarantees `Kernel::Avx2.is_available()`,
                    // i.e. this CPU has AVX2 (checked at run time or guaranteed by the target).
                    Kernel::Avx2 => unsafe { crate::arch::avx2::$fwd(buf, alpha, f) },
                    #[cfg(lr_neon)]
                    // SAFETY: the caller guarantees `Kernel::Neon.is_available()`.
                    Kernel::Neon => unsafe { crate::arch::neon::$fwd(buf, alpha, f) },
                    #[allow(unreachable_patterns)]
                    _ => crate::reference::forward(buf, alpha),
                }
            }

            #[inline]
            unsafe fn kernel_backward(k: Kernel, grad: &mut [Self], decide: &[Self], alpha: Self) {
                match k {
                    Kernel::Scalar => crate::reference::backward_unchecked(grad, decide, alpha),
                    #[cfg(feature = "portable")]
                    Kernel::Portable => crate::arch::portable::$bwd(grad, decide, alpha),
                    #[cfg(lr_avx2)]
                    // SAFETY: as in `kernel_forward`.
                    Kernel::Avx2 => unsafe { crate::arch::avx2::$bwd(grad, decide, alpha) },
                    #[cfg(lr_neon)]
                    // SAFETY: as in `kernel_forward`.
                    Kernel::Neon => unsafe { crate::arch::neon::$bwd(grad, decide, alpha) },
                    #[allow(unreachable_patterns)]
                    _ => crate::reference::backward_unchecked(grad, decide, alpha),
                }
            }
        }
    };
}

impl_element!(f32, forward_f32, backward_f32);
impl_element!(f64, forward_f64, backward_f64);
