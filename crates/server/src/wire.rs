//! The wire protocol, version 1: the JSON messages a client sends over the WebSocket and the
//! ones it receives, with their JSON Schema (generated from these types, committed as
//! `docs/serve.schema.json`), and how the server renders a protocol event for one seat.

use std::collections::BTreeMap;

use bc_protocol::{Ending, Event, Source};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{IssueInfo, WireOutcome};
use crate::room::{Action, Chair, Control, Entry, MessageKind, Room, Seat, Tools, TurnInfo};
use crate::study::{Answer, StudyView};

/// The wire protocol's version (in the path `/api/v1/…` and in `welcome`).
pub const PROTOCOL_VERSION: u32 = 1;

/// A message from a client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// First message on a connection: the seat's token.
    Hello {
        /// The seat token from the seat's link.
        token: String,
        /// Also send `presence` messages (who is connected, whose turn it is, the deadline).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        presence: bool,
    },
    /// A binding move of the protocol.
    Act {
        /// The client's reference, echoed in the `ack` or `error`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The move.
        action: Action,
    },
    /// A caucus message (mediator to one party, or a party to the mediator); never binding.
    Say {
        /// The client's reference, echoed in the `ack` or `error`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The recipient: `mediator` or `party:N`.
        to: Seat,
        /// `exploratory` (may float a package) or `note`.
        kind: MessageKind,
        /// The text.
        text: String,
        /// A package floated without commitment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<WireOutcome>,
    },
    /// Mediator: ask for the mediator's tools.
    Tools,
    /// Mediator: pause, resume or close the room.
    Control {
        /// The client's reference, echoed in the `ack` or `error`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// `pause`, `resume` or `close`.
        control: Control,
    },
    /// Party, in a room with `editable_preferences`, before the start: your own preferences
    /// (issue weights as points summing to 100; per issue, each value rated 0 to 100, the best
    /// 100). May be sent again until every party has saved; the talks then start.
    Preferences {
        /// The client's reference, echoed in the `ack` or `error`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// Points per issue, in `issues` order.
        weights: Vec<f64>,
        /// Per issue, one rating per value in `issues[k].values` order.
        ratings: Vec<Vec<f64>>,
    },
    /// Study mode, a participant: agree to take part (true) or decline, after reading the
    /// consent text. Nothing else of the room is shown before.
    Consent {
        /// The client's reference, echoed in the `ack` or `error`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// Agree (true) or decline.
        agree: bool,
    },
    /// Study mode, a participant: the answers to the questionnaire of round `round` (question
    /// id → a whole number from 1 to 7, an option, or a text; an optional question may be left
    /// out or null). The next round starts once every participant has answered.
    Answers {
        /// The client's reference, echoed in the `ack` or `error`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The round answered about (`study.round.index`).
        round: u32,
        /// Question id → answer.
        answers: BTreeMap<String, serde_json::Value>,
    },
}

/// What a party seat learns of its own preferences (never another party's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct YourPreferences {
    /// The profile's name.
    pub name: String,
    /// Your utility of no agreement (null: any agreement is acceptable).
    pub reservation: Option<f64>,
    /// Your profile as GeniusWeb JSON, when it is linear-additive.
    pub profile: Option<String>,
    /// Your utility as a sum over the issues, when it is linear-additive with every issue
    /// listed in `issues`: what a page needs to show the worth of any package to you.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additive: Option<YourAdditive>,
}

/// A linear-additive utility as a table: `utility = min(cap, bias + Σ_k terms[k][v_k])`, where
/// `v_k` is the position of the package's value of issue `k` in `issues[k].values`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct YourAdditive {
    /// The constant term.
    pub bias: f64,
    /// Per issue (in `issues` order), the term of each of its values (weight times value).
    pub terms: Vec<Vec<f64>>,
    /// A cap on the total (GENIUS's `min(1, u)`), if any.
    pub cap: Option<f64>,
}

/// The additive table of `prefs`, when every issue is discrete and tabulated.
fn additive_of(room: &Room, prefs: &bc_model::Preferences) -> Option<YourAdditive> {
    let f = prefs.utility.as_additive()?;
    let issues = room.domain.space.issues();
    let mut terms = Vec::with_capacity(issues.len());
    for (k, issue) in issues.iter().enumerate() {
        let n = issue.cardinality()?;
        if n > 10_000 {
            return None;
        }
        let t: Vec<f64> = (0..n as u32).map(|v| f.term_at(k, v)).collect();
        if t.iter().any(|x| !x.is_finite()) {
            return None;
        }
        terms.push(t);
    }
    Some(YourAdditive { bias: f.bias(), terms, cap: f.cap() })
}

