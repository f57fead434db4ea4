//! The negotiator trait: what a party's strategy decides in every protocol (propose, respond,
//! vote on a mediator's text, ratify, report a floor), and the timing it decides with.
//!
//! A strategy owns its state, its own preferences (a shared [`Side`]) and, if it is random, its
//! own ChaCha8 generator seeded from the session's seed; it never sees the mechanism. The session
//! runner (`session.rs`) asks it for decisions and submits them.

use bc_protocol::{OutcomeId, Source};

use crate::side::Side;

/// When a decision is taken.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Context {
    /// The deciding party's position.
    pub me: usize,
    /// Number of parties.
    pub n_parties: usize,
    /// The round (0-based).
    pub step: u64,
    /// The round limit.
    pub n_steps: u64,
    /// NegMAS's relative time `(step + 1) / (n_steps + 1)`.
    pub relative_time: f64,
}

/// An answer to an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// Accept it.
    Accept,
    /// Reject it (a counter-offer follows).
    Reject,
    /// Leave the negotiation.
    End,
}

/// A negotiating party's strategy.
pub trait Negotiator: Send {
    /// The strategy's name (as the registry knows it).
    fn name(&self) -> &str;

    /// The party's own preferences.
    fn side(&self) -> &Side;

    /// An offer to make; `None` refuses to offer (which ends an SAO negotiation).
    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId>;

    /// The answer to `offer`, made by `from`.
    fn respond(&mut self, ctx: &Context, offer: OutcomeId, from: Source) -> Response;

    /// Another party's offer became known (SAO: every offer of another party, right after it is
    /// made; relay: every text delivered to this party).
    fn observe(&mut self, _ctx: &Context, _from: Source, _offer: OutcomeId) {}

    /// Whether [`Negotiator::observe`] does anything; strategies that ignore the other offers
    /// (time-based ones) return false and are not called.
    fn observes(&self) -> bool {
        true
    }

    /// Single text: accept `draft` in place of `current` (the last adopted text, if any)?
    /// By default, the party's answer to the draft as an offer.
    fn vote(&mut self, ctx: &Context, draft: OutcomeId, _current: Option<OutcomeId>) -> bool {
        self.respond(ctx, draft, Source::Mediator) == Response::Accept
    }

    /// Single text: ratify the final text? By default iff it is at least as good as no agreement.
    fn ratify(&mut self, _ctx: &Context, text: OutcomeId) -> bool {
        self.side().utility(text) >= self.side().reserved_value()
    }

    /// Confidential mediation: the floor to report (the lowest utility the party says it can
    /// accept). By default its reservation value.
    fn floor(&mut self, _ctx: &Context) -> f64 {
        self.side().reserved_value()
    }
}

/// A caller's acceptance test layered on a strategy: the party accepts, votes for or ratifies
/// a text only if its strategy would **and** `test(text)` holds (e.g. a model's ratification or
/// credibility check). Offers are the strategy's own; everything else is passed through.
pub struct Constrained<'a> {
    inner: Box<dyn Negotiator + 'a>,
    test: Box<dyn FnMut(OutcomeId) -> bool + Send + 'a>,
}

impl<'a> Constrained<'a> {
    /// Wraps `inner` with the acceptance test `test`.
    pub fn new(inner: Box<dyn Negotiator + 'a>, test: impl FnMut(OutcomeId) -> bool + Send + 'a) -> Constrained<'a> {
        Constrained { inner, test: Box::new(test) }
    }
}

impl Negotiator for Constrained<'_> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn side(&self) -> &Side {
        self.inner.side()
    }

    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        self.inner.propose(ctx)
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, from: Source) -> Response {
        match self.inner.respond(ctx, offer, from) {
            Response::Accept if !(self.test)(offer) => Response::Reject,
            r => r,
        }
    }

    fn observe(&mut self, ctx: &Context, from: Source, offer: OutcomeId) {
        self.inner.observe(ctx, from, offer)
    }

    fn observes(&self) -> bool {
        self.inner.observes()
    }

    fn vote(&mut self, ctx: &Context, draft: OutcomeId, current: Option<OutcomeId>) -> bool {
        self.inner.vote(ctx, draft, current) && (self.test)(draft)
    }

    fn ratify(&mut self, ctx: &Context, text: OutcomeId) -> bool {
        self.inner.ratify(ctx, text) && (self.test)(text)
    }

    fn floor(&mut self, ctx: &Context) -> f64 {
        self.inner.floor(ctx)
    }
}
