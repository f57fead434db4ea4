//! Helpers shared by the benchmarks: locating and loading the bundled GENIUS domains.

use std::path::PathBuf;

use bc_formats::{load, DomainProfiles, Semantics};

/// The bundled GENIUS domain folder `name` (under `tests/data/genius`).
pub fn domain_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius").join(name)
}

/// Loads a bundled domain with all its profiles.
pub fn load_domain(name: &str, semantics: Semantics) -> DomainProfiles {
    load(&[domain_dir(name)], semantics).unwrap_or_else(|e| panic!("{name}: {e}"))
}
