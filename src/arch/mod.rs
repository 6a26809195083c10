//! One module per instruction set, named after its `target_feature`. Only the
//! modules the target can run are compiled (cfgs from `build.rs`).

#[cfg(feature = "portable")]
pub(crate) mod portable;

#[cfg(lr_avx2)]
pub(crate) mod avx2;

#[cfg(lr_neon)]
pub(crate) mod neon;
