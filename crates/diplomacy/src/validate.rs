//! Reading a scenario file: TOML with positions → JSON, checked against the JSON Schema generated
//! from [`crate::file`] (unknown keys, types, ranges, distributions), then the cross-references the
//! schema cannot express (issues named by steps, parties named by trust tables, ...). Every
//! problem is collected, each with the file, the line and the key, before anything is built.
//!
//! Long file: one pass of schema and cross-reference checks over one span index; the split along
//! spans, schema, variants and references is planned with the diplomacy crate's reorganisation.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use serde_json::{Map, Value as Json};

use crate::dist::{Bounds, Distribution};

/// One problem in a scenario file: bc-io's located diagnostic, whose field is the dotted path of
/// the key (`parties.us.capacity`, `steps[2].issues[0]`) and whose file may be
/// `<embedded default>`.
pub use bc_io::Diagnostic;

/// A parsed file: its JSON form and where each path sits in the text.
#[derive(Clone, Debug, Default)]
pub struct Located {
    /// The document as JSON (tables in file order).
    pub json: Json,
    /// Byte span of each path (the key where there is one, else the value).
    pub spans: HashMap<String, Range<usize>>,
}

/// Collects diagnostics for one file.
#[derive(Clone, Debug)]
pub struct Report {
    file: String,
    text: String,
    /// The problems found so far.
    pub problems: Vec<Diagnostic>,
    /// A prefix for keys (e.g. `variant direct: `).
    prefix: String,
}

impl Report {
    /// A report on `file` whose text is `text`.
    pub fn new(file: impl Into<String>, text: &str) -> Report {
        Report { file: file.into(), text: text.to_string(), problems: Vec::new(), prefix: String::new() }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.text.as_bytes().iter().take(offset).filter(|b| **b == b'\n').count() + 1
    }

    /// Records a problem at `path`, located through `spans` (or its nearest located ancestor).
    pub fn at(&mut self, spans: &HashMap<String, Range<usize>>, path: &str, message: impl Into<String>) {
        let mut p = path.to_string();
        let line = loop {
            if let Some(s) = spans.get(&p) {
                break Some(self.line_of(s.start));
            }
            match parent(&p) {
                Some(q) => p = q,
                None => break None,
            }
        };
        let key = if path.is_empty() { "(top level)".to_string() } else { path.to_string() };
        self.problems.push(Diagnostic::other(Path::new(&self.file), line, format!("{}{key}", self.prefix), message));
    }

    /// Records a problem with no position.
    pub fn general(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(Diagnostic::other(Path::new(&self.file), None, format!("{}{key}", self.prefix), message));
    }

    /// Sets the prefix put before every later key.
    pub fn set_prefix(&mut self, prefix: &str) {
        self.prefix = prefix.to_string();
    }
}

/// The parent of a dotted path (`a.b[2].c` → `a.b[2]` → `a.b` → `a`).
fn parent(path: &str) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    if path.ends_with(']') {
        return path.rfind('[').map(|i| path[..i].to_string());
    }
    // Skip a quoted last key.
    let bytes = path.as_bytes();
    let mut i = path.len();
    if bytes[i - 1] == b'"' {
        i -= 1;
        while i > 0 && bytes[i - 1] != b'"' {
            i -= 1;
        }
        i = i.saturating_sub(1);
    } else {
        while i > 0 && bytes[i - 1] != b'.' && bytes[i - 1] != b']' {
            i -= 1;
        }
    }
    match i {
        0 => Some(String::new()),
        _ if bytes[i - 1] == b'.' => Some(path[..i - 1].to_string()),
        _ => Some(path[..i].to_string()),
    }
}

/// `base.key`, quoting keys that are not bare TOML keys.
pub fn join(base: &str, key: &str) -> String {
    let bare = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let k = if bare { key.to_string() } else { format!("{key:?}") };
    if base.is_empty() {
        k
    } else {
        format!("{base}.{k}")
    }
}

