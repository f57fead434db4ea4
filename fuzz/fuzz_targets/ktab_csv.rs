//! Fuzzes the KTAB CSV scenario reader: any input gives a value or an error, never a
//! panic. The body is `bc_fuzzing::ktab_csv`, which `cargo test -p bc-fuzzing` also runs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bc_fuzzing::ktab_csv(data));
