//! Cross-references the schema cannot express: issues named by steps, parties named by trust
//! tables and spoilers, utilities against their issues' values, strategies against the library.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value as Json;

use super::spans::{describe, index, join};
use super::strategies::{check_agent, check_mediator};

/// Cross-references the schema cannot express. `issue_values` gives, for a file domain, each
/// issue's kind and values (None for an inline domain: read from the document).
pub(crate) fn check_references(doc: &Json, file_issues: Option<&[(String, IssueShape)]>, problems: &mut Vec<(String, String)>) {
    let parties: Vec<String> = doc.get("parties").and_then(Json::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let party_set: BTreeSet<&str> = parties.iter().map(String::as_str).collect();
    let mut push = |p: String, m: String| problems.push((p, m));
    if doc.get("parties").and_then(Json::as_object).is_some() && parties.len() < 2 {
        push("parties".into(), format!("expected at least 2 parties, found {}", parties.len()));
    }
    let list_parties = || parties.join(", ");

    // Issues and their shapes.
    let inline = doc.get("domain").is_none();
    let mut shapes: Vec<(String, IssueShape)> = Vec::new();
    let issues = doc.get("issues").and_then(Json::as_array).cloned().unwrap_or_default();
    let mut seen = BTreeSet::new();
    let mut no_status_quo = Vec::new();
    for (i, issue) in issues.iter().enumerate() {
        let p = index("issues", i);
        let Some(name) = issue.get("name").and_then(Json::as_str) else { continue };
        if !seen.insert(name.to_string()) {
            push(join(&p, "name"), format!("issue {name:?} is listed twice"));
            continue;
        }
        let kinds: Vec<&str> = ["values", "integer", "real"].into_iter().filter(|k| issue.get(*k).is_some()).collect();
        let shape = if inline {
            if kinds.len() != 1 {
                push(p.clone(), format!(
                    "issue {name:?}: expected exactly one of values = [...], integer = [low, high] or real = [low, high] (the domain is inline), found {}",
                    if kinds.is_empty() { "none".to_string() } else { kinds.join(" and ") }
                ));
                None
            } else {
                shape_of(issue, kinds[0], &join(&p, kinds[0]), &mut push)
            }
        } else {
            if !kinds.is_empty() {
                push(
                    join(&p, kinds[0]),
                    format!("issue {name:?}: the domain comes from [domain] file, so its values cannot be written here"),
                );
            }
            match file_issues.and_then(|f| f.iter().find(|(n, _)| n == name)) {
                Some((_, s)) => Some(s.clone()),
                None => {
                    if let Some(f) = file_issues {
                        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
                        push(join(&p, "name"), format!("the domain file has no issue {name:?}; its issues are: {}", names.join(", ")));
                    }
                    None
                }
            }
        };
        if let Some(shape) = &shape {
            match issue.get("status_quo") {
                Some(sq) => {
                    if !shape.admits(sq) {
                        push(
                            join(&p, "status_quo"),
                            format!("expected a value of issue {name:?} ({}), found {}", shape.describe(), describe(sq)),
                        );
                    }
                }
                None => no_status_quo.push(name.to_string()),
            }
            shapes.push((name.to_string(), shape.clone()));
        }
        if let Some(Json::Array(imps)) = issue.get("implementers") {
            if imps.is_empty() {
                push(
                    join(&p, "implementers"),
                    format!("issue {name:?}: expected at least one implementer (a party id: {})", list_parties()),
                );
            }
            for (k, imp) in imps.iter().enumerate() {
                if let Some(id) = imp.as_str() {
                    if !party_set.contains(id) {
                        push(index(&join(&p, "implementers"), k), format!("expected a party id ({}), found {id:?}", list_parties()));
                    }
                }
            }
        }
    }
    if inline && file_issues.is_none() && doc.get("issues").is_some() && issues.is_empty() {
        push("issues".into(), "expected at least one issue".into());
    }
    if let Some(f) = file_issues {
        for (n, _) in f {
            if !seen.contains(n) {
                push("issues".into(), format!("the domain file's issue {n:?} has no [[issues]] entry (status_quo and implementers)"));
            }
        }
    }
    let issue_names: Vec<String> = shapes.iter().map(|(n, _)| n.clone()).collect();
    let all_issues: BTreeSet<String> = seen.clone();

    // Steps.
    let steps = doc.get("steps").and_then(Json::as_array).cloned().unwrap_or_default();
    if doc.get("steps").is_some() && steps.is_empty() {
        push("steps".into(), "expected at least one step".into());
    }
    let mut placed: HashMap<String, String> = HashMap::new();
    for (i, step) in steps.iter().enumerate() {
        let p = index("steps", i);
        let sname = step.get("name").and_then(Json::as_str).unwrap_or("?");
        if let Some(Json::Array(is)) = step.get("issues") {
            if is.is_empty() {
                push(join(&p, "issues"), format!("step {sname:?}: expected at least one issue"));
            }
            for (k, x) in is.iter().enumerate() {
                let Some(x) = x.as_str() else { continue };
                let ip = index(&join(&p, "issues"), k);
                if !all_issues.contains(x) {
                    push(
                        ip,
                        format!("step {sname:?} names issue {x:?}, which the domain lacks; its issues are: {}", issue_names.join(", ")),
                    );
                } else if let Some(other) = placed.insert(x.to_string(), sname.to_string()) {
                    push(ip, format!("issue {x:?} is already in step {other:?}; each issue belongs to exactly one step"));
                }
            }
        }
    }
    for (i, step) in steps.iter().enumerate() {
        let p = index("steps", i);
        let sequenced = step.get("sequencing").and_then(Json::as_str) == Some("sequenced");
        if let Some(Json::Array(order)) = step.get("order") {
            if !sequenced {
                push(join(&p, "order"), "an order is given only with sequencing = \"sequenced\"".into());
            }
            let implementers: HashSet<&str> = step
                .get("issues")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .filter_map(|name| {
                    doc.get("issues")
                        .and_then(Json::as_array)
                        .and_then(|is| is.iter().find(|x| x.get("name").and_then(Json::as_str) == Some(name)))
                })
                .filter_map(|x| x.get("implementers").and_then(Json::as_array))
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            let named: HashSet<&str> = order.iter().filter_map(Json::as_str).collect();
            for (k, x) in order.iter().enumerate() {
                if let Some(x) = x.as_str() {
                    if !implementers.contains(x) {
                        push(index(&join(&p, "order"), k), format!("expected an implementer of this step's issues, found {x:?}"));
                    }
                }
            }
            let mut missing: Vec<&&str> = implementers.iter().filter(|x| !named.contains(**x)).collect();
            missing.sort();
            if !missing.is_empty() {
                push(
                    join(&p, "order"),
                    format!("missing implementers {missing:?}: a sequenced step orders every implementer of its issues"),
                );
            }
        }
    }
    if !steps.is_empty() {
        for n in &issue_names {
            if !placed.contains_key(n) {
                push("steps".into(), format!("issue {n:?} is in no step; each issue belongs to exactly one step"));
            }
        }
    }
    if steps.len() > 1 && !no_status_quo.is_empty() {
        push("issues".into(), format!(
            "issues {} have no status_quo; that is allowed only in a one-step scenario (with several steps, the value of a partly implemented agenda needs every issue's status quo)",
            no_status_quo.join(", ")
        ));
    }

    // Parties.
    let file_domain = !inline;
    let mut spe = 0;
    if let Some(Json::Object(ps)) = doc.get("parties") {
        for (id, party) in ps {
            let p = join("parties", id);
            if let Some(u) = party.get("utility") {
                check_utility(u, &join(&p, "utility"), file_domain, &shapes, &mut push);
            }
            if party.get("reservation").is_none() && !no_status_quo.is_empty() {
                push(
                    p.clone(),
                    format!(
                    "missing key \"reservation\": required because issues {} have no status_quo (no deal then means the reservation value)",
                    no_status_quo.join(", ")
                ),
                );
            }
            if let Some(Json::Object(trust)) = party.get("trust") {
                for k in trust.keys() {
                    if k == id {
                        push(join(&join(&p, "trust"), k), "a party's trust table lists the others, not itself".into());
                    } else if !party_set.contains(k.as_str()) {
                        push(join(&join(&p, "trust"), k), format!("expected a party id ({}), found {k:?}", list_parties()));
                    }
                }
                for other in &parties {
                    if other != id && !trust.contains_key(other) {
                        push(join(&p, "trust"), format!("missing trust in party {other:?} (a Beta prior {{ a = ..., b = ... }})"));
                    }
                }
            }
            if let Some(s) = party.get("strategy") {
                match s.get("kind").and_then(Json::as_str) {
                    Some("spe") => spe += 1,
                    Some("time_based") if s.get("rounds").is_none() => {
                        push(
                            join(&p, "strategy"),
                            "missing key \"rounds\" (rounds the party takes to concede fully on a step; required for time_based)".into(),
                        );
                    }
                    _ => {}
                }
                check_agent(s, &join(&p, "strategy"), &mut push);
            }
        }
    }
    if spe > 0 && (spe != parties.len() || parties.len() != 2) {
        push(
            "parties".into(),
            format!("the spe strategy needs exactly two parties, both spe; found {spe} spe of {} parties", parties.len()),
        );
    }

    // Mediator.
    if let Some(m) = doc.get("mediator") {
        if let (Some(st), Some(protocol)) = (m.get("strategy"), m.get("protocol").and_then(Json::as_str)) {
            check_mediator(st, protocol, &mut push);
        }
        if let Some(Json::Object(lv)) = m.get("leverage") {
            for k in lv.keys() {
                if !party_set.contains(k.as_str()) {
                    push(join("mediator.leverage", k), format!("expected a party id ({}), found {k:?}", list_parties()));
                }
            }
        }
        if let Some(Json::Object(st)) = m.get("standing") {
            for k in st.keys() {
                if !party_set.contains(k.as_str()) {
                    push(join("mediator.standing", k), format!("expected a party id ({}), found {k:?}", list_parties()));
                }
            }
            for other in &parties {
                if !st.contains_key(other) {
                    push("mediator.standing".into(), format!("missing the standing of the mediator with party {other:?}"));
                }
            }
        }
    }

    // Spoilers.
    if let Some(Json::Object(sp)) = doc.get("spoilers") {
        for (id, s) in sp {
            let p = join("spoilers", id);
            let target = s.get("target").and_then(Json::as_str);
            if let Some(t) = target {
                if !party_set.contains(t) {
                    push(join(&p, "target"), format!("expected a party id ({}), found {t:?}", list_parties()));
                }
            }
            for key in ["blamed", "floor_targets"] {
                if let Some(Json::Array(xs)) = s.get(key) {
                    for (k, x) in xs.iter().enumerate() {
                        if let Some(x) = x.as_str() {
                            if !party_set.contains(x) {
                                push(index(&join(&p, key), k), format!("expected a party id ({}), found {x:?}", list_parties()));
                            } else if key == "blamed" && Some(x) == target {
                                push(index(&join(&p, key), k), "the target cannot blame itself".into());
                            }
                        }
                    }
                }
            }
            for old in ["severity", "kydd_walter"] {
                if s.get(old).is_some() {
                    push(join(&p, old), format!("{old:?} is the v1 trust shock; model v2 reads strikes through \"capacity_link\" (hazard per unit of the blamed side's incapacity, which makes a strike evidence) or \"misperception\" (defections a strike is misread as)"));
                }
            }
        }
    }
}

fn check_utility(u: &Json, p: &str, file_domain: bool, shapes: &[(String, IssueShape)], push: &mut impl FnMut(String, String)) {
    let has_file = u.get("file").is_some();
    let has_inline = u.get("weights").is_some() || u.get("values").is_some();
    if has_file && has_inline {
        push(p.to_string(), "expected either file = \"profile\" or weights and values, found both".into());
        return;
    }
    if !has_file && !has_inline {
        push(p.to_string(), "missing the utility: expected file = \"profile.xml\" or weights = {...} and values = {...}".into());
        return;
    }
    if has_file {
        if !file_domain {
            push(join(p, "file"), "a profile file needs a [domain] file".into());
        }
        return;
    }
    let weights = u.get("weights").and_then(Json::as_object);
    let values = u.get("values").and_then(Json::as_object);
    if weights.is_none() {
        push(p.to_string(), "missing key \"weights\" (weight of each issue)".into());
    }
    let names: Vec<&str> = shapes.iter().map(|(n, _)| n.as_str()).collect();
    if let Some(w) = weights {
        for k in w.keys() {
            if !names.contains(&k.as_str()) {
                push(join(&join(p, "weights"), k), format!("expected an issue ({}), found {k:?}", names.join(", ")));
            }
        }
        for n in &names {
            if !w.contains_key(*n) {
                push(join(p, "weights"), format!("missing the weight of issue {n:?} (write 0 if the party does not care)"));
            }
        }
    }
    if let Some(v) = values {
        for k in v.keys() {
            if !names.contains(&k.as_str()) {
                push(join(&join(p, "values"), k), format!("expected an issue ({}), found {k:?}", names.join(", ")));
            }
        }
    }
    for (n, shape) in shapes {
        let zero = weights.and_then(|w| w.get(n)).and_then(Json::as_f64) == Some(0.0);
        let vp = join(&join(p, "values"), n);
        match values.and_then(|v| v.get(n)).and_then(Json::as_object) {
            None if !zero => push(join(p, "values"), format!("missing the scores of issue {n:?} ({})", shape.score_keys())),
            None => {}
            Some(scores) => {
                let expected = shape.score_names();
                for k in scores.keys() {
                    if !expected.contains(k) {
                        push(join(&vp, k), format!("expected a score for one of {}, found {k:?}", expected.join(", ")));
                    }
                }
                for e in &expected {
                    if !scores.contains_key(e) {
                        push(vp.clone(), format!("missing the score of {e:?}"));
                    }
                }
            }
        }
    }
}

/// What an issue admits, for cross-checks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum IssueShape {
    /// Named values.
    Categorical(Vec<String>),
    /// Integers `lo..=hi`.
    Integer(i64, i64),
    /// Reals `[lo, hi]`.
    Real(f64, f64),
    /// A finite list of numbers.
    Numbers(Vec<f64>),
}

