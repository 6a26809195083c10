//! The C ABI of leaky-relu: every operation on `float`, `double`, and `f16` and
//! `bf16` (as `uint16_t`) buffers
//! as an `extern "C"` function returning an `int32_t` status, with the checks
//! a C caller cannot be trusted to have made (NULL, alignment, length, overlap)
//! done before anything is written. The header `include/leaky_relu.h` is
//! generated from this file by cbindgen.
//!
//! Conventions, for every function:
//! - Float pointers come first (in the order of the Rust slice API), then the
//!   mask pointer if any, then `len` (elements), `mask_len` (bytes), `alpha`.
//! - A NULL pointer is accepted when `len == 0` (and the mask's when
//!   `mask_len == 0`); with `len > 0` it is `LEAKY_RELU_ERR_NULL`.
//! - A written buffer may not overlap any other buffer of the call, except
//!   that an `_into` function with `dst == src` (`dx == dy`) runs in place.
//!   Read-only buffers may overlap each other.
//! - On any non-zero status other than `LEAKY_RELU_ERR_INTERNAL` nothing has
//!   been written. No panic crosses the boundary (none is expected; one would
//!   be `LEAKY_RELU_ERR_INTERNAL`, and the written buffer's contents are then
//!   unspecified).
//!
//! What the caller must still guarantee, as for any C function taking
//! pointers: each non-NULL pointer is valid for `len` elements (`mask_len`
//! bytes), and during the call no other thread accesses a buffer the call
//! writes, or writes a buffer it reads.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use core::ffi::{CStr, c_char};
use core::panic::AssertUnwindSafe;
use leaky_relu::{Element, Error, Kernel, half};

/// Success.
pub const LEAKY_RELU_OK: i32 = 0;
/// A pointer is NULL while its length is not 0.
pub const LEAKY_RELU_ERR_NULL: i32 = 1;
/// A float pointer is not aligned for its type (4 bytes for `float`, 8 for
/// `double`, 2 for the `uint16_t` of `f16` and `bf16`).
pub const LEAKY_RELU_ERR_MISALIGNED: i32 = 2;
/// A written buffer overlaps another buffer of the call (other than `dst == src`).
pub const LEAKY_RELU_ERR_OVERLAP: i32 = 3;
/// `backward_from_output` with a negative or NaN `alpha` (use `backward`, or
/// `backward_from_mask`, which accept any `alpha`).
pub const LEAKY_RELU_ERR_INVALID_SLOPE: i32 = 4;
/// `mask_len` is not `leaky_relu_mask_len(len)`.
pub const LEAKY_RELU_ERR_MASK_LENGTH: i32 = 5;
/// `len` elements do not fit the address space (more than `PTRDIFF_MAX` bytes).
pub const LEAKY_RELU_ERR_TOO_LONG: i32 = 6;
/// A bug in leaky-relu (a panic caught at the boundary). Please report it.
pub const LEAKY_RELU_ERR_INTERNAL: i32 = 7;

/// A checked float buffer: address and length in bytes.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    bytes: usize,
}

impl Span {
    fn overlaps(self, other: Span) -> bool {
        self.bytes > 0
            && other.bytes > 0
            && self.start < other.start + other.bytes
            && other.start < self.start + self.bytes
    }
}

/// Checks `p` for `len` elements of `T` (or bytes, for the mask).
fn span<T>(p: *const T, len: usize) -> Result<Span, i32> {
    let bytes = len
        .checked_mul(size_of::<T>())
        .filter(|&b| b <= isize::MAX as usize)
        .ok_or(LEAKY_RELU_ERR_TOO_LONG)?;
    if len > 0 && p.is_null() {
        return Err(LEAKY_RELU_ERR_NULL);
    }
    if len > 0 && !(p as usize).is_multiple_of(align_of::<T>()) {
        return Err(LEAKY_RELU_ERR_MISALIGNED);
    }
    // No valid buffer wraps around the address space; refusing one that would
    // keeps the overlap arithmetic exact.
    if (p as usize).checked_add(bytes).is_none() {
        return Err(LEAKY_RELU_ERR_TOO_LONG);
    }
    Ok(Span {
        start: p as usize,
        bytes,
    })
}

