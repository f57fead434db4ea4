//! A study's progress as the fold of its log entries: each participant's consent, the rounds
//! started (each with its own seed, logged, so a round replays as `backchannel negotiate` with
//! that seed) and how each ended, and each participant's answers after each round. From it:
//! whether the talks may go on, the next round when it is due, what each seat may see of the
//! study (a participant its own consent and answers only; the mediator who the study waits
//! for; nobody the admin-only settings), and the admin's export (`study.json`, the run
//! directory's `study-rounds.csv` and `study-answers.csv`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{csv_field, Answer, Completion, Question, Study};
use crate::room::{Entry, Room, Seat};

/// Where a seat is in the study.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Read the consent text and agree or decline (a participant that has not answered yet).
    Consent,
    /// You declined: nothing more is asked of you.
    Declined,
    /// The session cannot go ahead; nothing more is asked of anyone.
    CalledOff,
    /// Waiting for the others (their consent or answers) or for the next round to start.
    Waiting,
    /// A round is being negotiated.
    Negotiating,
    /// The round is over: its questionnaire is open (participants who have not answered it).
    Questionnaire,
    /// Every round is played and answered: the completion link.
    Complete,
    /// The chair closed the room before the study was complete.
    Closed,
}

/// The round being played (or just played).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoundView {
    /// Its position in the session, from 0 (the practice round comes first).
    pub index: u32,
    /// Whether it is the practice round (not counted).
    pub practice: bool,
    /// A counted round's number, 1 to `rounds`.
    pub number: Option<u32>,
}

/// What one seat may see of the study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StudyView {
    /// Where this seat is.
    pub phase: Phase,
    /// Practice rounds (0 or 1).
    pub practice_rounds: u32,
    /// Counted rounds.
    pub rounds: u32,
    /// The current round, once one has started.
    pub round: Option<RoundView>,
    /// A participant: its own consent (null: not given yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consented: Option<bool>,
    /// A participant: it has answered the current round's questionnaire.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answered: bool,
    /// A participant, in `welcome`: the consent text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    /// A participant, in `welcome`: the questionnaire answered after every round.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// The mediator: the participants the study waits for (their consent or answers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiting_for: Vec<Seat>,
    /// A participant, once the study is complete: where to go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<Completion>,
}

/// A participant's answer to the consent text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// The entry's log position.
    pub seq: u64,
    /// The participant.
    pub seat: Seat,
    /// Agreed (true) or declined.
    pub agree: bool,
}

/// A round started, and once over how it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    /// Its position in the session, from 0.
    pub round: u32,
    /// The practice round (not counted).
    pub practice: bool,
    /// A counted round's number, from 1.
    pub number: Option<u32>,
    /// The seed of its built-in agents (null in the mediator's view).
    pub seed: Option<u64>,
    /// The log position of the entry that started it.
    pub seq: u64,
    /// How it ended (`agreement`, `timeout`, `ended`, `not-ratified`, `fault`; null: running).
    pub ending: Option<String>,
    /// The agreed package.
    pub agreement: Option<BTreeMap<String, String>>,
    /// Each party's utility of the agreement, in party order (empty in the mediator's view).
    pub utilities: Vec<Option<f64>>,
    /// Its final step count.
    pub steps: Option<u64>,
}

/// A participant's answers after a round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    /// The entry's log position.
    pub seq: u64,
    /// The participant.
    pub seat: Seat,
    /// The round answered about.
    pub round: u32,
    /// Question id → answer (an optional question left unanswered is absent).
    pub answers: BTreeMap<String, Answer>,
}

/// A study's progress: the fold of its `consent`, `round` and `answers` entries (and of the
/// rounds' endings, which the room records).
#[derive(Clone, Debug)]
pub struct Progress {
    study: Study,
    seed: u64,
    participants: Vec<usize>,
    consent: Vec<ConsentRecord>,
    rounds: Vec<RoundRecord>,
    answers: Vec<AnswerRecord>,
}

