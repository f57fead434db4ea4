//! Fuzzes the GENIUS profile reader, both semantics (a profile that reads evaluates, analyses and writes): any input gives a value or an error, never a
//! panic. The body is `bc_fuzzing::genius_profile`, which `cargo test -p bc-fuzzing` also runs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bc_fuzzing::genius_profile(data));
