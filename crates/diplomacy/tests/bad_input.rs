//! Bad scenario files: every problem reported at once, each naming the file, the line and the
//! key, and what was expected.

use std::path::Path;

use bc_diplomacy::scenario::DEFAULT_TOML;
use bc_diplomacy::Scenario;

fn problems(text: &str) -> Vec<String> {
    match Scenario::from_str(text, "bad.toml", Path::new(".")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => {
            assert_eq!(e.problems().len(), e.to_string().lines().count() - 1, "{e}");
            let all: Vec<String> = e.problems().iter().map(ToString::to_string).collect();
            let unique: std::collections::BTreeSet<&String> = all.iter().collect();
            assert_eq!(unique.len(), all.len(), "a problem reported twice: {all:#?}");
            all
        }
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap_or_else(|| panic!("{needle}"))
}

#[test]
fn every_problem_at_once_with_file_line_and_key() {
    let text = DEFAULT_TOML
        .replace("sub_rounds = 4 ", "sub_round = 4 ")
        .replace("walk_away = 0.1                  #", "walk_away = 1.3                  #")
        .replace("issues = [\"regional_restraint\", \"no_strike_pledge\"]", "issues = [\"regional_restraint\", \"no_strike\"]")
        .replace("capacity = { dist = \"beta\", a = 6, b = 3 }", "capacity = { dist = \"uniform\", low = 0.9, high = 0.2 }")
        .replace("[parties.iran.utility.weights]", "[parties.iran.utility_weights]")
        .replace("[parties.iran.utility.values]", "[parties.iran.utility_values]");
    let p = problems(&text);
    let all = p.join("\n");
    let expect = [
        (line_of(&text, "sub_round = 4"), "scenario.sub_round", "unknown key"),
        (line_of(&text, "walk_away = 1.3"), "parties.us.walk_away", "expected a number in [0, 1], found 1.3"),
        (line_of(&text, "\"no_strike\"]"), "steps[2].issues[1]", "names issue \"no_strike\", which the domain lacks"),
        (line_of(&text, "low = 0.9, high = 0.2"), "parties.iran.capacity", "low <= high"),
        (line_of(&text, "[parties.iran]"), "parties.iran", "missing key \"utility\""),
    ];
    for (line, key, what) in expect {
        let hit = p.iter().any(|d| d.starts_with(&format!("bad.toml:{line}: {key}: ")) && d.contains(what));
        assert!(hit, "no problem at line {line} for {key} mentioning {what:?}; got:\n{all}");
    }
}

#[test]
fn impossible_distributions_and_probabilities() {
    let text = DEFAULT_TOML
        .replace(
            "a = { dist = \"uniform\", low = 1.5, high = 3.0 }  # illustrative: little record",
            "a = { dist = \"beta\", a = -1, b = 2 }  # illustrative: little record",
        )
        .replace("base = { dist = \"uniform\", low = 0.004, high = 0.012 }", "base = { dist = \"normal\", mean = 0.01, sd = 0.005 }")
        .replace("leak_jump = 0.2 ", "leak_jump = { dist = \"uniform\", low = 0.5, high = 1.5 } ")
        .replace("verifiability = 0.95", "verifiability = { dist = \"gamma\", k = 2 }");
    let p = problems(&text).join("\n");
    for want in [
        "parties.us.trust.iran.a: beta: expected a > 0 and b > 0",
        "spoilers.proxy_attack.base: normal: this parameter must lie in [0, 1]",
        "mediator.leak_jump: expected every value in [0, 1], but the distribution ranges over [0.5, 1.5]",
        "steps[0].verifiability.dist: unknown distribution \"gamma\"",
    ] {
        assert!(p.contains(want), "missing {want:?} in:\n{p}");
    }
}

#[test]
fn syntax_errors_and_wrong_types_name_the_line() {
    let p = problems("[scenario]\nname = \"x\"\nrounds = = 3\n");
    assert!(p[0].starts_with("bad.toml:3: "), "{p:?}");
    let p = problems(&DEFAULT_TOML.replace("rounds = 104 ", "rounds = \"many\" "));
    assert!(p.iter().any(|d| d.contains("scenario.rounds: expected a whole number, found \"many\"")), "{p:?}");
}

#[test]
fn cross_references() {
    let text = DEFAULT_TOML
        .replace(
            "target = \"us\"\nblamed = [\"iran\"]\nbase = { dist = \"uniform\", low = 0.004",
            "target = \"israel\"\nblamed = [\"iran\"]\nbase = { dist = \"uniform\", low = 0.004",
        )
        .replace("implementers = [\"iran\"]                # Iran grants", "implementers = [\"tehran\"]                # Iran grants")
        .replace("status_quo = \"frozen\"", "status_quo = \"thawed\"")
        .replace("[parties.iran.trust.us]", "[parties.iran.trust.uk]");
    let p = problems(&text).join("\n");
    for want in [
        "spoilers.proxy_attack.target: expected a party id (us, iran), found \"israel\"",
        "issues[1].implementers[0]: expected a party id (us, iran), found \"tehran\"",
        "issues[2].status_quo: expected a value of issue \"frozen_assets\"",
        "parties.iran.trust.uk: expected a party id",
        "parties.iran.trust: missing trust in party \"us\"",
    ] {
        assert!(p.contains(want), "missing {want:?} in:\n{p}");
    }
}

#[test]
fn variants_are_checked_too() {
    let text = DEFAULT_TOML
        .replace("visibility = 0.01                # illustrative: a host", "visibility = 2                # illustrative: a host");
    let p = problems(&text).join("\n");
    assert!(p.contains("variant discreet: mediator.visibility: expected a number in [0, 1], found 2"), "{p}");
    let line = line_of(&text, "visibility = 2 ");
    assert!(p.contains(&format!("bad.toml:{line}: variant discreet")), "{p}");
    let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
    let e = s.variant("nope").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("direct, discreet, leverage, grand_bargain"), "{e}");
}

