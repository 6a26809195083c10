//! The sealed [`Element`] trait (`f32`, `f64`), and the one place where a
//! generic `T` becomes a concrete type on its way to an ISA's entry point.

use crate::kernels::{Isa, Lane, Task};
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
    pub trait Sealed: Lane {
        /// Lossless widening, for error messages.
        fn to_f64(self) -> f64;
        /// Runs `task` with `isa`'s vectors of this type.
        fn run<I: Isa>(isa: I, task: Task<'_, Self>);
    }

    impl Sealed for f32 {
        #[inline(always)]
        fn to_f64(self) -> f64 {
            self as f64
        }
        #[inline(always)]
        fn run<I: Isa>(isa: I, task: Task<'_, Self>) {
            isa.run_f32(task)
        }
    }

    impl Sealed for f64 {
        #[inline(always)]
        fn to_f64(self) -> f64 {
            self
        }
        #[inline(always)]
        fn run<I: Isa>(isa: I, task: Task<'_, Self>) {
            isa.run_f64(task)
        }
    }
}
