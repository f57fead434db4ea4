//! The JSON Schema check: a document against the schema generated from [`crate::file`] (unknown
//! keys, types, ranges, distributions), on the subset of keywords that schema uses.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Value as Json};

use super::spans::{describe, index, join};
use crate::dist::{Bounds, Distribution};

/// Checks a JSON instance against a JSON Schema (the subset of keywords [`crate::file::schema`]
/// produces; `SUPPORTED_KEYWORDS` lists them and a test keeps the two in step).
pub(crate) struct SchemaCheck<'a> {
    root: &'a Json,
    spans: &'a HashMap<String, Range<usize>>,
    /// Problems found: (path, message).
    pub(crate) problems: Vec<(String, String)>,
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
    pub(crate) fn new(root: &'a Json, spans: &'a HashMap<String, Range<usize>>) -> Self {
        SchemaCheck { root, spans, problems: Vec::new() }
    }

    fn resolve(&self, r: &str) -> Option<&'a Json> {
        let name = r.strip_prefix("#/$defs/")?;
        self.root.get("$defs")?.get(name)
    }

    /// Checks `inst` at `path` against `schema`; `bounds` are range limits inherited from
    /// enclosing `$ref`/`anyOf` nodes (they apply to a distribution's support).
    pub(crate) fn check(&mut self, schema: &'a Json, inst: &Json, path: &str, bounds: Bounds) {
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