/// `p` as a slice of `len` elements (a dangling one if `len == 0`).
///
/// # Safety
/// `span(p, len)` succeeded, `p` is valid for reads of `len` elements, and no
/// live `&mut` covers them.
unsafe fn slice<'a, T>(p: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        return &[];
    }
    // SAFETY: non-NULL, aligned and at most isize::MAX bytes (checked by `span`),
    // valid and not mutated (the caller's contract).
    unsafe { core::slice::from_raw_parts(p, len) }
}

/// `p` as a mutable slice of `len` elements (a dangling one if `len == 0`).
///
/// # Safety
/// `span(p, len)` succeeded, `p` is valid for reads and writes of `len`
/// elements, and no other live reference covers them.
unsafe fn slice_mut<'a, T>(p: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: as in `slice`, and unique (overlaps were refused).
    unsafe { core::slice::from_raw_parts_mut(p, len) }
}

fn code(e: Error) -> i32 {
    match e {
        Error::InvalidSlope { .. } => LEAKY_RELU_ERR_INVALID_SLOPE,
        Error::MaskLength { .. } => LEAKY_RELU_ERR_MASK_LENGTH,
        _ => LEAKY_RELU_ERR_INTERNAL,
    }
}

/// Runs `f`, turning its error or a panic into a status.
fn guard(f: impl FnOnce() -> Result<(), i32>) -> i32 {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => LEAKY_RELU_OK,
        Ok(Err(c)) => c,
        Err(_) => LEAKY_RELU_ERR_INTERNAL,
    }
}

/// `Ok` unless the written span overlaps one of the others.
fn disjoint(written: Span, others: &[Span]) -> Result<(), i32> {
    if others.iter().any(|&o| written.overlaps(o)) {
        Err(LEAKY_RELU_ERR_OVERLAP)
    } else {
        Ok(())
    }
}

// The operations, generic over the element type; the `extern "C"` functions
// below are one-line instances (cbindgen reads them from this file, so they are
// written out rather than generated by a macro). Each checks every buffer
// (size, then NULL, then alignment; the mask and the deciding buffer before
// the written one), then overlaps, then what the Rust function checks (slope,
// mask length), and writes only if all pass.

/// Checks and forms the written slice and a read-only one; `dst == src` is
/// reported as `None` for the second (in place).
///
/// # Safety
/// The pointers are valid for `len` elements (the C caller's contract).
unsafe fn into_pair<'a, T>(
    dst: *mut T,
    src: *const T,
    len: usize,
    others: &[Span],
) -> Result<(&'a mut [T], Option<&'a [T]>), i32> {
    let (d, s) = (span(dst, len)?, span(src, len)?);
    let in_place = len > 0 && d.start == s.start;
    if in_place {
        disjoint(d, others)?;
    } else {
        disjoint(d, &[s])?;
        disjoint(d, others)?;
    }
    // SAFETY: checked by `span`; the written slice overlaps nothing else, and
    // in place the read-only slice is not formed.
    unsafe { Ok((slice_mut(dst, len), (!in_place).then(|| slice(src, len)))) }
}

unsafe fn forward<T: Element>(buf: *mut T, len: usize, alpha: T) -> i32 {
    guard(|| {
        span(buf, len)?;
        // SAFETY: checked by `span`; valid and unaliased (the caller's contract).
        leaky_relu::forward(unsafe { slice_mut(buf, len) }, alpha);
        Ok(())
    })
}

unsafe fn forward_into<T: Element>(dst: *mut T, src: *const T, len: usize, alpha: T) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        match unsafe { into_pair(dst, src, len, &[]) }? {
            (d, None) => leaky_relu::forward(d, alpha),
            (d, Some(s)) => leaky_relu::forward_into(d, s, alpha).map_err(code)?,
        }
        Ok(())
    })
}

/// The checked slices of an out-of-place call: the written one, the source
/// (`None` in place), and a read-only buffer of `U`s.
type Checked<'a, T, U> = (&'a mut [T], Option<&'a [T]>, &'a [U]);

