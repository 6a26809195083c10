//! Build script: declares the crate's custom cfgs to rustc's `check-cfg`, and
//! sets `soft_float_x86` from the compile target; nothing else. Which kernels are compiled is decided in the source, next to
//! each kernel, from the compile target alone (`target_arch` in the registry in
//! `src/dispatch/mod.rs`, the `portable` feature); whether a CPU check can be
//! skipped is `is_x86_feature_detected!`'s own compile-time shortcut (true at
//! once under `-C target-cpu=haswell`).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // `docs.rs` builds with `--cfg docsrs` (Cargo.toml's package.metadata.docs.rs).
    println!("cargo::rustc-check-cfg=cfg(docsrs)");
    // `soft_float_x86`: an x86 target whose floats are soft (`x86_64-unknown-uefi`,
    // `x86_64-unknown-none`, `i686-unknown-uefi`: UEFI or no OS). There the AVX
    // kernels compute their compares, min and max on the bits as integers,
    // which LLVM can lower inside `+avx2` functions (see `src/kernels/isa/avx2.rs`).
    println!("cargo::rustc-check-cfg=cfg(soft_float_x86)");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // By target alone: these targets are `+soft-float` even when a user enables
    // `+sse2` or `+avx2` on top.
    if (arch == "x86" || arch == "x86_64") && (os == "uefi" || os == "none") {
        println!("cargo::rustc-cfg=soft_float_x86");
    }
}
