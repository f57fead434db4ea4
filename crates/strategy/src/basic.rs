//! The two baselines every tournament has: a hard-headed agent that never concedes (NegMAS's
//! `ToughNegotiator`: offers its best outcome, accepts only an offer as good as its best) and a
//! random agent (NegMAS's `RandomNegotiator`: uniformly random offers; accepts with probability
//! 0.15, ends with probability 0.1, rejects otherwise).

use std::sync::Arc;

use bc_protocol::{OutcomeId, Source};
use rand::Rng;

use crate::error::Error;
use crate::negotiator::{Context, Negotiator, Response};
use crate::side::Side;

/// Never concedes.
#[derive(Debug)]
pub struct HardHeaded {
    side: Arc<Side>,
    best: OutcomeId,
    best_utility: f64,
}

impl HardHeaded {
    /// A hard-headed negotiator for `side`.
    pub fn new(side: Arc<Side>) -> Result<HardHeaded, Error> {
        let table = side.table()?;
        let best = table.best();
        let best_utility = side.utility(best);
        Ok(HardHeaded { side, best, best_utility })
    }
}

impl Negotiator for HardHeaded {
    fn name(&self) -> &str {
        "hardheaded"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, _ctx: &Context) -> Option<OutcomeId> {
        Some(self.best)
    }

    fn respond(&mut self, _ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        if self.side.utility(offer) >= self.best_utility {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn observes(&self) -> bool {
        false
    }

    fn floor(&mut self, _ctx: &Context) -> f64 {
        self.best_utility
    }
}

/// Random offers and answers.
#[derive(Debug)]
pub struct Random {
    side: Arc<Side>,
    p_accept: f64,
    p_end: f64,
    rng: rand_chacha::ChaCha8Rng,
}

impl Random {
    /// A random negotiator accepting with probability `p_accept` and ending with `p_end`.
    pub fn new(side: Arc<Side>, p_accept: f64, p_end: f64, rng: rand_chacha::ChaCha8Rng) -> Result<Random, Error> {
        let ok = |p: f64| (0.0..=1.0).contains(&p);
        if !ok(p_accept) || !ok(p_end) || p_accept + p_end > 1.0 {
            return Err(Error::param(
                "random",
                format!("accept and end: expected probabilities summing to at most 1, found {p_accept} and {p_end}"),
            ));
        }
        Ok(Random { side, p_accept, p_end, rng })
    }
}

impl Negotiator for Random {
    fn name(&self) -> &str {
        "random"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, _ctx: &Context) -> Option<OutcomeId> {
        Some(self.side.random_outcome(&mut self.rng))
    }

    fn respond(&mut self, _ctx: &Context, _offer: OutcomeId, _from: Source) -> Response {
        let r: f64 = self.rng.gen();
        if r < self.p_accept {
            Response::Accept
        } else if r < self.p_accept + self.p_end {
            Response::End
        } else {
            Response::Reject
        }
    }

    fn vote(&mut self, _ctx: &Context, _draft: OutcomeId, _current: Option<OutcomeId>) -> bool {
        self.rng.gen::<f64>() < 0.5
    }
}
