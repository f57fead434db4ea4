//! Fuzzes the GeniusWeb profile reader, with and without a given domain, then evaluates and
//! writes what it reads: errors are fine, panics are not.
#![no_main]

use std::path::Path;

use bc_formats::geniusweb;
use libfuzzer_sys::fuzz_target;

const DOMAIN: &str = r#"{"name": "d", "issuesValues": {"a": {"values": ["x", "y"]}, "n": {"range": [1, 5, 1]}}}"#;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let space = geniusweb::read_domain_str(Path::new("d.json"), DOMAIN).expect("fixed domain");
    for given in [Some(&space), None] {
        if let Ok((s, p)) = geniusweb::read_profile_str(Path::new("fuzz.json"), &text, given) {
            if let Ok(all) = s.enumerate(1000) {
                for o in all {
                    let _ = p.eval(&o);
                }
            }
            let _ = geniusweb::write_profile(&s, &p);
        }
    }
});