/// [`into_pair`], after checking a read-only buffer `by` of `by_len` `U`s
/// (the deciding input or output, or the mask) that `dst` must not overlap,
/// which it also forms.
///
/// # Safety
/// The pointers are valid for their lengths (the C caller's contract).
unsafe fn into_pair_by<'a, T, U>(
    dst: *mut T,
    src: *const T,
    len: usize,
    by: *const U,
    by_len: usize,
) -> Result<Checked<'a, T, U>, i32> {
    let b = span(by, by_len)?;
    // SAFETY: the caller's contract; `dst` overlaps nothing but possibly `src`.
    let (d, s) = unsafe { into_pair(dst, src, len, &[b])? };
    // SAFETY: checked by `span`; read-only, and not overlapped by `dst`.
    Ok((d, s, unsafe { slice(by, by_len) }))
}

/// `backward_into` or `backward_from_output_into` (`from_output`); `dx == dy`
/// runs in place, which is how the in-place forms call it.
unsafe fn backward_into<T: Element>(
    dx: *mut T,
    dy: *const T,
    decide: *const T,
    len: usize,
    alpha: T,
    from_output: bool,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (d, g, x) = unsafe { into_pair_by(dx, dy, len, decide, len)? };
        let r = match (g, from_output) {
            (None, false) => leaky_relu::backward(d, x, alpha),
            (None, true) => leaky_relu::backward_from_output(d, x, alpha),
            (Some(g), false) => leaky_relu::backward_into(d, g, x, alpha),
            (Some(g), true) => leaky_relu::backward_from_output_into(d, g, x, alpha),
        };
        r.map_err(code)
    })
}

unsafe fn forward_with_mask<T: Element>(
    dst: *mut T,
    src: *const T,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: T,
) -> i32 {
    guard(|| {
        let m = span(mask.cast_const(), mask_len)?;
        // SAFETY: the caller's contract; `dst` overlaps neither `src` (unless
        // equal) nor the mask.
        let (d, s) = unsafe { into_pair(dst, src, len, &[m])? };
        if let Some(s) = s {
            disjoint(m, &[span(s.as_ptr(), len)?])?;
        }
        // SAFETY: checked by `span`; the mask overlaps no other buffer.
        let m = unsafe { slice_mut(mask, mask_len) };
        match s {
            None => leaky_relu::forward_with_mask(d, alpha, m),
            Some(s) => leaky_relu::forward_with_mask_into(d, s, alpha, m),
        }
        .map_err(code)
    })
}

unsafe fn backward_from_mask<T: Element>(
    dx: *mut T,
    dy: *const T,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: T,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (d, g, m) = unsafe { into_pair_by(dx, dy, len, mask, mask_len)? };
        match g {
            None => leaky_relu::backward_from_mask(d, m, alpha),
            Some(g) => leaky_relu::backward_from_mask_into(d, g, m, alpha),
        }
        .map_err(code)
    })
}

/// Bytes of the 1-bit mask for `n` elements: `(n + 7) / 8`, without overflow.
#[unsafe(no_mangle)]
pub extern "C" fn leaky_relu_mask_len(n: usize) -> usize {
    leaky_relu::mask_len(n)
}

/// The kernel the functions run (`"avx512"`, `"avx2"`, `"neon"`, `"portable"`
/// or `"scalar"`): the fastest this CPU has, unless the environment variable
/// `LEAKY_RELU_KERNEL` (read once) names another available one. A static
/// NUL-terminated string, never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn leaky_relu_kernel_name() -> *const c_char {
    let name: &CStr = match Kernel::best() {
        Kernel::Avx512 => c"avx512",
        Kernel::Avx2 => c"avx2",
        Kernel::Neon => c"neon",
        Kernel::Portable => c"portable",
        Kernel::Scalar => c"scalar",
        _ => c"unknown",
    };
    name.as_ptr()
}

/// The configuration in effect, as text: the kernel and why it was chosen,
/// the parallelism, the thread pool, and every environment value that was
/// ignored (`LEAKY_RELU_KERNEL=sse9`, say) with the reason, one per line. A
/// NUL-terminated string owned by the library, never NULL; taken at the first
/// call and the same for every later one. The library never prints: log this.
#[unsafe(no_mangle)]
pub extern "C" fn leaky_relu_diagnostics() -> *const c_char {
    static TEXT: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let text = leaky_relu::diagnostics().to_string().replace('\0', " ");
        std::ffi::CString::new(text).unwrap_or_default()
    })
    .as_ptr()
}

