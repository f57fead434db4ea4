//! GeniusWeb JSON: domains (`issuesValues`) and `LinearAdditiveUtilitySpace` profiles, in both
//! spellings of the value-set utilities (`discreteutils` / `DiscreteValueSetUtilities`,
//! `numberutils` / `NumberValueSetUtilities`). Issue order is the order of the file's keys.

use std::path::Path;

use bc_model::{Discount, Issue, IssueKind, LinearAdditive, OutcomeSpace, Preferences, UtilityFunction, Value, ValueFunction};
use serde_json::{json, Map, Value as Json};

use crate::error::{from_model, Error};

/// Reads a domain file.
pub fn read_domain(path: &Path) -> Result<OutcomeSpace, Error> {
    let text = crate::read_text(path)?;
    read_domain_str(path, &text)
}

fn parse_json(path: &Path, text: &str) -> Result<Json, Error> {
    serde_json::from_str::<strict::Strict>(text).map(|s| s.0).map_err(|e| Error::syntax(path, Some(e.line()), e.to_string()))
}

/// JSON read strictly: an object that repeats a key is refused (serde_json keeps the last one,
/// so a profile could silently lose a weight).
mod strict {
    use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value as Json};

    pub(super) struct Strict(pub(super) Json);

    impl<'de> Deserialize<'de> for Strict {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
            d.deserialize_any(V).map(Strict)
        }
    }

    struct V;

    impl<'de> Visitor<'de> for V {
        type Value = Json;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
            Ok(Json::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
            Ok(Json::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
            Ok(Json::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Json, E> {
            Ok(Json::String(v.to_string()))
        }
        fn visit_string<E>(self, v: String) -> Result<Json, E> {
            Ok(Json::String(v))
        }
        fn visit_unit<E>(self) -> Result<Json, E> {
            Ok(Json::Null)
        }
        fn visit_none<E>(self) -> Result<Json, E> {
            Ok(Json::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
            let mut v = Vec::new();
            while let Some(Strict(x)) = seq.next_element()? {
                v.push(x);
            }
            Ok(Json::Array(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
            let mut obj = Map::new();
            while let Some(k) = map.next_key::<String>()? {
                if obj.contains_key(&k) {
                    return Err(A::Error::custom(format!("expected each key once in an object, found {k:?} twice")));
                }
                let Strict(v) = map.next_value()?;
                obj.insert(k, v);
            }
            Ok(Json::Object(obj))
        }
    }
}

/// Line of the first occurrence of `"key"` in the text, for error messages (JSON values carry no
/// positions once parsed).
fn line_of(text: &str, key: &str) -> Option<usize> {
    let needle = format!("\"{key}\"");
    text.find(&needle).map(|at| text[..at].matches('\n').count() + 1)
}

/// Reads a domain from text.
pub fn read_domain_str(path: &Path, text: &str) -> Result<OutcomeSpace, Error> {
    let json = parse_json(path, text)?;
    domain_from_json(path, text, &json)
}

fn domain_from_json(path: &Path, text: &str, json: &Json) -> Result<OutcomeSpace, Error> {
    let obj =
        json.as_object().ok_or_else(|| Error::invalid(path, Some(1), "domain", "a JSON object with \"issuesValues\"", kind_of(json)))?;
    let issues_json = obj.get("issuesValues").and_then(Json::as_object).ok_or_else(|| {
        Error::invalid(path, line_of(text, "issuesValues"), "issuesValues", "an object of issues", "none or another type")
    })?;
    if issues_json.is_empty() {
        return Err(Error::invalid(path, line_of(text, "issuesValues"), "issuesValues", "at least one issue", "none"));
    }
    let mut issues = Vec::new();
    for (name, set) in issues_json {
        let line = line_of(text, name);
        let field = format!("issuesValues.{name}");
        let set = set
            .as_object()
            .ok_or_else(|| Error::invalid(path, line, &field, "{\"values\": [...]} or {\"range\": [low, high, step]}", kind_of(set)))?;
        let issue = if let Some(values) = set.get("values") {
            let arr = values
                .as_array()
                .ok_or_else(|| Error::invalid(path, line, format!("{field}.values"), "a list of strings", kind_of(values)))?;
            let names = arr
                .iter()
                .map(|v| match v {
                    Json::String(s) => Ok(s.trim().to_string()),
                    other => Err(Error::invalid(path, line, format!("{field}.values"), "strings", other.to_string())),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if names.is_empty() {
                return Err(Error::invalid(path, line, format!("{field}.values"), "at least one value", "an empty list"));
            }
            crate::check_values(path, line, &format!("{field}.values"), names.len() as u128)?;
            Issue::categorical(name.clone(), names).map_err(|e| from_model(path, line, &field, e))?
        } else if let Some(range) = set.get("range") {
            let (lo, hi, step) = read_range(path, line, &field, range)?;
            number_issue(path, line, &field, name, lo, hi, step)?
        } else {
            return Err(Error::invalid(path, line, &field, "a \"values\" or \"range\" key", "neither"));
        };
        issues.push(issue);
    }
    let name = obj
        .get("name")
        .and_then(Json::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    OutcomeSpace::new(name, issues).map_err(|e| from_model(path, None, "issuesValues", e))
}

fn read_range(path: &Path, line: Option<usize>, field: &str, range: &Json) -> Result<(f64, f64, f64), Error> {
    let nums: Vec<Option<f64>> = match range {
        Json::Array(a) if a.len() == 3 => a.iter().map(Json::as_f64).collect(),
        Json::Object(o) => ["low", "high", "step"].iter().map(|k| o.get(*k).and_then(Json::as_f64)).collect(),
        _ => vec![None],
    };
    match nums.as_slice() {
        [Some(lo), Some(hi), Some(step)] if *step > 0.0 && lo <= hi => Ok((*lo, *hi, *step)),
        _ => {
            Err(Error::invalid(path, line, format!("{field}.range"), "[low, high, step] with low <= high and step > 0", range.to_string()))
        }
    }
}

/// Decimal places in the shortest form of `x` (so that 12.2 + 0.3 k is rounded back to one).
fn decimals(x: f64) -> i32 {
    let s = format!("{x}");
    s.split_once('.').map_or(0, |(_, f)| f.len() as i32)
}

fn number_issue(path: &Path, line: Option<usize>, field: &str, name: &str, lo: f64, hi: f64, step: f64) -> Result<Issue, Error> {
    let places = decimals(lo).max(decimals(step)).min(15);
    let scale = 10f64.powi(places);
    let count = ((hi - lo) / step + 1e-9).floor() as u64 + 1;
    // GeniusWeb integer ranges (step 1, integral bounds) become integer issues, which are never
    // listed (so `values-per-issue` does not apply; `Issue::integer` bounds them at 2^32 - 1 values).
    if step == 1.0 && lo.fract() == 0.0 && hi.fract() == 0.0 && lo.abs() < 9e15 && hi.abs() < 9e15 {
        return Issue::integer(name, lo as i64, lo as i64 + count as i64 - 1).map_err(|e| from_model(path, line, field, e));
    }
    crate::check_values(path, line, &format!("{field}.range"), u128::from(count))?;
    let values = (0..count).map(|k| ((lo + k as f64 * step) * scale).round() / scale).collect();
    Issue::number(name, values).map_err(|e| from_model(path, line, field, e))
}

/// Reads a `LinearAdditiveUtilitySpace` profile for `space` (or, with `space` absent, for the
/// domain embedded in the profile). Returns the space used and the preferences.
pub fn read_profile(path: &Path, space: Option<&OutcomeSpace>) -> Result<(OutcomeSpace, Preferences), Error> {
    let text = crate::read_text(path)?;
    read_profile_str(path, &text, space)
}

/// Reads a profile from text. See [`read_profile`].
pub fn read_profile_str(path: &Path, text: &str, space: Option<&OutcomeSpace>) -> Result<(OutcomeSpace, Preferences), Error> {
    let json = parse_json(path, text)?;
    let top = json.as_object().ok_or_else(|| Error::invalid(path, Some(1), "profile", "a JSON object", kind_of(&json)))?;
    let las = top.get("LinearAdditiveUtilitySpace").and_then(Json::as_object).ok_or_else(|| {
        let found = top.keys().next().map_or("an empty object".to_string(), |k| format!("{k:?}"));
        Error::invalid(path, Some(1), "profile", "a \"LinearAdditiveUtilitySpace\" object (the only profile type supported)", found)
    })?;
    let embedded = match las.get("domain") {
        Some(d) => Some(domain_from_json(path, text, d)?),
        None => None,
    };
    let space = match (space, embedded) {
        (Some(s), Some(e)) => {
            let names = |s: &OutcomeSpace| {
                let mut v: Vec<String> = s.issues().iter().map(|i| i.name().to_string()).collect();
                v.sort();
                v
            };
            if names(s) != names(&e) {
                return Err(Error::invalid(
                    path,
                    line_of(text, "domain"),
                    "domain",
                    format!("the issues of the domain file ({})", names(s).join(", ")),
                    names(&e).join(", "),
                ));
            }
            s.clone()
        }
        (Some(s), None) => s.clone(),
        (None, Some(e)) => e,
        (None, None) => {
            return Err(Error::invalid(path, Some(1), "LinearAdditiveUtilitySpace.domain", "a domain (embedded or given)", "none"))
        }
    };
    let utils = las
        .get("issueUtilities")
        .and_then(Json::as_object)
        .ok_or_else(|| Error::invalid(path, line_of(text, "issueUtilities"), "issueUtilities", "an object keyed by issue", "none"))?;
    let weights_json = las
        .get("issueWeights")
        .and_then(Json::as_object)
        .ok_or_else(|| Error::invalid(path, line_of(text, "issueWeights"), "issueWeights", "an object keyed by issue", "none"))?;
    for key in utils.keys().chain(weights_json.keys()) {
        if space.issue_index(key).is_none() {
            return Err(Error::invalid(path, line_of(text, key), format!("issue {key:?}"), "an issue of the domain", format!("{key:?}")));
        }
    }
    let mut weights = Vec::new();
    let mut values = Vec::new();
    for issue in space.issues() {
        let name = issue.name();
        let line = line_of(text, name);
        let w = weights_json.get(name).ok_or_else(|| {
            Error::invalid(path, line_of(text, "issueWeights"), format!("issueWeights.{name}"), "a weight for every issue", "none")
        })?;
        let w = match w.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => x,
            _ => return Err(Error::invalid(path, line, format!("issueWeights.{name}"), "a non-negative number", w.to_string())),
        };
        weights.push(w);
        let u = utils.get(name).and_then(Json::as_object).ok_or_else(|| {
            Error::invalid(
                path,
                line_of(text, "issueUtilities"),
                format!("issueUtilities.{name}"),
                "value utilities for every issue",
                "none",
            )
        })?;
        values.push(read_value_utilities(path, line, name, issue, u)?);
    }
    let sum: f64 = weights.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(Error::invalid(
            path,
            line_of(text, "issueWeights"),
            "issueWeights",
            "weights that sum to 1",
            format!("a sum of {sum}"),
        ));
    }
    let f = LinearAdditive::new(&space, 0.0, weights, values).map_err(|e| from_model(path, None, "LinearAdditiveUtilitySpace", e))?;
    let name = las
        .get("name")
        .and_then(Json::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    let utility = UtilityFunction::LinearAdditive(f);
    let reserved_value = match (las.get("reservationBid"), find_number(path, text, top, las, "reserved_value")?) {
        (_, Some(r)) => r,
        (Some(bid), None) => reservation_bid_utility(path, text, &space, &utility, bid)?,
        (None, None) => 0.0,
    };
    let discount = match find_number(path, text, top, las, "discount_factor")? {
        Some(d) if d > 0.0 && d < 1.0 => Discount::PerStep(d),
        _ => Discount::None,
    };
    Ok((space, Preferences { name, utility, reserved_value, discount }))
}

/// `key` of the profile (or of the file's top level): absent, or a finite number; anything else
/// (`true`, `"0.5"`, `null`) is refused rather than read as 0.
fn find_number(path: &Path, text: &str, top: &Map<String, Json>, las: &Map<String, Json>, key: &str) -> Result<Option<f64>, Error> {
    match las.get(key).or_else(|| top.get(key)) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(Error::invalid(path, line_of(text, key), key, "a number", v.to_string())),
        },
    }
}

fn read_value_utilities(
    path: &Path,
    line: Option<usize>,
    name: &str,
    issue: &Issue,
    u: &Map<String, Json>,
) -> Result<ValueFunction, Error> {
    let field = format!("issueUtilities.{name}");
    let (key, body) =
        u.iter().next().ok_or_else(|| Error::invalid(path, line, &field, "\"discreteutils\" or \"numberutils\"", "an empty object"))?;
    match key.as_str() {
        "discreteutils" | "DiscreteValueSetUtilities" => {
            let map = body
                .get("valueUtilities")
                .and_then(Json::as_object)
                .ok_or_else(|| Error::invalid(path, line, format!("{field}.{key}"), "a \"valueUtilities\" object", body.to_string()))?;
            let n = issue.cardinality().unwrap_or(0);
            // A table over an integer range is listed: within `values-per-issue`.
            crate::check_values(path, line, &format!("{field}.{key}"), u128::from(n))?;
            let mut table = vec![f64::NAN; n as usize];
            for (value, x) in map {
                let Some(Value::Index(k)) = issue.parse_value(value) else {
                    return Err(Error::invalid(
                        path,
                        line,
                        format!("{field}.valueUtilities"),
                        "a value of the issue",
                        format!("{value:?}"),
                    ));
                };
                match x.as_f64() {
                    Some(x) if (0.0..=1.0).contains(&x) => table[k as usize] = x,
                    _ => {
                        return Err(Error::invalid(
                            path,
                            line,
                            format!("{field}.valueUtilities.{value}"),
                            "a number in [0, 1]",
                            x.to_string(),
                        ))
                    }
                }
            }
            if let Some(k) = table.iter().position(|x| x.is_nan()) {
                return Err(Error::invalid(
                    path,
                    line,
                    format!("{field}.valueUtilities"),
                    "a utility for every value of the issue",
                    format!("none for {:?}", issue.value_name(Value::Index(k as u32))),
                ));
            }
            Ok(ValueFunction::Table(table))
        }
        "numberutils" | "NumberValueSetUtilities" => {
            let get = |k: &str| body.get(k).and_then(Json::as_f64);
            match (get("lowValue"), get("lowUtility"), get("highValue"), get("highUtility")) {
                (Some(lv), Some(lu), Some(hv), Some(hu)) if hv > lv && (0.0..=1.0).contains(&lu) && (0.0..=1.0).contains(&hu) => {
                    if matches!(issue.kind(), IssueKind::Categorical(_)) {
                        return Err(Error::invalid(path, line, &field, "discreteutils for a categorical issue", "numberutils"));
                    }
                    Ok(ValueFunction::Interpolated { low_value: lv, low_utility: lu, high_value: hv, high_utility: hu })
                }
                _ => Err(Error::invalid(
                    path,
                    line,
                    format!("{field}.{key}"),
                    "lowValue < highValue and lowUtility, highUtility in [0, 1]",
                    body.to_string(),
                )),
            }
        }
        other => Err(Error::invalid(path, line, &field, "\"discreteutils\" or \"numberutils\"", format!("{other:?}"))),
    }
}

/// Utility of a (possibly partial) reservation bid: missing issues contribute 0, as in GeniusWeb.
fn reservation_bid_utility(path: &Path, text: &str, space: &OutcomeSpace, utility: &UtilityFunction, bid: &Json) -> Result<f64, Error> {
    let line = line_of(text, "reservationBid");
    let values = bid
        .get("issuevalues")
        .and_then(Json::as_object)
        .ok_or_else(|| Error::invalid(path, line, "reservationBid", "{\"issuevalues\": {...}}", bid.to_string()))?;
    let f = utility.as_additive().expect("GeniusWeb profiles are additive");
    let mut u = 0.0;
    for (k, issue) in space.issues().iter().enumerate() {
        let Some(v) = values.get(issue.name()) else { continue };
        let text_value = match v {
            Json::String(s) => s.clone(),
            Json::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        let value = issue.parse_value(&text_value).ok_or_else(|| {
            Error::invalid(path, line, format!("reservationBid.issuevalues.{}", issue.name()), "a value of the issue", v.to_string())
        })?;
        u += f.term(k, value);
    }
    for key in values.keys() {
        if space.issue_index(key).is_none() {
            return Err(Error::invalid(path, line, "reservationBid.issuevalues", "issues of the domain", format!("{key:?}")));
        }
    }
    Ok(u)
}

fn kind_of(v: &Json) -> String {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
    .to_string()
}

fn domain_json(space: &OutcomeSpace) -> Result<Json, String> {
    let mut issues = Map::new();
    for issue in space.issues() {
        let set = match issue.kind() {
            IssueKind::Categorical(v) => json!({ "values": v }),
            IssueKind::Integer { lo, hi } => json!({ "range": [lo, hi, 1] }),
            IssueKind::Number(v) => {
                let regular = v.len() >= 2 && v.windows(2).all(|w| ((w[1] - w[0]) - (v[1] - v[0])).abs() < 1e-9);
                if regular {
                    json!({ "range": [v[0], v[v.len() - 1], v[1] - v[0]] })
                } else {
                    let names: Vec<String> = (0..v.len()).map(|k| issue.value_name(Value::Index(k as u32))).collect();
                    json!({ "values": names })
                }
            }
            IssueKind::Real { .. } => return Err(format!("issue {:?} is real-valued; GeniusWeb has no continuous issues", issue.name())),
        };
        issues.insert(issue.name().to_string(), set);
    }
    Ok(json!({ "name": space.name(), "issuesValues": issues }))
}

/// Writes a domain as GeniusWeb JSON.
pub fn write_domain(space: &OutcomeSpace) -> Result<String, String> {
    serde_json::to_string_pretty(&domain_json(space)?).map_err(|e| e.to_string())
}

/// Writes additive preferences as a GeniusWeb `LinearAdditiveUtilitySpace` (Java spelling,
/// `discreteutils`). Value utilities are scaled into [0, 1] by their maximum and the maximum moved
/// into the weight; the weights must then sum to 1 (normalise first if they do not). A finite
/// reservation value is written as NegMAS's `reserved_value` key.
pub fn write_profile(space: &OutcomeSpace, prefs: &Preferences) -> Result<String, String> {
    let f = prefs.utility.as_additive().ok_or("GeniusWeb profiles are linear-additive; this utility is not")?;
    if f.bias() != 0.0 {
        return Err(format!("GeniusWeb profiles have no constant term (this one has {})", f.bias()));
    }
    let mut utils = Map::new();
    let mut weights = Map::new();
    for (k, issue) in space.issues().iter().enumerate() {
        let vf = &f.values()[k];
        let n = issue.cardinality().ok_or_else(|| format!("issue {:?} is real-valued", issue.name()))?;
        let limit = &bc_io::limits::VALUES_PER_ISSUE;
        if n > limit.get() {
            return Err(format!(
                "issue {:?}: a GeniusWeb profile lists the utility of each of its {n} values, more than {} (limit {}; raise it with {})",
                issue.name(),
                limit.get(),
                limit.name,
                limit.how_to_raise()
            ));
        }
        let evals: Vec<f64> = (0..n as u32).map(|v| vf.eval(issue, Value::Index(v))).collect();
        if evals.iter().any(|e| *e < 0.0 || !e.is_finite()) {
            return Err(format!("issue {:?} has negative value utilities", issue.name()));
        }
        let mx = evals.iter().copied().fold(0.0, f64::max);
        let mut table = Map::new();
        for (v, e) in evals.iter().enumerate() {
            let e = if mx > 0.0 { e / mx } else { 0.0 };
            table.insert(issue.value_name(Value::Index(v as u32)), json!(e));
        }
        utils.insert(issue.name().to_string(), json!({ "discreteutils": { "valueUtilities": table } }));
        weights.insert(issue.name().to_string(), json!(f.weights()[k] * if mx > 0.0 { mx } else { 1.0 }));
    }
    let sum: f64 = weights.values().filter_map(Json::as_f64).sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(format!(
            "the weights (times each issue's best value) sum to {sum}, but GeniusWeb requires 1; normalise the profile first"
        ));
    }
    let mut las = Map::new();
    las.insert("issueUtilities".into(), Json::Object(utils));
    las.insert("issueWeights".into(), Json::Object(weights));
    las.insert("domain".into(), domain_json(space)?);
    las.insert("name".into(), json!(sanitize_name(&prefs.name)));
    if prefs.reserved_value.is_finite() {
        las.insert("reserved_value".into(), json!(prefs.reserved_value));
    }
    serde_json::to_string_pretty(&json!({ "LinearAdditiveUtilitySpace": las })).map_err(|e| e.to_string())
}

/// GeniusWeb profile names must match `[a-zA-Z0-9]+`.
fn sanitize_name(name: &str) -> String {
    let s: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    if s.is_empty() {
        "profile".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN: &str = r#"{
  "name": "fitness",
  "issuesValues": {
    "type": { "values": ["swimming", "yoga", "running"] },
    "price": { "range": [12.2, 12.6, 0.3] }
  }
}"#;

    fn profile(key: &str, w_type: &str) -> String {
        format!(
            r#"{{"LinearAdditiveUtilitySpace": {{
 "issueUtilities": {{
  "type": {{ "{key}": {{ "valueUtilities": {{ "swimming": 0.6, "yoga": 1.0, "running": 0.2 }} }} }},
  "price": {{ "numberutils": {{ "lowValue": 12.2, "lowUtility": 1.0, "highValue": 12.5, "highUtility": 0.0 }} }}
 }},
 "issueWeights": {{ "type": {w_type}, "price": 0.5 }},
 "name": "fitness1",
 "reservationBid": {{ "issuevalues": {{ "type": "yoga" }} }}
}}}}"#
        )
    }

    #[test]
    fn reads_ranges_and_both_spellings() {
        let space = read_domain_str(Path::new("d.json"), DOMAIN).unwrap();
        let price = &space.issues()[1];
        assert_eq!(price.kind(), &IssueKind::Number(vec![12.2, 12.5]));
        for key in ["discreteutils", "DiscreteValueSetUtilities"] {
            let (_, p) = read_profile_str(Path::new("p.json"), &profile(key, "0.5"), Some(&space)).unwrap();
            let o = space.parse_outcome(&["yoga", "12.2"]).unwrap();
            assert_eq!(p.eval(&o), 0.0 + 0.5 * 1.0 + 0.5 * 1.0);
            // The reservation bid names only "type": 0.5 * 1.0.
            assert_eq!(p.reserved_value, 0.5);
        }
    }

    #[test]
    fn rejects_bad_weights_and_unknown_keys() {
        let space = read_domain_str(Path::new("d.json"), DOMAIN).unwrap();
        let e = read_profile_str(Path::new("p.json"), &profile("discreteutils", "-0.5"), Some(&space)).unwrap_err();
        assert!(e.to_string().contains("issueWeights.type") && e.to_string().contains("-0.5"), "{e}");
        let e = read_profile_str(Path::new("p.json"), &profile("discreteutils", "0.7"), Some(&space)).unwrap_err();
        assert!(e.to_string().contains("sum of 1.2"), "{e}");
        let e = read_profile_str(Path::new("p.json"), &profile("fooutils", "0.5"), Some(&space)).unwrap_err();
        assert!(e.to_string().contains("\"fooutils\""), "{e}");
        let e = read_domain_str(Path::new("d.json"), "{\"issuesValues\": {\"a\": {\"values\": []}}}").unwrap_err();
        assert!(e.to_string().contains("empty list"), "{e}");
        let e = read_domain_str(Path::new("d.json"), "{\"issuesValues\": [1,").unwrap_err();
        assert!(e.to_string().contains("malformed"), "{e}");
    }

    #[test]
    fn round_trips() {
        let space = read_domain_str(Path::new("d.json"), DOMAIN).unwrap();
        let text = write_domain(&space).unwrap();
        assert_eq!(read_domain_str(Path::new("d2.json"), &text).unwrap().issues(), space.issues());
        let (_, p) = read_profile_str(Path::new("p.json"), &profile("discreteutils", "0.5"), Some(&space)).unwrap();
        let out = write_profile(&space, &p).unwrap();
        let (_, q) = read_profile_str(Path::new("q.json"), &out, None).unwrap();
        for k in 0..6 {
            let o = space.outcome_at(k);
            assert!((p.eval(&o) - q.eval(&o)).abs() < 1e-12);
        }
    }
}