impl IssueShape {
    fn admits(&self, v: &Json) -> bool {
        match (self, v) {
            (IssueShape::Categorical(vs), Json::String(s)) => vs.contains(s),
            (IssueShape::Integer(lo, hi), Json::Number(n)) => n.as_i64().is_some_and(|x| x >= *lo && x <= *hi),
            (IssueShape::Real(lo, hi), Json::Number(n)) => n.as_f64().is_some_and(|x| x >= *lo && x <= *hi),
            (IssueShape::Numbers(xs), Json::Number(n)) => n.as_f64().is_some_and(|x| xs.contains(&x)),
            _ => false,
        }
    }
    fn describe(&self) -> String {
        match self {
            IssueShape::Categorical(vs) => format!("one of {}", vs.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")),
            IssueShape::Integer(lo, hi) => format!("a whole number in {lo}..={hi}"),
            IssueShape::Real(lo, hi) => format!("a number in [{lo}, {hi}]"),
            IssueShape::Numbers(xs) => format!("one of {xs:?}"),
        }
    }
    fn score_names(&self) -> Vec<String> {
        match self {
            IssueShape::Categorical(vs) => vs.clone(),
            IssueShape::Numbers(xs) => xs.iter().map(|x| bc_model::issue::format_number(*x)).collect(),
            _ => vec!["low".into(), "high".into()],
        }
    }
    fn score_keys(&self) -> String {
        match self {
            IssueShape::Categorical(_) | IssueShape::Numbers(_) => format!("a score for each of {}", self.score_names().join(", ")),
            _ => "low = score at the lower end, high = score at the upper end".into(),
        }
    }
    /// The shape of a model issue.
    pub(crate) fn of(issue: &bc_model::Issue) -> IssueShape {
        match issue.kind() {
            bc_model::IssueKind::Categorical(v) => IssueShape::Categorical(v.clone()),
            bc_model::IssueKind::Integer { lo, hi } => IssueShape::Integer(*lo, *hi),
            bc_model::IssueKind::Real { lo, hi } => IssueShape::Real(*lo, *hi),
            bc_model::IssueKind::Number(v) => IssueShape::Numbers(v.clone()),
        }
    }
}

fn shape_of(issue: &Json, kind: &str, p: &str, push: &mut impl FnMut(String, String)) -> Option<IssueShape> {
    let v = issue.get(kind)?;
    match kind {
        "values" => {
            let vs: Vec<String> = v.as_array()?.iter().filter_map(|x| x.as_str().map(String::from)).collect();
            let mut seen = BTreeSet::new();
            for x in &vs {
                if !seen.insert(x) {
                    push(p.to_string(), format!("the value {x:?} is listed twice"));
                    return None;
                }
            }
            if vs.is_empty() {
                push(p.to_string(), "expected at least one value".into());
                return None;
            }
            Some(IssueShape::Categorical(vs))
        }
        "integer" => {
            let a = v.as_array()?;
            let (lo, hi) = (a.first()?.as_i64()?, a.get(1)?.as_i64()?);
            if lo > hi {
                push(p.to_string(), format!("expected [low, high] with low <= high, found [{lo}, {hi}]"));
                return None;
            }
            Some(IssueShape::Integer(lo, hi))
        }
        _ => {
            let a = v.as_array()?;
            let (lo, hi) = (a.first()?.as_f64()?, a.get(1)?.as_f64()?);
            if lo > hi {
                push(p.to_string(), format!("expected [low, high] with low <= high, found [{lo}, {hi}]"));
                return None;
            }
            Some(IssueShape::Real(lo, hi))
        }
    }
}
