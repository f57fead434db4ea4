//! Faratin, Sierra & Jennings (1998) behaviour-dependent ("imitative") tactics — relative and
//! (random) absolute tit-for-tat — carried from issue values to the agent's own utility, the
//! usual reduction for multi-issue domains where issues are not numeric.
//!
//! Notation: `tau` is the agent's target, its normalised utility `(u - umin) / (umax - umin)` in
//! `[tau_min, 1]` (`tau_min` the reservation value on that scale, at least 0); `v_k` is the agent's
//! normalised utility of the opponent's `k`-th offer. Without an opponent model the opponent's
//! utility of its own offer is estimated under a zero-sum assumption as `w_k = 1 - v_k`. With
//! `delta >= 1` and the opponent's offers numbered `1..=m` (`m >= delta + 1`), the concession the
//! opponent made `delta` offers ago is the step from `old = m - delta` to `new = old + 1`
//! (Faratin's `x_{b->a}^{t_{n-2delta}}` and `x_{b->a}^{t_{n-2delta+2}}`):
//!
//! - **relative**: reproduce the opponent's concession in percentage terms,
//!   `tau' = tau * (w_new / w_old)`;
//! - **absolute**: reproduce it in absolute terms, `tau' = tau - (v_new - v_old) + R(M)` with
//!   `R(M)` uniform in `[0, M]` in the agent's own favour (`M = 0`: plain absolute TFT; this
//!   equals NegMAS's `NaiveTitForTatNegotiator` reciprocation without its kindness terms).
//!
//! Both clamp `tau'` to `[tau_min, 1]`; while the opponent has made at most `delta` offers the
//! agent keeps `tau = 1`. It offers the outcome of lowest utility at or above its target and
//! accepts an offer at least as good as its next offer (AC_next).

use std::sync::Arc;

use bc_protocol::{OutcomeId, Source};
use rand::Rng;

use crate::error::Error;
use crate::negotiator::{Context, Negotiator, Response};
use crate::side::{Side, Table};

/// Which tit-for-tat.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reciprocity {
    /// Percentage concessions.
    Relative,
    /// Absolute concessions, with a random term in `[0, m]` (normalised utility).
    Absolute {
        /// The largest random term.
        m: f64,
    },
}

/// A tit-for-tat negotiator.
#[derive(Debug)]
pub struct TitForTat {
    name: String,
    side: Arc<Side>,
    table: Arc<Table>,
    kind: Reciprocity,
    delta: usize,
    umin: f64,
    umax: f64,
    tau_min: f64,
    tau: f64,
    /// The target for the next offer, computed when the opponent's latest offer arrived.
    pending: Option<f64>,
    opponent: Vec<f64>,
    /// How many opponent offers the current target already reciprocates.
    applied: usize,
    rng: rand_chacha::ChaCha8Rng,
}

impl TitForTat {
    /// A tit-for-tat negotiator of the given kind reciprocating with delay `delta >= 1`.
    pub fn new(side: Arc<Side>, kind: Reciprocity, delta: usize, rng: rand_chacha::ChaCha8Rng) -> Result<TitForTat, Error> {
        let name = match kind {
            Reciprocity::Relative => "tft-relative",
            Reciprocity::Absolute { .. } => "tft-absolute",
        };
        if delta == 0 {
            return Err(Error::param(name, "delta: expected an integer >= 1, found 0"));
        }
        if let Reciprocity::Absolute { m } = kind {
            if !(m >= 0.0 && m.is_finite()) {
                return Err(Error::param(name, format!("m: expected a finite number >= 0, found {m}")));
            }
        }
        let table = side.table()?.clone();
        let (umin, umax) = (table.min(), table.max());
        let span = umax - umin;
        let tau_min = if span > 0.0 { ((side.reserved_value() - umin) / span).clamp(0.0, 1.0) } else { 0.0 };
        Ok(TitForTat {
            name: name.into(),
            side,
            table,
            kind,
            delta,
            umin,
            umax,
            tau_min,
            tau: 1.0,
            pending: None,
            opponent: Vec::new(),
            applied: 0,
            rng,
        })
    }

    fn normalized(&self, u: f64) -> f64 {
        let span = self.umax - self.umin;
        if span > 0.0 {
            (u - self.umin) / span
        } else {
            1.0
        }
    }

    /// The target reciprocating the opponent's offers so far.
    fn next_target(&mut self) -> f64 {
        let m = self.opponent.len();
        if m < self.delta + 1 || m <= self.applied {
            return self.tau;
        }
        let old = self.opponent[m - 1 - self.delta];
        let new = self.opponent[m - self.delta];
        let tau = match self.kind {
            Reciprocity::Relative => {
                let (w_old, w_new) = (1.0 - old, 1.0 - new);
                if w_old > 0.0 {
                    self.tau * (w_new / w_old)
                } else {
                    self.tau
                }
            }
            Reciprocity::Absolute { m } => {
                let r = if m > 0.0 { self.rng.gen_range(0.0..=m) } else { 0.0 };
                self.tau - (new - old) + r
            }
        };
        tau.clamp(self.tau_min, 1.0)
    }

    fn target(&mut self) -> f64 {
        match self.pending {
            Some(t) => t,
            None => {
                let t = self.next_target();
                self.pending = Some(t);
                t
            }
        }
    }

    fn outcome_at(&self, tau: f64) -> OutcomeId {
        let lo = self.umin + tau * (self.umax - self.umin);
        self.table.worst_in(lo, self.umax).unwrap_or_else(|| self.table.best())
    }
}

impl Negotiator for TitForTat {
    fn name(&self) -> &str {
        &self.name
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, _ctx: &Context) -> Option<OutcomeId> {
        let tau = self.target();
        self.tau = tau;
        self.pending = None;
        self.applied = self.opponent.len();
        Some(self.outcome_at(tau))
    }

    fn respond(&mut self, _ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        let tau = self.target();
        let next = self.outcome_at(tau);
        if self.side.utility(offer) >= self.side.utility(next) {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn observe(&mut self, _ctx: &Context, _from: Source, offer: OutcomeId) {
        let v = self.normalized(self.side.utility(offer));
        self.opponent.push(v);
        self.pending = None;
    }

    fn floor(&mut self, _ctx: &Context) -> f64 {
        let tau = self.target();
        self.umin + tau * (self.umax - self.umin)
    }
}