/// A static NUL-terminated description of a status returned by these
/// functions; never NULL (an unknown status gets "unknown status").
#[unsafe(no_mangle)]
pub extern "C" fn leaky_relu_error_message(status: i32) -> *const c_char {
    let m: &CStr = match status {
        LEAKY_RELU_OK => c"success",
        LEAKY_RELU_ERR_NULL => c"a pointer is NULL while its length is not 0",
        LEAKY_RELU_ERR_MISALIGNED => {
            c"a float pointer is not aligned for its type (4 bytes for float, 8 for double, 2 for f16 and bf16)"
        }
        LEAKY_RELU_ERR_OVERLAP => {
            c"a written buffer overlaps another buffer of the call (only dst == src may alias)"
        }
        LEAKY_RELU_ERR_INVALID_SLOPE => {
            c"backward_from_output needs alpha >= 0; use backward with the input, or backward_from_mask"
        }
        LEAKY_RELU_ERR_MASK_LENGTH => c"mask_len is not leaky_relu_mask_len(len)",
        LEAKY_RELU_ERR_TOO_LONG => c"len elements do not fit the address space",
        LEAKY_RELU_ERR_INTERNAL => c"internal error in leaky-relu (a bug: please report it)",
        _ => c"unknown status",
    };
    m.as_ptr()
}

/// In-place forward: each `buf[i]` becomes `buf[i]` if `buf[i] > 0`, else
/// `alpha * buf[i]` (so -0.0 becomes `alpha * -0.0`, NaN stays NaN).
///
/// # Safety
/// `buf` is NULL with `len == 0`, or valid for reads and writes of `len` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_f32(buf: *mut f32, len: usize, alpha: f32) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { forward(buf, len, alpha) }
}

/// Out-of-place forward: `dst[i]` becomes what `leaky_relu_forward_f32` makes of
/// `src[i]`. `dst == src` runs in place; any other overlap is refused.
///
/// # Safety
/// Each pointer is NULL with `len == 0`, or valid for `len` elements (`dst`
/// for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_into_f32(
    dst: *mut f32,
    src: *const f32,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { forward_into(dst, src, len, alpha) }
}

/// In-place backward: `grad[i]` stays if `input[i] > 0`, else becomes
/// `grad[i] * alpha`. `grad` must not overlap `input`.
///
/// # Safety
/// Each pointer is NULL with `len == 0`, or valid for `len` elements (`grad`
/// for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_f32(
    grad: *mut f32,
    input: *const f32,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_into(grad, grad, input, len, alpha, false) }
}

/// Out-of-place backward: `dx[i]` becomes `dy[i]` if `input[i] > 0`, else
/// `dy[i] * alpha`. `dx == dy` runs in place; `dx` must not otherwise overlap
/// `dy` or `input`.
///
/// # Safety
/// Each pointer is NULL with `len == 0`, or valid for `len` elements (`dx`
/// for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_into_f32(
    dx: *mut f32,
    dy: *const f32,
    input: *const f32,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_into(dx, dy, input, len, alpha, false) }
}

/// In-place backward decided by the forward output: valid only for
/// `alpha >= 0` (else `LEAKY_RELU_ERR_INVALID_SLOPE`, nothing written).
///
/// # Safety
/// As `leaky_relu_backward_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_output_f32(
    grad: *mut f32,
    output: *const f32,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_into(grad, grad, output, len, alpha, true) }
}

/// Out-of-place backward decided by the forward output (`alpha >= 0` only).
///
/// # Safety
/// As `leaky_relu_backward_into_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_output_into_f32(
    dx: *mut f32,
    dy: *const f32,
    output: *const f32,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_into(dx, dy, output, len, alpha, true) }
}

/// In-place forward that also writes a 1-bit mask of where the input was
/// `> 0`: bit `i % 8` of `mask[i / 8]`, unused high bits 0. `mask_len` must be
/// `leaky_relu_mask_len(len)`; the mask must not overlap `buf`.
///
/// # Safety
/// `buf` is NULL with `len == 0` or valid for reads and writes of `len`
/// elements; `mask` likewise for `mask_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_with_mask_f32(
    buf: *mut f32,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { forward_with_mask(buf, buf, mask, len, mask_len, alpha) }
}

