//! A scenario whose domain and utilities come from GENIUS files (via bc-formats).

use std::path::Path;

use bc_diplomacy::forecast::{self, Options};
use bc_diplomacy::Scenario;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/diplomacy/england_zimbabwe.toml");

#[test]
fn loads_and_forecasts() {
    let s = Scenario::load(Path::new(FILE)).unwrap_or_else(|e| panic!("{e}"));
    let m = s.nominal();
    assert_eq!(m.space.issues().len(), 5);
    assert_eq!(m.steps.len(), 2);
    // Utilities come from the profiles, rescaled to [0, 1].
    for p in &m.parties {
        let (lo, hi) = bc_model::utility_range(&m.space, &p.utility, 1_000_000).unwrap_or((f64::NAN, f64::NAN));
        assert!(lo.abs() < 1e-12 && (hi - 1.0).abs() < 1e-12, "{}: [{lo}, {hi}]", p.id);
    }
    let f = forecast::forecast(&s, &Options { runs: 300, seed: 1, threads: 2, counterfactuals: true, swing_every: 50 }, |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(f.runs, 300);
    assert!(f.headline.at_least_one_step.estimate > 0.5, "{:?}", f.headline);
}

#[test]
fn names_the_file_domains_issues() {
    let text = std::fs::read_to_string(FILE).unwrap_or_default().replace("name = \"Size of Fund\"", "name = \"Fund Size\"");
    let dir = Path::new(FILE).parent().unwrap_or(Path::new("."));
    let e = Scenario::from_str(&text, "ez.toml", dir).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("the domain file has no issue \"Fund Size\"; its issues are: Size of Fund"), "{e}");
    let text = std::fs::read_to_string(FILE).unwrap_or_default().replace("Zimbabwe.xml\" }", "Zimbabwe-missing.xml\" }");
    let e = Scenario::from_str(&text, "ez.toml", dir).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("parties.zimbabwe.utility.file: cannot read the profile"), "{e}");
}