fn index(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

/// Parses TOML text into JSON with positions. A syntax error is returned as the one problem.
pub fn parse(text: &str, report: &mut Report) -> Option<Located> {
    let doc = match toml_edit::Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let spans = HashMap::from([(String::from("(syntax)"), e.span().unwrap_or(0..0))]);
            let msg = e.message().trim().to_string();
            report.at(&spans, "(syntax)", format!("not valid TOML: {msg}"));
            return None;
        }
    };
    let mut loc = Located::default();
    let mut bad = Vec::new();
    loc.json = table_json(doc.as_table(), "", &mut loc.spans, &mut bad);
    for (path, what) in bad {
        report.at(&loc.spans, &path, what);
    }
    Some(loc)
}

fn table_json(t: &toml_edit::Table, path: &str, spans: &mut HashMap<String, Range<usize>>, bad: &mut Vec<(String, String)>) -> Json {
    let mut m = Map::new();
    for (k, item) in t.iter() {
        let p = join(path, k);
        if let Some(s) = t.key(k).and_then(|key| key.span()) {
            spans.insert(p.clone(), s);
        }
        m.insert(k.to_string(), item_json(item, &p, spans, bad));
    }
    Json::Object(m)
}

fn item_json(item: &toml_edit::Item, path: &str, spans: &mut HashMap<String, Range<usize>>, bad: &mut Vec<(String, String)>) -> Json {
    match item {
        toml_edit::Item::None => Json::Null,
        toml_edit::Item::Value(v) => value_json(v, path, spans, bad),
        toml_edit::Item::Table(t) => table_json(t, path, spans, bad),
        toml_edit::Item::ArrayOfTables(a) => {
            let mut out = Vec::new();
            for (i, t) in a.iter().enumerate() {
                let p = index(path, i);
                // A table of an array has no span of its own: use its first key's.
                if let Some(s) = t.iter().next().and_then(|(k, _)| t.key(k)).and_then(|k| k.span()) {
                    spans.insert(p.clone(), s);
                }
                out.push(table_json(t, &p, spans, bad));
            }
            Json::Array(out)
        }
    }
}

fn value_json(v: &toml_edit::Value, path: &str, spans: &mut HashMap<String, Range<usize>>, bad: &mut Vec<(String, String)>) -> Json {
    if let Some(s) = v.span() {
        spans.entry(path.to_string()).or_insert(s);
    }
    match v {
        toml_edit::Value::String(s) => Json::String(s.value().clone()),
        toml_edit::Value::Integer(i) => Json::from(*i.value()),
        toml_edit::Value::Float(f) => match serde_json::Number::from_f64(*f.value()) {
            Some(n) => Json::Number(n),
            None => {
                bad.push((path.to_string(), format!("expected a finite number, found {}", f.value())));
                Json::Null
            }
        },
        toml_edit::Value::Boolean(b) => Json::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => {
            bad.push((path.to_string(), format!("expected a number or text, found the date {}", d.value())));
            Json::Null
        }
        toml_edit::Value::Array(a) => Json::Array(a.iter().enumerate().map(|(i, x)| value_json(x, &index(path, i), spans, bad)).collect()),
        toml_edit::Value::InlineTable(t) => {
            let mut m = Map::new();
            for (k, x) in t.iter() {
                let p = join(path, k);
                if let Some(s) = t.key(k).and_then(|key| key.span()) {
                    spans.insert(p.clone(), s);
                }
                m.insert(k.to_string(), value_json(x, &p, spans, bad));
            }
            Json::Object(m)
        }
    }
}

/// The parameters of a strategy table (`params = { ... }`) at their nominal values, with their
/// paths; None when some value is not a number or distribution (the schema reports it).
fn nominal_params(s: &Json, path: &str) -> Option<Vec<(String, String, f64)>> {
    let mut out = Vec::new();
    if let Some(Json::Object(ps)) = s.get("params") {
        for (k, v) in ps {
            let p: crate::dist::Param = serde_json::from_value(v.clone()).ok()?;
            out.push((k.to_ascii_lowercase(), join(&join(path, "params"), k), p.nominal()));
        }
    }
    Some(out)
}

