//! Study mode of a room: the study file (TOML: a consent text, an optional practice round, N
//! counted rounds, a questionnaire answered after every round, a completion link, and settings
//! for the admin only) read with located errors (`FILE:LINE: FIELD: expected X, found Y`), and
//! the answers a participant sends checked against its questionnaire. The study's progress (who
//! consented, each round with its seed and outcome, the answers) is in [`flow`].
//!
//! A participant is a party seat not played by a built-in agent (a person or an external
//! program): it consents, then negotiates every round and answers the questionnaire after each.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use bc_io::Diagnostic;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use toml_edit::{Item, TableLike};

pub mod flow;

pub use flow::{AnswerRecord, ConsentRecord, Phase, Progress, RoundRecord, StudyExport, StudyView};

/// Largest study file, in bytes (checked before it is parsed).
pub const MAX_STUDY_BYTES: usize = 256 << 10;
/// Most counted rounds.
pub const MAX_ROUNDS: u32 = 20;
/// Most practice rounds.
pub const MAX_PRACTICE_ROUNDS: u32 = 1;
/// Most questions in the questionnaire.
pub const MAX_QUESTIONS: usize = 30;
/// Most options of a choice question.
pub const MAX_OPTIONS: usize = 20;
/// Longest free-text answer a question may allow, in characters.
pub const MAX_ANSWER_CHARS: u32 = 4_000;
/// Most characters the free-text answers of one questionnaire may add up to (every answer of a
/// round travels in one WebSocket message).
pub const MAX_TOTAL_ANSWER_CHARS: u32 = 12_000;
/// The scale questions' range: 1 to 7.
pub const SCALE: (i64, i64) = (1, 7);
const MAX_CONSENT_CHARS: usize = 20_000;
const MAX_QUESTION_CHARS: usize = 1_000;
const MAX_LABEL_CHARS: usize = 200;
const MAX_NOTES_CHARS: usize = 20_000;
const MAX_URL_CHARS: usize = 2_000;
const MAX_ID_CHARS: usize = 40;

/// A study file as the room spec carries it (kept in the room's log, so a log replays anywhere).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StudySource {
    /// The study file's TOML text.
    pub toml: String,
    /// The file's name, used in error messages (default `study.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What a question asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// A whole number from 1 to 7.
    Scale,
    /// One of the question's options.
    Choice,
    /// A short free text, at most `max_chars` characters.
    Text,
}

/// One question of the questionnaire, as the participants receive it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Question {
    /// Its id: the key of its answer (letters, digits, `_` and `-`).
    pub id: String,
    /// The question.
    pub text: String,
    /// `scale` (1 to 7), `choice` or `text`.
    pub kind: QuestionKind,
    /// Whether an answer is required.
    pub required: bool,
    /// A choice question's options, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// A scale question's label of 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<String>,
    /// A scale question's label of 7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<String>,
    /// A text question's longest answer, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<u32>,
}

/// Where a participant goes when the study is complete.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Completion {
    /// The link (http or https), e.g. a panel's completion URL.
    pub url: String,
    /// A completion code shown beside the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Settings for the admin only: never sent to any seat.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AdminSettings {
    /// The experimental condition's label.
    pub condition: Option<String>,
    /// The researcher's notes.
    pub notes: Option<String>,
}

/// A study, read from its file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Study {
    /// The consent text, shown before anything else of the room.
    pub consent: String,
    /// Practice rounds before the counted ones (0 or 1).
    pub practice_rounds: u32,
    /// Counted rounds (1 to [`MAX_ROUNDS`]).
    pub rounds: u32,
    /// The questionnaire answered after every round.
    pub questions: Vec<Question>,
    /// The completion link shown at the end.
    pub completion: Completion,
    /// Settings for the admin only.
    pub admin: AdminSettings,
}

/// An answer: a scale's number, or a choice's option or a free text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Answer {
    /// A scale question's answer (1 to 7).
    Number(i64),
    /// A choice question's option, or a free text.
    Text(String),
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Number(n) => write!(f, "{n}"),
            Answer::Text(t) => f.write_str(t),
        }
    }
}