/// How the talks ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EndInfo {
    /// `agreement`, `timeout`, `ended`, `not-ratified` or `fault`.
    pub ending: String,
    /// The agreed package.
    pub agreement: Option<BTreeMap<String, String>>,
    /// The final step count.
    pub step: u64,
}

/// A protocol event as a seat sees it (outcomes by issue and value names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WireEvent {
    /// A party's offer.
    Offer {
        /// Round.
        step: u64,
        /// Who.
        party: usize,
        /// What.
        outcome: BTreeMap<String, String>,
    },
    /// A party accepted.
    Accept {
        /// Round.
        step: u64,
        /// Who.
        party: usize,
        /// What.
        outcome: BTreeMap<String, String>,
    },
    /// Relay: a text delivered to a party.
    Delivered {
        /// Round.
        step: u64,
        /// Recipient.
        to: usize,
        /// The text.
        outcome: BTreeMap<String, String>,
        /// `party:N` or `mediator`.
        from: String,
    },
    /// Relay: the mediator held an offer (mediator only).
    Held {
        /// Round.
        step: u64,
        /// Whose offer.
        from: usize,
        /// The offer.
        outcome: BTreeMap<String, String>,
    },
    /// The mediator's text or proposal.
    Draft {
        /// Round.
        step: u64,
        /// The text.
        outcome: BTreeMap<String, String>,
    },
    /// A vote (the voter and the mediator only).
    Vote {
        /// Round.
        step: u64,
        /// Who.
        party: usize,
        /// Accept or reject.
        accept: bool,
    },
    /// Single text: a draft became the text.
    Adopted {
        /// Round.
        step: u64,
        /// The text.
        outcome: BTreeMap<String, String>,
    },
    /// A ratification vote (the voter and the mediator only).
    Ratify {
        /// Round.
        step: u64,
        /// Who.
        party: usize,
        /// Ratified or not.
        accept: bool,
    },
    /// A confidential report (the reporter and the mediator only).
    Report {
        /// Round.
        step: u64,
        /// Who.
        party: usize,
        /// The floor (null: anything).
        floor: Option<f64>,
    },
    /// Whether a zone of agreement exists.
    Zone {
        /// Round.
        step: u64,
        /// Whether.
        exists: bool,
    },
    /// The end.
    End {
        /// Final step count.
        step: u64,
        /// `agreement`, `timeout`, `ended`, `not-ratified` or `fault`.
        ending: String,
        /// The agreed package.
        agreement: Option<BTreeMap<String, String>>,
        /// Who ended the talks or failed (`party:N` or `mediator`).
        by: Option<String>,
    },
}