/// The study's data for the admin (`GET /api/v1/rooms/ID/study.json`), or with the
/// participants' data and the admin-only settings left out, for the mediator's report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyExport {
    /// The room.
    pub room: String,
    /// `consent`, `called_off`, `running`, `complete` or `closed`.
    pub status: String,
    /// The condition's label (admin only).
    pub condition: Option<String>,
    /// The researcher's notes (admin only).
    pub notes: Option<String>,
    /// Practice rounds.
    pub practice_rounds: u32,
    /// Counted rounds.
    pub rounds: u32,
    /// The questionnaire.
    pub questions: Vec<Question>,
    /// The completion link (admin only).
    pub completion: Option<Completion>,
    /// The participants.
    pub participants: Vec<Seat>,
    /// Each participant's consent (admin only).
    pub consent: Vec<ConsentRecord>,
    /// The rounds started, in order.
    pub played: Vec<RoundRecord>,
    /// Every questionnaire answered (admin only).
    pub answers: Vec<AnswerRecord>,
}

impl Progress {
    /// The progress of a new study whose participants are the party seats `participants`; the
    /// agents of round `k` draw from `seed + k`.
    pub fn new(study: Study, seed: u64, participants: Vec<usize>) -> Progress {
        Progress { study, seed, participants, consent: Vec::new(), rounds: Vec::new(), answers: Vec::new() }
    }

    /// The study as read from its file.
    pub fn study(&self) -> &Study {
        &self.study
    }

    /// The party seats taking part (not played by built-in agents).
    pub fn participants(&self) -> Vec<Seat> {
        self.participants.iter().map(|i| Seat::Party(*i)).collect()
    }

    fn participant(&self, seat: Seat) -> Option<usize> {
        match seat {
            Seat::Party(i) if self.participants.contains(&i) => Some(i),
            _ => None,
        }
    }

    /// `seat`'s answer to the consent text, if it gave one.
    pub fn consented(&self, seat: Seat) -> Option<bool> {
        self.consent.iter().find(|c| c.seat == seat).map(|c| c.agree)
    }

    /// Someone declined: the session is called off.
    pub fn declined(&self) -> bool {
        self.consent.iter().any(|c| !c.agree)
    }

    fn all_consented(&self) -> bool {
        self.participants.iter().all(|i| self.consented(Seat::Party(*i)) == Some(true))
    }

    /// The round started last.
    pub fn current(&self) -> Option<&RoundRecord> {
        self.rounds.last()
    }

    /// The rounds started so far.
    pub fn played(&self) -> &[RoundRecord] {
        &self.rounds
    }

    fn round_over(&self) -> bool {
        self.current().is_some_and(|r| r.ending.is_some())
    }

    fn answered(&self, seat: Seat, round: u32) -> bool {
        self.answers.iter().any(|a| a.seat == seat && a.round == round)
    }

    /// A round is being negotiated.
    pub fn negotiating(&self) -> bool {
        !self.declined() && self.current().is_some_and(|r| r.ending.is_none())
    }

    /// The participants the study waits for: their consent, or their answers to the round just
    /// played.
    pub fn waiting_for(&self) -> Vec<Seat> {
        if self.declined() {
            return Vec::new();
        }
        let seats = self.participants();
        if !self.all_consented() {
            return seats.into_iter().filter(|s| self.consented(*s).is_none()).collect();
        }
        match self.current() {
            Some(r) if r.ending.is_some() => seats.into_iter().filter(|s| !self.answered(*s, r.round)).collect(),
            _ => Vec::new(),
        }
    }

    /// Every round has been played and answered.
    pub fn complete(&self) -> bool {
        !self.declined() && self.rounds.len() as u32 == self.study.total_rounds() && self.round_over() && self.waiting_for().is_empty()
    }

    /// The round due to start now, with its seed: once every participant has agreed, and after
    /// each round once every participant has answered its questionnaire.
    pub fn due(&self) -> Option<(u32, u64)> {
        let next = self.rounds.len() as u32;
        let ready = self.rounds.is_empty() || self.round_over();
        if self.declined() || !self.all_consented() || !ready || !self.waiting_for().is_empty() || next >= self.study.total_rounds() {
            return None;
        }
        Some((next, self.seed.wrapping_add(u64::from(next))))
    }

