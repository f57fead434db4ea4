//! Time-based concession (Faratin, Sierra & Jennings 1998) exactly as NegMAS 0.16's
//! deterministic `TimeBasedConcedingNegotiator` family does it (`gb/negotiators/timebased.py`,
//! `gb/components/inverter.py`, `negotiators/helpers.py`; `shared/reference/negmas/STRATEGIES.md`
//! sections 2 and 3):
//!
//! - aspiration `a(t) = max_aspiration * (1 - t^e)` (`PolyAspiration`); Boulware `e = 4`,
//!   Linear `e = 1`, Conceder `e = 0.25`, any other exponent allowed, `e = inf` never concedes;
//! - utility range `[umin, umax]` with `umax` the best utility and `umin` the worst, raised to the
//!   reservation value; the band at time `t` is
//!   `lo = clamp((umax - umin) * a(t) + umin - eps, umin, umax)`, `hi = umax` (same formula);
//! - **accept** an offer iff `lo <= u(offer) <= hi` (the accepting curve is the offering curve);
//! - **offer** the rational outcome of lowest utility at or above `lo` (the presorting
//!   inverter's `worst_in`), falling back to the best outcome when there is none;
//! - `eps = 1e-4` for Boulware/Linear/Conceder (`UtilBasedNegotiator`'s default) and `1e-3` for
//!   `AspirationNegotiator` (its `tolerance`), which otherwise is Boulware.
//!
//! Decisions use undiscounted utilities (GENIUS's convention for its time-dependent agents;
//! NegMAS's per-round discounting of a loaded profile is not reproduced, see STRATEGIES.md §5).

use std::borrow::Cow;
use std::sync::Arc;

use bc_protocol::{OutcomeId, Source};

use crate::error::Error;
use crate::negotiator::{Context, Negotiator, Response};
use crate::side::{Bracket, Side, Table};

/// NegMAS's named exponents of `PolyAspiration`.
pub const BOULWARE: f64 = 4.0;
/// Linear concession.
pub const LINEAR: f64 = 1.0;
/// Conceder.
pub const CONCEDER: f64 = 0.25;
/// `UtilBasedNegotiator`'s default tolerance.
pub const TB_EPS: f64 = 1e-4;
/// `AspirationNegotiator`'s default tolerance.
pub const ASPIRATION_EPS: f64 = 1e-3;

/// A time-based concession curve with NegMAS's arithmetic, usable without a negotiator (a
/// caller can tell in advance what a time-based agent will accept at a given time).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curve {
    /// Concession exponent `e` of `a(t) = max_aspiration * (1 - t^e)`.
    pub exponent: f64,
    /// Aspiration at time 0 (NegMAS: 1.0).
    pub max_aspiration: f64,
    /// Tolerance subtracted from the lower end of the band.
    pub eps: f64,
}

impl Curve {
    /// The aspiration level (on the normalised scale) at relative time `t`.
    pub fn aspiration(&self, t: f64) -> f64 {
        self.max_aspiration * (1.0 - t.powf(self.exponent))
    }

    /// The band `(lo, hi)` of utilities offered and accepted at relative time `t` by a party
    /// whose utilities range over `[umin, umax]`, `umin` already raised to its reservation value
    /// (`UtilityBasedOutcomeSetRecommender.scale_utilities`).
    pub fn band(&self, umin: f64, umax: f64, t: f64) -> (f64, f64) {
        self.band_with(self.aspiration(t), umin, umax)
    }

    /// [`Curve::band`] with the aspiration at `t` already known (`aspiration = self.aspiration(t)`):
    /// the same numbers, for a caller that remembers aspirations.
    pub fn band_with(&self, aspiration: f64, umin: f64, umax: f64) -> (f64, f64) {
        let d = umax - umin;
        let mut lo = d * aspiration + umin;
        let mut hi = d * 1.0 + umin;
        lo -= self.eps;
        hi += self.eps;
        let clamp = |x: f64| umin.max(umax.min(x));
        lo = clamp(lo);
        hi = clamp(hi);
        (lo, hi)
    }
}

/// A time-based conceding negotiator.
#[derive(Debug)]
pub struct TimeBased {
    name: Cow<'static, str>,
    side: Arc<Side>,
    /// The presorted table, fetched on the first offer (voting and accepting need only the
    /// utilities, so an agent that never proposes never sorts anything).
    table: Option<Arc<Table>>,
    curve: Curve,
    umin: f64,
    umax: f64,
    /// The band of the last relative time asked about (respond and propose share a turn).
    last: (f64, f64, f64),
    /// Where the last offer's level fell among the outcomes.
    bracket: Option<Bracket>,
}

