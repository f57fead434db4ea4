//! Fuzzes the KTAB XML scenario reader: any input gives a value or an error, never a
//! panic. The body is `bc_fuzzing::ktab_xml`, which `cargo test -p bc-fuzzing` also runs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bc_fuzzing::ktab_xml(data));
