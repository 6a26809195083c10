//! Empty library: this workspace member only holds `benches/peers.rs`.
