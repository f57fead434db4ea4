//! Tournament output: rows streamed to CSV and JSONL (written through `bc_io::write`: a
//! temporary file synced and renamed when complete, so a failed run leaves nothing
//! half-written, and nothing but a new file is written unless asked), and scores recomputed from
//! written JSONL results.
//!
//! A CSV header is written only by a run that starts at job 0, so that the files of
//! `--shard 0/N`, `1/N`, ... concatenate to the unsharded file.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use bc_io::write::Overwrite;
use serde_json::{json, Value as Json};

use crate::error::Error;
use crate::scores::{Scores, TournamentSpec};
use crate::{Row, Tournament};

/// A file written through the one write path (`bc_io::write`: a temporary file beside it,
/// synced and put in place by [`Staged::commit`]; a target that exists is refused unless
/// replacing it was asked for, and one that is not a regular file always is).
struct Staged {
    path: PathBuf,
    out: bc_io::write::AtomicFile,
}

impl Staged {
    fn create(path: &Path, overwrite: Overwrite) -> Result<Staged, Error> {
        let out = bc_io::write::AtomicFile::create(path, overwrite).map_err(|e| Error::io(path, e.into_io()))?;
        Ok(Staged { path: path.to_path_buf(), out })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out.write_all(bytes).map_err(|e| Error::io(&self.path, e))
    }

    fn commit(self) -> Result<(), Error> {
        self.out.commit().map_err(|e| Error::io(&self.path, e.into_io()))
    }
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

fn agreement_names(t: &Tournament, row: &Row) -> Option<Vec<String>> {
    let space = &t.domains[row.domain].space;
    row.agreement.map(|o| space.value_names(&space.outcome_at(o)))
}

/// Streams rows to a CSV file.
pub struct CsvWriter {
    file: Staged,
    /// Rendering buffer for `write`.
    line: String,
}

impl CsvWriter {
    /// A writer to `path` for `n_parties` parties; writes the header when `header` is true.
    pub fn create(path: &Path, n_parties: usize, header: bool) -> Result<CsvWriter, Error> {
        let mut file = Staged::create(path, Overwrite::Refuse)?;
        if header {
            file.write(csv_header(n_parties).as_bytes())?;
        }
        Ok(CsvWriter { file, line: String::with_capacity(512) })
    }

    /// Writes one row.
    pub fn write(&mut self, t: &Tournament, row: &Row) -> Result<(), Error> {
        csv_line(t, row, &mut self.line);
        self.file.write(self.line.as_bytes())
    }

    /// Writes a line rendered by [`csv_line`].
    pub fn write_line(&mut self, line: &str) -> Result<(), Error> {
        self.file.write(line.as_bytes())
    }

    /// Flushes and moves the file into place.
    pub fn finish(self) -> Result<(), Error> {
        self.file.commit()
    }
}

/// The header line of `results.csv` (with its newline) for `n_parties` parties.
pub fn csv_header(n_parties: usize) -> String {
    let mut h = vec!["index".to_string(), "domain".into(), "repetition".into()];
    for k in 0..n_parties {
        h.push(format!("agent_{k}"));
    }
    for k in 0..n_parties {
        h.push(format!("profile_{k}"));
    }
    h.extend(["ending", "step", "n_offers", "agreement"].map(String::from));
    for k in 0..n_parties {
        h.push(format!("utility_{k}"));
    }
    for k in 0..n_parties {
        h.push(format!("advantage_{k}"));
    }
    h.extend(["welfare", "pareto_distance", "nash_distance", "fault"].map(String::from));
    h.join(",") + "\n"
}

/// Renders a row as a CSV line (with its newline) into `l`.
pub fn csv_line(t: &Tournament, row: &Row, l: &mut String) {
    let d = &t.domains[row.domain];
    l.clear();
    let _ = write!(l, "{},{},{}", row.index, csv_field(&d.name), row.repetition);
    for a in &row.agents {
        let _ = write!(l, ",{}", csv_field(&t.agents[*a].to_string()));
    }
    for p in &row.profiles {
        let _ = write!(l, ",{}", csv_field(&d.sides[*p].preferences().name));
    }
    let agreement = agreement_names(t, row).map(|v| v.join(" | ")).unwrap_or_default();
    let _ = write!(l, ",{},{},{},{}", row.ending, row.step, row.n_offers, csv_field(&agreement));
    for u in &row.utilities {
        let _ = write!(l, ",{}", num(*u));
    }
    for u in &row.advantages {
        let _ = write!(l, ",{}", num(*u));
    }
    let fault = row.fault.as_deref().unwrap_or("");
    let _ = writeln!(l, ",{},{},{},{}", num(row.welfare), num(row.pareto_distance), num(row.nash_distance), csv_field(fault));
}

/// Appends `s` as a JSON string.
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_num(out: &mut String, x: f64) {
    if x.is_finite() {
        let _ = write!(out, "{x:?}");
    } else {
        out.push_str("null");
    }
}

fn json_list<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (k, x) in items.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        each(out, x);
    }
    out.push(']');
}

