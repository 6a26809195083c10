//! Build script: decides, from the compile target alone, which SIMD kernels are
//! compiled in and whether their runtime CPU check can be skipped.
//!
//! It reads only `CARGO_CFG_TARGET_ARCH` and `CARGO_CFG_TARGET_FEATURE` and emits
//! these crate-private cfgs (all declared through `rustc-check-cfg`):
//!
//! | cfg                    | meaning                                                          |
//! |------------------------|------------------------------------------------------------------|
//! | `lr_avx2`              | target is x86/x86_64: the `avx2` kernel is compiled              |
//! | `lr_avx2_static`       | the target already guarantees AVX2 (e.g. `-C target-cpu=haswell`): no CPUID check |
//! | `lr_neon`              | target is aarch64: the `neon` kernel is compiled                 |
//! | `lr_neon_static`       | the target guarantees NEON (every standard aarch64 target): no runtime check |

use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(lr_avx2)");
    println!("cargo::rustc-check-cfg=cfg(lr_avx2_static)");
    println!("cargo::rustc-check-cfg=cfg(lr_neon)");
    println!("cargo::rustc-check-cfg=cfg(lr_neon_static)");
    println!("cargo::rustc-check-cfg=cfg(docsrs)");

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let features = env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let has = |f: &str| features.split(',').any(|x| x == f);

    match arch.as_str() {
        "x86" | "x86_64" => {
            println!("cargo::rustc-cfg=lr_avx2");
            if has("avx2") {
                println!("cargo::rustc-cfg=lr_avx2_static");
            }
        }
        "aarch64" => {
            println!("cargo::rustc-cfg=lr_neon");
            if has("neon") {
                println!("cargo::rustc-cfg=lr_neon_static");
            }
        }
        _ => {}
    }
}
