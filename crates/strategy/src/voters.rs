//! Single-text voters of Klein, Faratin, Sayama & Bar-Yam (2003), "Negotiating complex
//! contracts": the **hill-climber** accepts a draft iff its own utility does not decrease
//! against the current text; the **annealer** also accepts a worse draft with probability
//! `exp(delta / T)`, `delta` the loss on its normalised utility scale and the virtual
//! temperature `T = t0 * (1 - t)` falling linearly to 0 at the deadline. (GENIUS's `Annealer`
//! uses `T = t`, which rises over time; Klein et al. cool, so this one cools.)
//!
//! The **GENIUS hill-climber** is GENIUS's `parties.simplemediator.HillClimber`: it accepts iff
//! its utility of the draft is at least that of the last text everyone accepted, 0 before any
//! (whatever its reservation value); GENIUS's mediated protocol has no ratification (the last
//! text everyone accepted is the agreement), so it ratifies every final text.
//!
//! They only vote: in SAO, relay or confidential mediation they are not valid agents.

use std::sync::Arc;

use bc_protocol::{OutcomeId, Source};
use rand::Rng;

use crate::error::Error;
use crate::negotiator::{Context, Negotiator, Response};
use crate::side::Side;

/// Accept iff utility does not fall.
#[derive(Debug)]
pub struct HillClimber {
    side: Arc<Side>,
}

impl HillClimber {
    /// A hill-climbing voter for `side`.
    pub fn new(side: Arc<Side>) -> HillClimber {
        HillClimber { side }
    }
}

fn baseline(side: &Side, current: Option<OutcomeId>) -> f64 {
    current.map_or(side.reserved_value(), |c| side.utility(c))
}

impl Negotiator for HillClimber {
    fn name(&self) -> &str {
        "hill-climber"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, _ctx: &Context) -> Option<OutcomeId> {
        None
    }

    fn respond(&mut self, _ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        if self.side.utility(offer) >= self.side.reserved_value() {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn vote(&mut self, _ctx: &Context, draft: OutcomeId, current: Option<OutcomeId>) -> bool {
        self.side.utility(draft) >= baseline(&self.side, current)
    }
}

/// GENIUS's `HillClimber`: accept iff utility does not fall below the last adopted text's (0
/// before any); ratify always.
#[derive(Debug)]
pub struct GeniusHillClimber {
    side: Arc<Side>,
}

impl GeniusHillClimber {
    /// GENIUS's hill-climbing voter for `side`.
    pub fn new(side: Arc<Side>) -> GeniusHillClimber {
        GeniusHillClimber { side }
    }
}

impl Negotiator for GeniusHillClimber {
    fn name(&self) -> &str {
        "genius-hill-climber"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, _ctx: &Context) -> Option<OutcomeId> {
        None
    }

    fn respond(&mut self, _ctx: &Context, _offer: OutcomeId, _from: Source) -> Response {
        Response::Reject
    }

    fn vote(&mut self, _ctx: &Context, draft: OutcomeId, current: Option<OutcomeId>) -> bool {
        // lastAcceptedBidUtility <= lastReceivedBidUtility, starting from 0.0.
        current.map_or(0.0, |c| self.side.utility(c)) <= self.side.utility(draft)
    }

    fn ratify(&mut self, _ctx: &Context, _text: OutcomeId) -> bool {
        true
    }
}

/// Accept worse drafts with a probability that falls as the temperature cools.
#[derive(Debug)]
pub struct Annealer {
    side: Arc<Side>,
    t0: f64,
    span: f64,
    rng: rand_chacha::ChaCha8Rng,
}

impl Annealer {
    /// An annealing voter with initial temperature `t0 > 0` (normalised utility units).
    pub fn new(side: Arc<Side>, t0: f64, rng: rand_chacha::ChaCha8Rng) -> Result<Annealer, Error> {
        if !(t0 > 0.0 && t0.is_finite()) {
            return Err(Error::param("annealer", format!("t0: expected a number > 0, found {t0}")));
        }
        let span = match side.table() {
            Ok(t) => t.max() - t.min(),
            Err(_) => 1.0,
        };
        Ok(Annealer { side, t0, span: if span > 0.0 { span } else { 1.0 }, rng })
    }
}

impl Negotiator for Annealer {
    fn name(&self) -> &str {
        "annealer"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, _ctx: &Context) -> Option<OutcomeId> {
        None
    }

    fn respond(&mut self, _ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        if self.side.utility(offer) >= self.side.reserved_value() {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn vote(&mut self, ctx: &Context, draft: OutcomeId, current: Option<OutcomeId>) -> bool {
        let delta = (self.side.utility(draft) - baseline(&self.side, current)) / self.span;
        if delta >= 0.0 {
            return true;
        }
        let temperature = self.t0 * (1.0 - ctx.relative_time);
        if temperature <= 0.0 {
            return false;
        }
        self.rng.gen::<f64>() < (delta / temperature).exp()
    }
}
