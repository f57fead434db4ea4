//! Fuzzes the GeniusWeb domain reader: any input gives a domain or an error, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(space) = bc_formats::geniusweb::read_domain_str(Path::new("fuzz.json"), &text) {
        if let Ok(again) = bc_formats::geniusweb::write_domain(&space) {
            let _ = bc_formats::geniusweb::read_domain_str(Path::new("again.json"), &again);
        }
    }
});