/// A message from the server. (Messages are encoded as soon as they are built, never stored in
/// bulk, so the size of `welcome` costs nothing.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// The answer to `hello`: the room as this seat may see it.
    Welcome {
        /// [`PROTOCOL_VERSION`].
        protocol_version: u32,
        /// The room's id.
        room: String,
        /// The room's title.
        title: String,
        /// Your seat.
        seat: Seat,
        /// The protocol.
        protocol: String,
        /// Number of parties.
        parties: usize,
        /// Round limit.
        steps: u64,
        /// The issues and their values.
        issues: Vec<IssueInfo>,
        /// Your own preferences (party seats only).
        you: Option<YourPreferences>,
        /// Position of the last entry of the log so far.
        seq: u64,
        /// What you may see of the log so far, in order.
        history: Vec<ServerMsg>,
        /// Your turn, if it is.
        turn: Option<TurnInfo>,
        /// How the talks ended, if they have.
        ending: Option<EndInfo>,
        /// Who paused the room, while it is paused (no move is accepted meanwhile).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        paused: Option<Chair>,
        /// Who closed the room, once closed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closed: Option<Chair>,
        /// The room lets parties set their own preferences before the start.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        editable_preferences: bool,
        /// With `editable_preferences`: the parties whose preferences the start waits for
        /// (empty once the talks have started).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        waiting_for: Vec<Seat>,
        /// Study mode: where this seat is in the study. A participant that has not agreed to
        /// take part gets only this (with the consent text): no preferences, history or turn.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        study: Option<StudyView>,
    },
    /// Study mode: where this seat is in the study now (after a consent, answers, the start or
    /// the end of a round, the close).
    Study {
        /// The log position of the entry that changed it.
        seq: u64,
        /// This seat's view.
        study: StudyView,
    },
    /// Study mode: a round started (a fresh negotiation of the same domain and seats).
    Round {
        /// Its log position.
        seq: u64,
        /// The round's position in the session, from 0.
        round: u32,
        /// The practice round (not counted).
        practice: bool,
        /// A counted round's number, from 1.
        number: Option<u32>,
        /// The seed of its agents (the admin's report only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seed: Option<u64>,
    },
    /// Study mode: a participant's answer to the consent text (to that participant only).
    Consent {
        /// Its log position.
        seq: u64,
        /// The participant.
        seat: Seat,
        /// Agreed or declined.
        agree: bool,
    },
    /// Study mode: a participant's answers after a round (to that participant only).
    Answers {
        /// Its log position.
        seq: u64,
        /// The participant.
        seat: Seat,
        /// The round answered about.
        round: u32,
        /// Question id → answer.
        answers: BTreeMap<String, Answer>,
    },
    /// The chair paused, resumed or closed the room.
    Control {
        /// Its log position.
        seq: u64,
        /// `pause`, `resume` or `close`.
        control: Control,
        /// Who: `mediator` or `admin`.
        by: Chair,
    },
    /// A party saved its preferences (to the seats that may not see them): who the start still
    /// waits for (empty: the talks have started).
    Waiting {
        /// Its log position.
        seq: u64,
        /// The parties whose preferences the start still waits for.
        waiting_for: Vec<Seat>,
    },
    /// Preferences a party saved before the start (to that party and the mediator only).
    Preferences {
        /// Its log position.
        seq: u64,
        /// The party.
        party: usize,
        /// Points per issue, in `issues` order.
        weights: Vec<f64>,
        /// Per issue, the rating of each value.
        ratings: Vec<Vec<f64>>,
        /// To the party itself: its preferences as they now are.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        you: Option<YourPreferences>,
        /// The parties whose preferences the start still waits for.
        waiting_for: Vec<Seat>,
    },
    /// A protocol event you may see.
    Event {
        /// The log position of the entry that caused it.
        seq: u64,
        /// Study mode: the round it belongs to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round: Option<u32>,
        /// The event.
        event: WireEvent,
    },
    /// A caucus message to or from you.
    Message {
        /// Its log position.
        seq: u64,
        /// Sender.
        from: Seat,
        /// Recipient.
        to: Seat,
        /// Exploratory or note.
        kind: MessageKind,
        /// The text (render it as text, never as markup).
        text: String,
        /// A package floated.
        outcome: Option<BTreeMap<String, String>>,
    },
    /// It is your turn.
    Turn {
        /// What is in front of you.
        turn: TurnInfo,
    },
    /// Your action or message is committed at this log position.
    Ack {
        /// Your reference.
        id: Option<String>,
        /// Its log position.
        seq: u64,
    },
    /// Your message was refused; nothing changed.
    Error {
        /// Your reference, if the message had one.
        id: Option<String>,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The mediator's tools.
    Tools {
        /// The tools.
        tools: Tools,
    },
    /// Who is here and whose turn it is: sent after `welcome`, when a seat connects or leaves
    /// and after every change of turn. Presence counts this server process's connections.
    Presence {
        /// Seats with at least one open connection (people and external programs).
        online: Vec<Seat>,
        /// Seats played by built-in agents (always present).
        agents: Vec<Seat>,
        /// Whose turn it is (null: nobody's; the talks have ended).
        turn: Option<Seat>,
        /// The wall-clock deadline, in milliseconds since the Unix epoch, if the room has one
        /// (moved back by the time the room was paused).
        deadline_ms: Option<i64>,
        /// The room is paused (the deadline clock is stopped).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        paused: bool,
    },
}

/// The JSON Schema of the wire protocol: both message directions.
pub fn schema() -> serde_json::Value {
    let client = schemars::schema_for!(ClientMsg);
    let server = schemars::schema_for!(ServerMsg);
    let entry = schemars::schema_for!(Entry);
    let spec = schemars::schema_for!(crate::room::RoomSpec);
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "backchannel serve wire protocol",
        "version": PROTOCOL_VERSION,
        "client_message": client,
        "server_message": server,
        "log_entry": entry,
        "room_spec": spec,
    })
}

fn seat_of_actor(a: bc_protocol::Actor) -> String {
    match a {
        bc_protocol::Actor::Party(i) => format!("party:{i}"),
        bc_protocol::Actor::Mediator => "mediator".into(),
    }
}

