//! Named variants: a variant's `remove` and `patch` applied to the scenario document, with the
//! positions of patched keys moved to the patch.

use std::ops::Range;

use serde_json::Value as Json;

use super::spans::{index, join, Located};

/// Applies a variant's `remove` and `patch` to a scenario document, and moves positions so that
/// patched keys point at the patch. Returns the problems with the variant itself.
pub(crate) fn apply_variant(base: &Located, name: &str, variant: &Json) -> (Located, Vec<(String, String)>) {
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
pub(crate) fn merge(base: &mut Json, patch: &Json) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_arrays_and_merges_tables() {
        let mut a = serde_json::json!({"m": {"x": 1, "y": 2}, "s": [1, 2]});
        merge(&mut a, &serde_json::json!({"m": {"x": 5}, "s": [3]}));
        assert_eq!(a, serde_json::json!({"m": {"x": 5, "y": 2}, "s": [3]}));
    }
}
