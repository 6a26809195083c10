//! The checked-in header `include/leaky_relu.h` is what cbindgen generates
//! from `src/lib.rs` now. `LEAKY_RELU_BLESS=1 cargo test -p leaky-relu-capi`
//! rewrites it after a change to the ABI.

use std::path::Path;

#[test]
fn header_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let path = dir.join("include/leaky_relu.h");
    if std::env::var("LEAKY_RELU_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "capi/include/leaky_relu.h differs from what cbindgen generates from capi/src/lib.rs; \
         run `LEAKY_RELU_BLESS=1 cargo test -p leaky-relu-capi --test header` and commit it.\n\
         generated:\n{}",
        String::from_utf8_lossy(&generated)
    );
}