/// Out-of-place forward with the mask of `src > 0`. `dst == src` runs in
/// place; no other overlap between `dst`, `src` and `mask` is allowed.
///
/// # Safety
/// Each pointer is NULL with a zero length, or valid for its length (`dst`
/// and `mask` for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_with_mask_into_f32(
    dst: *mut f32,
    src: *const f32,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { forward_with_mask(dst, src, mask, len, mask_len, alpha) }
}

/// In-place backward decided by a mask from `leaky_relu_forward_with_mask_f32`:
/// `grad[i]` stays where bit `i` is set, else becomes `grad[i] * alpha`; any
/// `alpha`. Bits past `len` are ignored. The mask must not overlap `grad`.
///
/// # Safety
/// `grad` is NULL with `len == 0` or valid for reads and writes of `len`
/// elements; `mask` is NULL with `mask_len == 0` or valid for `mask_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_mask_f32(
    grad: *mut f32,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_from_mask(grad, grad, mask, len, mask_len, alpha) }
}

/// Out-of-place backward decided by a mask: `dx[i]` becomes `dy[i]` where bit
/// `i` is set, else `dy[i] * alpha`. `dx == dy` runs in place; `dx` must not
/// otherwise overlap `dy` or the mask.
///
/// # Safety
/// Each pointer is NULL with a zero length, or valid for its length (`dx`
/// for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_mask_into_f32(
    dx: *mut f32,
    dy: *const f32,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_from_mask(dx, dy, mask, len, mask_len, alpha) }
}

/// In-place forward: each `buf[i]` becomes `buf[i]` if `buf[i] > 0`, else
/// `alpha * buf[i]` (so -0.0 becomes `alpha * -0.0`, NaN stays NaN).
///
/// # Safety
/// `buf` is NULL with `len == 0`, or valid for reads and writes of `len` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_f64(buf: *mut f64, len: usize, alpha: f64) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { forward(buf, len, alpha) }
}

/// Out-of-place forward: `dst[i]` becomes what `leaky_relu_forward_f64` makes of
/// `src[i]`. `dst == src` runs in place; any other overlap is refused.
///
/// # Safety
/// Each pointer is NULL with `len == 0`, or valid for `len` elements (`dst`
/// for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_into_f64(
    dst: *mut f64,
    src: *const f64,
    len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { forward_into(dst, src, len, alpha) }
}

/// In-place backward: `grad[i]` stays if `input[i] > 0`, else becomes
/// `grad[i] * alpha`. `grad` must not overlap `input`.
///
/// # Safety
/// Each pointer is NULL with `len == 0`, or valid for `len` elements (`grad`
/// for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_f64(
    grad: *mut f64,
    input: *const f64,
    len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_into(grad, grad, input, len, alpha, false) }
}

/// Out-of-place backward: `dx[i]` becomes `dy[i]` if `input[i] > 0`, else
/// `dy[i] * alpha`. `dx == dy` runs in place; `dx` must not otherwise overlap
/// `dy` or `input`.
///
/// # Safety
/// Each pointer is NULL with `len == 0`, or valid for `len` elements (`dx`
/// for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_into_f64(
    dx: *mut f64,
    dy: *const f64,
    input: *const f64,
    len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_into(dx, dy, input, len, alpha, false) }
}

/// In-place backward decided by the forward output: valid only for
/// `alpha >= 0` (else `LEAKY_RELU_ERR_INVALID_SLOPE`, nothing written).
///
/// # Safety
/// As `leaky_relu_backward_f64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_output_f64(
    grad: *mut f64,
    output: *const f64,
    len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_into(grad, grad, output, len, alpha, true) }
}

/// Out-of-place backward decided by the forward output (`alpha >= 0` only).
///
/// # Safety
/// As `leaky_relu_backward_into_f64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_output_into_f64(
    dx: *mut f64,
    dy: *const f64,
    output: *const f64,
    len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_into(dx, dy, output, len, alpha, true) }
}

/// In-place forward that also writes a 1-bit mask of where the input was
/// `> 0`: bit `i % 8` of `mask[i / 8]`, unused high bits 0. `mask_len` must be
/// `leaky_relu_mask_len(len)`; the mask must not overlap `buf`.
///
/// # Safety
/// `buf` is NULL with `len == 0` or valid for reads and writes of `len`
/// elements; `mask` likewise for `mask_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_with_mask_f64(
    buf: *mut f64,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { forward_with_mask(buf, buf, mask, len, mask_len, alpha) }
}