/// A tiny outcome space and a party on it, to check that a strategy can be built.
fn probe_side() -> Option<std::sync::Arc<bc_strategy::Side>> {
    let space = bc_model::OutcomeSpace::new("probe", vec![bc_model::Issue::integer("x", 0, 1).ok()?]).ok()?;
    let utility = bc_model::UtilityFunction::Table(bc_model::TableUtility::new(&space, vec![0.0, 1.0]).ok()?);
    let prefs = bc_model::Preferences { name: "probe".into(), utility, reserved_value: 0.0, discount: bc_model::Discount::None };
    bc_strategy::Side::new(std::sync::Arc::new(space), prefs).ok().map(std::sync::Arc::new)
}

/// A party's strategy table against the negotiation library: voters cannot be parties,
/// parameters must be the agent's, and the agent must build with their nominal values.
fn check_agent(s: &Json, path: &str, push: &mut impl FnMut(String, String)) {
    use bc_strategy::registry::AGENTS;
    let Some(kind) = s.get("kind").and_then(Json::as_str) else { return };
    let Some(params) = nominal_params(s, path) else { return };
    let exponent = s.get("exponent").and_then(|e| serde_json::from_value::<crate::dist::Param>(e.clone()).ok());
    if kind != "time_based" && s.get("exponent").is_some() {
        push(join(path, "exponent"), format!("exponent applies to time_based only; give {kind}'s parameters in params"));
    }
    let (name, known): (&str, Vec<&str>) = match kind {
        "spe" => {
            if !params.is_empty() {
                push(join(path, "params"), "spe takes no parameters".into());
            }
            return;
        }
        "time_based" => ("tb", vec!["eps", "max"]),
        _ => match AGENTS.iter().find(|a| a.name == kind) {
            // Unknown names are the schema's to report (with the list of valid ones).
            None => return,
            Some(a) if a.voter_only => {
                let agents: Vec<&str> = AGENTS.iter().filter(|a| !a.voter_only).map(|a| a.name).collect();
                push(join(path, "kind"), format!(
                    "{kind} only votes on single-text drafts, but a party must also make offers (in the direct-talks counterfactual, and when it stops taking the mediator's drafts); expected time_based, spe or one of: {}",
                    agents.join(", ")
                ));
                return;
            }
            Some(a) => (a.name, a.params.to_vec()),
        },
    };
    let mut spec = bc_strategy::Spec { name: name.to_string(), params: Default::default() };
    if kind == "time_based" {
        spec.params.insert("e".into(), exponent.map_or(1.0, |e| e.nominal()));
    }
    let mut ok = true;
    for (k, p, v) in params {
        if known.contains(&k.as_str()) {
            spec.params.insert(k, v);
        } else {
            ok = false;
            let valid = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            let hint = if kind == "time_based" { " (its exponent is `exponent`)" } else { "" };
            push(p, format!("unknown parameter {k:?} of {kind}; valid parameters: {valid}{hint}"));
        }
    }
    if !ok {
        return;
    }
    let Some(side) = probe_side() else { return };
    let rng = bc_engine::rng_for(0, 0);
    if let Err(e) = bc_strategy::registry::build_agent(&spec, side, bc_protocol::ProtocolKind::Sao, rng) {
        let at = if s.get("params").is_some() { join(path, "params") } else { path.to_string() };
        push(at, format!("{kind} cannot be built with these parameters: {e}"));
    }
}

