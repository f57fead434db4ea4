//! The negotiator trait: what a party's strategy decides in every protocol (propose, respond,
//! vote on a mediator's text, ratify, report a floor), and the timing it decides with.
//!
//! A strategy owns its state, its own preferences (a shared [`Side`]) and, if it is random, its
//! own ChaCha8 generator seeded from the session's seed; it never sees the mechanism. The session
//! runner (`session.rs`) asks it for decisions and submits them.
//!
//! Two wrappers let a caller adapt any strategy without touching it: [`Constrained`] adds the
//! caller's own acceptance test (a model's ratification or credibility check), and [`Timeline`]
//! plays one session of a longer negotiation on the longer negotiation's clock (talks held over
//! several meetings, each a mechanism of its own). A `&mut` or boxed negotiator is a negotiator
//! too, so a strategy owned elsewhere can be lent to one session.

use std::sync::Arc;

use bc_model::{TableUtility, UtilityFunction};
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

    /// Confidential mediation: the utility function to report with this round's floor; `None`
    /// keeps the one reported last. `first` is true for the party's first report, which must
    /// carry one. By default its own utility function, in the first report only.
    fn report_utility(&mut self, _ctx: &Context, first: bool) -> Option<Arc<UtilityFunction>> {
        first.then(|| Arc::new(self.side().preferences().utility.clone()))
    }
}

/// Forwards every decision, so that `&mut N` and `Box<N>` are negotiators wherever `N` is.
macro_rules! forward {
    () => {
        fn name(&self) -> &str {
            (**self).name()
        }
        fn side(&self) -> &Side {
            (**self).side()
        }
        fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
            (**self).propose(ctx)
        }
        fn respond(&mut self, ctx: &Context, offer: OutcomeId, from: Source) -> Response {
            (**self).respond(ctx, offer, from)
        }
        fn observe(&mut self, ctx: &Context, from: Source, offer: OutcomeId) {
            (**self).observe(ctx, from, offer)
        }
        fn observes(&self) -> bool {
            (**self).observes()
        }
        fn vote(&mut self, ctx: &Context, draft: OutcomeId, current: Option<OutcomeId>) -> bool {
            (**self).vote(ctx, draft, current)
        }
        fn ratify(&mut self, ctx: &Context, text: OutcomeId) -> bool {
            (**self).ratify(ctx, text)
        }
        fn floor(&mut self, ctx: &Context) -> f64 {
            (**self).floor(ctx)
        }
        fn report_utility(&mut self, ctx: &Context, first: bool) -> Option<Arc<UtilityFunction>> {
            (**self).report_utility(ctx, first)
        }
    };
}

impl<N: Negotiator + ?Sized> Negotiator for &mut N {
    forward!();
}

impl<N: Negotiator + ?Sized> Negotiator for Box<N> {
    forward!();
}

/// A caller's acceptance test layered on a strategy: the party accepts, votes for or ratifies
/// a text only if its strategy would **and** `test(text)` holds (e.g. a model's ratification or
/// credibility check).
///
/// - **Offers** pass the test too (a proposer counts as accepting its own offer): the strategy's
///   offer when it passes, otherwise the least demanding outcome at least as good for the party
///   (ascending utility from the strategy's offer, ties by index) that passes; when none does,
///   or the party's space is too large to rank, the party makes no offer.
/// - **Confidential reports**: the first report carries the party's utility with every outcome
///   that fails the test at `-inf` (so the mediator's zone holds only what the party can
///   accept); the test is taken to be fixed for the session. The floor is the strategy's.
/// - Everything else is passed through.
pub struct Constrained<N, F> {
    inner: N,
    test: F,
}

impl<N: Negotiator, F: FnMut(OutcomeId) -> bool + Send> Constrained<N, F> {
    /// Wraps `inner` (any negotiator: boxed, borrowed or owned) with the acceptance test `test`.
    pub fn new(inner: N, test: F) -> Constrained<N, F> {
        Constrained { inner, test }
    }
}

impl<N: Negotiator, F: FnMut(OutcomeId) -> bool + Send> Negotiator for Constrained<N, F> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn side(&self) -> &Side {
        self.inner.side()
    }

    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        let offer = self.inner.propose(ctx)?;
        if (self.test)(offer) {
            return Some(offer);
        }
        let side = self.inner.side();
        let table = side.table().ok()?;
        let test = &mut self.test;
        table.at_or_above(side.utility(offer)).map(|(o, _)| o).find(|o| test(*o))
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

    fn report_utility(&mut self, ctx: &Context, first: bool) -> Option<Arc<UtilityFunction>> {
        if !first {
            return None;
        }
        let side = self.inner.side();
        let Ok(utils) = side.utilities() else { return self.inner.report_utility(ctx, first) };
        let masked: Arc<[f64]> =
            utils.iter().enumerate().map(|(k, u)| if (self.test)(k as OutcomeId) { *u } else { f64::NEG_INFINITY }).collect();
        let table = match &side.preferences().utility {
            UtilityFunction::Table(t) => t.with_values(masked),
            _ => TableUtility::new(side.space(), masked),
        };
        match table {
            Ok(t) => Some(Arc::new(UtilityFunction::Table(t))),
            Err(_) => self.inner.report_utility(ctx, first),
        }
    }
}