/// Out-of-place forward with the mask of `src > 0`. `dst == src` runs in
/// place; no other overlap between `dst`, `src` and `mask` is allowed.
///
/// # Safety
/// Each pointer is NULL with a zero length, or valid for its length (`dst`
/// and `mask` for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_with_mask_into_f64(
    dst: *mut f64,
    src: *const f64,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { forward_with_mask(dst, src, mask, len, mask_len, alpha) }
}

/// In-place backward decided by a mask from `leaky_relu_forward_with_mask_f64`:
/// `grad[i]` stays where bit `i` is set, else becomes `grad[i] * alpha`; any
/// `alpha`. Bits past `len` are ignored. The mask must not overlap `grad`.
///
/// # Safety
/// `grad` is NULL with `len == 0` or valid for reads and writes of `len`
/// elements; `mask` is NULL with `mask_len == 0` or valid for `mask_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_mask_f64(
    grad: *mut f64,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_from_mask(grad, grad, mask, len, mask_len, alpha) }
}

/// Out-of-place backward decided by a mask: `dx[i]` becomes `dy[i]` where bit
/// `i` is set, else `dy[i] * alpha`. `dx == dy` runs in place; `dx` must not
/// otherwise overlap `dy` or the mask.
///
/// # Safety
/// Each pointer is NULL with a zero length, or valid for its length (`dx`
/// for writes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_mask_into_f64(
    dx: *mut f64,
    dy: *const f64,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: f64,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { backward_from_mask(dx, dy, mask, len, mask_len, alpha) }
}

/// `leaky_relu_forward_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_forward_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_f16(buf: *mut u16, len: usize, alpha: f32) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe { forward(buf.cast::<half::f16>(), len, half::f16::from_f32(alpha)) }
}

/// `leaky_relu_forward_into_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_forward_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_into_f16(
    dst: *mut u16,
    src: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        forward_into(
            dst.cast::<half::f16>(),
            src.cast::<half::f16>(),
            len,
            half::f16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_backward_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_backward_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_f16(
    grad: *mut u16,
    input: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        backward_into(
            grad.cast::<half::f16>(),
            grad.cast::<half::f16>(),
            input.cast::<half::f16>(),
            len,
            half::f16::from_f32(alpha),
            false,
        )
    }
}

/// `leaky_relu_backward_into_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_backward_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_into_f16(
    dx: *mut u16,
    dy: *const u16,
    input: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        backward_into(
            dx.cast::<half::f16>(),
            dy.cast::<half::f16>(),
            input.cast::<half::f16>(),
            len,
            half::f16::from_f32(alpha),
            false,
        )
    }
}

/// `leaky_relu_backward_from_output_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_backward_from_output_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_output_f16(
    grad: *mut u16,
    output: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        backward_into(
            grad.cast::<half::f16>(),
            grad.cast::<half::f16>(),
            output.cast::<half::f16>(),
            len,
            half::f16::from_f32(alpha),
            true,
        )
    }
}

/// `leaky_relu_backward_from_output_into_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_backward_from_output_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_output_into_f16(
    dx: *mut u16,
    dy: *const u16,
    output: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        backward_into(
            dx.cast::<half::f16>(),
            dy.cast::<half::f16>(),
            output.cast::<half::f16>(),
            len,
            half::f16::from_f32(alpha),
            true,
        )
    }
}