/// The mediator's strategy table against its protocol's mediators in the negotiation library.
fn check_mediator(s: &Json, protocol: &str, push: &mut impl FnMut(String, String)) {
    use crate::file::ProtocolSpec;
    let path = "mediator.strategy";
    let Some(kind) = s.get("kind").and_then(Json::as_str) else { return };
    let Some(params) = nominal_params(s, path) else { return };
    let protocol = match protocol {
        "relay" => ProtocolSpec::Relay,
        "single_text" => ProtocolSpec::SingleText,
        "confidential" => ProtocolSpec::Confidential,
        _ => return,
    };
    // Names no protocol knows are the schema's to report.
    if !crate::file::mediator_kinds().iter().any(|k| k == kind) {
        return;
    }
    let list = bc_strategy::registry::mediators(protocol.kind());
    let Some((_, known)) = list.iter().find(|(n, _)| *n == kind) else {
        let valid: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
        push(
            join(path, "kind"),
            format!(
                "{kind} is not a mediator of the {} protocol; valid {} mediators: {}",
                protocol.name(),
                protocol.name(),
                valid.join(", ")
            ),
        );
        return;
    };
    let mut spec = bc_strategy::Spec { name: kind.to_string(), params: Default::default() };
    let mut ok = true;
    for (k, p, v) in params {
        if known.contains(&k.as_str()) {
            spec.params.insert(k, v);
        } else {
            ok = false;
            let valid = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            push(p, format!("unknown parameter {k:?} of {kind}; valid parameters: {valid}"));
        }
    }
    let Some(side) = probe_side().filter(|_| ok) else { return };
    let space = std::sync::Arc::clone(side.space());
    let built = match protocol {
        ProtocolSpec::Relay => bc_strategy::registry::build_relay_mediator(&spec, vec![side.clone(), side]).map(|_| ()),
        ProtocolSpec::SingleText => bc_strategy::registry::build_single_text_mediator(&spec, space, bc_engine::rng_for(0, 0)).map(|_| ()),
        ProtocolSpec::Confidential => bc_strategy::registry::build_confidential_mediator(&spec, space).map(|_| ()),
    };
    if let Err(e) = built {
        push(join(path, "params"), format!("{kind} cannot be built with these parameters: {e}"));
    }
}

/// Checks a JSON instance against a JSON Schema (the subset of keywords [`crate::file::schema`]
/// produces; `SUPPORTED_KEYWORDS` lists them and a test keeps the two in step).
pub struct SchemaCheck<'a> {
    root: &'a Json,
    spans: &'a HashMap<String, Range<usize>>,
    /// Problems found: (path, message).
    pub problems: Vec<(String, String)>,
}

/// The schema keywords [`SchemaCheck`] understands; any other keyword in the generated schema
/// fails the `schema_uses_only_supported_keywords` test.
pub const SUPPORTED_KEYWORDS: &[&str] = &[
    "$ref",
    "$schema",
    "$defs",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "anyOf",
    "oneOf",
    "const",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "description",
    "title",
    "default",
    "format",
];

impl<'a> SchemaCheck<'a> {
    /// A checker against `root` (the whole schema, for `$ref`).
    pub fn new(root: &'a Json, spans: &'a HashMap<String, Range<usize>>) -> Self {
        SchemaCheck { root, spans, problems: Vec::new() }
    }