    fn name(&self, round: u32) -> String {
        if round < self.study.practice_rounds {
            "the practice round".into()
        } else {
            format!("round {} of {}", round - self.study.practice_rounds + 1, self.study.rounds)
        }
    }

    /// Why `seat` may not move now, if it may not: the study holds the talks until every
    /// participant has agreed, and between rounds.
    pub fn gate(&self, seat: Seat) -> Result<(), String> {
        if self.declined() {
            return Err("the session was called off; nothing more can be done in it".into());
        }
        if self.participant(seat).is_some() && self.consented(seat).is_none() {
            return Err("consent first: read the consent text and agree to take part ({\"type\":\"consent\",\"agree\":true})".into());
        }
        if !self.all_consented() {
            return Err("the study starts once every participant has agreed to take part".into());
        }
        if self.complete() {
            return Err("the study is complete".into());
        }
        match self.current() {
            None => Err("the first round is about to start".into()),
            Some(r) if r.ending.is_some() => {
                Err(format!("{} is over; the next round starts once every participant has answered its questionnaire", self.name(r.round)))
            }
            Some(_) => Ok(()),
        }
    }

    /// Checks `seat`'s consent (`agree` or decline).
    pub fn check_consent(&self, seat: Seat) -> Result<(), String> {
        if self.participant(seat).is_none() {
            return Err(format!("only a party seat taking part in the study answers the consent text; {seat} does not"));
        }
        match self.consented(seat) {
            Some(true) => Err("you have already agreed to take part".into()),
            Some(false) => Err("you have declined to take part; nothing more is asked of you".into()),
            None if self.declined() => Err("the session was called off; nothing more is asked of you".into()),
            None => Ok(()),
        }
    }

    /// Records a consent entry at `seq` (checked first).
    pub fn consent(&mut self, seq: u64, seat: Seat, agree: bool) -> Result<(), String> {
        self.check_consent(seat)?;
        self.consent.push(ConsentRecord { seq, seat, agree });
        Ok(())
    }

    /// Checks `seat`'s answers to round `round`'s questionnaire; returns them as logged.
    pub fn check_answers(
        &self,
        seat: Seat,
        round: u32,
        given: &BTreeMap<String, serde_json::Value>,
    ) -> Result<BTreeMap<String, Answer>, String> {
        if self.participant(seat).is_none() {
            return Err(format!("only a party seat taking part in the study answers the questionnaire; {seat} does not"));
        }
        if self.consented(seat) != Some(true) || self.declined() {
            return Err(self.gate(seat).err().unwrap_or_else(|| "consent first".into()));
        }
        let Some(r) = self.current() else {
            return Err("no round has been played yet: the questionnaire opens after the first round".into());
        };
        if r.ending.is_none() {
            return Err(format!("{} is still being negotiated; its questionnaire opens when it ends", self.name(r.round)));
        }
        if round != r.round {
            return Err(format!("round: expected {} (the questionnaire open now, of {}), found {round}", r.round, self.name(r.round)));
        }
        if self.answered(seat, round) {
            return Err(format!("you have already answered the questionnaire of {}", self.name(round)));
        }
        self.study.check_answers(given)
    }

    /// Records an answers entry at `seq` (checked again first).
    pub fn answer(&mut self, seq: u64, seat: Seat, round: u32, answers: &BTreeMap<String, Answer>) -> Result<(), String> {
        let given: BTreeMap<String, serde_json::Value> =
            answers.iter().map(|(k, a)| (k.clone(), serde_json::to_value(a).unwrap_or_default())).collect();
        let checked = self.check_answers(seat, round, &given)?;
        self.answers.push(AnswerRecord { seq, seat, round, answers: checked });
        Ok(())
    }

    /// Checks that round `round` with `seed` is the one due now.
    pub fn check_round(&self, round: u32, seed: u64) -> Result<(), String> {
        match self.due() {
            Some(d) if d == (round, seed) => Ok(()),
            Some((r, s)) => Err(format!("round: expected round {r} with seed {s}, found round {round} with seed {seed}")),
            None => Err(format!("round {round}: no round is due (waiting for {:?})", self.waiting_for())),
        }
    }