/// Renders a row as one JSON line (with its newline) into `out`; the same object as
/// [`row_json`], written directly.
pub fn jsonl_line(t: &Tournament, row: &Row, out: &mut String) {
    let d = &t.domains[row.domain];
    out.clear();
    let _ = write!(out, "{{\"index\":{},\"jobs\":{},\"domain\":", row.index, t.n_jobs());
    json_str(out, &d.name);
    let _ = write!(out, ",\"repetition\":{},\"agents\":", row.repetition);
    json_list(out, &row.agents, |o, a| json_str(o, &t.agents[*a].to_string()));
    out.push_str(",\"profiles\":");
    json_list(out, &row.profiles, |o, p| json_str(o, &d.sides[*p].preferences().name));
    let _ = write!(out, ",\"ending\":\"{}\",\"step\":{},\"n_offers\":{},\"agreement\":", row.ending, row.step, row.n_offers);
    match agreement_names(t, row) {
        Some(v) => json_list(out, &v, |o, s| json_str(o, s)),
        None => out.push_str("null"),
    }
    out.push_str(",\"utilities\":");
    json_list(out, &row.utilities, |o, u| json_num(o, *u));
    out.push_str(",\"advantages\":");
    json_list(out, &row.advantages, |o, u| json_num(o, *u));
    out.push_str(",\"welfare\":");
    json_num(out, row.welfare);
    out.push_str(",\"pareto_distance\":");
    json_num(out, row.pareto_distance);
    out.push_str(",\"nash_distance\":");
    json_num(out, row.nash_distance);
    out.push_str(",\"fault\":");
    match &row.fault {
        Some(f) => json_str(out, f),
        None => out.push_str("null"),
    }
    out.push_str("}\n");
}

