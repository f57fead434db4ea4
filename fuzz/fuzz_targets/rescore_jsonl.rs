//! Fuzzes the `tournament --rescore` JSON Lines reader (files split at 0x1e): any input gives a value or an error, never a
//! panic. The body is `bc_fuzzing::rescore_jsonl`, which `cargo test -p bc-fuzzing` also runs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bc_fuzzing::rescore_jsonl(data));
