//! A scenario file's text as JSON with positions: TOML parsed into JSON with the byte span of
//! every dotted path, the diagnostics (file, line, key, message) located through those spans,
//! and the path helpers every check uses.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde_json::{Map, Value as Json};

/// One problem in a scenario file: bc-io's located diagnostic, whose field is the dotted path of
/// the key (`parties.us.capacity`, `steps[2].issues[0]`) and whose file may be
/// `<embedded default>`.
pub use bc_io::Diagnostic;

/// A parsed file: its JSON form and where each path sits in the text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Located {
    /// The document as JSON (tables in file order).
    pub(crate) json: Json,
    /// Byte span of each path (the key where there is one, else the value).
    pub(crate) spans: HashMap<String, Range<usize>>,
}

/// Collects diagnostics for one file.
#[derive(Clone, Debug)]
pub(crate) struct Report {
    file: String,
    text: String,
    /// The problems found so far.
    pub(crate) problems: Vec<Diagnostic>,
    /// A prefix for keys (e.g. `variant direct: `).
    prefix: String,
}

impl Report {
    /// A report on `file` whose text is `text`.
    pub(crate) fn new(file: impl Into<String>, text: &str) -> Report {
        Report { file: file.into(), text: text.to_string(), problems: Vec::new(), prefix: String::new() }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.text.as_bytes().iter().take(offset).filter(|b| **b == b'\n').count() + 1
    }

    /// Records a problem at `path`, located through `spans` (or its nearest located ancestor).
    pub(crate) fn at(&mut self, spans: &HashMap<String, Range<usize>>, path: &str, message: impl Into<String>) {
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

    /// Sets the prefix put before every later key.
    pub(crate) fn set_prefix(&mut self, prefix: &str) {
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
pub(crate) fn join(base: &str, key: &str) -> String {
    let bare = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let k = if bare { key.to_string() } else { format!("{key:?}") };
    if base.is_empty() {
        k
    } else {
        format!("{base}.{k}")
    }
}

pub(super) fn index(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

/// Parses TOML text into JSON with positions. A syntax error is returned as the one problem.
pub(crate) fn parse(text: &str, report: &mut Report) -> Option<Located> {
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

/// A short description of a value for messages.
pub(crate) fn describe(v: &Json) -> String {
    match v {
        Json::Null => "nothing".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => format!("{s:?}"),
        Json::Array(a) => format!("a list of {} items", a.len()),
        Json::Object(_) => "a table".into(),
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
}