/// Reads a study file's text, collecting every problem it finds with its line.
struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    problems: Vec<Diagnostic>,
}

/// A value for messages: `the text "x"`, `the number 3`, `a table`.
fn describe(item: &Item) -> String {
    match item {
        Item::None => "nothing".into(),
        Item::Table(_) => "a table".into(),
        Item::ArrayOfTables(a) => format!("a list of {} tables", a.len()),
        Item::Value(v) => match v {
            toml_edit::Value::String(s) => format!("the text {:?}", crate::domain::clip(s.value())),
            toml_edit::Value::Integer(i) => format!("the number {}", i.value()),
            toml_edit::Value::Float(x) => format!("the number {}", x.value()),
            toml_edit::Value::Boolean(b) => b.value().to_string(),
            toml_edit::Value::Datetime(d) => format!("the date {}", d.value()),
            toml_edit::Value::Array(a) => format!("a list of {} items", a.len()),
            toml_edit::Value::InlineTable(_) => "a table".into(),
        },
    }
}

impl Reader<'_> {
    fn line(&self, span: Option<Range<usize>>) -> Option<usize> {
        span.map(|s| self.text.as_bytes().iter().take(s.start).filter(|b| **b == b'\n').count() + 1)
    }

    fn bad(&mut self, line: Option<usize>, field: &str, expected: impl Into<String>, found: impl Into<String>) {
        self.problems.push(Diagnostic::invalid(self.file, line, field, expected, found));
    }

    /// The line of `key` in `t` (the key's, else its value's), or `fallback`.
    fn key_line(&self, t: &dyn TableLike, key: &str, fallback: Option<usize>) -> Option<usize> {
        let span = t.key(key).and_then(|k| k.span()).or_else(|| t.get(key).and_then(Item::span));
        self.line(span).or(fallback)
    }

    /// Refuses keys of `t` other than `allowed`.
    fn only(&mut self, t: &dyn TableLike, path: &str, allowed: &[&str], line: Option<usize>) {
        let unknown: Vec<String> = t.iter().map(|(k, _)| k.to_string()).filter(|k| !allowed.contains(&k.as_str())).collect();
        for k in unknown {
            let l = self.key_line(t, &k, line);
            let field = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            self.bad(
                l,
                &field,
                format!("one of the keys {}", allowed.join(", ")),
                format!("the unknown key `{}`", crate::domain::clip(&k)),
            );
        }
    }

    /// A text at `key` of at most `max` characters (`None`: absent, or refused and recorded).
    fn text(&mut self, t: &dyn TableLike, path: &str, key: &str, max: usize, required: bool, line: Option<usize>) -> Option<String> {
        let field = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
        let l = self.key_line(t, key, line);
        let Some(item) = t.get(key) else {
            if required {
                self.bad(line, &field, format!("a text of at most {max} characters"), "nothing (the key is missing)");
            }
            return None;
        };
        let Some(s) = item.as_str() else {
            self.bad(l, &field, format!("a text of at most {max} characters"), describe(item));
            return None;
        };
        let n = s.chars().count();
        if n > max {
            self.bad(l, &field, format!("a text of at most {max} characters"), format!("{n} characters"));
            return None;
        }
        if required && s.trim().is_empty() {
            self.bad(l, &field, "a text that is not empty", "an empty text");
            return None;
        }
        Some(s.to_string())
    }

    /// A whole number at `key` within `lo..=hi` (`default` when absent).
    fn int(
        &mut self,
        t: &dyn TableLike,
        path: &str,
        key: &str,
        (lo, hi): (i64, i64),
        default: Option<i64>,
        line: Option<usize>,
    ) -> Option<i64> {
        let field = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
        let l = self.key_line(t, key, line);
        let Some(item) = t.get(key) else {
            if default.is_none() {
                self.bad(line, &field, format!("a whole number from {lo} to {hi}"), "nothing (the key is missing)");
            }
            return default;
        };
        match item.as_integer() {
            Some(x) if (lo..=hi).contains(&x) => Some(x),
            _ => {
                self.bad(l, &field, format!("a whole number from {lo} to {hi}"), describe(item));
                None
            }
        }
    }

    fn boolean(&mut self, t: &dyn TableLike, path: &str, key: &str, default: bool, line: Option<usize>) -> bool {
        let Some(item) = t.get(key) else { return default };
        match item.as_bool() {
            Some(b) => b,
            None => {
                let l = self.key_line(t, key, line);
                self.bad(l, &format!("{path}.{key}"), "true or false", describe(item));
                default
            }
        }
    }

    /// The question at `path` (a table, inline or not).
    fn question(&mut self, t: &dyn TableLike, path: &str, line: Option<usize>) -> Option<Question> {
        self.only(t, path, &["id", "text", "kind", "required", "options", "low", "high", "max_chars"], line);
        let id = self.text(t, path, "id", MAX_ID_CHARS, true, line);
        if let Some(id) = &id {
            if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                let l = self.key_line(t, "id", line);
                self.bad(l, &format!("{path}.id"), "an id of letters, digits, `_` and `-`", format!("{id:?}"));
            }
        }
        let text = self.text(t, path, "text", MAX_QUESTION_CHARS, true, line);
        let kl = self.key_line(t, "kind", line);
        let kind = match t.get("kind").map(|k| (k, k.as_str())) {
            Some((_, Some("scale"))) => Some(QuestionKind::Scale),
            Some((_, Some("choice"))) => Some(QuestionKind::Choice),
            Some((_, Some("text"))) => Some(QuestionKind::Text),
            Some((k, _)) => {
                self.bad(kl, &format!("{path}.kind"), "one of scale (1 to 7), choice, text", describe(k));
                None
            }
            None => {
                self.bad(line, &format!("{path}.kind"), "one of scale (1 to 7), choice, text", "nothing (the key is missing)");
                None
            }
        };
        let required = self.boolean(t, path, "required", true, line);
        let mut q = Question { id: id?, text: text?, kind: kind?, required, options: Vec::new(), low: None, high: None, max_chars: None };
        let misplaced = |k: &str| match q.kind {
            QuestionKind::Scale => !["low", "high"].contains(&k),
            QuestionKind::Choice => k != "options",
            QuestionKind::Text => k != "max_chars",
        };
        for k in ["options", "low", "high", "max_chars"] {
            if t.contains_key(k) && misplaced(k) {
                let l = self.key_line(t, k, line);
                let kind = format!("{:?}", q.kind).to_lowercase();
                self.bad(l, &format!("{path}.{k}"), format!("no `{k}` in a {kind} question"), format!("`{k}`"));
            }
        }
        match q.kind {
            QuestionKind::Scale => {
                q.low = self.text(t, path, "low", MAX_LABEL_CHARS, false, line);
                q.high = self.text(t, path, "high", MAX_LABEL_CHARS, false, line);
            }
            QuestionKind::Text => {
                let max = self.int(t, path, "max_chars", (1, i64::from(MAX_ANSWER_CHARS)), Some(500), line)?;
                q.max_chars = Some(max as u32);
            }
            QuestionKind::Choice => q.options = self.options(t, path, line)?,
        }
        Some(q)
    }

    fn options(&mut self, t: &dyn TableLike, path: &str, line: Option<usize>) -> Option<Vec<String>> {
        let field = format!("{path}.options");
        let l = self.key_line(t, "options", line);
        let expected = format!("a list of 2 to {MAX_OPTIONS} texts");
        let Some(item) = t.get("options") else {
            self.bad(line, &field, expected, "nothing (the key is missing)");
            return None;
        };
        let Some(a) = item.as_array() else {
            self.bad(l, &field, expected, describe(item));
            return None;
        };
        if !(2..=MAX_OPTIONS).contains(&a.len()) {
            self.bad(l, &field, expected, format!("{} items", a.len()));
            return None;
        }
        let mut out: Vec<String> = Vec::with_capacity(a.len());
        for (j, v) in a.iter().enumerate() {
            let vl = self.line(v.span()).or(l);
            match v.as_str() {
                Some(s) if s.trim().is_empty() || s.chars().count() > MAX_LABEL_CHARS => self.bad(
                    vl,
                    &format!("{field}[{j}]"),
                    format!("a text of 1 to {MAX_LABEL_CHARS} characters"),
                    format!("{} characters", s.chars().count()),
                ),
                Some(s) if out.iter().any(|o| o == s) => {
                    self.bad(vl, &format!("{field}[{j}]"), "options that differ", format!("{s:?} twice"))
                }
                Some(s) => out.push(s.to_string()),
                None => self.bad(vl, &format!("{field}[{j}]"), "a text", describe(&Item::Value(v.clone()))),
            }
        }
        (out.len() == a.len()).then_some(out)
    }

    fn questions(&mut self, root: &dyn TableLike) -> Vec<Question> {
        let Some(item) = root.get("questions") else { return Vec::new() };
        let line = self.key_line(root, "questions", None);
        let expected = format!("a list of at most {MAX_QUESTIONS} questions ([[questions]] tables)");
        // The count is checked before anything is built from it.
        let tables: Vec<(&dyn TableLike, Option<usize>)> = match item {
            Item::ArrayOfTables(a) if a.len() <= MAX_QUESTIONS => a
                .iter()
                .map(|t| (t as &dyn TableLike, self.line(t.iter().next().and_then(|(k, _)| t.key(k)).and_then(|k| k.span()))))
                .collect(),
            Item::Value(toml_edit::Value::Array(a)) if a.len() <= MAX_QUESTIONS => {
                let mut v = Vec::with_capacity(a.len());
                for (i, x) in a.iter().enumerate() {
                    match x.as_inline_table() {
                        Some(t) => v.push((t as &dyn TableLike, self.line(x.span()))),
                        None => {
                            self.bad(self.line(x.span()).or(line), &format!("questions[{i}]"), "a table", describe(&Item::Value(x.clone())))
                        }
                    }
                }
                v
            }
            Item::ArrayOfTables(a) => {
                self.bad(line, "questions", expected, format!("{} questions", a.len()));
                return Vec::new();
            }
            Item::Value(toml_edit::Value::Array(a)) => {
                self.bad(line, "questions", expected, format!("{} questions", a.len()));
                return Vec::new();
            }
            other => {
                self.bad(line, "questions", expected, describe(other));
                return Vec::new();
            }
        };
        let mut out: Vec<Question> = Vec::with_capacity(tables.len());
        for (i, (t, l)) in tables.into_iter().enumerate() {
            let path = format!("questions[{i}]");
            if let Some(q) = self.question(t, &path, l.or(line)) {
                if out.iter().any(|o| o.id == q.id) {
                    let il = self.key_line(t, "id", l);
                    self.bad(il, &format!("{path}.id"), "an id no other question has", format!("{:?} again", q.id));
                }
                out.push(q);
            }
        }
        let total: u32 = out.iter().filter_map(|q| q.max_chars).sum();
        if total > MAX_TOTAL_ANSWER_CHARS {
            self.bad(
                line,
                "questions",
                format!("text questions whose max_chars add up to at most {MAX_TOTAL_ANSWER_CHARS}"),
                total.to_string(),
            );
        }
        out
    }

    /// The table at `key` (`[key]` or an inline table), when present.
    fn table<'t>(&mut self, root: &'t dyn TableLike, key: &str) -> Option<(&'t dyn TableLike, Option<usize>)> {
        let item = root.get(key)?;
        let line = self.key_line(root, key, None);
        match item.as_table_like() {
            Some(t) => Some((t, line)),
            None => {
                self.bad(line, key, "a table", describe(item));
                None
            }
        }
    }

    fn completion(&mut self, root: &dyn TableLike) -> Option<Completion> {
        let Some((t, line)) = self.table(root, "completion") else {
            if !root.contains_key("completion") {
                self.bad(
                    None,
                    "completion",
                    "a table with the completion link (`url`) and optionally a `code`",
                    "nothing (the table is missing)",
                );
            }
            return None;
        };
        self.only(t, "completion", &["url", "code"], line);
        let url = self.text(t, "completion", "url", MAX_URL_CHARS, true, line);
        let code = self.text(t, "completion", "code", MAX_LABEL_CHARS, false, line);
        let url = url?;
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() > "http://".len() + 1
            && !url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
        if !ok {
            let l = self.key_line(t, "url", line);
            self.bad(l, "completion.url", "an http:// or https:// link without spaces", format!("{:?}", crate::domain::clip(&url)));
            return None;
        }
        Some(Completion { url, code })
    }

    fn admin(&mut self, root: &dyn TableLike) -> AdminSettings {
        let Some((t, line)) = self.table(root, "admin") else { return AdminSettings::default() };
        self.only(t, "admin", &["condition", "notes"], line);
        AdminSettings {
            condition: self.text(t, "admin", "condition", MAX_LABEL_CHARS, false, line),
            notes: self.text(t, "admin", "notes", MAX_NOTES_CHARS, false, line),
        }
    }
}

