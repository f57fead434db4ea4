//! A room as a report: the room's spec, seats, protocol, ending, agreement and event timeline,
//! as the admin sees it (with each party's utility of the agreement) or as the mediator may see
//! it (only what `Event::visible_to` shows the mediator, no party's private numbers). It is a
//! `bc_report` study, so `backchannel room export` writes it as a run directory with
//! `report.html`, and the server renders the same page at `GET /api/v1/rooms/ID/report.html`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use bc_report::html::{escape, section, table};
use bc_report::manifest::{Manifest, ScenarioId};
use bc_report::records::{Cell, Column, ColumnType};
use bc_report::rundir::RunDir;
use bc_report::study::{ReportInfo, Study};
use serde::{Deserialize, Serialize};

use crate::domain::{DomainSource, IssueInfo};
use crate::room::{Entry, Fill, Room, Seat};
use crate::study::StudyExport;
use crate::wire::{self, EndInfo, ServerMsg, WireEvent};

/// Who a report is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Everything: every event and message, each party's utility of the agreement.
    Admin,
    /// What the mediator's seat may see: no party's preferences, reservation or utilities.
    Mediator,
}

/// A seat and who fills it, for people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeatRow {
    /// The seat.
    pub seat: Seat,
    /// `person`, `external` or `agent NAME`.
    pub filled_by: String,
}

/// A party's standing at the end (admin view only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartyRow {
    /// The party.
    pub party: usize,
    /// Its profile's name.
    pub profile: String,
    /// Its reservation value (null: none).
    pub reservation: Option<f64>,
    /// Its utility of the agreement (null: no agreement).
    pub utility: Option<f64>,
}

/// The report's statistics (`stats.json`): everything the page shows, nothing more.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoomReport {
    /// Whose view this is.
    pub view: View,
    /// The room's id.
    pub room: String,
    /// Its title.
    pub title: String,
    /// The protocol.
    pub protocol: String,
    /// The domain's format and outcome space name.
    pub domain: String,
    /// Number of outcomes.
    pub outcomes: u64,
    /// The issues and their values.
    pub issues: Vec<IssueInfo>,
    /// Round limit.
    pub steps: u64,
    /// Wall-clock deadline after creation, in seconds.
    pub deadline_secs: Option<u64>,
    /// The agents' seed.
    pub seed: u64,
    /// Every seat.
    pub seats: Vec<SeatRow>,
    /// Log entries so far.
    pub entries: u64,
    /// How the talks ended (null: still running).
    pub ending: Option<EndInfo>,
    /// Each party's profile, reservation and utility of the agreement (admin view only).
    pub parties: Option<Vec<PartyRow>>,
    /// The timeline: protocol events and caucus messages in log order, as the view may see them.
    pub timeline: Vec<ServerMsg>,
    /// Study mode: the study (the admin's view: everything; the mediator's: the rounds and
    /// their outcomes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub study: Option<StudyExport>,
}

fn domain_name(room: &Room) -> String {
    let format = match &room.spec.domain {
        DomainSource::Genius { .. } => "GENIUS XML",
        DomainSource::Geniusweb { .. } => "GeniusWeb JSON",
        DomainSource::Scenario { toml: None, .. } => "the embedded scenario",
        DomainSource::Scenario { .. } => "a backchannel scenario",
    };
    format!("{} ({format})", room.domain.space.name())
}

fn fill_name(f: &Fill) -> String {
    match f {
        Fill::Person => "person".into(),
        Fill::External => "external program".into(),
        Fill::Agent { name } => format!("agent {name}"),
    }
}

