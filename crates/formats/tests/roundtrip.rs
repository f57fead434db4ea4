//! Writing and reading back: every bundled domain and profile, written as GENIUS XML (and as
//! GeniusWeb JSON where the format can hold it), reads back to the same issues and utilities.

use std::path::{Path, PathBuf};

use bc_formats::{genius, geniusweb, load, Semantics};

fn domains() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius");
    let mut v: Vec<PathBuf> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    v.sort();
    v
}

/// Outcomes to compare on: all of a small space, or a fixed spread of indices of a large one.
fn probe(space: &bc_model::OutcomeSpace) -> Vec<bc_model::Outcome> {
    let n = space.cardinality().unwrap() as u64;
    let step = (n / 5000).max(1);
    (0..n).step_by(step as usize).map(|k| space.outcome_at(k)).collect()
}

#[test]
fn genius_xml_round_trips_on_every_domain() {
    let mut checked = 0;
    for dir in domains() {
        let s = load(std::slice::from_ref(&dir), Semantics::Genius).unwrap();
        let d2 = genius::read_domain_str(Path::new("d.xml"), &genius::write_domain(&s.space)).unwrap();
        assert_eq!(d2.space.issues(), s.space.issues(), "{}", dir.display());
        for p in &s.parties {
            let text = genius::write_profile(&s.space, p).unwrap();
            let q = genius::read_profile_str(Path::new("p.xml"), &text, &d2, Semantics::Genius).unwrap();
            assert_eq!(q.reserved_value, p.reserved_value, "{}", dir.display());
            assert_eq!(q.discount, p.discount);
            for o in probe(&s.space) {
                let (a, b) = (p.eval(&o), q.eval(&o));
                assert!((a - b).abs() <= 1e-12, "{} {}: {a} vs {b}", dir.display(), p.name);
            }
            checked += 1;
        }
    }
    // 15 two-profile domains, KillerRobot (5) and EnergyGrid (3).
    assert_eq!(checked, 38, "profiles checked");
}

#[test]
fn geniusweb_json_round_trips_where_weights_sum_to_one() {
    let (mut written, mut refused) = (0, 0);
    for dir in domains() {
        let s = load(std::slice::from_ref(&dir), Semantics::Genius).unwrap();
        if s.parties.iter().any(|p| p.utility.as_additive().is_none()) {
            continue;
        }
        let space2 = geniusweb::read_domain_str(Path::new("d.json"), &geniusweb::write_domain(&s.space).unwrap()).unwrap();
        assert_eq!(space2.issues().len(), s.space.issues().len());
        for p in &s.parties {
            match geniusweb::write_profile(&s.space, p) {
                Ok(text) => {
                    let (_, q) = geniusweb::read_profile_str(Path::new("p.json"), &text, Some(&space2)).unwrap();
                    for o in probe(&s.space) {
                        let names = s.space.value_names(&o);
                        let o2 = space2.parse_outcome(&names).unwrap();
                        let (a, b) = (p.eval(&o), q.eval(&o2));
                        assert!((a - b).abs() <= 1e-9, "{} {}: {a} vs {b}", dir.display(), p.name);
                    }
                    written += 1;
                }
                Err(e) => {
                    assert!(e.contains("sum to"), "{}: {e}", dir.display());
                    refused += 1;
                }
            }
        }
    }
    assert!(written >= 20, "written {written}, refused {refused}");
}

#[test]
fn all_17_domains_load_under_both_semantics() {
    let dirs = domains();
    assert_eq!(dirs.len(), 17);
    for semantics in [Semantics::Genius, Semantics::Negmas] {
        for dir in &dirs {
            let s = load(std::slice::from_ref(dir), semantics).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            assert!(s.parties.len() >= 2, "{}", dir.display());
            for p in &s.parties {
                let u = p.eval(&s.space.outcome_at(0));
                assert!(u.is_finite(), "{} {}: {u}", dir.display(), p.name);
            }
        }
    }
}
