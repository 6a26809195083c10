//! The safe front door: [`Options`], the free functions and [`Kernel`]'s checked
//! methods, in place and out of place, on slices and on byte buffers. All
//! validation happens here, before any kernel runs, so an error never leaves a
//! partial write; then a [`Task`] goes to `par`, which runs it on the chosen
//! kernel. No `unsafe` here.

use crate::dispatch::{Engine, state};
use crate::element::private::Sealed;
use crate::kernels::formula;
use crate::kernels::{InOut, Lane, Storage, Task};
use crate::{DType, Element, Error, Kernel, Operand, Parallelism, Scalar};

/// How to run a call: which kernel and how much parallelism. `Options::new()`
/// (also `Default`) means the process-wide choice: [`Kernel::best()`] and
/// [`default_parallelism()`](crate::default_parallelism).
///
/// ```
/// use leaky_relu::{Kernel, Options, Parallelism};
/// let opts = Options::new()
///     .with_kernel(Kernel::Scalar)?
///     .with_parallelism(Parallelism::Serial);
/// let mut x = vec![-2.0f32, 3.0];
/// opts.forward(&mut x, 0.5);
/// assert_eq!(x, [-1.0, 3.0]);
/// let mut y = vec![0.0f32; 2];
/// opts.forward_into(&mut y, &[-4.0, 4.0], 0.5)?;
/// assert_eq!(y, [-2.0, 4.0]);
/// # Ok::<(), leaky_relu::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    engine: Option<Engine>,
    parallelism: Option<Parallelism>,
}

impl Options {
    /// The process-wide defaults.
    pub const fn new() -> Self {
        Options {
            engine: None,
            parallelism: None,
        }
    }

    /// Runs `kernel` instead of [`Kernel::best()`].
    ///
    /// # Errors
    /// [`Error::KernelUnavailable`] if this CPU cannot run it.
    pub fn with_kernel(self, kernel: Kernel) -> Result<Self, Error> {
        let engine = kernel.engine().ok_or(Error::KernelUnavailable { kernel })?;
        Ok(Options {
            engine: Some(engine),
            ..self
        })
    }

    /// Uses `p` instead of the process-wide default.
    pub const fn with_parallelism(self, p: Parallelism) -> Self {
        Options {
            parallelism: Some(p),
            ..self
        }
    }

    /// The kernel and parallelism a call with these options uses.
    pub fn resolve(&self) -> (Kernel, Parallelism) {
        let (e, p) = self.engine_and_parallelism();
        (e.kernel(), p)
    }

    #[inline(always)]
    fn engine_and_parallelism(&self) -> (Engine, Parallelism) {
        (
            self.engine.unwrap_or_else(state::engine),
            self.parallelism.unwrap_or_else(crate::default_parallelism),
        )
    }

    // Always inlined, like everything down to the ISA entry point: the task is
    // then built once, in the frame that calls the kernel (passing it through
    // several frames cost 8 ns a call in store-forwarding stalls on Zen 5).
    #[inline(always)]
    fn run<T: Element>(&self, task: Task<'_, T>) {
        if self.engine.is_none() && task.len() <= INLINE_MAX {
            return run_inline(task);
        }
        if task.writes_nothing() {
            return;
        }
        let (engine, p) = self.engine_and_parallelism();
        crate::par::run(engine, p, task)
    }

    #[inline(always)]
    fn forward_by<T: Element>(&self, buf: &mut [T], alpha: Slope<T>) {
        self.run(forward_task(InOut::InPlace(buf), alpha.lane))
    }

    #[inline(always)]
    fn forward_into_by<T: Element>(
        &self,
        dst: &mut [T],
        src: &[T],
        alpha: Slope<T>,
    ) -> Result<(), Error> {
        Error::check_len((Operand::Dst, dst.len()), Operand::Src, src.len())?;
        self.run(forward_task(InOut::Into { dst, src }, alpha.lane));
        Ok(())
    }

    #[inline(always)]
    fn backward_by<T: Element>(
        &self,
        grad: &mut [T],
        input: &[T],
        alpha: Slope<T>,
    ) -> Result<(), Error> {
        Error::check_len((Operand::Grad, grad.len()), Operand::Input, input.len())?;
        self.run(backward_task(InOut::InPlace(grad), input, alpha.lane));
        Ok(())
    }

    #[inline(always)]
    fn backward_into_by<T: Element>(
        &self,
        dx: &mut [T],
        dy: &[T],
        input: &[T],
        alpha: Slope<T>,
    ) -> Result<(), Error> {
        Error::check_len((Operand::Dst, dx.len()), Operand::Grad, dy.len())?;
        Error::check_len((Operand::Dst, dx.len()), Operand::Input, input.len())?;
        self.run(backward_task(
            InOut::Into { dst: dx, src: dy },
            input,
            alpha.lane,
        ));
        Ok(())
    }

    #[inline(always)]
    fn backward_from_output_by<T: Element>(
        &self,
        grad: &mut [T],
        output: &[T],
        alpha: Slope<T>,
    ) -> Result<(), Error> {
        alpha.check_nonneg()?;
        Error::check_len((Operand::Grad, grad.len()), Operand::Output, output.len())?;
        self.run(backward_task(InOut::InPlace(grad), output, alpha.lane));
        Ok(())
    }