impl RoomReport {
    /// The report of `room` for `view`.
    pub fn of(room: &Room, view: View) -> RoomReport {
        let timeline = match view {
            View::Mediator => match wire::welcome(room, Seat::Mediator) {
                ServerMsg::Welcome { history, .. } => history,
                _ => Vec::new(),
            },
            View::Admin => {
                let mut all: Vec<(u64, ServerMsg)> = room
                    .events()
                    .iter()
                    .map(|l| (l.seq, ServerMsg::Event { seq: l.seq, round: l.round, event: wire::render_event(room, &l.event) }))
                    .collect();
                all.extend(room.messages().iter().filter_map(|(seq, e)| wire::render_message(room, *seq, e).map(|m| (*seq, m))));
                // Pauses, resumptions, the close and the parties' own preferences (as the
                // mediator sees them: without a party's `you`); in study mode each round with
                // its seed, each consent and each participant's answers.
                all.extend(room.notes().iter().filter_map(|(seq, e)| match e {
                    Entry::Round { .. } => wire::render_round(room, *seq, e, true).map(|m| (*seq, m)),
                    _ => wire::render_note(room, Seat::Mediator, *seq, e).map(|m| (*seq, m)),
                }));
                all.sort_by_key(|(s, _)| *s);
                all.into_iter().map(|(_, m)| m).collect()
            }
        };
        let agreement = room.ending().and_then(|e| e.agreement());
        let parties = (view == View::Admin).then(|| {
            (0..room.n_parties())
                .filter_map(|i| room.preferences(i).map(|p| (i, p)))
                .map(|(i, p)| PartyRow {
                    party: i,
                    profile: p.name.clone(),
                    reservation: p.reserved_value.is_finite().then_some(p.reserved_value),
                    utility: agreement.map(|k| p.utility.eval_index(&room.domain.space, k)).filter(|x| x.is_finite()),
                })
                .collect()
        });
        RoomReport {
            view,
            room: room.id.clone(),
            title: room.spec.title.clone(),
            protocol: room.kind.name().to_string(),
            domain: domain_name(room),
            outcomes: room.domain.n_outcomes,
            issues: room.domain.describe(),
            steps: room.spec.steps,
            deadline_secs: room.spec.deadline_secs,
            seed: room.spec.seed,
            seats: room.seats().into_iter().map(|(seat, f)| SeatRow { seat, filled_by: fill_name(&f) }).collect(),
            entries: room.next_seq(),
            ending: wire::end_info(room),
            parties,
            timeline,
            study: room.study().map(|p| {
                let e = p.export(&room.id, room.closed_by().is_some());
                match view {
                    View::Admin => e,
                    View::Mediator => e.for_mediator(),
                }
            }),
        }
    }

    /// The record columns: one row per timeline item.
    pub fn columns() -> Vec<Column> {
        vec![
            Column::new("seq", ColumnType::Int),
            Column::nullable("step", ColumnType::Int),
            Column::new("kind", ColumnType::Text),
            Column::new("who", ColumnType::Text),
            Column::new("outcome", ColumnType::Text),
            Column::nullable("accept", ColumnType::Bool),
            Column::nullable("floor", ColumnType::Float),
            Column::new("text", ColumnType::Text),
        ]
    }

    /// The timeline as record rows (the columns of [`RoomReport::columns`]).
    pub fn rows(&self) -> Vec<Vec<Cell>> {
        self.timeline.iter().filter_map(row).collect()
    }

    /// The full page, as the server serves it.
    pub fn page(&self) -> String {
        let info = self.info(None);
        bc_report::html::page(&self.title(&info), &self.report(&info), &info)
    }

    fn info(&self, scenario: Option<ScenarioId>) -> ReportInfo {
        ReportInfo {
            kind: <RoomReport as Study>::KIND.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            seed: Some(self.seed),
            scenario,
            jobs: 1,
            shard: None,
        }
    }
}

