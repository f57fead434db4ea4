//! Fuzzes the GENIUS domain reader (a domain that reads writes and reads back to the same issues): any input gives a value or an error, never a
//! panic. The body is `bc_fuzzing::genius_domain`, which `cargo test -p bc-fuzzing` also runs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bc_fuzzing::genius_domain(data));
