//! Build script: declares the crate's custom cfgs to rustc's `check-cfg`, and
//! nothing else. Which kernels are compiled is decided in the source, next to
//! each kernel, from the compile target alone (`target_arch` in the registry in
//! `src/dispatch/mod.rs`, the `portable` feature); whether a CPU check can be
//! skipped is `is_x86_feature_detected!`'s own compile-time shortcut (true at
//! once under `-C target-cpu=haswell`).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // `docs.rs` builds with `--cfg docsrs` (Cargo.toml's package.metadata.docs.rs).
    println!("cargo::rustc-check-cfg=cfg(docsrs)");
}