impl Study {
    /// Reads a study file. Every problem is reported, one a line, as `FILE:LINE: FIELD:
    /// expected X, found Y` (the file is `source.name`, by default `study.toml`).
    pub fn read(source: &StudySource) -> Result<Study, String> {
        let name = source.name.as_deref().map(crate::domain::clip).unwrap_or_else(|| "study.toml".into());
        let file = Path::new(&name);
        let bytes = source.toml.len();
        if bytes > MAX_STUDY_BYTES {
            return Err(Diagnostic::invalid(
                file,
                None,
                "",
                format!("a study file of at most {MAX_STUDY_BYTES} bytes"),
                format!("{bytes} bytes"),
            )
            .to_string());
        }
        let doc = match toml_edit::Document::parse(source.toml.as_str()) {
            Ok(d) => d,
            Err(e) => {
                let r = Reader { file, text: &source.toml, problems: Vec::new() };
                return Err(Diagnostic::syntax(file, r.line(e.span()), format!("not valid TOML: {}", e.message().trim())).to_string());
            }
        };
        let mut r = Reader { file, text: &source.toml, problems: Vec::new() };
        let root: &dyn TableLike = doc.as_table();
        r.only(root, "", &["consent", "practice_rounds", "rounds", "questions", "completion", "admin"], None);
        let consent = r.text(root, "", "consent", MAX_CONSENT_CHARS, true, None);
        let practice = r.int(root, "", "practice_rounds", (0, i64::from(MAX_PRACTICE_ROUNDS)), Some(0), None);
        let rounds = r.int(root, "", "rounds", (1, i64::from(MAX_ROUNDS)), None, None);
        let questions = r.questions(root);
        let completion = r.completion(root);
        let admin = r.admin(root);
        if !r.problems.is_empty() {
            return Err(r.problems.iter().map(Diagnostic::to_string).collect::<Vec<_>>().join("\n"));
        }
        match (consent, practice, rounds, completion) {
            (Some(consent), Some(p), Some(n), Some(completion)) => {
                Ok(Study { consent, practice_rounds: p as u32, rounds: n as u32, questions, completion, admin })
            }
            _ => Err(format!("{name}: not a study file")),
        }
    }