    fn resolve(&self, r: &str) -> Option<&'a Json> {
        let name = r.strip_prefix("#/$defs/")?;
        self.root.get("$defs")?.get(name)
    }

    /// Checks `inst` at `path` against `schema`; `bounds` are range limits inherited from
    /// enclosing `$ref`/`anyOf` nodes (they apply to a distribution's support).
    pub fn check(&mut self, schema: &'a Json, inst: &Json, path: &str, bounds: Bounds) {
        let Some(s) = schema.as_object() else { return };
        let bounds = merge_bounds(bounds, s);
        if let Some(r) = s.get("$ref").and_then(Json::as_str) {
            if let Some(def) = self.resolve(r) {
                let before = self.problems.len();
                self.check(def, inst, path, bounds);
                if r.ends_with("/Distribution") && self.problems.len() == before {
                    if let Ok(d) = serde_json::from_value::<Distribution>(inst.clone()) {
                        if let Err(e) = d.check(bounds) {
                            self.problems.push((path.to_string(), e));
                        }
                    }
                }
            }
        }
        if let Some(types) = s.get("type") {
            let allowed: Vec<&str> = match types {
                Json::String(t) => vec![t.as_str()],
                Json::Array(ts) => ts.iter().filter_map(Json::as_str).collect(),
                _ => vec![],
            };
            if !allowed.iter().any(|t| type_matches(t, inst)) {
                let expected: Vec<&str> = allowed.iter().filter(|t| **t != "null").map(|t| type_name(t)).collect();
                self.problems.push((path.to_string(), format!("expected {}, found {}", expected.join(" or "), describe(inst))));
                return;
            }
        }
        if let Some(c) = s.get("const") {
            if c != inst {
                self.problems.push((path.to_string(), format!("expected {c}, found {}", describe(inst))));
            }
        }
        if let Some(Json::Array(options)) = s.get("enum") {
            if !options.contains(inst) {
                let names: Vec<String> = options.iter().map(|o| o.to_string()).collect();
                self.problems.push((path.to_string(), format!("expected one of {}, found {}", names.join(", "), describe(inst))));
            }
        }
        if let (Some(x), true) = (inst.as_f64(), s.contains_key("type")) {
            if !bounds.contains(x) && (bounds.lo.is_finite() || bounds.hi.is_finite()) {
                self.problems.push((path.to_string(), format!("expected a number in {}, found {}", bounds.describe(), describe(inst))));
            }
        }
        if let Json::Object(obj) = inst {
            self.check_object(s, obj, path, bounds);
        }
        if let Json::Array(items) = inst {
            if let Some(min) = s.get("minItems").and_then(Json::as_u64) {
                if (items.len() as u64) < min {
                    self.problems.push((path.to_string(), format!("expected at least {min} items, found {}", items.len())));
                }
            }
            if let Some(max) = s.get("maxItems").and_then(Json::as_u64) {
                if (items.len() as u64) > max {
                    self.problems.push((path.to_string(), format!("expected at most {max} items, found {}", items.len())));
                }
            }
            if let Some(item_schema) = s.get("items") {
                for (i, x) in items.iter().enumerate() {
                    self.check(item_schema, x, &index(path, i), Bounds::ANY);
                }
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Json::Array(branches)) = s.get(key) {
                self.check_branches(branches, inst, path, bounds);
            }
        }
    }

    fn check_object(&mut self, s: &'a Map<String, Json>, obj: &Map<String, Json>, path: &str, bounds: Bounds) {
        let props = s.get("properties").and_then(Json::as_object);
        if let Some(Json::Array(req)) = s.get("required") {
            for r in req.iter().filter_map(Json::as_str) {
                if !obj.contains_key(r) {
                    let what = props
                        .and_then(|p| p.get(r))
                        .and_then(|p| p.get("description"))
                        .and_then(Json::as_str)
                        .map(|d| format!(" ({})", d.trim_end_matches('.')))
                        .unwrap_or_default();
                    self.problems.push((path.to_string(), format!("missing key {r:?}{what}")));
                }
            }
        }
        for (k, v) in obj {
            let p = join(path, k);
            match props.and_then(|p| p.get(k)) {
                Some(ps) => self.check(ps, v, &p, Bounds::ANY),
                None => match s.get("additionalProperties") {
                    Some(Json::Bool(false)) => {
                        let known: Vec<&str> = props.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
                        self.problems.push((p, format!("unknown key {k:?}; expected one of: {}", known.join(", "))));
                    }
                    Some(extra @ Json::Object(_)) => self.check(extra, v, &p, Bounds::ANY),
                    _ => {}
                },
            }
        }
        let _ = bounds;
    }

    fn check_branches(&mut self, branches: &'a [Json], inst: &Json, path: &str, bounds: Bounds) {
        // A distribution table names its branch with `dist`.
        if let Some(tag) = inst.get("dist") {
            for b in branches {
                if let Some(d) = b.pointer("/properties/dist/const") {
                    if d == tag {
                        self.check(b, inst, path, bounds);
                        return;
                    }
                }
            }
            let names: Vec<String> = branches.iter().filter_map(|b| b.pointer("/properties/dist/const")).map(|c| c.to_string()).collect();
            if !names.is_empty() {
                self.problems.push((join(path, "dist"), format!("unknown distribution {tag}; expected one of {}", names.join(", "))));
                return;
            }
        }
        // A choice of constants (a protocol name): the whole list, not the nearest branch.
        let consts: Vec<&Json> = branches.iter().filter_map(|b| b.get("const")).collect();
        if !consts.is_empty() && consts.len() == branches.len() {
            if !consts.contains(&inst) {
                let names: Vec<String> = consts.iter().map(|c| c.to_string()).collect();
                self.problems.push((path.to_string(), format!("expected one of {}, found {}", names.join(", "), describe(inst))));
            }
            return;
        }
        let mut best: Option<Vec<(String, String)>> = None;
        let mut type_ok = false;
        for b in branches {
            let mut sub = SchemaCheck::new(self.root, self.spans);
            sub.check(b, inst, path, bounds);
            if sub.problems.is_empty() {
                return;
            }
            let mismatch = sub.problems.len() == 1
                && sub.problems[0].1.starts_with("expected ")
                && sub.problems[0].0 == path
                && sub.problems[0].1.contains(", found ")
                && !branch_type_matches(self.root, b, inst);
            if !mismatch && (!type_ok || best.as_ref().is_some_and(|p| sub.problems.len() < p.len())) {
                type_ok = true;
                best = Some(sub.problems);
            } else if best.is_none() {
                best = Some(sub.problems);
            }
        }
        if type_ok {
            self.problems.extend(best.unwrap_or_default());
        } else {
            let kinds: Vec<String> = branches.iter().map(|b| branch_kind(self.root, b)).collect();
            let mut kinds: Vec<String> = kinds.into_iter().filter(|k| k != "null").collect();
            kinds.dedup();
            self.problems.push((path.to_string(), format!("expected {}, found {}", kinds.join(" or "), describe(inst))));
        }
    }
}