/// `leaky_relu_forward_with_mask_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_forward_with_mask_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_with_mask_f16(
    buf: *mut u16,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        forward_with_mask(
            buf.cast::<half::f16>(),
            buf.cast::<half::f16>(),
            mask,
            len,
            mask_len,
            half::f16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_forward_with_mask_into_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_forward_with_mask_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_with_mask_into_f16(
    dst: *mut u16,
    src: *const u16,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        forward_with_mask(
            dst.cast::<half::f16>(),
            src.cast::<half::f16>(),
            mask,
            len,
            mask_len,
            half::f16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_backward_from_mask_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_backward_from_mask_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_mask_f16(
    grad: *mut u16,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        backward_from_mask(
            grad.cast::<half::f16>(),
            grad.cast::<half::f16>(),
            mask,
            len,
            mask_len,
            half::f16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_backward_from_mask_into_f32` on `f16` values (IEEE 754 binary16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `f16` (ties to even: any `f16` slope
/// passes exactly); each product is the one of the `f16` slope and value,
/// correctly rounded to `f16`.
///
/// # Safety
/// As `leaky_relu_backward_from_mask_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_mask_into_f16(
    dx: *mut u16,
    dy: *const u16,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::f16` is a `u16` in memory.
    unsafe {
        backward_from_mask(
            dx.cast::<half::f16>(),
            dy.cast::<half::f16>(),
            mask,
            len,
            mask_len,
            half::f16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_forward_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_forward_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_bf16(buf: *mut u16, len: usize, alpha: f32) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe { forward(buf.cast::<half::bf16>(), len, half::bf16::from_f32(alpha)) }
}

/// `leaky_relu_forward_into_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_forward_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_into_bf16(
    dst: *mut u16,
    src: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        forward_into(
            dst.cast::<half::bf16>(),
            src.cast::<half::bf16>(),
            len,
            half::bf16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_backward_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_backward_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_bf16(
    grad: *mut u16,
    input: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        backward_into(
            grad.cast::<half::bf16>(),
            grad.cast::<half::bf16>(),
            input.cast::<half::bf16>(),
            len,
            half::bf16::from_f32(alpha),
            false,
        )
    }
}

/// `leaky_relu_backward_into_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_backward_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_into_bf16(
    dx: *mut u16,
    dy: *const u16,
    input: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        backward_into(
            dx.cast::<half::bf16>(),
            dy.cast::<half::bf16>(),
            input.cast::<half::bf16>(),
            len,
            half::bf16::from_f32(alpha),
            false,
        )
    }
}

/// `leaky_relu_backward_from_output_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_backward_from_output_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_output_bf16(
    grad: *mut u16,
    output: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        backward_into(
            grad.cast::<half::bf16>(),
            grad.cast::<half::bf16>(),
            output.cast::<half::bf16>(),
            len,
            half::bf16::from_f32(alpha),
            true,
        )
    }
}

/// `leaky_relu_backward_from_output_into_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_backward_from_output_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_output_into_bf16(
    dx: *mut u16,
    dy: *const u16,
    output: *const u16,
    len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        backward_into(
            dx.cast::<half::bf16>(),
            dy.cast::<half::bf16>(),
            output.cast::<half::bf16>(),
            len,
            half::bf16::from_f32(alpha),
            true,
        )
    }
}

/// `leaky_relu_forward_with_mask_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_forward_with_mask_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_with_mask_bf16(
    buf: *mut u16,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        forward_with_mask(
            buf.cast::<half::bf16>(),
            buf.cast::<half::bf16>(),
            mask,
            len,
            mask_len,
            half::bf16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_forward_with_mask_into_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_forward_with_mask_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_forward_with_mask_into_bf16(
    dst: *mut u16,
    src: *const u16,
    mask: *mut u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        forward_with_mask(
            dst.cast::<half::bf16>(),
            src.cast::<half::bf16>(),
            mask,
            len,
            mask_len,
            half::bf16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_backward_from_mask_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_backward_from_mask_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_mask_bf16(
    grad: *mut u16,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        backward_from_mask(
            grad.cast::<half::bf16>(),
            grad.cast::<half::bf16>(),
            mask,
            len,
            mask_len,
            half::bf16::from_f32(alpha),
        )
    }
}

/// `leaky_relu_backward_from_mask_into_f32` on `bf16` values (bfloat16, as `uint16_t` bits),
/// with `alpha` rounded to the nearest `bf16` (ties to even: any `bf16` slope
/// passes exactly); each product is the one of the `bf16` slope and value,
/// correctly rounded to `bf16`.
///
/// # Safety
/// As `leaky_relu_backward_from_mask_into_f32`, counting `len` in `uint16_t` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leaky_relu_backward_from_mask_into_bf16(
    dx: *mut u16,
    dy: *const u16,
    mask: *const u8,
    len: usize,
    mask_len: usize,
    alpha: f32,
) -> i32 {
    // SAFETY: the caller's contract; `half::bf16` is a `u16` in memory.
    unsafe {
        backward_from_mask(
            dx.cast::<half::bf16>(),
            dy.cast::<half::bf16>(),
            mask,
            len,
            mask_len,
            half::bf16::from_f32(alpha),
        )
    }
}
