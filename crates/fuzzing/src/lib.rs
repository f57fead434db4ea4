//! The bodies of the fuzz targets, one per reader: each takes any bytes and must return (the
//! reader gives a value or an error), never panic, hang or allocate without bound. The cargo-fuzz
//! targets in `fuzz/fuzz_targets` call these; `tests/replay.rs` runs the same functions on the
//! committed seed corpora (`fuzz/seeds/<target>`) and on random mutations of them, so every body
//! is exercised by `cargo test` as well.

use std::path::Path;

use bc_formats::{genius, geniusweb, Semantics};
use rand::SeedableRng;

/// A fuzz target's body.
pub type Body = fn(&[u8]);

/// Every target: its name (the cargo-fuzz target and the seed folder) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("genius_domain", genius_domain),
    ("genius_profile", genius_profile),
    ("geniusweb_domain", geniusweb_domain),
    ("geniusweb_profile", geniusweb_profile),
    ("ktab_csv", ktab_csv),
    ("ktab_xml", ktab_xml),
    ("scenario_toml", scenario_toml),
    ("rescore_jsonl", rescore_jsonl),
];

/// GENIUS domain reader: a domain that reads also writes and reads back to the same issues.
pub fn genius_domain(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = genius::read_domain_str(Path::new("fuzz.xml"), &text) {
        let again = genius::write_domain(&d.space);
        let d2 = genius::read_domain_str(Path::new("again.xml"), &again).expect("a written domain reads back");
        assert_eq!(d2.space.issues(), d.space.issues());
    }
}

const GENIUS_DOMAIN: &str = r#"<negotiation_template><utility_space><objective index="0" name="root">
<issue index="1" name="a" type="discrete"><item index="1" value="x"/><item index="2" value="y"/></issue>
<issue index="2" name="b" type="integer" lowerbound="0" upperbound="9"/>
<issue index="3" name="c" type="real"><range lowerbound="0" upperbound="1"/></issue>
</objective></utility_space></negotiation_template>"#;

/// GENIUS profile reader (both semantics) on a fixed domain with a discrete, an integer and a
/// real issue: a profile that reads evaluates, analyses (within 1000 outcomes) and writes.
pub fn genius_profile(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let domain = genius::read_domain_str(Path::new("d.xml"), GENIUS_DOMAIN).expect("fixed domain");
    for semantics in [Semantics::Genius, Semantics::Negmas] {
        if let Ok(p) = genius::read_profile_str(Path::new("fuzz.xml"), &text, &domain, semantics) {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
            for o in domain.space.sample(&mut rng, 16) {
                let _ = p.eval(&o);
            }
            let parties = [&p, &p];
            let _ = bc_model::analyze(&domain.space, &parties, bc_model::Options { enumeration_limit: 1000 });
            let _ = genius::write_profile(&domain.space, &p);
        }
    }
}

/// GeniusWeb domain reader: a domain that reads writes, and what it writes reads.
pub fn geniusweb_domain(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(space) = geniusweb::read_domain_str(Path::new("fuzz.json"), &text) {
        if let Ok(again) = geniusweb::write_domain(&space) {
            let _ = geniusweb::read_domain_str(Path::new("again.json"), &again);
        }
    }
}

const GENIUSWEB_DOMAIN: &str = r#"{"name": "d", "issuesValues": {"a": {"values": ["x", "y"]}, "n": {"range": [1, 5, 1]}}}"#;

/// GeniusWeb profile reader, with a given domain and with the profile's own: a profile that
/// reads evaluates every outcome (within 1000) and writes.
pub fn geniusweb_profile(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let space = geniusweb::read_domain_str(Path::new("d.json"), GENIUSWEB_DOMAIN).expect("fixed domain");
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
}

/// KTAB CSV scenario reader.
pub fn ktab_csv(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = bc_stakeholders::read::from_csv_str(Path::new("fuzz.csv"), &text) {
        let _ = format!("{s:?}");
    }
}

/// KTAB XML scenario reader.
pub fn ktab_xml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = bc_stakeholders::read::from_xml_str(Path::new("fuzz.xml"), &text) {
        let _ = format!("{s:?}");
    }
}

/// Scenario TOML reader and validator (`bc_diplomacy::Scenario::from_str`). Files a scenario
/// names are looked up in a folder that does not exist, so only the text is exercised.
pub fn scenario_toml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = bc_diplomacy::Scenario::from_str(&text, "fuzz.toml", Path::new("/nonexistent/bc-fuzzing"));
}

/// `tournament --rescore` JSON Lines reader: the input is split at each ASCII record separator
/// (0x1e) into files given in order.
pub fn rescore_jsonl(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let names: Vec<String> = (0..text.split('\u{1e}').count()).map(|k| format!("s{k}.jsonl")).collect();
    let files: Vec<(&Path, &str)> = names.iter().map(Path::new).zip(text.split('\u{1e}')).collect();
    if let Ok(scores) = bc_tournament::rescore_texts(&files) {
        let _ = format!("{scores:?}");
    }
}