fn branch_type_matches(root: &Json, b: &Json, inst: &Json) -> bool {
    let b = match b.get("$ref").and_then(Json::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => root.get("$defs").and_then(|d| d.get(name)).unwrap_or(b),
        None => b,
    };
    match b.get("type") {
        Some(Json::String(t)) => type_matches(t, inst),
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).any(|t| type_matches(t, inst)),
        _ => {
            // Composite (anyOf/oneOf): any member of matching type.
            ["anyOf", "oneOf"]
                .iter()
                .any(|k| b.get(*k).and_then(Json::as_array).is_some_and(|bs| bs.iter().any(|x| branch_type_matches(root, x, inst))))
        }
    }
}

fn branch_kind(root: &Json, b: &Json) -> String {
    if let Some(name) = b.get("$ref").and_then(Json::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
        if name == "Distribution" {
            return "a distribution table ({ dist = \"uniform\" | \"normal\" | \"beta\" | \"triangular\" | \"fixed\", ... })".into();
        }
        if let Some(d) = root.get("$defs").and_then(|d| d.get(name)) {
            return branch_kind(root, d);
        }
    }
    match b.get("type") {
        Some(Json::String(t)) => type_name(t).to_string(),
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).map(type_name).collect::<Vec<_>>().join(" or "),
        _ => "a value".into(),
    }
}

fn merge_bounds(b: Bounds, s: &Map<String, Json>) -> Bounds {
    let mut out = b;
    if let Some(m) = s.get("minimum").and_then(Json::as_f64) {
        if m > out.lo || (m == out.lo && !out.lo_open) {
            out.lo = m;
            out.lo_open = false;
        }
    }
    if let Some(m) = s.get("exclusiveMinimum").and_then(Json::as_f64) {
        if m >= out.lo {
            out.lo = m;
            out.lo_open = true;
        }
    }
    if let Some(m) = s.get("maximum").and_then(Json::as_f64) {
        out.hi = out.hi.min(m);
    }
    out
}