    #[inline(always)]
    fn backward_from_output_into_by<T: Element>(
        &self,
        dx: &mut [T],
        dy: &[T],
        output: &[T],
        alpha: Slope<T>,
    ) -> Result<(), Error> {
        alpha.check_nonneg()?;
        Error::check_len((Operand::Dst, dx.len()), Operand::Grad, dy.len())?;
        Error::check_len((Operand::Dst, dx.len()), Operand::Output, output.len())?;
        self.run(backward_task(
            InOut::Into { dst: dx, src: dy },
            output,
            alpha.lane,
        ));
        Ok(())
    }

    #[inline(always)]
    fn forward_with_mask_by<T: Element>(
        &self,
        buf: &mut [T],
        alpha: Slope<T>,
        mask: &mut [u8],
    ) -> Result<(), Error> {
        Error::check_mask(buf.len(), mask.len())?;
        self.run(Task::ForwardMask {
            x: InOut::InPlace(buf),
            mask,
            alpha: alpha.lane,
        });
        Ok(())
    }

    #[inline(always)]
    fn forward_with_mask_into_by<T: Element>(
        &self,
        dst: &mut [T],
        src: &[T],
        alpha: Slope<T>,
        mask: &mut [u8],
    ) -> Result<(), Error> {
        Error::check_len((Operand::Dst, dst.len()), Operand::Src, src.len())?;
        Error::check_mask(dst.len(), mask.len())?;
        self.run(Task::ForwardMask {
            x: InOut::Into { dst, src },
            mask,
            alpha: alpha.lane,
        });
        Ok(())
    }

    #[inline(always)]
    fn backward_from_mask_by<T: Element>(
        &self,
        grad: &mut [T],
        mask: &[u8],
        alpha: Slope<T>,
    ) -> Result<(), Error> {
        Error::check_mask(grad.len(), mask.len())?;
        self.run(backward_mask_task(InOut::InPlace(grad), mask, alpha.lane));
        Ok(())
    }

    #[inline(always)]
    fn backward_from_mask_into_by<T: Element>(
        &self,
        dx: &mut [T],
        dy: &[T],
        mask: &[u8],
        alpha: Slope<T>,
    ) -> Result<(), Error> {
        Error::check_len((Operand::Dst, dx.len()), Operand::Grad, dy.len())?;
        Error::check_mask(dx.len(), mask.len())?;
        self.run(backward_mask_task(
            InOut::Into { dst: dx, src: dy },
            mask,
            alpha.lane,
        ));
        Ok(())
    }
}

/// The slope-taking methods, each generated twice from one list: the
/// [`Options`] method (slope of the element type) and the [`Opmath`] method
/// (slope of [`Element::Opmath`]); both run the same private `*_by` body. The
/// free functions of [`crate::opmath`] call the [`Opmath`] methods.
macro_rules! slope_forms {
    ($(
        $(#[$doc:meta])*
        fn $name:ident => $by:ident($($pre:ident: $prety:ty),*; $($post:ident: $postty:ty),*) -> $ret:ty;
    )*) => {
        impl Options {
            $(
                $(#[$doc])*
                #[inline]
                pub fn $name<T: Element>(&self, $($pre: $prety,)* alpha: T, $($post: $postty),*) -> $ret {
                    self.$by($($pre,)* Slope::native(alpha), $($post),*)
                }
            )*
        }

        impl Opmath {
            $(
                #[doc = concat!("[`Options::", stringify!($name), "`] with PyTorch's slope: see [`Opmath`].")]
                #[inline]
                pub fn $name<T: Element>(&self, $($pre: $prety,)* alpha: T::Opmath, $($post: $postty),*) -> $ret {
                    self.0.$by($($pre,)* Slope::opmath(alpha), $($post),*)
                }
            )*
        }

        /// PyTorch's variant of every slice operation, with the process-wide
        /// defaults: the slope is a [`T::Opmath`](crate::Element::Opmath)
        /// (`f32` for `f16` and `bf16`), each scaled value is `alpha * x`
        /// computed in that type and rounded once to `T`. See [`Opmath`](crate::Opmath)
        /// for the semantics side by side with the native operations, and
        /// [`Options::opmath`](crate::Options::opmath) to choose a kernel or
        /// parallelism.
        ///
        /// ```
        /// # #[cfg(feature = "half")] {
        /// use leaky_relu::half::f16;
        /// let mut x = [f16::from_f32(-1.5), f16::from_f32(2.0)];
        /// leaky_relu::opmath::forward(&mut x, 0.01f32); // an f32 slope
        /// assert_eq!(x[0], f16::from_f32(-1.5 * 0.01)); // PyTorch's bits
        /// # }
        /// ```
        pub mod opmath {
            use crate::{Element, Error, Options};
            $(
                #[doc = concat!("[`crate::", stringify!($name), "`] with PyTorch's slope: see [`Opmath`](crate::Opmath).")]
                #[inline]
                pub fn $name<T: Element>($($pre: $prety,)* alpha: T::Opmath, $($post: $postty),*) -> $ret {
                    Options::new().opmath().$name($($pre,)* alpha, $($post),*)
                }
            )*
        }
    };
}

slope_forms! {
    /// In-place forward: see [`crate::forward`].
    fn forward => forward_by(buf: &mut [T]; ) -> ();
    /// Out-of-place forward: see [`crate::forward_into`].
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; `dst` is then untouched.
    fn forward_into => forward_into_by(dst: &mut [T], src: &[T]; ) -> Result<(), Error>;
    /// In-place backward from the forward input: see [`crate::backward`].
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; `grad` is then untouched.
    fn backward => backward_by(grad: &mut [T], input: &[T]; ) -> Result<(), Error>;
    /// Out-of-place backward from the forward input: see [`crate::backward_into`].
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; `dx` is then untouched.
    fn backward_into => backward_into_by(dx: &mut [T], dy: &[T], input: &[T]; ) -> Result<(), Error>;
    /// In-place backward from the forward output: see [`crate::backward_from_output`].
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] or [`Error::LengthMismatch`]; `grad` is then untouched.
    fn backward_from_output => backward_from_output_by(grad: &mut [T], output: &[T]; ) -> Result<(), Error>;
    /// Out-of-place backward from the forward output: see
    /// [`crate::backward_from_output_into`].
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] or [`Error::LengthMismatch`]; `dx` is then untouched.
    fn backward_from_output_into => backward_from_output_into_by(dx: &mut [T], dy: &[T], output: &[T]; ) -> Result<(), Error>;
    /// In-place forward that also records the mask: see [`crate::forward_with_mask`].
    ///
    /// # Errors
    /// [`Error::MaskLength`]; nothing is then written.
    fn forward_with_mask => forward_with_mask_by(buf: &mut [T]; mask: &mut [u8]) -> Result<(), Error>;
    /// Out-of-place forward that also records the mask: see
    /// [`crate::forward_with_mask_into`].
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] or [`Error::MaskLength`]; nothing is then written.
    fn forward_with_mask_into => forward_with_mask_into_by(dst: &mut [T], src: &[T]; mask: &mut [u8]) -> Result<(), Error>;
    /// In-place backward decided by a mask: see [`crate::backward_from_mask`].
    ///
    /// # Errors
    /// [`Error::MaskLength`]; `grad` is then untouched.
    fn backward_from_mask => backward_from_mask_by(grad: &mut [T], mask: &[u8]; ) -> Result<(), Error>;
    /// Out-of-place backward decided by a mask: see [`crate::backward_from_mask_into`].
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] or [`Error::MaskLength`]; `dx` is then untouched.
    fn backward_from_mask_into => backward_from_mask_into_by(dx: &mut [T], dy: &[T], mask: &[u8]; ) -> Result<(), Error>;
}

