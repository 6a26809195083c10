//! Every error variant is produced by the public API, carries what it promises,
//! displays a message, and leaves every buffer untouched (compared by bits).

use leaky_relu::{DType, Error, Kernel, Operand, Options, Scalar};

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn length_mismatch_leaves_grad_untouched() {
    let mut g = vec![-1.0f32, 2.0, -3.0];
    let before = bits(&g);
    let mismatch = |operand, len, expected| Error::LengthMismatch {
        operand,
        len,
        written: Operand::Grad,
        expected,
    };
    let e = leaky_relu::backward(&mut g, &[-1.0, -1.0], 0.5).unwrap_err();
    assert_eq!(e, mismatch(Operand::Input, 2, 3));
    assert!(e.to_string().contains('3') && e.to_string().contains('2'));
    assert_eq!(
        e.to_string(),
        "length mismatch: input has 2 elements but grad (the buffer written) has 3; \
         every buffer of a call must have the same length"
    );
    let e = leaky_relu::backward_from_output(&mut g, &[-1.0; 4], 0.5).unwrap_err();
    assert_eq!(e, mismatch(Operand::Output, 4, 3));
    for k in Kernel::available() {
        assert_eq!(
            k.backward(&mut g, &[0.0; 1], 0.5),
            Err(mismatch(Operand::Input, 1, 3))
        );
    }
    assert_eq!(bits(&g), before);
}

#[test]
fn out_of_place_length_mismatch_leaves_dst_untouched() {
    let mismatch = |operand, len, expected| {
        Err(Error::LengthMismatch {
            operand,
            len,
            written: Operand::Dst,
            expected,
        })
    };
    let mut dst = vec![7.0f32, -7.0, f32::NAN];
    let before = bits(&dst);
    let (two, three, four) = ([-1.0f32; 2], [-1.0f32; 3], [-1.0f32; 4]);
    assert_eq!(
        leaky_relu::forward_into(&mut dst, &two, 0.5),
        mismatch(Operand::Src, 2, 3)
    );
    assert_eq!(
        leaky_relu::backward_into(&mut dst, &four, &three, 0.5),
        mismatch(Operand::Grad, 4, 3)
    );
    assert_eq!(
        leaky_relu::backward_into(&mut dst, &three, &two, 0.5),
        mismatch(Operand::Input, 2, 3)
    );
    assert_eq!(
        leaky_relu::backward_from_output_into(&mut dst, &three, &four, 0.5),
        mismatch(Operand::Output, 4, 3)
    );
    // Two bad buffers: the first in argument order is named.
    assert_eq!(
        leaky_relu::backward_into(&mut dst, &four, &two, 0.5),
        mismatch(Operand::Grad, 4, 3)
    );
    // The slope is checked first, as in place.
    assert!(matches!(
        leaky_relu::backward_from_output_into(&mut dst, &two, &four, -0.5),
        Err(Error::InvalidSlope { .. })
    ));
    // alpha == 1 (a plain copy) still validates.
    assert_eq!(
        leaky_relu::forward_into(&mut dst, &two, 1.0),
        mismatch(Operand::Src, 2, 3)
    );
    for k in Kernel::available() {
        assert_eq!(
            k.forward_into(&mut dst, &four, 0.5),
            mismatch(Operand::Src, 4, 3)
        );
    }
    assert_eq!(bits(&dst), before);
}

#[test]
fn invalid_slope_for_backward_from_output() {
    let y = [-1.0f64, 2.0, -0.0];
    for alpha in [
        -0.01,
        -1.0,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::MIN,
    ] {
        let mut g = vec![1.0f64, -2.0, 3.0];
        let e = leaky_relu::backward_from_output(&mut g, &y, alpha).unwrap_err();
        match e {
            Error::InvalidSlope {
                alpha: Scalar::F64(a),
            } => assert!(a.to_bits() == alpha.to_bits() || (a.is_nan() && alpha.is_nan())),
            other => panic!("alpha {alpha}: {other:?}"),
        }
        assert!(!e.to_string().is_empty());
        // Slope is checked before lengths: a mismatched call gets the slope error too.
        assert!(matches!(
            leaky_relu::backward_from_output(&mut g, &y[..1], alpha),
            Err(Error::InvalidSlope { .. })
        ));
        assert_eq!(g, [1.0, -2.0, 3.0]);
    }
    // -0.0, +0 and +inf are valid slopes.
    for alpha in [-0.0f64, 0.0, f64::INFINITY, f64::from_bits(1)] {
        let mut g = vec![1.0f64; 3];
        leaky_relu::backward_from_output(&mut g, &y, alpha).unwrap();
    }
    // f32 too, widened exactly.
    let mut g = vec![1.0f32];
    assert_eq!(
        leaky_relu::backward_from_output(&mut g, &[1.0], -0.1f32),
        Err(Error::InvalidSlope {
            alpha: Scalar::F32(-0.1)
        })
    );
    // Displayed in its own type, not widened (-0.10000000149011612).
    let e = leaky_relu::backward_from_output(&mut g, &[1.0], -0.1f32).unwrap_err();
    assert!(e.to_string().contains("got -0.1 (f32)"), "{e}");
}

