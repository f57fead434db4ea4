//! The JSON Schema of the scenario format: the committed file is the one the code generates,
//! the validator understands every keyword it uses, and the default scenario has a reason beside
//! every number.

use bc_diplomacy::scenario::DEFAULT_TOML;
use bc_diplomacy::validate::SUPPORTED_KEYWORDS;

#[test]
fn committed_schema_is_generated_from_the_code() {
    let generated = serde_json::to_string_pretty(&bc_diplomacy::file::schema()).unwrap_or_default() + "\n";
    let committed = include_str!("../scenario.schema.json");
    assert!(
        generated == committed,
        "crates/diplomacy/scenario.schema.json is stale; regenerate it with\n  \
         cargo run -p backchannel -- scenario schema > crates/diplomacy/scenario.schema.json"
    );
}

fn keywords(v: &serde_json::Value, under_properties: bool, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if !under_properties {
                    out.push(k.clone());
                }
                let props = !under_properties && (k == "properties" || k == "$defs");
                keywords(x, props, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| keywords(x, false, out)),
        _ => {}
    }
}

#[test]
fn schema_uses_only_supported_keywords() {
    let mut found = Vec::new();
    keywords(&bc_diplomacy::file::schema(), false, &mut found);
    let unknown: Vec<&String> = found.iter().filter(|k| !SUPPORTED_KEYWORDS.contains(&k.as_str())).collect();
    assert!(unknown.is_empty(), "keywords the validator does not check: {unknown:?}");
}

#[test]
fn every_number_of_the_default_scenario_has_a_reason() {
    let mut bare = Vec::new();
    for (i, line) in DEFAULT_TOML.lines().enumerate() {
        let code = line.split('#').next().unwrap_or("");
        let has_number = code.contains('=')
            && code.split('=').skip(1).any(|rhs| rhs.trim_start().starts_with(|c: char| c.is_ascii_digit() || c == '-'))
            || code.contains("dist =");
        if has_number && !line.contains('#') && !code.contains("rounds = 104") {
            bare.push(format!("line {}: {line}", i + 1));
        }
    }
    assert!(bare.is_empty(), "numbers without a reason beside them:\n{}", bare.join("\n"));
    assert!(DEFAULT_TOML.contains("EVERY NUMBER IN THIS FILE IS ILLUSTRATIVE"));
}