fn type_matches(t: &str, v: &Json) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "null" => v.is_null(),
        _ => false,
    }
}

fn type_name(t: &str) -> &str {
    match t {
        "object" => "a table",
        "array" => "a list",
        "string" => "text",
        "boolean" => "true or false",
        "integer" => "a whole number",
        "number" => "a number",
        other => other,
    }
}

/// A short description of a value for messages.
pub fn describe(v: &Json) -> String {
    match v {
        Json::Null => "nothing".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => format!("{s:?}"),
        Json::Array(a) => format!("a list of {} items", a.len()),
        Json::Object(_) => "a table".into(),
    }
}

/// Applies a variant's `remove` and `patch` to a scenario document, and moves positions so that
/// patched keys point at the patch. Returns the problems with the variant itself.
pub fn apply_variant(base: &Located, name: &str, variant: &Json) -> (Located, Vec<(String, String)>) {
    let mut out = base.clone();
    let mut problems = Vec::new();
    let vpath = join("variants", name);
    if let Some(obj) = out.json.as_object_mut() {
        obj.remove("variants");
    }
    if let Some(Json::Array(paths)) = variant.get("remove") {
        for (i, p) in paths.iter().enumerate() {
            let Some(p) = p.as_str() else { continue };
            if !remove_path(&mut out.json, p) {
                problems.push((index(&join(&vpath, "remove"), i), format!("nothing to remove at {p:?} in the scenario")));
            }
        }
    }
    if let Some(patch @ Json::Object(_)) = variant.get("patch") {
        let ppath = join(&vpath, "patch");
        merge(&mut out.json, patch);
        // Positions: every patched path now points into the patch.
        let moved: Vec<(String, Range<usize>)> =
            base.spans.iter().filter_map(|(k, s)| k.strip_prefix(&format!("{ppath}.")).map(|rest| (rest.to_string(), s.clone()))).collect();
        for (k, s) in moved {
            out.spans.insert(k, s);
        }
    }
    (out, problems)
}

fn remove_path(doc: &mut Json, path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    let Some((last, init)) = parts.split_last() else { return false };
    let mut cur = doc;
    for p in init {
        match cur.get_mut(*p) {
            Some(next) => cur = next,
            None => return false,
        }
    }
    cur.as_object_mut().and_then(|o| o.remove(*last)).is_some()
}

/// Deep merge: tables merge key by key, anything else replaces.
pub fn merge(base: &mut Json, patch: &Json) {
    match (base, patch) {
        (Json::Object(b), Json::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// Cross-references the schema cannot express. `issue_values` gives, for a file domain, each
/// issue's kind and values (None for an inline domain: read from the document).
pub fn check_references(doc: &Json, file_issues: Option<&[(String, IssueShape)]>, problems: &mut Vec<(String, String)>) {
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
pub enum IssueShape {
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
    pub fn of(issue: &bc_model::Issue) -> IssueShape {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_of_paths() {
        assert_eq!(parent("a.b[2].c").as_deref(), Some("a.b[2]"));
        assert_eq!(parent("a.b[2]").as_deref(), Some("a.b"));
        assert_eq!(parent("a").as_deref(), Some(""));
        assert_eq!(parent("a.\"x.y\"").as_deref(), Some("a"));
        assert_eq!(join("a", "x y"), "a.\"x y\"");
    }

    #[test]
    fn merge_replaces_arrays_and_merges_tables() {
        let mut a = serde_json::json!({"m": {"x": 1, "y": 2}, "s": [1, 2]});
        merge(&mut a, &serde_json::json!({"m": {"x": 5}, "s": [3]}));
        assert_eq!(a, serde_json::json!({"m": {"x": 5, "y": 2}, "s": [3]}));
    }
}