/// An 8-aligned byte buffer with room for an offset.
fn aligned_bytes(n: usize) -> Vec<u64> {
    let vals: Vec<f64> = (0..n).map(|i| i as f64 - (n as f64) / 2.0).collect();
    vals.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn misaligned_and_ragged_bytes() {
    let mut store = aligned_bytes(8);
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut store);
    let before = bytes.to_vec();

    // Misaligned start (1 byte in), whole number of elements.
    let e = leaky_relu::forward_bytes(&mut bytes[1..17], DType::F32, 0.5).unwrap_err();
    assert_eq!(
        e,
        Error::Misaligned {
            operand: Operand::Buffer,
            dtype: DType::F32,
            align: 4,
            offset: 1
        }
    );
    let msg = e.to_string();
    assert!(
        msg.contains("misaligned for f32") && msg.contains("Vec<f32>"),
        "says what to do: {msg}"
    );
    let e = leaky_relu::forward_bytes(&mut bytes[4..20], DType::F64, 0.5).unwrap_err();
    assert!(matches!(
        e,
        Error::Misaligned {
            align: 8,
            offset: 4,
            ..
        }
    ));

    // Ragged length.
    let e = leaky_relu::forward_bytes(&mut bytes[..10], DType::F32, 0.5).unwrap_err();
    assert_eq!(
        e,
        Error::RaggedBytes {
            operand: Operand::Buffer,
            dtype: DType::F32,
            len: 10,
            elem_size: 4
        }
    );
    assert!(e.to_string().contains("10"));
    assert_eq!(bytes, &before[..]);

    // Backward names the buffer at fault: grad, input or output.
    let (g, x) = bytes.split_at_mut(32);
    let e = leaky_relu::backward_bytes(&mut g[..6], &x[..8], DType::F32, 0.5).unwrap_err();
    assert!(matches!(
        e,
        Error::RaggedBytes {
            operand: Operand::Grad,
            ..
        }
    ));
    let e = leaky_relu::backward_bytes(&mut g[..8], &x[1..9], DType::F32, 0.5).unwrap_err();
    assert!(matches!(
        e,
        Error::Misaligned {
            operand: Operand::Input,
            ..
        }
    ));
    let e =
        leaky_relu::backward_from_output_bytes(&mut g[..8], &x[..12], DType::F64, 0.5).unwrap_err();
    assert!(matches!(
        e,
        Error::RaggedBytes {
            operand: Operand::Output,
            ..
        }
    ));
    let e = leaky_relu::backward_bytes(&mut g[..8], &x[..16], DType::F32, 0.5).unwrap_err();
    assert_eq!(
        e,
        Error::LengthMismatch {
            operand: Operand::Input,
            len: 4,
            written: Operand::Grad,
            expected: 2
        }
    );
    // Out of place: each buffer is named, the destination first.
    let (x, y) = x.split_at_mut(16);
    // Several bad buffers: the first in argument order is named.
    let e = leaky_relu::forward_into_bytes(&mut g[1..9], &x[1..9], DType::F32, 0.5).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Misaligned {
                operand: Operand::Dst,
                ..
            }
        ),
        "{e:?}"
    );
    let e = leaky_relu::backward_into_bytes(&mut g[..8], &x[1..9], &y[..5], DType::F32, 0.5)
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Misaligned {
                operand: Operand::Grad,
                ..
            }
        ),
        "{e:?}"
    );
    let e = leaky_relu::forward_into_bytes(&mut g[1..9], &x[..8], DType::F32, 0.5).unwrap_err();
    assert!(matches!(
        e,
        Error::Misaligned {
            operand: Operand::Dst,
            ..
        }
    ));
    let e = leaky_relu::forward_into_bytes(&mut g[..8], &x[..7], DType::F32, 0.5).unwrap_err();
    assert!(matches!(
        e,
        Error::RaggedBytes {
            operand: Operand::Src,
            ..
        }
    ));
    let e = leaky_relu::backward_into_bytes(&mut g[..8], &x[2..10], &y[..8], DType::F32, 0.5)
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Misaligned {
            operand: Operand::Grad,
            ..
        }
    ));
    let e = leaky_relu::backward_into_bytes(&mut g[..8], &x[..8], &y[..5], DType::F32, 0.5)
        .unwrap_err();
    assert!(matches!(
        e,
        Error::RaggedBytes {
            operand: Operand::Input,
            ..
        }
    ));
    let e = leaky_relu::backward_from_output_into_bytes(
        &mut g[..8],
        &x[..8],
        &y[..16],
        DType::F64,
        0.5,
    )
    .unwrap_err();
    assert!(matches!(
        e,
        Error::LengthMismatch {
            operand: Operand::Output,
            len: 2,
            written: Operand::Dst,
            expected: 1
        }
    ));
    let e = leaky_relu::backward_from_output_into_bytes(
        &mut g[..3],
        &x[..8],
        &y[..8],
        DType::F64,
        f64::NAN,
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::InvalidSlope { .. }),
        "slope first: {e:?}"
    );
    let e =
        leaky_relu::backward_from_output_bytes(&mut g[..8], &x[..8], DType::F32, -1.0).unwrap_err();
    assert!(matches!(e, Error::InvalidSlope { .. }));
    assert_eq!(bytes, &before[..]);

    // Empty buffers are fine whatever their address.
    leaky_relu::forward_bytes(&mut bytes[1..1], DType::F32, 0.5).unwrap();
    let mut empty: Vec<u8> = Vec::new();
    leaky_relu::forward_bytes(&mut empty, DType::F64, 0.5).unwrap();
}