/// A strategy playing one session of a longer negotiation: talks held over several sessions
/// (meetings), each run as a mechanism of its own, with the strategy's concession spanning them
/// all. Every context is rewritten to the longer negotiation's clock: with `elapsed` sessions
/// held out of `span`, step `s` of a session of `n` steps is step `elapsed * n + s` of the whole,
/// at relative time `min(1, (elapsed + (s + 1) / n) / span)` (the end of session `span` is time 1).
/// Set `elapsed` before each session with [`Timeline::set_elapsed`].
#[derive(Debug)]
pub struct Timeline<N> {
    inner: N,
    elapsed: u64,
    span: f64,
}

impl<N: Negotiator> Timeline<N> {
    /// `inner` on a negotiation of `span > 0` sessions (a non-positive or NaN span counts as
    /// one session), before its first session.
    pub fn new(inner: N, span: f64) -> Timeline<N> {
        let span = if span > 0.0 { span } else { 1.0 };
        Timeline { inner, elapsed: 0, span }
    }

    /// The number of sessions held before the next one.
    pub fn set_elapsed(&mut self, elapsed: u64) {
        self.elapsed = elapsed;
    }

    /// The wrapped strategy.
    pub fn inner(&self) -> &N {
        &self.inner
    }

    /// The context `ctx` of a session, on the whole negotiation's clock.
    pub fn map(&self, ctx: &Context) -> Context {
        let n = ctx.n_steps.max(1);
        let t = session_time(self.elapsed, self.span, ctx.step, n);
        let step = self.elapsed.saturating_mul(n).saturating_add(ctx.step);
        let total = ((self.span * n as f64).ceil() as u64).max(step.saturating_add(1));
        Context { me: ctx.me, n_parties: ctx.n_parties, step, n_steps: total, relative_time: t }
    }
}

/// [`Timeline`]'s clock: the relative time of step `step` of a session of `n_steps` steps, held
/// after `elapsed` sessions of a negotiation of `span` sessions:
/// `min(1, (elapsed + (step + 1) / n_steps) / span)`.
pub fn session_time(elapsed: u64, span: f64, step: u64, n_steps: u64) -> f64 {
    let span = if span > 0.0 { span } else { 1.0 };
    let t = (elapsed as f64 + (step as f64 + 1.0) / n_steps.max(1) as f64) / span;
    t.clamp(0.0, 1.0)
}

