//! The self-contained HTML report: one file, no scripts, no network. Charts are SVG drawn by
//! plotters' SVG backend ([`charts`]), inlined in the page, so the report is deterministic (same
//! statistics, same bytes) and opens anywhere, offline.

pub mod charts;

use std::fmt::Write as _;

use crate::study::ReportInfo;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A chart with its caption, as a `<figure>`; `id` names it for tests and links.
pub fn figure(id: &str, title: &str, svg: &str, caption: &str) -> String {
    format!(
        "<figure class=\"chart\" id=\"{}\">\n<h3>{}</h3>\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
        escape(id),
        escape(title),
        escape(caption)
    )
}

/// A table with a header row; cells are escaped. Numeric-looking cells are right-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let num = c.trim_start_matches(['-', '+', '−']).chars().next().is_some_and(|ch| ch.is_ascii_digit());
            let _ = write!(s, "<td{}>{}</td>", if num { " class=\"num\"" } else { "" }, escape(c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

/// A section with a heading and an introduction for people.
pub fn section(id: &str, title: &str, intro: &str, body: &str) -> String {
    format!("<section id=\"{}\">\n<h2>{}</h2>\n<p class=\"intro\">{}</p>\n{body}</section>\n", escape(id), escape(title), escape(intro))
}

/// A percentage for people: `47%`, or `0.3%` / `<0.1%` for small shares.
pub fn pct(p: f64) -> String {
    if !p.is_finite() {
        "n/a".into()
    } else if p > 0.0 && p < 0.001 {
        "<0.1%".into()
    } else if p < 0.1 && p > -0.1 && p != 0.0 {
        format!("{:.1}%", p * 100.0)
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

/// A signed difference in percentage points: `+12.3 pts`.
pub fn pts(d: f64) -> String {
    if !d.is_finite() {
        "n/a".into()
    } else {
        format!("{}{:.1} pts", if d >= 0.0 { "+" } else { "−" }, (d * 100.0).abs())
    }
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d2430;background:#f6f7f9;line-height:1.45}
main{max-width:980px;margin:0 auto;padding:24px 28px 48px;background:#fff;box-shadow:0 0 0 1px #e3e6ea}
header h1{font-size:1.6em;margin:0.2em 0 0.3em}
.headline{font-size:1.25em;background:#eef4fb;border-left:5px solid #2f6fb3;padding:14px 18px;margin:16px 0}
.caveat{background:#fff6e0;border-left:5px solid #d29a00;padding:10px 16px;font-size:0.95em}
.shard{background:#fdecec;border-left:5px solid #b33;padding:10px 16px}
.meta{color:#5b6572;font-size:0.85em}
section{margin-top:34px;border-top:1px solid #e3e6ea;padding-top:8px}
h2{font-size:1.3em;margin-bottom:0.2em}
h3{font-size:1.05em;margin:0.6em 0 0.2em}
p.intro{margin-top:0.2em;color:#333}
figure.chart{margin:12px 0 22px}
figure.chart svg{max-width:100%;height:auto;display:block}
figcaption{color:#4a5360;font-size:0.92em;margin-top:4px}
table{border-collapse:collapse;margin:10px 0 18px;font-size:0.92em}
th,td{border-bottom:1px solid #e3e6ea;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f1f3f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
ul.keyfacts li{margin:4px 0}
ul.legend{list-style:none;padding:0;margin:4px 0 0 60px;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:0.88em}
ul.legend .swatch{display:inline-block;width:14px;height:4px;margin-right:6px;vertical-align:middle}
footer{margin-top:40px;color:#5b6572;font-size:0.85em}
";

/// The whole page: title, the study's sections, and a footer naming the version, seed and
/// scenario hash (no times: the page is a function of the seed and the input).
pub fn page(title: &str, body: &str, info: &ReportInfo) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    );
    if let Some(shard) = &info.shard {
        let _ = writeln!(
            s,
            "<p class=\"shard\">This report covers only shard {} of the study. Run <code>backchannel merge</code> on all shard directories for the full results.</p>",
            escape(shard)
        );
    }
    s.push_str(body);
    let _ = write!(s, "<footer>\n<p>Made by backchannel {} (<code>{}</code>)", escape(&info.version), escape(&info.kind));
    if let Some(seed) = info.seed {
        let _ = write!(s, ", seed {seed}");
    }
    if let Some(sc) = &info.scenario {
        let _ = write!(s, ", scenario {} (SHA-256 {})", escape(&sc.name), escape(&sc.sha256[..sc.sha256.len().min(16)]));
    }
    if info.kind == "room" {
        // A live room's report: its log, not a seed, is what reproduces it.
        s.push_str(". The room's log (<code>events.jsonl</code>, <code>backchannel room replay</code>) reproduces every line here.</p>\n</footer>\n</main>\n</body>\n</html>\n");
        return s;
    }
    let (row, events) = match info.kind.as_str() {
        "stakeholders" => ("actor and turn", true),
        "tournament" => ("negotiation", true),
        "sweep" => ("sweep point", true),
        "sensitivity" | "discover" => ("model run: its parameters' quantiles and its output", false),
        _ => ("run", true),
    };
    let _ = write!(
        s,
        ". The same seed and scenario reproduce every number here. Data: <code>records.csv</code> / <code>records.parquet</code> (one row per {row}), <code>aggregates.json</code>{}; provenance in <code>run.json</code>.</p>\n</footer>\n</main>\n</body>\n</html>\n",
        if events { ", <code>events.jsonl</code>" } else { "" }
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_formats() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(pct(0.4712), "47%");
        assert_eq!(pct(0.034), "3.4%");
        assert_eq!(pct(0.0004), "<0.1%");
        assert_eq!(pts(-0.123), "−12.3 pts");
        assert!(table(&["a"], &[vec!["<b>".into()]]).contains("&lt;b&gt;"));
    }
}