#[test]
fn bytes_api_matches_slices() {
    let mut store = aligned_bytes(64);
    let vals: Vec<f64> = store.iter().map(|&b| f64::from_bits(b)).collect();
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut store);
    leaky_relu::forward_bytes(bytes, DType::F64, 0.25).unwrap();
    let mut want = vals.clone();
    leaky_relu::reference::forward(&mut want, 0.25);
    let got: &[f64] = bytemuck::cast_slice(bytes);
    assert_eq!(got, &want[..]);

    let mut g = vec![1.0f64; 64];
    let gb: &mut [u8] = bytemuck::cast_slice_mut(&mut g);
    leaky_relu::backward_bytes(gb, bytemuck::cast_slice(&vals), DType::F64, 0.25).unwrap();
    let mut gw = vec![1.0f64; 64];
    leaky_relu::reference::backward(&mut gw, &vals, 0.25).unwrap();
    assert_eq!(g, gw);
}

/// The byte forms round an `f64` alpha to the dtype once, to nearest even,
/// and check the slope after rounding, reporting it in the dtype.
#[test]
fn byte_forms_round_alpha_to_the_dtype() {
    let vals: Vec<f32> = (0..37).map(|i| i as f32 - 20.5).collect();
    for alpha in [0.01f64, 0.1, 1.0 / 3.0, 1e-50, -1e-50, 1e300, f64::NAN] {
        let mut via_bytes = vals.clone();
        leaky_relu::forward_bytes(bytemuck::cast_slice_mut(&mut via_bytes), DType::F32, alpha)
            .unwrap();
        let mut want = vals.clone();
        leaky_relu::reference::forward(&mut want, alpha as f32);
        // NaN where the reference gives NaN (the payload is not specified).
        let same = |a: &f32, b: &f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        assert!(
            via_bytes.iter().zip(&want).all(|(a, b)| same(a, b)),
            "alpha {alpha}: {via_bytes:?} vs {want:?}"
        );
    }
    // -1e-50 rounds to -0.0f32, a valid slope for backward_from_output.
    let mut g = vec![1.0f32; 4];
    let y = [1.0f32, -1.0, 0.0, 2.0];
    leaky_relu::backward_from_output_bytes(
        bytemuck::cast_slice_mut(&mut g),
        bytemuck::cast_slice(&y),
        DType::F32,
        -1e-50,
    )
    .unwrap();
    assert_eq!(bits(&g), bits(&[1.0, -0.0, -0.0, 1.0]));
    let e = leaky_relu::backward_from_output_bytes(
        bytemuck::cast_slice_mut(&mut g),
        bytemuck::cast_slice(&y),
        DType::F32,
        -0.1,
    )
    .unwrap_err();
    assert_eq!(
        e,
        Error::InvalidSlope {
            alpha: Scalar::F32(-0.1)
        }
    );
    // A dtype that does not fit the bytes' length is refused, untouched.
    let mut store = [0x8000_0001u32; 3]; // negative subnormals: forward would change them
    let b: &mut [u8] = &mut bytemuck::cast_slice_mut(&mut store)[..4];
    assert!(matches!(
        leaky_relu::forward_bytes(b, DType::F64, 0.5),
        Err(Error::Misaligned { .. } | Error::RaggedBytes { .. })
    ));
    assert_eq!(store, [0x8000_0001; 3]);
}