/// How an operation received its slope: in the element type (the native
/// operations), or in [`Element::Opmath`] (PyTorch's); `lane` is what the
/// kernels compute with, `shown` what an error reports.
#[derive(Clone, Copy)]
struct Slope<T: Element> {
    lane: T::Lane,
    shown: Scalar,
}

impl<T: Element> Slope<T> {
    #[inline(always)]
    fn native(alpha: T) -> Self {
        Slope {
            lane: alpha.widen(),
            shown: alpha.to_scalar(),
        }
    }

    /// A NaN slope becomes the NaN with a zero payload (every result it
    /// scales is a NaN either way): the kernels' `bf16` narrowing relies on
    /// NaN lanes having a zero low half (`halves::Bits32::NAN_LOW_HALF_ZERO`),
    /// which an `f32` slope's payload need not have.
    #[inline(always)]
    fn opmath(alpha: T::Opmath) -> Self {
        let lane = alpha.widen();
        #[allow(clippy::eq_op)]
        let lane = if lane != lane { T::Lane::NAN } else { lane };
        Slope {
            lane,
            shown: alpha.to_scalar(),
        }
    }

    /// `alpha >= 0` (false for NaN, true for `-0.0` and `+inf`), else
    /// [`Error::InvalidSlope`]: the deciding buffer of a backward from the
    /// output.
    #[inline(always)]
    fn check_nonneg(self) -> Result<(), Error> {
        if self.lane >= T::Lane::ZERO {
            Ok(())
        } else {
            Err(Error::InvalidSlope { alpha: self.shown })
        }
    }
}

/// PyTorch's Leaky ReLU: the operations of [`Options`] with a slope of
/// [`Element::Opmath`], the type PyTorch computes in (`f32` for `f16` and
/// `bf16`; for `f32` and `f64` these are the native operations). Made by
/// [`Options::opmath`]; the free functions are in [`crate::opmath`].
///
/// | | native ([`Options::forward`]) | PyTorch ([`Opmath::forward`]) |
/// | --- | --- | --- |
/// | slope | `alpha: T` | `alpha: T::Opmath` (`f32` for halves) |
/// | `x > 0` | `x` | `x` |
/// | otherwise | `alpha * x` in `T`, rounded once | `round_T(f32(x) * alpha)`: the `f32` product rounded to `f32`, then to `T` |
/// | `f16`, `alpha = 0.01` | `alpha` is `f16(0.01) = 0.010002136...` | `alpha` is `f32(0.01)` |
///
/// The two differ for halves only: for about a quarter of the negative `f16`
/// inputs at `alpha = 0.01` (the slopes differ, and the `f32` product of an
/// `f16` and an `f32` may round twice). Backward likewise (`grad * alpha`).
///
/// ```
/// # #[cfg(feature = "half")] {
/// use leaky_relu::{Options, half::f16};
/// let x = f16::from_f32(-3.0);
/// let (mut native, mut torch) = ([x], [x]);
/// Options::new().forward(&mut native, f16::from_f32(0.01));
/// Options::new().opmath().forward(&mut torch, 0.01f32);
/// assert_eq!(torch[0], f16::from_f32(-3.0 * 0.01f32)); // round(f32(x) * 0.01f32)
/// assert_eq!(native[0], f16::from_f32(-3.0 * f16::from_f32(0.01).to_f32()));
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Opmath(Options);

