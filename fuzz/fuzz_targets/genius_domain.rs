//! Fuzzes the GENIUS domain reader: any input gives a domain or an error, never a panic; a domain
//! that reads also writes and reads back to the same issues.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = bc_formats::genius::read_domain_str(Path::new("fuzz.xml"), &text) {
        let again = bc_formats::genius::write_domain(&d.space);
        let d2 = bc_formats::genius::read_domain_str(Path::new("again.xml"), &again)
            .expect("a written domain reads back");
        assert_eq!(d2.space.issues(), d.space.issues());
    }
});