#[test]
fn unavailable_kernel_is_an_error_not_a_crash() {
    let missing: Vec<Kernel> = Kernel::ALL
        .iter()
        .copied()
        .filter(|k| !k.is_available())
        .collect();
    // On x86 NEON is never available; on aarch64 AVX2 is never available.
    assert!(
        !missing.is_empty(),
        "some kernel must be missing on any CPU"
    );
    for k in missing {
        let mut x = vec![-1.0f32, 1.0];
        assert_eq!(
            k.forward(&mut x, 0.5),
            Err(Error::KernelUnavailable { kernel: k })
        );
        assert_eq!(
            k.backward(&mut x, &[0.0, 0.0], 0.5),
            Err(Error::KernelUnavailable { kernel: k })
        );
        assert_eq!(
            k.backward_from_output(&mut x, &[0.0, 0.0], 0.5),
            Err(Error::KernelUnavailable { kernel: k })
        );
        let mut d = [0.0f32; 2];
        assert_eq!(
            k.forward_into(&mut d, &x, 0.5),
            Err(Error::KernelUnavailable { kernel: k })
        );
        assert_eq!(
            k.backward_into(&mut d, &x, &x, 0.5),
            Err(Error::KernelUnavailable { kernel: k })
        );
        assert_eq!(
            k.backward_from_output_into(&mut d, &x, &x, 0.5),
            Err(Error::KernelUnavailable { kernel: k })
        );
        let mut mask = [0u8; 1];
        assert_eq!(
            k.forward_with_mask(&mut d, 0.5, &mut mask),
            Err(Error::KernelUnavailable { kernel: k })
        );
        assert_eq!(
            k.backward_from_mask_into(&mut d, &x, &mask, 0.5),
            Err(Error::KernelUnavailable { kernel: k })
        );
        assert_eq!(mask, [0]);
        assert_eq!(d, [0.0; 2]);
        assert_eq!(
            Options::new().with_kernel(k),
            Err(Error::KernelUnavailable { kernel: k })
        );
        assert!(
            Error::KernelUnavailable { kernel: k }
                .to_string()
                .contains(k.name())
        );
        assert_eq!(x, [-1.0, 1.0]);
    }
    assert!("sse9".parse::<Kernel>().is_err());
}

#[test]
fn errors_are_std_errors() {
    fn takes(_: &dyn std::error::Error) {}
    takes(&Error::LengthMismatch {
        operand: Operand::Input,
        len: 1,
        written: Operand::Grad,
        expected: 2,
    });
    takes(&"sse9".parse::<Kernel>().unwrap_err());
    takes(&"threads".parse::<leaky_relu::Parallelism>().unwrap_err());
    takes(&"float".parse::<DType>().unwrap_err());
}