impl TimeBased {
    /// A negotiator conceding with exponent `exponent` from `max_aspiration` (NegMAS: 1.0),
    /// with tolerance `eps`. Fails when the party's space cannot be enumerated.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        side: Arc<Side>,
        exponent: f64,
        max_aspiration: f64,
        eps: f64,
    ) -> Result<TimeBased, Error> {
        let name = name.into();
        if exponent.is_nan() || exponent < 0.0 {
            return Err(Error::param(&name, format!("e: expected a number >= 0, found {exponent}")));
        }
        if !max_aspiration.is_finite() {
            return Err(Error::param(&name, format!("max: expected a finite number, found {max_aspiration}")));
        }
        if !eps.is_finite() || eps < 0.0 {
            return Err(Error::param(&name, format!("eps: expected a finite number >= 0, found {eps}")));
        }
        let (mut umin, umax) = side.range()?;
        if umin < side.reserved_value() {
            umin = side.reserved_value();
        }
        let curve = Curve { exponent, max_aspiration, eps };
        Ok(TimeBased { name, side, table: None, curve, umin, umax, last: (f64::NAN, 0.0, 0.0), bracket: None })
    }

    /// The concession curve.
    pub fn curve(&self) -> Curve {
        self.curve
    }

    /// The aspiration level (on the normalised scale) at relative time `t`.
    pub fn aspiration(&self, t: f64) -> f64 {
        self.curve.aspiration(t)
    }

    /// The band `(lo, hi)` of utilities offered and accepted at relative time `t`, with
    /// NegMAS's arithmetic (`UtilityBasedOutcomeSetRecommender.scale_utilities`).
    pub fn band(&self, t: f64) -> (f64, f64) {
        self.curve.band(self.umin, self.umax, t)
    }
}

impl TimeBased {
    /// [`TimeBased::band`], remembered for the last time asked.
    fn band_at(&mut self, t: f64) -> (f64, f64) {
        if self.last.0 != t {
            let (lo, hi) = self.band(t);
            self.last = (t, lo, hi);
        }
        (self.last.1, self.last.2)
    }
}

impl Negotiator for TimeBased {
    fn name(&self) -> &str {
        &self.name
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        let (lo, hi) = self.band_at(ctx.relative_time);
        if self.table.is_none() {
            // Cannot fail: `new` checked that the table can be built.
            self.table = Some(self.side.table().ok()?.clone());
        }
        let table = self.table.as_ref()?;
        if !self.bracket.is_some_and(|b| b.holds(lo)) {
            self.bracket = table.bracket(lo);
        }
        let chosen = self.bracket.as_ref().and_then(|b| table.choose(b, lo, hi));
        Some(chosen.unwrap_or_else(|| table.best()))
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        let (lo, hi) = self.band_at(ctx.relative_time);
        let u = self.side.utility(offer);
        if lo <= u && u <= hi {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn observes(&self) -> bool {
        false
    }

    fn floor(&mut self, ctx: &Context) -> f64 {
        self.band_at(ctx.relative_time).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_model::{Discount, Issue, LinearAdditive, OutcomeSpace, Preferences, UtilityFunction, ValueFunction};

    fn side(table: Vec<f64>, r: f64) -> Arc<Side> {
        let space =
            OutcomeSpace::new("s", vec![Issue::categorical("x", (0..table.len()).map(|v| v.to_string()).collect()).unwrap()]).unwrap();
        let f = LinearAdditive::new(&space, 0.0, vec![1.0], vec![ValueFunction::Table(table)]).unwrap();
        let prefs =
            Preferences { name: "p".into(), utility: UtilityFunction::LinearAdditive(f), reserved_value: r, discount: Discount::None };
        Arc::new(Side::new(Arc::new(space), prefs).unwrap())
    }

    #[test]
    fn boulware_opens_at_the_top_and_concedes_late() {
        let s = side((0..=10).map(|v| v as f64 / 10.0).collect(), 0.0);
        let mut b = TimeBased::new("boulware", s, BOULWARE, 1.0, TB_EPS).unwrap();
        let ctx = |step| Context { me: 0, n_parties: 2, step, n_steps: 100, relative_time: (step + 1) as f64 / 101.0 };
        assert_eq!(b.propose(&ctx(0)), Some(10));
        // a(100/101) = 1 - (100/101)^4 = 0.0388: the lowest utility at or above 0.0387 is 0.1.
        assert_eq!(b.propose(&ctx(99)), Some(1));
        assert_eq!(b.respond(&ctx(0), 9, Source::Party(1)), Response::Reject);
        assert_eq!(b.respond(&ctx(99), 1, Source::Party(1)), Response::Accept);
    }

    #[test]
    fn reservation_raises_the_floor() {
        let s = side((0..=10).map(|v| v as f64 / 10.0).collect(), 0.55);
        let mut c = TimeBased::new("conceder", s, CONCEDER, 1.0, TB_EPS).unwrap();
        let late = Context { me: 0, n_parties: 2, step: 99, n_steps: 100, relative_time: 100.0 / 101.0 };
        assert_eq!(c.propose(&late), Some(6));
        assert_eq!(c.respond(&late, 5, Source::Party(1)), Response::Reject);
        let f = c.floor(&late);
        assert!(f > 0.55 && f < 0.552, "{f}");
    }

    #[test]
    fn rejects_bad_parameters() {
        let s = side(vec![0.0, 1.0], 0.0);
        assert!(TimeBased::new("tb", s.clone(), f64::NAN, 1.0, 1e-4).is_err());
        assert!(TimeBased::new("tb", s.clone(), -1.0, 1.0, 1e-4).is_err());
        assert!(TimeBased::new("tb", s, f64::INFINITY, 1.0, 1e-4).is_ok());
    }
}