    /// Every round, practice included.
    pub fn total_rounds(&self) -> u32 {
        self.practice_rounds + self.rounds
    }

    /// Checks a participant's answers to the questionnaire (question id → answer; an optional
    /// question may be left out or null) and returns them as logged. Every problem is named:
    /// `answers.satisfaction: expected a whole number from 1 to 7, found 9`.
    pub fn check_answers(&self, given: &BTreeMap<String, Json>) -> Result<BTreeMap<String, Answer>, String> {
        let mut problems = Vec::new();
        for k in given.keys() {
            if !self.questions.iter().any(|q| &q.id == k) {
                let ids: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
                let expected = if ids.is_empty() {
                    "no answers (this questionnaire has no questions)".to_string()
                } else {
                    format!("one of {}", ids.join(", "))
                };
                problems.push(format!("answers: expected {expected}, found the unknown question `{}`", crate::domain::clip(k)));
            }
        }
        let mut out = BTreeMap::new();
        for q in &self.questions {
            let field = format!("answers.{}", q.id);
            let v = given.get(&q.id).filter(|v| !v.is_null());
            let expected = match q.kind {
                QuestionKind::Scale => format!("a whole number from {} to {}", SCALE.0, SCALE.1),
                QuestionKind::Choice => format!("one of {}", q.options.iter().map(|o| format!("{o:?}")).collect::<Vec<_>>().join(", ")),
                QuestionKind::Text => format!("a text of at most {} characters", q.max_chars.unwrap_or(MAX_ANSWER_CHARS)),
            };
            let Some(v) = v else {
                if q.required {
                    problems.push(format!("{field}: expected {expected} (the question is required), found no answer"));
                }
                continue;
            };
            let found = match v {
                Json::String(s) => format!("{:?}", crate::domain::clip(s)),
                Json::Number(n) => format!("{n}"),
                Json::Bool(b) => b.to_string(),
                Json::Array(_) => "a list".into(),
                _ => "an object".into(),
            };
            let answer = match (q.kind, v) {
                (QuestionKind::Scale, Json::Number(n)) => n.as_i64().filter(|x| (SCALE.0..=SCALE.1).contains(x)).map(Answer::Number),
                (QuestionKind::Choice, Json::String(s)) => q.options.iter().any(|o| o == s).then(|| Answer::Text(s.clone())),
                (QuestionKind::Text, Json::String(s)) => {
                    let n = s.chars().count();
                    let max = q.max_chars.unwrap_or(MAX_ANSWER_CHARS) as usize;
                    if n > max {
                        problems.push(format!("{field}: expected {expected}, found {n} characters"));
                        continue;
                    }
                    if s.trim().is_empty() {
                        if q.required {
                            problems.push(format!("{field}: expected {expected} (the question is required), found an empty text"));
                        }
                        continue;
                    }
                    Some(Answer::Text(s.clone()))
                }
                _ => None,
            };
            match answer {
                Some(a) => {
                    out.insert(q.id.clone(), a);
                }
                None => problems.push(format!("{field}: expected {expected}, found {found}")),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems.join("; "))
        }
    }
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Study, String> {
        Study::read(&StudySource { toml: text.to_string(), name: Some("s.toml".into()) })
    }