/// A mask of the wrong length is `MaskLength`, for every mask operation, every
/// kernel and the free functions; neither the buffer nor the mask is written.
/// Out of place, a length mismatch between the float buffers is reported first.
#[test]
fn mask_length_leaves_everything_untouched() {
    let mask_err = |len, elements: usize| {
        Err(Error::MaskLength {
            len,
            expected: elements.div_ceil(8),
            elements,
        })
    };
    let mut x = vec![-1.0f32; 9];
    let src = vec![-2.0f32; 9];
    let before = bits(&x);
    for bad in [0usize, 1, 3] {
        let mut mask = vec![0xa5u8; bad];
        assert_eq!(
            leaky_relu::forward_with_mask(&mut x, 0.5, &mut mask),
            mask_err(bad, 9)
        );
        assert_eq!(
            leaky_relu::forward_with_mask_into(&mut x, &src, 0.5, &mut mask),
            mask_err(bad, 9)
        );
        assert_eq!(
            leaky_relu::backward_from_mask(&mut x, &mask, 0.5),
            mask_err(bad, 9)
        );
        assert_eq!(
            leaky_relu::backward_from_mask_into(&mut x, &src, &mask, 0.5),
            mask_err(bad, 9)
        );
        // alpha == 1 (nothing to compute for a backward) still validates.
        assert_eq!(
            leaky_relu::backward_from_mask(&mut x, &mask, 1.0),
            mask_err(bad, 9)
        );
        for k in Kernel::available() {
            assert_eq!(
                k.forward_with_mask(&mut x, 0.5, &mut mask),
                mask_err(bad, 9)
            );
            assert_eq!(k.backward_from_mask(&mut x, &mask, 0.5), mask_err(bad, 9));
        }
        assert!(mask.iter().all(|&b| b == 0xa5), "mask written on error");
        assert_eq!(bits(&x), before);
    }
    let mut mask = [0xa5u8; 2];
    assert_eq!(
        leaky_relu::forward_with_mask_into(&mut x, &src[..8], 0.5, &mut mask),
        Err(Error::LengthMismatch {
            operand: Operand::Src,
            len: 8,
            written: Operand::Dst,
            expected: 9
        })
    );
    assert_eq!(
        leaky_relu::backward_from_mask_into(&mut x, &src[..8], &mask, 0.5),
        Err(Error::LengthMismatch {
            operand: Operand::Grad,
            len: 8,
            written: Operand::Dst,
            expected: 9
        })
    );
    assert_eq!(mask, [0xa5; 2]);
    assert_eq!(bits(&x), before);
    let msg = Error::MaskLength {
        len: 3,
        expected: 2,
        elements: 9,
    }
    .to_string();
    assert!(
        msg.contains("mask_len(9) = 2") && msg.contains("3 bytes"),
        "{msg}"
    );
    assert_eq!(leaky_relu::mask_len(usize::MAX), usize::MAX / 8 + 1);
    // Empty buffers take an empty mask.
    assert_eq!(
        leaky_relu::forward_with_mask(&mut [0.0f64; 0], 0.5, &mut []),
        Ok(())
    );
}

/// Half dtypes: refused with `UnsupportedDType` (buffer untouched) without the
/// `half` feature; with it, misalignment is checked against 2 bytes, and the
/// slope of `backward_from_output` is shown in its own type.
#[test]
fn half_dtypes_with_and_without_the_feature() {
    use leaky_relu::DType;
    let mut store = aligned_bytes(4);
    let raw: &mut [u8] = bytemuck::cast_slice_mut(&mut store);
    raw.fill(0xbc);
    for dtype in [DType::F16, DType::BF16] {
        assert_eq!(dtype.size(), 2);
        let r = leaky_relu::forward_bytes(&mut raw[..8], dtype, 0.5);
        if cfg!(feature = "half") {
            assert!(dtype.is_supported());
            r.unwrap();
            let e = leaky_relu::forward_bytes(&mut raw[1..5], dtype, 0.5).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::Misaligned {
                        align: 2,
                        offset: 1,
                        ..
                    }
                ),
                "{e}"
            );
            let mut g = [0u8; 4];
            let e =
                leaky_relu::backward_from_output_bytes(&mut g, &raw[..4], dtype, -0.1).unwrap_err();
            assert!(e.to_string().contains(&format!("-0.1 ({dtype})")), "{e}");
        } else {
            assert!(!dtype.is_supported());
            assert_eq!(r, Err(Error::UnsupportedDType { dtype }));
            assert!(raw.iter().all(|&b| b == 0xbc), "buffer written on an error");
            assert!(r.unwrap_err().to_string().contains("`half` feature"));
        }
    }
}