/// Renders an event (which the caller has checked `seat` may see).
pub fn render_event(room: &Room, e: &Event) -> WireEvent {
    let o = |k: &u64| room.domain.render(*k);
    match e {
        Event::Offer { step, party, outcome } => WireEvent::Offer { step: *step, party: *party, outcome: o(outcome) },
        Event::Accept { step, party, outcome } => WireEvent::Accept { step: *step, party: *party, outcome: o(outcome) },
        Event::Delivered { step, to, outcome, from } => WireEvent::Delivered {
            step: *step,
            to: *to,
            outcome: o(outcome),
            from: match from {
                Source::Party(p) => format!("party:{p}"),
                Source::Mediator => "mediator".into(),
            },
        },
        Event::Held { step, from, outcome } => WireEvent::Held { step: *step, from: *from, outcome: o(outcome) },
        Event::Draft { step, outcome } => WireEvent::Draft { step: *step, outcome: o(outcome) },
        Event::Vote { step, party, accept } => WireEvent::Vote { step: *step, party: *party, accept: *accept },
        Event::Adopted { step, outcome } => WireEvent::Adopted { step: *step, outcome: o(outcome) },
        Event::Ratify { step, party, accept } => WireEvent::Ratify { step: *step, party: *party, accept: *accept },
        Event::Report { step, party, floor } => {
            WireEvent::Report { step: *step, party: *party, floor: floor.is_finite().then_some(*floor) }
        }
        Event::Zone { step, exists } => WireEvent::Zone { step: *step, exists: *exists },
        // A fault's message may quote a mechanism's refusal, which can name a reported floor:
        // the end says only who failed.
        Event::End { step, ending } => WireEvent::End {
            step: *step,
            ending: ending.name().to_string(),
            agreement: ending.agreement().map(|k| o(&k)),
            by: match ending {
                // Closed by the admin: an end the mediator seat did not make.
                Ending::Ended { .. } if room.closed_by() == Some(Chair::Admin) => Some("admin".into()),
                Ending::Ended { by } | Ending::Fault { by, .. } => Some(seat_of_actor(*by)),
                _ => None,
            },
        },
    }
}

/// A caucus message entry as the wire carries it.
pub fn render_message(room: &Room, seq: u64, entry: &Entry) -> Option<ServerMsg> {
    let Entry::Message { from, to, kind, text, outcome } = entry else { return None };
    let outcome = outcome.as_ref().and_then(|o| room.domain.parse(o).ok()).map(|k| room.domain.render(k));
    Some(ServerMsg::Message { seq, from: *from, to: *to, kind: *kind, text: text.clone(), outcome })
}

/// A control, preferences or study entry as the wire carries it to `seat` (a round's seed only
/// to the admin's report, see [`render_round`]).
pub fn render_note(room: &Room, seat: Seat, seq: u64, entry: &Entry) -> Option<ServerMsg> {
    match entry {
        Entry::Round { .. } => render_round(room, seq, entry, false),
        Entry::Consent { seat, agree } => Some(ServerMsg::Consent { seq, seat: *seat, agree: *agree }),
        Entry::Answers { seat, round, answers } => Some(ServerMsg::Answers { seq, seat: *seat, round: *round, answers: answers.clone() }),
        Entry::Paused { by, .. } => Some(ServerMsg::Control { seq, control: Control::Pause, by: *by }),
        Entry::Resumed { by, .. } => Some(ServerMsg::Control { seq, control: Control::Resume, by: *by }),
        Entry::Closed { by } => Some(ServerMsg::Control { seq, control: Control::Close, by: *by }),
        Entry::Preferences { seat: Seat::Party(i), weights, ratings } => Some(ServerMsg::Preferences {
            seq,
            party: *i,
            weights: weights.clone(),
            ratings: ratings.clone(),
            you: (seat == Seat::Party(*i)).then(|| your_preferences(room, *i)).flatten(),
            waiting_for: room.waiting_for_preferences(),
        }),
        _ => None,
    }
}

/// A study's `round` entry as the wire carries it; `with_seed` for the admin only.
pub fn render_round(room: &Room, seq: u64, entry: &Entry, with_seed: bool) -> Option<ServerMsg> {
    let Entry::Round { round, seed } = entry else { return None };
    let practice_rounds = room.study().map_or(0, |s| s.study().practice_rounds);
    let practice = *round < practice_rounds;
    let number = (!practice).then(|| round - practice_rounds + 1);
    Some(ServerMsg::Round { seq, round: *round, practice, number, seed: with_seed.then_some(*seed) })
}