    /// Records the start of round `round` at `seq` (checked first).
    pub fn start(&mut self, seq: u64, round: u32, seed: u64) -> Result<(), String> {
        self.check_round(round, seed)?;
        let practice = round < self.study.practice_rounds;
        let number = (!practice).then(|| round - self.study.practice_rounds + 1);
        self.rounds.push(RoundRecord {
            round,
            practice,
            number,
            seed: Some(seed),
            seq,
            ending: None,
            agreement: None,
            utilities: Vec::new(),
            steps: None,
        });
        Ok(())
    }

    /// Records how the current round ended, unless already recorded.
    pub fn finish(&mut self, ending: &str, agreement: Option<BTreeMap<String, String>>, utilities: Vec<Option<f64>>, steps: u64) {
        if let Some(r) = self.rounds.last_mut().filter(|r| r.ending.is_none()) {
            r.ending = Some(ending.to_string());
            r.agreement = agreement;
            r.utilities = utilities;
            r.steps = Some(steps);
        }
    }

    /// Where `seat` is in the study (`closed`: the chair closed the room).
    pub fn phase(&self, seat: Seat, closed: bool) -> Phase {
        if self.participant(seat).is_some() {
            match self.consented(seat) {
                Some(false) => return Phase::Declined,
                _ if self.declined() => return Phase::CalledOff,
                None if closed => return Phase::Closed,
                None => return Phase::Consent,
                Some(true) => {}
            }
        } else if self.declined() {
            return Phase::CalledOff;
        }
        if self.complete() {
            return Phase::Complete;
        }
        if closed {
            return Phase::Closed;
        }
        match self.current() {
            Some(r) if r.ending.is_none() => Phase::Negotiating,
            Some(r) if self.participant(seat).is_some() && !self.answered(seat, r.round) => Phase::Questionnaire,
            Some(_) if self.participant(seat).is_none() => Phase::Questionnaire,
            _ => Phase::Waiting,
        }
    }

    /// What `seat` may see of the study; with `full` (in `welcome`) a participant also gets the
    /// consent text and the questions.
    pub fn view(&self, seat: Seat, closed: bool, full: bool) -> StudyView {
        let phase = self.phase(seat, closed);
        let mine = self.participant(seat).is_some();
        let round = self.current().map(|r| RoundView { index: r.round, practice: r.practice, number: r.number });
        StudyView {
            phase,
            practice_rounds: self.study.practice_rounds,
            rounds: self.study.rounds,
            round,
            consented: if mine { self.consented(seat) } else { None },
            answered: mine && self.current().is_some_and(|r| self.answered(seat, r.round)),
            consent: (mine && full).then(|| self.study.consent.clone()),
            questions: if mine && full { self.study.questions.clone() } else { Vec::new() },
            waiting_for: if seat == Seat::Mediator { self.waiting_for() } else { Vec::new() },
            completion: (mine && phase == Phase::Complete).then(|| self.study.completion.clone()),
        }
    }

    /// The study's data for the admin (`closed`: the chair closed the room).
    pub fn export(&self, room: &str, closed: bool) -> StudyExport {
        let status = if self.declined() {
            "called_off"
        } else if self.complete() {
            "complete"
        } else if closed {
            "closed"
        } else if !self.all_consented() {
            "consent"
        } else {
            "running"
        };
        StudyExport {
            room: room.to_string(),
            status: status.into(),
            condition: self.study.admin.condition.clone(),
            notes: self.study.admin.notes.clone(),
            practice_rounds: self.study.practice_rounds,
            rounds: self.study.rounds,
            questions: self.study.questions.clone(),
            completion: Some(self.study.completion.clone()),
            participants: self.participants(),
            consent: self.consent.clone(),
            played: self.rounds.clone(),
            answers: self.answers.clone(),
        }
    }
}

/// The study's checks of a room (here rather than in `room.rs`, on the room's public state).
impl Room {
    /// Study mode: what `seat` may see of the study; `full` (in `welcome`) adds a participant's
    /// consent text and questionnaire.
    pub fn study_view(&self, seat: Seat, full: bool) -> Option<crate::study::StudyView> {
        self.study().map(|s| s.view(seat, self.closed_by().is_some(), full))
    }