#[test]
fn strategies_and_mediators_are_the_librarys() {
    let us = "strategy = { kind = \"time_based\", exponent = 2.0, rounds = { dist = \"uniform\", low = 8, high = 26 } }";
    let iran = "strategy = { kind = \"time_based\", exponent = 1.5, rounds = { dist = \"uniform\", low = 6, high = 20 } }";
    assert!(DEFAULT_TOML.contains(us) && DEFAULT_TOML.contains(iran));
    let with = |u: &str, i: &str, mediator: &str| {
        DEFAULT_TOML.replacen(us, u, 1).replacen(iran, i, 1).replacen("strategy = { kind = \"nash\" }", mediator, 1)
    };
    // Unknown names list the valid ones; voters cannot be parties; parameters are the agent's.
    let text = with("strategy = { kind = \"micro2\" }", "strategy = { kind = \"hill-climber\" }", "strategy = { kind = \"mystery\" }");
    let p = problems(&text).join("\n");
    for want in [
        "parties.us.strategy.kind: expected one of \"time_based\", \"spe\", \"boulware\"",
        "\"micro\", \"agentk\"",
        "found \"micro2\"",
        "parties.iran.strategy.kind: hill-climber only votes on single-text drafts",
        "mediator.strategy.kind: expected one of \"pass\", \"discipline\", \"bridge\", \"flip\"",
    ] {
        assert!(p.contains(want), "missing {want:?} in:\n{p}");
    }
    let line = line_of(&text, "kind = \"hill-climber\"");
    assert!(p.contains(&format!("bad.toml:{line}: parties.iran.strategy.kind")), "{p}");
    let text = with(
        "strategy = { kind = \"aspiration\", params = { e = 2, foo = 1 }, rounds = 10 }",
        "strategy = { kind = \"tb\", params = { e = -1 } }",
        "strategy = { kind = \"bridge\" }",
    );
    let p = problems(&text).join("\n");
    for want in [
        "parties.us.strategy.params.foo: unknown parameter \"foo\" of aspiration; valid parameters: e, eps, max",
        "parties.iran.strategy.params: tb cannot be built with these parameters: tb: e: expected a number >= 0, found -1",
        "mediator.strategy.kind: bridge is not a mediator of the confidential protocol; valid confidential mediators: nash, welfare, egalitarian",
    ] {
        assert!(p.contains(want), "missing {want:?} in:\n{p}");
    }
    let text = with(
        "strategy = { kind = \"time_based\", exponent = 2.0, rounds = 10, params = { e = 3 } }",
        "strategy = { kind = \"micro\", exponent = 2 }",
        "strategy = { kind = \"nash\", params = { t0 = 1 } }",
    );
    let p = problems(&text).join("\n");
    for want in [
        "parties.us.strategy.params.e: unknown parameter \"e\" of time_based; valid parameters: eps, max (its exponent is `exponent`)",
        "parties.iran.strategy.exponent: exponent applies to time_based only; give micro's parameters in params",
        "mediator.strategy.params.t0: unknown parameter \"t0\" of nash; valid parameters: none",
    ] {
        assert!(p.contains(want), "missing {want:?} in:\n{p}");
    }
    // A single-text mediator with an impossible parameter.
    let text = DEFAULT_TOML.replacen("protocol = \"confidential\"", "protocol = \"single_text\"", 1).replacen(
        "strategy = { kind = \"nash\" }",
        "strategy = { kind = \"annealing\", params = { t0 = -1 } }",
        1,
    );
    let p = problems(&text).join("\n");
    assert!(p.contains("mediator.strategy.params: annealing cannot be built with these parameters"), "{p}");
    // And the same tables, well formed, are accepted.
    let ok = with(
        "strategy = { kind = \"aspiration\", params = { e = { dist = \"uniform\", low = 2, high = 4 } }, rounds = 10 }",
        "strategy = { kind = \"micro\" }",
        "strategy = { kind = \"welfare\" }",
    );
    let s = Scenario::from_str(&ok, "ok.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.uncertain().iter().any(|u| u.path == "parties.us.strategy.params.e"));
}
