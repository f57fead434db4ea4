//! MiCRO (de Jonge 2022, "An analysis of the linear bilateral ANAC domains using the MiCRO
//! benchmark strategy"), as NegMAS 0.16's `MiCRONegotiator` implements it
//! (`gb/components/offering.py` `MiCROOfferingPolicy`, `gb/components/acceptance.py`
//! `MiCROAcceptancePolicy`, `accept_same=True`):
//!
//! - walk down the rational outcomes from the best (rank `k = 0, 1, ...` of the presorted
//!   inverter); concede to the next one only when it has sent no more distinct offers than it
//!   has received distinct offers, and the next one is rational;
//! - otherwise repeat one of its earlier offers, chosen uniformly at random (NegMAS:
//!   `random.choice(list(set))`, which depends on Python's set order; here the earlier offers in
//!   the order first sent, drawn with the negotiation's seeded generator);
//! - accept an offer at least as good as what it would offer next (its next outcome when ready
//!   to concede, else its last new offer), or as no agreement when that is better.
//!
//! Two MiCRO agents never repeat an offer on a domain with distinct utilities, so their traces
//! are deterministic and equal NegMAS's (tested).

use std::collections::HashSet;
use std::sync::Arc;

use bc_protocol::{OutcomeId, Source};
use rand::Rng;

use crate::error::Error;
use crate::negotiator::{Context, Negotiator, Response};
use crate::side::{Side, Table};

/// The MiCRO negotiator.
#[derive(Debug)]
pub struct Micro {
    side: Arc<Side>,
    table: Arc<Table>,
    next: usize,
    received: HashSet<OutcomeId>,
    sent: Vec<OutcomeId>,
    sent_set: HashSet<OutcomeId>,
    rng: rand_chacha::ChaCha8Rng,
}

impl Micro {
    /// A MiCRO negotiator for `side`.
    pub fn new(side: Arc<Side>, rng: rand_chacha::ChaCha8Rng) -> Result<Micro, Error> {
        let table = side.table()?.clone();
        Ok(Micro { side, table, next: 0, received: HashSet::new(), sent: Vec::new(), sent_set: HashSet::new(), rng })
    }

    fn ready_to_concede(&self) -> bool {
        self.sent_set.len() <= self.received.len()
    }

    /// Utility of an optional outcome, no outcome being worth the reservation value.
    fn value(&self, o: Option<OutcomeId>) -> f64 {
        o.map_or(self.side.reserved_value(), |o| self.side.utility(o))
    }
}

impl Negotiator for Micro {
    fn name(&self) -> &str {
        "micro"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, _ctx: &Context) -> Option<OutcomeId> {
        let next = self.table.rank(self.next);
        match next {
            Some((o, u)) if u >= self.side.reserved_value() && self.ready_to_concede() => {
                self.next += 1;
                if self.sent_set.insert(o) {
                    self.sent.push(o);
                }
                Some(o)
            }
            _ => {
                if self.sent.is_empty() {
                    None
                } else {
                    let k = self.rng.gen_range(0..self.sent.len());
                    Some(self.sent[k])
                }
            }
        }
    }

    fn respond(&mut self, _ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        let mine = if self.ready_to_concede() {
            self.table.rank(self.next).map(|(o, _)| o)
        } else if self.next > 0 {
            self.table.rank(self.next - 1).map(|(o, _)| o)
        } else {
            None
        };
        let r = self.side.reserved_value();
        // `ufun.is_better(None, mine)`: no agreement strictly better than `mine`.
        let mine_value = self.value(mine);
        let back = mine_value - r;
        let mine_value = if r - mine_value >= 0.0 && (back.is_nan() || back < 0.0) { r } else { mine_value };
        // `is_not_worse(offer, mine)`: u(offer) - u(mine) >= 0.
        if self.side.utility(offer) - mine_value >= 0.0 {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn observe(&mut self, _ctx: &Context, _from: Source, offer: OutcomeId) {
        self.received.insert(offer);
    }

    fn floor(&mut self, _ctx: &Context) -> f64 {
        let k = if self.ready_to_concede() { self.next } else { self.next.saturating_sub(1) };
        self.table.rank(k).map_or(self.side.reserved_value(), |(_, u)| u.max(self.side.reserved_value()))
    }
}