    pub(crate) fn study_open(&self) -> Result<(), String> {
        if self.study().is_none() {
            return Err("this room is not a study".into());
        }
        if self.closed_by().is_some() {
            return Err("the room is closed".into());
        }
        if self.paused_by().is_some() {
            return Err(self.paused_error());
        }
        Ok(())
    }

    /// Study mode: checks a participant's answer to the consent text; returns the entry to log.
    pub fn check_consent(&self, seat: Seat, agree: bool) -> Result<Entry, String> {
        self.study_open()?;
        self.study().ok_or("this room is not a study")?.check_consent(seat)?;
        Ok(Entry::Consent { seat, agree })
    }

    /// Study mode: checks a participant's answers to round `round`'s questionnaire (question id
    /// → answer); returns the entry to log.
    pub fn check_answers(&self, seat: Seat, round: u32, answers: &BTreeMap<String, serde_json::Value>) -> Result<Entry, String> {
        self.study_open()?;
        let answers = self.study().ok_or("this room is not a study")?.check_answers(seat, round, answers)?;
        Ok(Entry::Answers { seat, round, answers })
    }
}

impl StudyExport {
    /// What the mediator's report may hold: the rounds and their outcomes, without seeds,
    /// utilities, consent, answers, completion link or the admin-only settings.
    pub fn for_mediator(mut self) -> StudyExport {
        self.condition = None;
        self.notes = None;
        self.completion = None;
        self.consent.clear();
        self.answers.clear();
        for r in &mut self.played {
            r.seed = None;
            r.utilities.clear();
        }
        self
    }

    fn kind(r: u32, practice_rounds: u32) -> (&'static str, String) {
        if r < practice_rounds {
            ("practice", String::new())
        } else {
            ("counted", (r - practice_rounds + 1).to_string())
        }
    }

    /// `study-rounds.csv`: one row per round started (`room, condition, round, kind, number,
    /// seed, outcome, agreement, utility_0 … utility_{n-1}, steps`).
    pub fn rounds_csv(&self, n_parties: usize) -> String {
        let mut s = String::from("room,condition,round,kind,number,seed,outcome,agreement");
        for i in 0..n_parties {
            s.push_str(&format!(",utility_{i}"));
        }
        s.push_str(",steps\n");
        let condition = csv_field(self.condition.as_deref().unwrap_or(""));
        for r in &self.played {
            let (kind, number) = Self::kind(r.round, self.practice_rounds);
            let agreement = r.agreement.as_ref().map(|a| a.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "));
            let cells = [
                csv_field(&self.room),
                condition.clone(),
                r.round.to_string(),
                kind.to_string(),
                number,
                r.seed.map(|x| x.to_string()).unwrap_or_default(),
                csv_field(r.ending.as_deref().unwrap_or("")),
                csv_field(agreement.as_deref().unwrap_or("")),
            ];
            s.push_str(&cells.join(","));
            for i in 0..n_parties {
                s.push(',');
                if let Some(Some(u)) = r.utilities.get(i) {
                    s.push_str(&u.to_string());
                }
            }
            s.push(',');
            s.push_str(&r.steps.map(|x| x.to_string()).unwrap_or_default());
            s.push('\n');
        }
        s
    }

    /// `study-answers.csv`: one row per participant × round answered × question (`room,
    /// condition, round, kind, number, seat, question, answer, seq`; an unanswered optional
    /// question has an empty answer).
    pub fn answers_csv(&self) -> String {
        let mut s = String::from("room,condition,round,kind,number,seat,question,answer,seq\n");
        let condition = csv_field(self.condition.as_deref().unwrap_or(""));
        for a in &self.answers {
            let (kind, number) = Self::kind(a.round, self.practice_rounds);
            for q in &self.questions {
                let answer = a.answers.get(&q.id).map(Answer::to_string).unwrap_or_default();
                let cells = [
                    csv_field(&self.room),
                    condition.clone(),
                    a.round.to_string(),
                    kind.to_string(),
                    number.clone(),
                    a.seat.to_string(),
                    csv_field(&q.id),
                    csv_field(&answer),
                    a.seq.to_string(),
                ];
                s.push_str(&cells.join(","));
                s.push('\n');
            }
        }
        s
    }
}