impl Options {
    /// These options' operations with PyTorch's slope: see [`Opmath`].
    pub const fn opmath(self) -> Opmath {
        Opmath(self)
    }
}

impl Opmath {
    /// The options these operations run with (kernel, parallelism).
    pub const fn options(self) -> Options {
        self.0
    }
}

/// Bytes of the mask for `n` elements: one bit per element, `n.div_ceil(8)`.
/// Bit `i % 8` of byte `i / 8` (least significant first) is element `i`'s.
///
/// ```
/// assert_eq!(leaky_relu::mask_len(0), 0);
/// assert_eq!(leaky_relu::mask_len(9), 2);
/// ```
#[inline]
pub const fn mask_len(n: usize) -> usize {
    n.div_ceil(8)
}

/// The byte forms of the [`Options`] methods: each is its slice form with a
/// [`DType`] inserted before `alpha`, which is an `f64` rounded to that type
/// (exact for any value of it). It checks the slope first where its slice form
/// does (`slope`), then casts its buffers (alignment and length, naming the
/// buffer at fault, the destination first), then calls the slice form. The
/// mask of a mask operation stays `[u8]` (`pre` before `alpha`, `post` after).
macro_rules! byte_forms {
    ($(
        $(#[$doc:meta])*
        fn $name:ident => $slice:ident($dst:ident: $dop:ident $(, $src:ident: $sop:ident)*;
            $($pre:ident: $prety:ty)?; $($post:ident: $postty:ty)?) $($slope:ident)?;
    )*) => {
        byte_forms!(@impl Options, T; $(
            $(#[$doc])*
            fn $name => $slice($dst: $dop $(, $src: $sop)*; $($pre: $prety)?; $($post: $postty)?) $($slope)?;
        )*);
        byte_forms!(@impl Opmath, T::Opmath; $(
            #[doc = concat!("[`Options::", stringify!($name), "`] with PyTorch's slope: `alpha` is \
                rounded once to [`T::Opmath`](Element::Opmath) (`f32` for `DType::F16` and \
                `DType::BF16`), as PyTorch turns a Python float into its `opmath` type; see \
                [`Opmath`].")]
            ///
            /// # Errors
            #[doc = concat!("As [`Options::", stringify!($name), "`].")]
            fn $name => $slice($dst: $dop $(, $src: $sop)*; $($pre: $prety)?; $($post: $postty)?) $($slope)?;
        )*);
    };
    (@impl $recv:ident, $slope_ty:ty; $(
        $(#[$doc:meta])*
        fn $name:ident => $slice:ident($dst:ident: $dop:ident $(, $src:ident: $sop:ident)*;
            $($pre:ident: $prety:ty)?; $($post:ident: $postty:ty)?) $($slope:ident)?;
    )*) => {
        impl $recv {
            $(
                $(#[$doc])*
                pub fn $name(
                    &self,
                    $dst: &mut [u8],
                    $($src: &[u8],)*
                    $($pre: $prety,)?
                    dtype: DType,
                    alpha: f64,
                    $($post: $postty,)?
                ) -> Result<(), Error> {
                    fn typed<T: Element>(
                        o: &$recv,
                        $dst: &mut [u8],
                        $($src: &[u8],)*
                        $($pre: $prety,)?
                        alpha: f64,
                        $($post: $postty,)?
                    ) -> Result<(), Error> {
                        let alpha = <$slope_ty as Sealed>::from_f64_rounded(alpha);
                        $( byte_forms!(@$slope alpha); )?
                        let $dst = cast_mut::<T>($dst, Operand::$dop)?;
                        $( let $src = cast::<T>($src, Operand::$sop)?; )*
                        o.$slice($dst, $($src,)* $($pre,)? alpha $(, $post)?).into_result()
                    }
                    match dtype {
                        DType::F32 => typed::<f32>(self, $dst, $($src,)* $($pre,)? alpha $(, $post)?),
                        DType::F64 => typed::<f64>(self, $dst, $($src,)* $($pre,)? alpha $(, $post)?),
                        #[cfg(feature = "half")]
                        DType::F16 => typed::<half::f16>(self, $dst, $($src,)* $($pre,)? alpha $(, $post)?),
                        #[cfg(feature = "half")]
                        DType::BF16 => typed::<half::bf16>(self, $dst, $($src,)* $($pre,)? alpha $(, $post)?),
                        #[allow(unreachable_patterns)]
                        _ => Err(Error::UnsupportedDType { dtype }),
                    }
                }
            )*
        }
    };
    (@slope $alpha:ident) => {
        check_slope($alpha)?
    };
}

byte_forms! {
    /// [`Options::forward`] on a byte buffer of `dtype` elements in native byte order.
    ///
    /// # Errors
    /// [`Error::Misaligned`] or [`Error::RaggedBytes`]; `bytes` is then untouched.
    fn forward_bytes => forward(bytes: Buffer; ;);

    /// [`Options::forward_into`] on byte buffers of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer) or
    /// [`Error::LengthMismatch`]; `dst` is then untouched.
    fn forward_into_bytes => forward_into(dst: Dst, src: Src; ;);

    /// [`Options::backward`] on byte buffers of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer) or
    /// [`Error::LengthMismatch`]; `grad` is then untouched.
    fn backward_bytes => backward(grad: Grad, input: Input; ;);

    /// [`Options::backward_into`] on byte buffers of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer) or
    /// [`Error::LengthMismatch`]; `dx` is then untouched.
    fn backward_into_bytes => backward_into(dx: Dst, dy: Grad, input: Input; ;);

    /// [`Options::backward_from_output`] on byte buffers of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] (checked first), [`Error::Misaligned`],
    /// [`Error::RaggedBytes`] or [`Error::LengthMismatch`]; `grad` is then untouched.
    fn backward_from_output_bytes => backward_from_output(grad: Grad, output: Output; ;) slope;

    /// [`Options::backward_from_output_into`] on byte buffers of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] (checked first), [`Error::Misaligned`],
    /// [`Error::RaggedBytes`] or [`Error::LengthMismatch`]; `dx` is then untouched.
    fn backward_from_output_into_bytes => backward_from_output_into(dx: Dst, dy: Grad, output: Output; ;) slope;

    /// [`Options::forward_with_mask`] on a byte buffer of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] or [`Error::MaskLength`];
    /// nothing is then written.
    fn forward_with_mask_bytes => forward_with_mask(bytes: Buffer; ; mask: &mut [u8]);

    /// [`Options::forward_with_mask_into`] on byte buffers of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer),
    /// [`Error::LengthMismatch`] or [`Error::MaskLength`]; nothing is then written.
    fn forward_with_mask_into_bytes => forward_with_mask_into(dst: Dst, src: Src; ; mask: &mut [u8]);

    /// [`Options::backward_from_mask`] on a byte buffer of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] or [`Error::MaskLength`];
    /// `grad` is then untouched.
    fn backward_from_mask_bytes => backward_from_mask(grad: Grad; mask: &[u8];);

    /// [`Options::backward_from_mask_into`] on byte buffers of `dtype` elements.
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer),
    /// [`Error::LengthMismatch`] or [`Error::MaskLength`]; `dx` is then untouched.
    fn backward_from_mask_into_bytes => backward_from_mask_into(dx: Dst, dy: Grad; mask: &[u8];);
}

/// Calls of at most this many elements with the process-wide kernel (the free
/// functions, `Options` without `with_kernel`) run [`run_inline`]: in the
/// caller's code, with no atomic load and no call, which for so few elements
/// is faster than any dispatch (a dispatched 16-element call cost 1.43x an
/// inlined loop on a Zen 3).
const INLINE_MAX: usize = 16;

/// The reference formula, in a loop the compiler inlines into the caller:
/// bit-identical to every kernel, like the reference it is. Values are
/// computed as lanes (`f32` for the halves, which is exact: see `formula`).
#[inline(always)]
fn run_inline<T: Element>(task: Task<'_, T>) {
    let zero = T::Lane::ZERO;
    // `f(i, v)` for each element `v` of the source, written to the destination.
    fn each<T: Storage>(x: InOut<'_, T>, mut f: impl FnMut(usize, T::Lane) -> T::Lane) {
        match x {
            InOut::InPlace(b) => {
                for (i, v) in b.iter_mut().enumerate() {
                    *v = T::narrow(f(i, v.widen()));
                }
            }
            InOut::Into { dst, src } => {
                for (i, (d, &s)) in dst.iter_mut().zip(src).enumerate() {
                    *d = T::narrow(f(i, s.widen()));
                }
            }
        }
    }
    let bit = |mask: &[u8], i: usize| mask[i / 8] >> (i % 8) & 1 != 0;
    match task {
        Task::Forward { x, alpha, .. } => each(x, |_, v| if v > zero { v } else { alpha * v }),
        // Zipped rather than indexed, so no bounds checks (the lengths are equal).
        Task::Backward {
            g, decide, alpha, ..
        } => match g {
            InOut::InPlace(b) => {
                for (v, &d) in b.iter_mut().zip(decide) {
                    *v = if d.widen() > zero {
                        *v
                    } else {
                        T::narrow(v.widen() * alpha)
                    };
                }
            }
            InOut::Into { dst, src } => {
                for ((o, &v), &d) in dst.iter_mut().zip(src).zip(decide) {
                    *o = if d.widen() > zero {
                        v
                    } else {
                        T::narrow(v.widen() * alpha)
                    };
                }
            }
        },
        Task::BackwardMask { g, mask, alpha, .. } => {
            each(g, |i, v| if bit(mask, i) { v } else { v * alpha })
        }
        Task::ForwardMask { x, mask, alpha } => {
            mask.fill(0);
            each(x, |i, v| {
                if v > zero {
                    mask[i / 8] |= 1 << (i % 8);
                    v
                } else {
                    alpha * v
                }
            })
        }
    }
}

#[inline(always)]
fn forward_task<T: Element>(x: InOut<'_, T>, alpha: T::Lane) -> Task<'_, T> {
    Task::Forward {
        x,
        alpha,
        f: formula::forward(alpha),
    }
}

#[inline(always)]
fn backward_task<'a, T: Element>(g: InOut<'a, T>, decide: &'a [T], alpha: T::Lane) -> Task<'a, T> {
    Task::Backward {
        g,
        decide,
        alpha,
        f: formula::backward(alpha),
    }
}

#[inline(always)]
fn backward_mask_task<'a, T: Element>(
    g: InOut<'a, T>,
    mask: &'a [u8],
    alpha: T::Lane,
) -> Task<'a, T> {
    Task::BackwardMask {
        g,
        mask,
        alpha,
        f: formula::backward(alpha),
    }
}

/// [`Error::InvalidSlope`] unless `alpha >= 0`, shown in its own type.
#[inline]
pub(crate) fn check_slope<T: Element>(alpha: T) -> Result<(), Error> {
    Slope::native(alpha).check_nonneg()
}

fn check_bytes<T: Element>(bytes: &[u8], operand: Operand) -> Result<(), Error> {
    let dtype = T::DTYPE;
    let (size, align) = (dtype.size(), dtype.align());
    let offset = bytes.as_ptr() as usize % align;
    if bytes.is_empty() {
        Ok(())
    } else if offset != 0 {
        Err(Error::Misaligned {
            operand,
            dtype,
            align,
            offset,
        })
    } else if !bytes.len().is_multiple_of(size) {
        Err(Error::RaggedBytes {
            operand,
            dtype,
            len: bytes.len(),
            elem_size: size,
        })
    } else {
        Ok(())
    }
}

fn cast_mut<T: Element>(bytes: &mut [u8], operand: Operand) -> Result<&mut [T], Error> {
    check_bytes::<T>(bytes, operand)?;
    if bytes.is_empty() {
        return Ok(&mut []);
    }
    // Cannot fail after `check_bytes`; map defensively rather than unwrap.
    bytemuck::try_cast_slice_mut(bytes).map_err(|_| Error::Misaligned {
        operand,
        dtype: T::DTYPE,
        align: core::mem::align_of::<T>(),
        offset: 0,
    })
}

fn cast<T: Element>(bytes: &[u8], operand: Operand) -> Result<&[T], Error> {
    check_bytes::<T>(bytes, operand)?;
    if bytes.is_empty() {
        return Ok(&[]);
    }
    bytemuck::try_cast_slice(bytes).map_err(|_| Error::Misaligned {
        operand,
        dtype: T::DTYPE,
        align: core::mem::align_of::<T>(),
        offset: 0,
    })
}

/// Each entry point exists three times: a free function (process-wide
/// defaults), a [`Kernel`] method (that kernel, or `KernelUnavailable`), and the
/// [`Options`] method both forward to. This generates the first two from one
/// list, so the three cannot drift apart.
macro_rules! entry_points {
    ($(
        $(#[$doc:meta])*
        fn $name:ident$(<$t:ident>)?($($arg:ident: $ty:ty),*) -> $ret:ty;
    )*) => {
        $(
            $(#[$doc])*
            #[inline]
            pub fn $name$(<$t: Element>)?($($arg: $ty),*) -> $ret {
                Options::new().$name($($arg),*)
            }
        )*

        impl Kernel {
            $(
                #[doc = concat!("[`crate::", stringify!($name), "`] with this kernel.")]
                ///
                /// # Errors
                /// [`Error::KernelUnavailable`] (checked first) if this CPU cannot run
                /// the kernel, or the errors of the free function; no buffer is then written.
                pub fn $name$(<$t: Element>)?(self, $($arg: $ty),*) -> Result<(), Error> {
                    Options::new().with_kernel(self)?.$name($($arg),*).into_result()
                }
            )*
        }
    };
}

/// Turns the in-place forward's `()` into `Result` for [`Kernel::forward`].
trait IntoResult {
    fn into_result(self) -> Result<(), Error>;
}
impl IntoResult for () {
    fn into_result(self) -> Result<(), Error> {
        Ok(())
    }
}
impl IntoResult for Result<(), Error> {
    fn into_result(self) -> Result<(), Error> {
        self
    }
}

entry_points! {
    /// In-place Leaky ReLU: each `x` becomes `x` if `x > 0`, else `alpha * x`
    /// (so `-0.0` becomes `alpha * -0.0` and NaN stays NaN). Any `alpha` is allowed.
    /// Uses [`Kernel::best()`] and the default [`Parallelism`].
    ///
    /// ```
    /// let mut x = vec![1.0f32, -1.0, 0.0, -4.0];
    /// leaky_relu::forward(&mut x, 0.25);
    /// assert_eq!(x, [1.0, -0.25, 0.0, -1.0]);
    /// ```
    fn forward<T>(buf: &mut [T], alpha: T) -> ();

    /// Out-of-place Leaky ReLU: `dst[i]` becomes what [`forward`] would make of
    /// `src[i]`; `src` is only read. Bit-identical to copying `src` into `dst`
    /// and calling [`forward`] on it.
    ///
    /// ```
    /// let x = [2.0f64, -2.0, -0.0];
    /// let mut y = [0.0f64; 3];
    /// leaky_relu::forward_into(&mut y, &x, 0.5)?;
    /// assert_eq!(y, [2.0, -1.0, -0.0]);
    /// assert!(leaky_relu::forward_into(&mut y[..2], &x, 0.5).is_err());
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] (naming [`Operand::Src`]) if the lengths
    /// differ; `dst` is then untouched.
    fn forward_into<T>(dst: &mut [T], src: &[T], alpha: T) -> Result<(), Error>;

    /// In-place gradient: each `grad[i]` stays if `input[i] > 0`, else becomes
    /// `grad[i] * alpha` (the derivative at 0 is `alpha`, as in PyTorch and oneDNN).
    ///
    /// ```
    /// let x = [2.0f64, -2.0, 0.0];
    /// let mut g = vec![1.0f64, 1.0, 1.0];
    /// leaky_relu::backward(&mut g, &x, 0.1)?;
    /// assert_eq!(g, [1.0, 0.1, 0.1]);
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] if `grad` and `input` differ in length; `grad` is then untouched.
    fn backward<T>(grad: &mut [T], input: &[T], alpha: T) -> Result<(), Error>;

    /// Out-of-place gradient: `dx[i]` becomes `dy[i]` if `input[i] > 0`, else
    /// `dy[i] * alpha`; `dy` and `input` are only read. Bit-identical to copying
    /// `dy` into `dx` and calling [`backward`] on it.
    ///
    /// ```
    /// let x = [2.0f32, -2.0];
    /// let dy = [1.0f32, 1.0];
    /// let mut dx = [0.0f32; 2];
    /// leaky_relu::backward_into(&mut dx, &dy, &x, 0.1)?;
    /// assert_eq!(dx, [1.0, 0.1]);
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] (naming [`Operand::Grad`] for `dy` or
    /// [`Operand::Input`]) if a length differs from `dx`'s; `dx` is then untouched.
    fn backward_into<T>(dx: &mut [T], dy: &[T], input: &[T], alpha: T) -> Result<(), Error>;

    /// The gradient of [`backward`], decided from the forward *output* `y`
    /// instead of the input, so the input need not be kept. Valid only for
    /// `alpha >= 0` (including `-0.0` and `+inf`), where `y > 0` exactly when `x > 0`.
    ///
    /// ```
    /// let mut y = vec![2.0f32, -2.0];
    /// leaky_relu::forward(&mut y, 0.1);
    /// let mut g = vec![1.0f32, 1.0];
    /// leaky_relu::backward_from_output(&mut g, &y, 0.1)?;
    /// assert_eq!(g, [1.0, 0.1]);
    /// assert!(leaky_relu::backward_from_output(&mut g, &y, -0.1).is_err());
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] for a negative or NaN `alpha`, [`Error::LengthMismatch`]
    /// if the lengths differ; `grad` is then untouched.
    fn backward_from_output<T>(grad: &mut [T], output: &[T], alpha: T) -> Result<(), Error>;

    /// Out-of-place [`backward_from_output`]: `dx[i]` becomes `dy[i]` if
    /// `output[i] > 0`, else `dy[i] * alpha`. Valid only for `alpha >= 0`.
    ///
    /// # Errors
    /// [`Error::InvalidSlope`] for a negative or NaN `alpha` (checked first),
    /// [`Error::LengthMismatch`] if a length differs from `dx`'s; `dx` is then untouched.
    fn backward_from_output_into<T>(dx: &mut [T], dy: &[T], output: &[T], alpha: T) -> Result<(), Error>;

    /// [`forward`], and a 1-bit mask of where the input was `> 0`: bit `i % 8`
    /// of `mask[i / 8]` (least significant first) is set exactly where `buf[i]`
    /// was `> 0` (false for NaN and both zeros), and the unused high bits of the
    /// last byte are cleared. `mask` must hold [`mask_len`]`(buf.len())` bytes.
    /// With [`backward_from_mask`] this is the memory-saving path for training:
    /// the saved activation shrinks from 4 bytes per `f32` (8 per `f64`) to one
    /// bit, and backward reads the mask instead of a whole buffer.
    ///
    /// ```
    /// let mut x = vec![2.0f32, -2.0, 0.0, 3.0];
    /// let mut mask = vec![0u8; leaky_relu::mask_len(x.len())];
    /// leaky_relu::forward_with_mask(&mut x, 0.5, &mut mask)?;
    /// assert_eq!((x, mask), (vec![2.0, -1.0, 0.0, 3.0], vec![0b1001]));
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::MaskLength`] if `mask` is not `mask_len(buf.len())` bytes long;
    /// nothing is then written.
    fn forward_with_mask<T>(buf: &mut [T], alpha: T, mask: &mut [u8]) -> Result<(), Error>;

    /// Out-of-place [`forward_with_mask`]: `dst` as [`forward_into`] makes it,
    /// the mask of `src > 0` as [`forward_with_mask`] makes it.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] (naming [`Operand::Src`]) or [`Error::MaskLength`];
    /// nothing is then written.
    fn forward_with_mask_into<T>(dst: &mut [T], src: &[T], alpha: T, mask: &mut [u8]) -> Result<(), Error>;

    /// In-place gradient decided by a mask from [`forward_with_mask`]: each
    /// `grad[i]` stays where bit `i` is set, else becomes `grad[i] * alpha`.
    /// Bit-identical to [`backward`] with the input that produced the mask.
    /// Bits past the last element are ignored.
    ///
    /// ```
    /// let input = [2.0f32, -2.0, 0.0];
    /// let mut y = input;
    /// let mut mask = [0u8; 1];
    /// leaky_relu::forward_with_mask(&mut y, 0.1, &mut mask)?;
    /// let mut g = vec![1.0f32; 3];
    /// leaky_relu::backward_from_mask(&mut g, &mask, 0.1)?;
    /// assert_eq!(g, [1.0, 0.1, 0.1]);
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::MaskLength`] if `mask` is not `mask_len(grad.len())` bytes long;
    /// `grad` is then untouched.
    fn backward_from_mask<T>(grad: &mut [T], mask: &[u8], alpha: T) -> Result<(), Error>;

    /// Out-of-place [`backward_from_mask`]: `dx[i]` becomes `dy[i]` where bit
    /// `i` is set, else `dy[i] * alpha`.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] (naming [`Operand::Grad`] for `dy`) or
    /// [`Error::MaskLength`]; `dx` is then untouched.
    fn backward_from_mask_into<T>(dx: &mut [T], dy: &[T], mask: &[u8], alpha: T) -> Result<(), Error>;

    /// [`forward`] on a byte buffer of `dtype` elements in native byte order, as
    /// engines hold tensors with a run-time element type. `alpha` is rounded to
    /// `dtype` (to nearest, ties to even), so any value of that type passes
    /// exactly: an `f32` slope `a` as `f64::from(a)`.
    ///
    /// ```
    /// use leaky_relu::DType;
    /// let mut store = [-4.0f32, 4.0];
    /// let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut store); // 4-aligned bytes
    /// leaky_relu::forward_bytes(bytes, DType::F32, 0.5)?;
    /// assert_eq!(store, [-2.0, 4.0]);
    /// // A Vec<u8> is only 1-aligned and this one holds 7 bytes: refused, untouched.
    /// let mut raw = vec![0u8; 7];
    /// assert!(leaky_relu::forward_bytes(&mut raw, DType::F32, 0.5).is_err());
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// The element type is never inferred from the slope, so forgetting the
    /// dtype does not compile (it once read `f32` data as `f64`; the expected
    /// error codes are checked where rustdoc supports it, on nightly):
    ///
    /// ```compile_fail,E0061
    /// let mut raw = [0u8; 16];
    /// leaky_relu::forward_bytes(&mut raw, 0.01)?;
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// ```compile_fail,E0107
    /// let mut raw = [0u8; 16];
    /// leaky_relu::forward_bytes::<f32>(&mut raw, 0.01)?;
    /// # Ok::<(), leaky_relu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Misaligned`] or [`Error::RaggedBytes`]; `bytes` is then untouched.
    fn forward_bytes(bytes: &mut [u8], dtype: DType, alpha: f64) -> Result<(), Error>;

    /// [`forward_into`] on byte buffers of `dtype` elements (see [`forward_bytes`]).
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer) or
    /// [`Error::LengthMismatch`]; `dst` is then untouched.
    fn forward_into_bytes(dst: &mut [u8], src: &[u8], dtype: DType, alpha: f64) -> Result<(), Error>;

    /// [`backward`] on byte buffers of `dtype` elements (see [`forward_bytes`]).
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer) or
    /// [`Error::LengthMismatch`]; `grad` is then untouched.
    fn backward_bytes(grad: &mut [u8], input: &[u8], dtype: DType, alpha: f64) -> Result<(), Error>;

    /// [`backward_into`] on byte buffers of `dtype` elements (see [`forward_bytes`]).
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer) or
    /// [`Error::LengthMismatch`]; `dx` is then untouched.
    fn backward_into_bytes(dx: &mut [u8], dy: &[u8], input: &[u8], dtype: DType, alpha: f64) -> Result<(), Error>;

    /// [`backward_from_output`] on byte buffers of `dtype` elements (see
    /// [`forward_bytes`]); the slope is checked after rounding to `dtype`.
    ///
    /// # Errors
    /// [`Error::InvalidSlope`], [`Error::Misaligned`], [`Error::RaggedBytes`] or
    /// [`Error::LengthMismatch`]; `grad` is then untouched.
    fn backward_from_output_bytes(grad: &mut [u8], output: &[u8], dtype: DType, alpha: f64) -> Result<(), Error>;

    /// [`backward_from_output_into`] on byte buffers of `dtype` elements (see
    /// [`forward_bytes`]); the slope is checked after rounding to `dtype`.
    ///
    /// # Errors
    /// [`Error::InvalidSlope`], [`Error::Misaligned`], [`Error::RaggedBytes`] or
    /// [`Error::LengthMismatch`]; `dx` is then untouched.
    fn backward_from_output_into_bytes(dx: &mut [u8], dy: &[u8], output: &[u8], dtype: DType, alpha: f64) -> Result<(), Error>;

    /// [`forward_with_mask`] on a byte buffer of `dtype` elements (see [`forward_bytes`]).
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] or [`Error::MaskLength`];
    /// nothing is then written.
    fn forward_with_mask_bytes(bytes: &mut [u8], dtype: DType, alpha: f64, mask: &mut [u8]) -> Result<(), Error>;

    /// [`forward_with_mask_into`] on byte buffers of `dtype` elements (see [`forward_bytes`]).
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer),
    /// [`Error::LengthMismatch`] or [`Error::MaskLength`]; nothing is then written.
    fn forward_with_mask_into_bytes(dst: &mut [u8], src: &[u8], dtype: DType, alpha: f64, mask: &mut [u8]) -> Result<(), Error>;

    /// [`backward_from_mask`] on a byte buffer of `dtype` elements (see [`forward_bytes`]).
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] or [`Error::MaskLength`];
    /// `grad` is then untouched.
    fn backward_from_mask_bytes(grad: &mut [u8], mask: &[u8], dtype: DType, alpha: f64) -> Result<(), Error>;

    /// [`backward_from_mask_into`] on byte buffers of `dtype` elements (see [`forward_bytes`]).
    ///
    /// # Errors
    /// [`Error::Misaligned`], [`Error::RaggedBytes`] (naming the buffer),
    /// [`Error::LengthMismatch`] or [`Error::MaskLength`]; `dx` is then untouched.
    fn backward_from_mask_into_bytes(dx: &mut [u8], dy: &[u8], mask: &[u8], dtype: DType, alpha: f64) -> Result<(), Error>;
}