fn package(o: &BTreeMap<String, String>) -> String {
    o.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

/// One timeline item as (step, kind, who, outcome, accept, floor, text).
#[allow(clippy::type_complexity)]
fn describe(m: &ServerMsg) -> Option<(u64, Option<u64>, String, String, String, Option<bool>, Option<f64>, String)> {
    let party = |p: &usize| format!("party:{p}");
    Some(match m {
        ServerMsg::Event { seq, event, .. } => {
            let (step, kind, who, outcome, accept, floor) = match event {
                WireEvent::Offer { step, party: p, outcome } => (*step, "offer", party(p), package(outcome), None, None),
                WireEvent::Accept { step, party: p, outcome } => (*step, "accept", party(p), package(outcome), None, None),
                WireEvent::Delivered { step, to, outcome, from } => {
                    (*step, "delivered", format!("{from} to party:{to}"), package(outcome), None, None)
                }
                WireEvent::Held { step, from, outcome } => {
                    (*step, "held", format!("mediator (from party:{from})"), package(outcome), None, None)
                }
                WireEvent::Draft { step, outcome } => (*step, "draft", "mediator".into(), package(outcome), None, None),
                WireEvent::Vote { step, party: p, accept } => (*step, "vote", party(p), String::new(), Some(*accept), None),
                WireEvent::Adopted { step, outcome } => (*step, "adopted", String::new(), package(outcome), None, None),
                WireEvent::Ratify { step, party: p, accept } => (*step, "ratify", party(p), String::new(), Some(*accept), None),
                WireEvent::Report { step, party: p, floor } => (*step, "report", party(p), String::new(), None, *floor),
                WireEvent::Zone { step, exists } => (*step, "zone", "mediator".into(), String::new(), Some(*exists), None),
                WireEvent::End { step, agreement, by, .. } => {
                    (*step, "end", by.clone().unwrap_or_default(), agreement.as_ref().map(package).unwrap_or_default(), None, None)
                }
            };
            let text = if let WireEvent::End { ending, .. } = event { ending.clone() } else { String::new() };
            (*seq, Some(step), kind.to_string(), who, outcome, accept, floor, text)
        }
        ServerMsg::Message { seq, from, to, kind, text, outcome } => {
            let kind = match kind {
                crate::room::MessageKind::Exploratory => "message (exploratory)",
                crate::room::MessageKind::Note => "message (note)",
            };
            (
                *seq,
                None,
                kind.to_string(),
                format!("{from} to {to}"),
                outcome.as_ref().map(package).unwrap_or_default(),
                None,
                None,
                text.clone(),
            )
        }
        ServerMsg::Control { seq, control, by } => {
            let kind = match control {
                crate::room::Control::Pause => "pause",
                crate::room::Control::Resume => "resume",
                crate::room::Control::Close => "close",
            };
            (*seq, None, kind.to_string(), by.to_string(), String::new(), None, None, String::new())
        }
        ServerMsg::Round { seq, practice, number, seed, .. } => {
            let what = match number {
                Some(k) if !practice => format!("counted round {k}"),
                _ => "practice round".into(),
            };
            let text = match seed {
                Some(x) => format!("{what} starts (agents' seed {x})"),
                None => format!("{what} starts"),
            };
            (*seq, None, "round".to_string(), String::new(), String::new(), None, None, text)
        }
        ServerMsg::Consent { seq, seat, agree } => {
            let text = if *agree { "agreed to take part" } else { "declined to take part" };
            (*seq, None, "consent".to_string(), seat.to_string(), String::new(), Some(*agree), None, text.to_string())
        }
        ServerMsg::Answers { seq, seat, round, answers } => {
            let list: Vec<String> = answers.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let text = format!("after round {round}: {}", list.join("; "));
            (*seq, None, "answers".to_string(), seat.to_string(), String::new(), None, None, text)
        }
        ServerMsg::Preferences { seq, party: p, weights, ratings, .. } => {
            let points = |v: &[f64]| v.iter().map(f64::to_string).collect::<Vec<_>>().join(" ");
            let text =
                format!("weights {}; ratings {}", points(weights), ratings.iter().map(|r| points(r)).collect::<Vec<_>>().join(" | "));
            (*seq, None, "preferences".to_string(), party(p), String::new(), None, None, text)
        }
        _ => return None,
    })
}

fn row(m: &ServerMsg) -> Option<Vec<Cell>> {
    let (seq, step, kind, who, outcome, accept, floor, text) = describe(m)?;
    Some(vec![seq.into(), step.into(), kind.into(), who.into(), outcome.into(), accept.into(), floor.into(), text.into()])
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |v| format!("{v:.4}"))
}

impl Study for RoomReport {
    const KIND: &'static str = "room";

    fn merge(&mut self, _next: Self) -> Result<(), String> {
        Err("a room's report is not sharded: there is nothing to merge".into())
    }

    fn files(&self) -> Vec<(&'static str, String)> {
        match (&self.study, self.view) {
            (Some(st), View::Admin) => {
                let n = self.seats.iter().filter(|s| matches!(s.seat, Seat::Party(_))).count();
                vec![("study-rounds.csv", st.rounds_csv(n)), ("study-answers.csv", st.answers_csv())]
            }
            _ => Vec::new(),
        }
    }

    fn aggregates(&self) -> serde_json::Value {
        let mut a = serde_json::json!({
            "room": self.room,
            "view": self.view,
            "protocol": self.protocol,
            "entries": self.entries,
            "ending": self.ending,
            "parties": self.parties,
            "timeline_items": self.timeline.len(),
        });
        if let Some(st) = &self.study {
            a["study"] = serde_json::json!({"status": st.status, "rounds_played": st.played.len(), "answers": st.answers.len()});
        }
        a
    }

    fn title(&self, _info: &ReportInfo) -> String {
        let t = if self.title.is_empty() { format!("Room {}", self.room) } else { self.title.clone() };
        match self.view {
            View::Admin => t,
            View::Mediator => format!("{t} (mediator's view)"),
        }
    }