    const GOOD: &str = r#"consent = "You agree."
practice_rounds = 1
rounds = 2

[completion]
url = "https://example.org/done?cc=ABC"
code = "ABC"

[admin]
condition = "high anchor"

[[questions]]
id = "fair"
text = "How fair was the outcome?"
kind = "scale"
low = "not at all"
high = "very"

[[questions]]
id = "style"
text = "Your style?"
kind = "choice"
options = ["soft", "hard"]

[[questions]]
id = "why"
text = "Why?"
kind = "text"
max_chars = 20
required = false
"#;

    #[test]
    fn the_example_in_the_docs_reads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/study-example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let s = Study::read(&StudySource { toml: text, name: None }).unwrap();
        assert_eq!((s.practice_rounds, s.rounds), (1, 2));
        assert!(s.admin.condition.is_some() && s.admin.notes.is_some());
        assert_eq!(s.questions.iter().map(|q| q.kind).collect::<Vec<_>>(), [QuestionKind::Scale, QuestionKind::Choice, QuestionKind::Text]);
    }

    #[test]
    fn a_good_file_reads_and_answers_are_checked() {
        let s = read(GOOD).unwrap();
        assert_eq!(s.total_rounds(), 3);
        assert_eq!(s.admin.condition.as_deref(), Some("high anchor"));
        assert_eq!(s.questions[2].max_chars, Some(20));
        let ok: BTreeMap<String, Json> = serde_json::from_str(r#"{"fair": 5, "style": "soft", "why": null}"#).unwrap();
        let a = s.check_answers(&ok).unwrap();
        assert_eq!(a.len(), 2);
        let bad: BTreeMap<String, Json> = serde_json::from_str(r#"{"fair": 8, "style": "medium", "why": "x", "zzz": 1}"#).unwrap();
        let e = s.check_answers(&bad).unwrap_err();
        assert!(e.contains("answers.fair: expected a whole number from 1 to 7, found 8"), "{e}");
        assert!(e.contains("answers.style: expected one of \"soft\", \"hard\", found \"medium\""), "{e}");
        assert!(e.contains("found the unknown question `zzz`"), "{e}");
        let long: BTreeMap<String, Json> = serde_json::from_str(r#"{"fair": 2.5, "why": "0123456789012345678901"}"#).unwrap();
        let e = s.check_answers(&long).unwrap_err();
        assert!(e.contains("answers.fair: expected a whole number from 1 to 7, found 2.5"), "{e}");
        assert!(e.contains("answers.style: expected one of \"soft\", \"hard\" (the question is required), found no answer"), "{e}");
        assert!(e.contains("answers.why: expected a text of at most 20 characters, found 22 characters"), "{e}");
    }

    #[test]
    fn problems_name_the_file_line_field_expected_and_found() {
        let e = read(&GOOD.replace("rounds = 2", "rounds = 21")).unwrap_err();
        assert_eq!(e, "s.toml:3: rounds: expected a whole number from 1 to 20, found the number 21");
        let e = read(&GOOD.replace("kind = \"choice\"", "kind = \"likert\"")).unwrap_err();
        assert_eq!(e, "s.toml:22: questions[1].kind: expected one of scale (1 to 7), choice, text, found the text \"likert\"");
        let e = read(&GOOD.replace("practice_rounds = 1", "practice_rounds = 2\ncolour = 3")).unwrap_err();
        assert!(e.contains("s.toml:2: practice_rounds: expected a whole number from 0 to 1, found the number 2"), "{e}");
        assert!(e.contains("s.toml:3: colour: expected one of the keys consent, practice_rounds"), "{e}");
        let e = read(&GOOD.replace("https://example.org/done?cc=ABC", "javascript:alert(1)")).unwrap_err();
        assert!(e.starts_with("s.toml:6: completion.url: expected an http:// or https:// link"), "{e}");
        let e = read(&GOOD.replace("id = \"style\"", "id = \"fair\"")).unwrap_err();
        assert!(e.contains("s.toml:20: questions[1].id: expected an id no other question has, found \"fair\" again"), "{e}");
        let e = read(&GOOD.replace("options = [\"soft\", \"hard\"]", "options = [\"soft\"]\nmax_chars = 3")).unwrap_err();
        assert!(e.contains("questions[1].options: expected a list of 2 to 20 texts, found 1 items"), "{e}");
        assert!(e.contains("questions[1].max_chars: expected no `max_chars` in a choice question"), "{e}");
        let e = read("consent = \"x\"\nrounds = [").unwrap_err();
        assert!(e.starts_with("s.toml:2: malformed file: not valid TOML"), "{e}");
        let e = read("rounds = 1").unwrap_err();
        assert!(e.contains("s.toml: consent: expected a text of at most 20000 characters, found nothing (the key is missing)"), "{e}");
        assert!(e.contains("completion: expected a table with the completion link"), "{e}");
        let many = (0..31).map(|i| format!("[[questions]]\nid = \"q{i}\"\ntext = \"t\"\nkind = \"scale\"\n")).collect::<String>();
        let e = read(&format!("{GOOD}{many}")).unwrap_err();
        assert!(e.contains("questions: expected a list of at most 30 questions ([[questions]] tables), found 34 questions"), "{e}");
        let big = "#".repeat(MAX_STUDY_BYTES + 1);
        assert!(read(&big).unwrap_err().contains("expected a study file of at most 262144 bytes"));
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("a"), "a");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\n"), "\"say \"\"hi\"\"\n\"");
    }
}
