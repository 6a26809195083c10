//! Lengths above `u32::MAX` elements (16 GiB of f32): no truncated index or
//! length anywhere. Backward has the same indexing but needs two such buffers
//! (34 GiB), more than the 24 GiB machine has; forward and the byte API run. Ignored by default because it needs about 17 GiB of RAM:
//! `cargo test --release --test huge -- --ignored`. Only on 64-bit targets
//! (such lengths do not exist on wasm32).
#![cfg(target_pointer_width = "64")]

#[test]
#[ignore = "needs ~17 GiB of memory; run with --ignored"]
fn longer_than_u32_max_elements() {
    let n = u32::MAX as usize + 77;
    let mut v = vec![-2.0f32; n];
    // Mark elements around the 2^32 boundary and at both ends.
    let marks = [
        0,
        1,
        u32::MAX as usize - 1,
        u32::MAX as usize,
        u32::MAX as usize + 1,
        n - 1,
    ];
    for &i in &marks {
        v[i] = 8.0;
    }
    leaky_relu::forward(&mut v, 0.25);
    for &i in &marks {
        assert_eq!(v[i], 8.0, "index {i}");
    }
    let wrong = v
        .iter()
        .enumerate()
        .filter(|&(i, &x)| x != -0.5 && !marks.contains(&i))
        .count();
    assert_eq!(wrong, 0);

    // The byte API on the same buffer (17 GiB of bytes): alpha = 4 undoes 0.25.
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut v);
    leaky_relu::forward_bytes(bytes, leaky_relu::DType::F32, 4.0).unwrap();
    assert_eq!(v[n - 2], -2.0);
    assert_eq!(v[u32::MAX as usize + 2], -2.0);
    assert_eq!(v[n - 1], 8.0);
}