    fn report(&self, info: &ReportInfo) -> String {
        let mut s = String::new();
        let _ = write!(s, "<header>\n<h1>{}</h1>\n", escape(&self.title(info)));
        let headline = match &self.ending {
            None => format!("The talks are still running ({} log entries so far).", self.entries),
            Some(e) => match &e.agreement {
                Some(a) => format!("Agreement at step {}: {}.", e.step, package(a)),
                None => format!("No agreement ({}) at step {}.", e.ending, e.step),
            },
        };
        let _ = writeln!(s, "<p class=\"headline\">{}</p>", escape(&headline));
        if self.view == View::Mediator {
            s.push_str("<p class=\"caveat\">The mediator's view: only what the protocol shows the mediator's seat. The parties' preferences, reservations and utilities are not in this report.</p>\n");
        }
        s.push_str("</header>\n");
        let mut facts = vec![
            vec!["room".to_string(), self.room.clone()],
            vec!["protocol".into(), self.protocol.clone()],
            vec!["domain".into(), format!("{}, {} outcomes", self.domain, self.outcomes)],
            vec!["round limit".into(), self.steps.to_string()],
            vec!["agents' seed".into(), self.seed.to_string()],
            vec!["log entries".into(), self.entries.to_string()],
        ];
        if let Some(d) = self.deadline_secs {
            facts.push(vec!["wall-clock deadline".into(), format!("{d} s after creation")]);
        }
        let issues: Vec<Vec<String>> = self.issues.iter().map(|i| vec![i.name.clone(), i.values.join(", ")]).collect();
        let spec = format!("{}<h3>Issues</h3>\n{}", table(&["", ""], &facts), table(&["issue", "values"], &issues));
        s.push_str(&section("spec", "The room", "What was negotiated, under which protocol and limits.", &spec));
        let seats: Vec<Vec<String>> = self.seats.iter().map(|r| vec![r.seat.to_string(), r.filled_by.clone()]).collect();
        s.push_str(&section("seats", "Seats", "Who filled each seat.", &table(&["seat", "filled by"], &seats)));
        let outcome = match &self.ending {
            None => "<p>No ending yet.</p>\n".to_string(),
            Some(e) => {
                let mut rows = vec![vec!["ending".to_string(), e.ending.clone()], vec!["step".into(), e.step.to_string()]];
                if let Some(a) = &e.agreement {
                    rows.extend(a.iter().map(|(k, v)| vec![format!("issue {k}"), v.clone()]));
                }
                table(&["", ""], &rows)
            }
        };
        s.push_str(&section("agreement", "Outcome", "How the talks ended and the agreed package, issue by issue.", &outcome));
        if let Some(parties) = &self.parties {
            let rows: Vec<Vec<String>> =
                parties.iter().map(|p| vec![format!("party:{}", p.party), p.profile.clone(), num(p.reservation), num(p.utility)]).collect();
            s.push_str(&section(
                "utilities",
                "Each party's utility of the agreement",
                "From each party's private preferences (admin view only; never shown to another seat).",
                &table(&["party", "profile", "reservation", "utility of the agreement"], &rows),
            ));
        }
        if let Some(st) = &self.study {
            s.push_str(&study_section(st, self.view));
        }
        let rows: Vec<Vec<String>> = self
            .timeline
            .iter()
            .filter_map(describe)
            .map(|(seq, step, kind, who, outcome, accept, floor, text)| {
                vec![
                    seq.to_string(),
                    step.map(|x| x.to_string()).unwrap_or_default(),
                    kind,
                    who,
                    outcome,
                    accept.map(|a| if a { "yes" } else { "no" }.to_string()).unwrap_or_default(),
                    floor.map(|f| format!("{f:.4}")).unwrap_or_default(),
                    text,
                ]
            })
            .collect();
        let intro = match self.view {
            View::Admin => "Every protocol event and caucus message, in log order.",
            View::Mediator => "The protocol events and caucus messages the mediator may see, in log order.",
        };
        s.push_str(&section(
            "timeline",
            "Timeline",
            intro,
            &table(&["entry", "step", "what", "who", "package", "accept", "floor", "text"], &rows),
        ));
        s
    }
}