impl<N: Negotiator> Negotiator for Timeline<N> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn side(&self) -> &Side {
        self.inner.side()
    }

    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        let c = self.map(ctx);
        self.inner.propose(&c)
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, from: Source) -> Response {
        let c = self.map(ctx);
        self.inner.respond(&c, offer, from)
    }

    fn observe(&mut self, ctx: &Context, from: Source, offer: OutcomeId) {
        let c = self.map(ctx);
        self.inner.observe(&c, from, offer)
    }

    fn observes(&self) -> bool {
        self.inner.observes()
    }

    fn vote(&mut self, ctx: &Context, draft: OutcomeId, current: Option<OutcomeId>) -> bool {
        let c = self.map(ctx);
        self.inner.vote(&c, draft, current)
    }

    fn ratify(&mut self, ctx: &Context, text: OutcomeId) -> bool {
        let c = self.map(ctx);
        self.inner.ratify(&c, text)
    }

    fn floor(&mut self, ctx: &Context) -> f64 {
        let c = self.map(ctx);
        self.inner.floor(&c)
    }

    fn report_utility(&mut self, ctx: &Context, first: bool) -> Option<Arc<UtilityFunction>> {
        let c = self.map(ctx);
        self.inner.report_utility(&c, first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timebased::{TimeBased, TB_EPS};
    use bc_model::{Discount, Issue, LinearAdditive, OutcomeSpace, Preferences, ValueFunction};

    /// One issue with values worth 0, 0.1, ..., 1.
    fn side(r: f64) -> Arc<Side> {
        let space = OutcomeSpace::new("s", vec![Issue::categorical("x", (0..=10).map(|v| v.to_string()).collect()).unwrap()]).unwrap();
        let f =
            LinearAdditive::new(&space, 0.0, vec![1.0], vec![ValueFunction::Table((0..=10).map(|v| v as f64 / 10.0).collect())]).unwrap();
        let prefs =
            Preferences { name: "p".into(), utility: UtilityFunction::LinearAdditive(f), reserved_value: r, discount: Discount::None };
        Arc::new(Side::new(Arc::new(space), prefs).unwrap())
    }

    fn ctx(step: u64, n_steps: u64) -> Context {
        Context { me: 0, n_parties: 2, step, n_steps, relative_time: (step + 1) as f64 / (n_steps + 1) as f64 }
    }

    fn linear(s: &Arc<Side>) -> Box<dyn Negotiator> {
        Box::new(TimeBased::new("linear", s.clone(), 1.0, 1.0, TB_EPS).unwrap())
    }

    #[test]
    fn constrained_offers_pass_the_test() {
        let s = side(0.0);
        // At relative time 0.5 a linear agent offers 0.5 (outcome 5); outcomes 5 and 6 fail the test.
        let mut c = Constrained::new(linear(&s), |o| o != 5 && o != 6);
        let mid = Context { relative_time: 0.5, ..ctx(0, 10) };
        assert_eq!(linear(&s).propose(&mid), Some(5));
        assert_eq!(c.propose(&mid), Some(7), "the least demanding acceptable outcome above the strategy's offer");
        assert_eq!(c.respond(&mid, 6, Source::Party(1)), Response::Reject);
        assert_eq!(c.respond(&mid, 7, Source::Party(1)), Response::Accept);
        // Nothing at or above the offer passes: no offer.
        let mut none = Constrained::new(linear(&s), |o| o < 3);
        assert_eq!(none.propose(&mid), None);
        // Offers that pass are the strategy's own.
        let mut free = Constrained::new(linear(&s), |_| true);
        assert_eq!(free.propose(&mid), Some(5));
    }

    #[test]
    fn constrained_reports_mask_what_fails_the_test() {
        let s = side(0.0);
        let mut c = Constrained::new(linear(&s), |o| o % 2 == 0);
        let u = c.report_utility(&ctx(0, 10), true).unwrap();
        for k in 0..=10u64 {
            let x = u.eval(&s.space().outcome_at(k));
            if k % 2 == 0 {
                assert_eq!(x, s.utility(k));
            } else {
                assert_eq!(x, f64::NEG_INFINITY);
            }
        }
        assert!(c.report_utility(&ctx(1, 10), false).is_none());
        // The plain strategy reports its own function, once.
        let mut plain = linear(&s);
        assert_eq!(*plain.report_utility(&ctx(0, 10), true).unwrap(), s.preferences().utility);
        assert!(plain.report_utility(&ctx(1, 10), false).is_none());
    }

    #[test]
    fn timeline_maps_sessions_onto_the_whole_negotiation() {
        let s = side(0.0);
        let mut t = Timeline::new(linear(&s), 4.0);
        // Session 0, last of 4 steps: a quarter of the way; session 2, step 1 of 4: 2.5 / 4.
        let c = t.map(&ctx(3, 4));
        assert_eq!((c.relative_time, c.step, c.n_steps), (0.25, 3, 16));
        t.set_elapsed(2);
        let c = t.map(&ctx(1, 4));
        assert_eq!((c.relative_time, c.step), (0.625, 9));
        // Past the span the clock stays at 1, and the step count covers the step.
        t.set_elapsed(7);
        let c = t.map(&ctx(3, 4));
        assert_eq!((c.relative_time, c.step, c.n_steps), (1.0, 31, 32));
        // The wrapped strategy decides on that clock: a linear agent at time 0.625 offers 0.4.
        t.set_elapsed(2);
        assert_eq!(t.propose(&ctx(1, 4)), Some(4));
        assert_eq!(t.floor(&ctx(1, 4)), TimeBased::new("l", s.clone(), 1.0, 1.0, TB_EPS).unwrap().band(0.625).0);
        assert!(Timeline::new(linear(&s), f64::NAN).map(&ctx(0, 2)).relative_time == 0.5);
    }

    #[test]
    fn borrowed_and_boxed_negotiators_forward_every_decision() {
        let s = side(0.3);
        let mut owned = linear(&s);
        let mid = Context { relative_time: 0.5, ..ctx(0, 10) };
        {
            let mut lent: Box<dyn Negotiator + '_> = Box::new(&mut owned);
            assert_eq!(lent.propose(&mid), Some(7));
            assert_eq!(lent.floor(&mid), TimeBased::new("l", s.clone(), 1.0, 1.0, TB_EPS).unwrap().band(0.5).0);
            assert!(!lent.vote(&mid, 3, None));
            assert!(lent.ratify(&mid, 3));
            assert!(!lent.observes());
            assert_eq!(lent.name(), "linear");
        }
        assert_eq!(owned.propose(&mid), Some(7));
    }
}