fn your_preferences(room: &Room, i: usize) -> Option<YourPreferences> {
    room.preferences(i).map(|p| YourPreferences {
        name: p.name.clone(),
        reservation: p.reserved_value.is_finite().then_some(p.reserved_value),
        profile: bc_formats::geniusweb::write_profile(&room.domain.space, p).ok(),
        additive: additive_of(room, p),
    })
}

/// How the talks ended, if they have.
pub fn end_info(room: &Room) -> Option<EndInfo> {
    room.ending().map(|e| EndInfo {
        ending: e.name().to_string(),
        agreement: e.agreement().map(|k| room.domain.render(k)),
        step: room.step(),
    })
}

/// The `welcome` for `seat`: everything it may see so far. In study mode a participant that
/// has not agreed to take part sees the consent text only.
pub fn welcome(room: &Room, seat: Seat) -> ServerMsg {
    let study = room.study_view(seat, true);
    let before_consent =
        study.as_ref().is_some_and(|s| room.study().is_some_and(|p| p.participants().contains(&seat)) && s.consented != Some(true));
    let mut history: Vec<(u64, ServerMsg)> = room
        .events()
        .iter()
        .filter(|l| room.visible(seat, &l.event))
        .map(|l| (l.seq, ServerMsg::Event { seq: l.seq, round: l.round, event: render_event(room, &l.event) }))
        .collect();
    history.extend(
        room.messages()
            .iter()
            .filter(|(_, e)| Room::message_visible(seat, e))
            .filter_map(|(seq, e)| render_message(room, *seq, e).map(|m| (*seq, m))),
    );
    history.extend(
        room.notes()
            .iter()
            .filter(|(_, e)| Room::note_visible(seat, e))
            .filter_map(|(seq, e)| render_note(room, seat, *seq, e).map(|m| (*seq, m))),
    );
    history.sort_by_key(|(s, _)| *s);
    let you = match seat {
        Seat::Party(i) if !before_consent => your_preferences(room, i),
        _ => None,
    };
    if before_consent {
        history.clear();
    }
    ServerMsg::Welcome {
        protocol_version: PROTOCOL_VERSION,
        room: room.id.clone(),
        title: room.spec.title.clone(),
        seat,
        protocol: room.kind.name().to_string(),
        parties: room.n_parties(),
        steps: room.spec.steps,
        issues: room.domain.describe(),
        you,
        seq: room.next_seq().saturating_sub(1),
        history: history.into_iter().map(|(_, m)| m).collect(),
        turn: if before_consent { None } else { room.turn_for(seat) },
        ending: end_info(room),
        paused: room.paused_by(),
        closed: room.closed_by(),
        editable_preferences: room.spec.editable_preferences,
        waiting_for: room.waiting_for_preferences(),
        study,
    }
}

/// What `seat` receives after the entry at `seq` was applied with `events`: the events it may
/// see, the message if it is to or from it, and its turn if it is now.
pub fn notices(room: &Room, seat: Seat, seq: u64, entry: &Entry, events: &[Event]) -> Vec<ServerMsg> {
    // A participant who has just agreed to take part gets the room as it now may see it.
    if matches!(entry, Entry::Consent { seat: s, agree: true } if *s == seat) {
        return vec![welcome(room, seat)];
    }
    let round = room.current_round();
    let mut out: Vec<ServerMsg> =
        events.iter().filter(|e| room.visible(seat, e)).map(|e| ServerMsg::Event { seq, round, event: render_event(room, e) }).collect();
    if Room::message_visible(seat, entry) {
        out.extend(render_message(room, seq, entry));
    }
    if Room::note_visible(seat, entry) {
        out.extend(render_note(room, seat, seq, entry));
    } else if let Entry::Preferences { .. } = entry {
        out.push(ServerMsg::Waiting { seq, waiting_for: room.waiting_for_preferences() });
    }
    // Study mode: the seat's place in the study after every study entry, the end of a round
    // and the close.
    let ended = events.iter().any(|e| matches!(e, Event::End { .. }));
    if ended || matches!(entry, Entry::Consent { .. } | Entry::Answers { .. } | Entry::Round { .. } | Entry::Closed { .. }) {
        if let Some(study) = room.study_view(seat, false) {
            out.push(ServerMsg::Study { seq, study });
        }
    }
    // A turn comes with the events that give it, and when the talks start, resume or a round
    // starts.
    if !events.is_empty() || matches!(entry, Entry::Preferences { .. } | Entry::Resumed { .. } | Entry::Round { .. }) {
        if let Some(turn) = room.turn_for(seat) {
            out.push(ServerMsg::Turn { turn });
        }
    }
    out
}