/// The report's Study section: the study's settings and status, each participant's consent,
/// every round (with its seed, and each party's utility, in the admin's view) and every answer
/// (admin's view only).
fn study_section(st: &StudyExport, view: View) -> String {
    let mut body = String::new();
    let mut facts = vec![
        vec!["status".to_string(), st.status.replace('_', " ")],
        vec!["rounds".into(), format!("{} practice, {} counted", st.practice_rounds, st.rounds)],
        vec!["participants".into(), st.participants.iter().map(Seat::to_string).collect::<Vec<_>>().join(", ")],
        vec!["questions".into(), st.questions.iter().map(|q| q.id.clone()).collect::<Vec<_>>().join(", ")],
    ];
    if let Some(c) = &st.condition {
        facts.push(vec!["condition (admin only)".into(), c.clone()]);
    }
    if let Some(n) = &st.notes {
        facts.push(vec!["notes (admin only)".into(), n.clone()]);
    }
    if let Some(c) = &st.completion {
        facts.push(vec!["completion link".into(), c.url.clone()]);
    }
    body.push_str(&table(&["", ""], &facts));
    if view == View::Admin {
        let rows: Vec<Vec<String>> = st
            .consent
            .iter()
            .map(|c| vec![c.seat.to_string(), if c.agree { "agreed" } else { "declined" }.to_string(), c.seq.to_string()])
            .collect();
        body.push_str("<h3>Consent</h3>\n");
        body.push_str(&table(&["participant", "answer", "entry"], &rows));
    }
    let rows: Vec<Vec<String>> = st
        .played
        .iter()
        .map(|r| {
            let mut row = vec![
                r.round.to_string(),
                r.number.map_or_else(|| "practice".to_string(), |k| format!("counted {k}")),
                r.ending.clone().unwrap_or_else(|| "running".into()),
                r.agreement.as_ref().map(package).unwrap_or_default(),
                r.steps.map(|x| x.to_string()).unwrap_or_default(),
            ];
            if view == View::Admin {
                row.push(r.seed.map(|x| x.to_string()).unwrap_or_default());
                row.push(r.utilities.iter().map(|u| num(*u)).collect::<Vec<_>>().join(", "));
            }
            row
        })
        .collect();
    body.push_str("<h3>Rounds</h3>\n");
    let head: &[&str] = match view {
        View::Admin => &["round", "kind", "outcome", "agreement", "steps", "agents' seed", "each party's utility"],
        View::Mediator => &["round", "kind", "outcome", "agreement", "steps"],
    };
    body.push_str(&table(head, &rows));
    if view == View::Admin {
        let rows: Vec<Vec<String>> = st
            .answers
            .iter()
            .flat_map(|a| {
                st.questions.iter().map(move |q| {
                    vec![
                        a.round.to_string(),
                        a.seat.to_string(),
                        q.id.clone(),
                        a.answers.get(&q.id).map(|x| x.to_string()).unwrap_or_default(),
                    ]
                })
            })
            .collect();
        body.push_str("<h3>Answers</h3>\n");
        body.push_str(&table(&["round", "participant", "question", "answer"], &rows));
    }
    let intro = match view {
        View::Admin => "The study's settings (the condition and notes are the admin's only), each participant's consent, every round with its agents' seed and outcome, and every answer to the questionnaire.",
        View::Mediator => "The rounds played and how each ended (the participants' consent and answers, the seeds and the admin's settings are not in the mediator's view).",
    };
    section("study", "Study", intro, &body)
}

/// `backchannel room export`: folds an exported log (`events.jsonl`, from the admin export)
/// and writes it as a run directory at `out`: the log itself as `events.jsonl` (so the
/// directory replays), the timeline as records, the report's statistics and `report.html`.
/// Nothing is left at `out` on failure.
pub fn export_run_dir(log: &Path, out: &Path) -> Result<PathBuf, crate::Error> {
    let (entries, bodies): (Vec<Entry>, Vec<String>) = crate::read_log(log)?.into_iter().unzip();
    let room = Room::fold(&entries).map_err(|e| format!("{}: {e}", log.display()))?;
    let study = RoomReport::of(&room, View::Admin);
    let mut manifest = Manifest::start(RoomReport::KIND, 1, bc_engine::Shard::ALL);
    manifest.seed = Some(room.spec.seed);
    manifest.threads = 1;
    manifest.scenario = Some(ScenarioId::new(room.domain.space.name(), bodies.first().map_or(&b""[..], |b| b.as_bytes())));
    manifest.settings.insert("protocol".into(), study.protocol.clone());
    manifest.settings.insert("view".into(), "admin".into());
    let dir = RunDir::create(out, manifest)?;
    let mut records = dir.records(RoomReport::columns()).map_err(|e| e.to_string())?;
    for r in study.rows() {
        records.write(&r).map_err(|e| e.to_string())?;
    }
    let mut events = dir.events().map_err(|e| e.to_string())?;
    for b in &bodies {
        events.write_raw(b.as_bytes()).map_err(|e| e.to_string())?;
        events.write_raw(b"\n").map_err(|e| e.to_string())?;
    }
    Ok(dir.finish(records, events, &study)?)
}