fn jnum(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

/// One row as JSON.
pub fn row_json(t: &Tournament, row: &Row) -> Json {
    let d = &t.domains[row.domain];
    json!({
        "index": row.index,
        "jobs": t.n_jobs(),
        "domain": d.name,
        "repetition": row.repetition,
        "agents": row.agents.iter().map(|a| t.agents[*a].to_string()).collect::<Vec<_>>(),
        "profiles": row.profiles.iter().map(|p| d.sides[*p].preferences().name.clone()).collect::<Vec<_>>(),
        "ending": row.ending,
        "step": row.step,
        "n_offers": row.n_offers,
        "agreement": agreement_names(t, row),
        "utilities": row.utilities.iter().map(|u| jnum(*u)).collect::<Vec<_>>(),
        "advantages": row.advantages.iter().map(|u| jnum(*u)).collect::<Vec<_>>(),
        "welfare": jnum(row.welfare),
        "pareto_distance": jnum(row.pareto_distance),
        "nash_distance": jnum(row.nash_distance),
        "fault": row.fault,
    })
}

/// Streams rows to a JSON Lines file.
pub struct JsonlWriter {
    file: Staged,
}

impl JsonlWriter {
    /// A writer to `path`.
    pub fn create(path: &Path) -> Result<JsonlWriter, Error> {
        Ok(JsonlWriter { file: Staged::create(path, Overwrite::Refuse)? })
    }

    /// Writes one row.
    pub fn write(&mut self, t: &Tournament, row: &Row) -> Result<(), Error> {
        let mut s = String::new();
        jsonl_line(t, row, &mut s);
        self.file.write(s.as_bytes())
    }

    /// Writes a line rendered by [`jsonl_line`].
    pub fn write_line(&mut self, line: &str) -> Result<(), Error> {
        self.file.write(line.as_bytes())
    }

    /// Flushes and moves the file into place.
    pub fn finish(self) -> Result<(), Error> {
        self.file.commit()
    }
}

/// Recomputes the scores from results written as JSON Lines (for example the concatenated
/// `results.jsonl` of every shard of a run). Agents and domains are numbered in the order first
/// met; the settings the results do not record (protocol, steps, repetitions, seed) are left
/// empty.
///
/// Rows must come in job order, 0, 1, 2, ... across the files (shards in shard order), and
/// every row records the tournament's number of jobs (`"jobs"`), so that a file given twice, a
/// shard left out (the last one included) or shards out of order are refused, not scored.
pub fn rescore(files: &[PathBuf]) -> Result<Scores, Error> {
    let mut r = Rescorer::new();
    for path in files {
        let before = r.next_index;
        for line in bc_io::read::lines(path).map_err(|e| Error::io(path, e.into_io()))? {
            let (k, line) = line.map_err(|e| Error::io(path, e.into_io()))?;
            r.line(path, k, &line)?;
        }
        r.end_file(path, before)?;
    }
    r.finish(files.last().map(PathBuf::as_path))
}

/// [`rescore`] on results given as text: `(name, text)` per file, in order (names are for
/// messages only).
pub fn rescore_texts(files: &[(&Path, &str)]) -> Result<Scores, Error> {
    let mut r = Rescorer::new();
    for (path, text) in files {
        let before = r.next_index;
        for (k, line) in text.lines().enumerate() {
            r.line(path, k as u64 + 1, line)?;
        }
        r.end_file(path, before)?;
    }
    r.finish(files.last().map(|f| f.0))
}

/// The state of a rescore: the scores so far, the next job expected and the number of jobs the
/// rows record.
struct Rescorer {
    scores: Scores,
    next_index: u64,
    /// The tournament's number of jobs, and where it was first read.
    jobs: Option<(u64, String)>,
}

impl Rescorer {
    fn new() -> Rescorer {
        Rescorer { scores: Scores::new(TournamentSpec::default()), next_index: 0, jobs: None }
    }

    /// Reads line `k` (1-based) of `path`.
    fn line(&mut self, path: &Path, k: u64, line: &str) -> Result<(), Error> {
        if line.trim().is_empty() {
            return Ok(());
        }
        let at = format!("{}:{k}", path.display());
        let bad = |what: &str| Error::setup(format!("{at}: expected a tournament result row ({what})"));
        let v: Json = serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
        if !v.is_object() {
            return Err(bad(&format!("a JSON object, found {}", kind_of(&v))));
        }
        let agents = v["agents"].as_array().ok_or_else(|| bad("field \"agents\" missing"))?;
        let list = |key: &str| -> Result<Vec<f64>, Error> {
            let a = v[key].as_array().ok_or_else(|| bad(&format!("field {key:?} missing")))?;
            Ok(a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
        };
        let utilities = list("utilities")?;
        let advantages = list("advantages")?;
        if utilities.len() != agents.len() || advantages.len() != agents.len() {
            return Err(bad("one utility and advantage per agent"));
        }
        let index = v["index"].as_u64().ok_or_else(|| bad("field \"index\" missing or not a whole number"))?;
        let jobs = v["jobs"].as_u64().ok_or_else(|| {
            bad("field \"jobs\" (the tournament's number of jobs) missing or not a whole number; results written before it was recorded cannot be checked for a missing last shard")
        })?;
        match &self.jobs {
            None => self.jobs = Some((jobs, at.clone())),
            Some((n, first)) if *n != jobs => {
                return Err(Error::setup(format!(
                    "{at}: field \"jobs\": expected {n}, as in {first}, found {jobs} (results of different tournaments?)"
                )))
            }
            Some(_) => {}
        }
        if index >= jobs {
            return Err(Error::setup(format!("{at}: field \"index\": expected a job below {jobs} (\"jobs\"), found {index}")));
        }
        if index != self.next_index {
            let next = self.next_index;
            let why = if index < next {
                format!("job {index} again: expected job {next} next (a file or shard given twice, or shards out of order?)")
            } else {
                format!(
                    "job {index}: expected job {next} next (jobs {next}..{index} are missing: a shard left out, or shards out of order?)"
                )
            };
            return Err(Error::setup(format!("{at}: {why}")));
        }
        let mut ids = Vec::with_capacity(agents.len());
        for a in agents {
            ids.push(self.scores.agent(a.as_str().ok_or_else(|| bad("agent names"))?));
        }
        self.next_index += 1;
        self.scores.spec.parties = self.scores.spec.parties.max(ids.len());
        let domain = self.scores.domain(v["domain"].as_str().unwrap_or_default());
        let num = |key: &str| v[key].as_f64().unwrap_or(f64::NAN);
        let row = Row {
            index,
            domain,
            agents: ids,
            profiles: Vec::new(),
            repetition: 0,
            ending: "",
            step: 0,
            n_offers: 0,
            agreement: (!v["agreement"].is_null()).then_some(0),
            utilities,
            advantages,
            welfare: num("welfare"),
            pareto_distance: num("pareto_distance"),
            nash_distance: num("nash_distance"),
            fault: v["fault"].as_str().map(str::to_string),
        };
        self.scores.add(&row);
        Ok(())
    }

    /// Ends a file that started at job `before`: it must have held rows.
    fn end_file(&mut self, path: &Path, before: u64) -> Result<(), Error> {
        if self.next_index == before {
            return Err(Error::setup(format!("{}: expected tournament result rows, found none (an empty file)", path.display())));
        }
        Ok(())
    }

    /// Every job, 0 to the recorded number, must have been read.
    fn finish(self, last: Option<&Path>) -> Result<Scores, Error> {
        let Some((jobs, _)) = self.jobs else {
            return Err(Error::setting("rescore", "results files", "none"));
        };
        if self.next_index != jobs {
            let last = last.map(|p| p.display().to_string()).unwrap_or_default();
            return Err(Error::setup(format!(
                "{last}: expected jobs up to {}, as the rows record (\"jobs\": {jobs}), found the last at job {} (jobs {}..{jobs} are missing: the last shard(s) left out?)",
                jobs - 1,
                self.next_index - 1,
                self.next_index
            )));
        }
        Ok(self.scores)
    }
}

/// What kind of JSON value `v` is, for messages.
fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Writes `text` to `path` through the one write path (`overwrite`: whether an existing regular
/// file may be replaced).
pub fn write_file(path: &Path, text: &str, overwrite: Overwrite) -> Result<(), Error> {
    let mut f = Staged::create(path, overwrite)?;
    f.write(text.as_bytes())?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: u64, jobs: u64) -> String {
        format!("{{\"index\":{index},\"jobs\":{jobs},\"domain\":\"d\",\"agents\":[\"a\",\"b\"],\"agreement\":null,\"utilities\":[0.5,0.25],\"advantages\":[0.0,0.0],\"welfare\":0.75,\"pareto_distance\":0.0,\"nash_distance\":0.0}}\n")
    }

    fn shard(rows: std::ops::Range<u64>, jobs: u64) -> String {
        rows.map(|k| row(k, jobs)).collect()
    }

    #[test]
    fn rescore_needs_every_shard_the_last_included() {
        let (a, b, c) = (shard(0..2, 6), shard(2..4, 6), shard(4..6, 6));
        let p = |k: &str| PathBuf::from(format!("s{k}.jsonl"));
        let (pa, pb, pc) = (p("0"), p("1"), p("2"));
        let all = rescore_texts(&[(&pa, &a), (&pb, &b), (&pc, &c)]).unwrap();
        assert_eq!(all, rescore_texts(&[(&pa, &(a.clone() + &b + &c))]).unwrap());
        let e = rescore_texts(&[(&pa, &a), (&pb, &b)]).unwrap_err().to_string();
        assert!(e.contains("s1.jsonl") && e.contains("jobs 4..6 are missing"), "{e}");
        let e = rescore_texts(&[(&pa, &a), (&pc, &c)]).unwrap_err().to_string();
        assert!(e.contains("s2.jsonl:1") && e.contains("jobs 2..4 are missing"), "{e}");
        let e = rescore_texts(&[(&pa, &a), (&pb, &shard(2..4, 7))]).unwrap_err().to_string();
        assert!(e.contains("s1.jsonl:1") && e.contains("expected 6") && e.contains("found 7"), "{e}");
        let e = rescore_texts(&[(&pa, &shard(0..3, 2))]).unwrap_err().to_string();
        assert!(e.contains("s0.jsonl:3") && e.contains("below 2"), "{e}");
        let e = rescore_texts(&[(&pa, &row(0, 1).replace("\"jobs\":1,", ""))]).unwrap_err().to_string();
        assert!(e.contains("s0.jsonl:1") && e.contains("field \"jobs\""), "{e}");
        let e = rescore_texts(&[(&pa, "[1]")]).unwrap_err().to_string();
        assert!(e.contains("a JSON object, found an array"), "{e}");
    }
}
