//! Mediator strategies, one trait per mediated protocol.
//!
//! - **Single text** ([`SingleTextMediator`]): `random` (NegMAS `VetoSTMechanism`: a uniformly
//!   random draft every round), `hill-climbing` (NegMAS `HillClimbingSTMechanism`: the one-issue
//!   neighbours of the current text in random order, without replacement, re-seeded when a draft
//!   is adopted; concludes at a local optimum), `flip` (Klein et al. 2003 and GENIUS's
//!   `RandomFlippingMediator`: random drafts until one is adopted, then the current text with one
//!   random issue changed), `annealing` (Klein, Faratin & Bar-Yam 2002: flip drafts, and a
//!   draft some party rejected is still adopted with probability `exp(-rejections / T)`,
//!   `T = t0 * (1 - t)`), `genius-flip` (GENIUS's `RandomFlippingMediator` draw for draw: its
//!   `java.util.Random` seeded with `seed`, default 0, which makes it GENIUS's
//!   `FixedOrderFlippingMediator`; a first text drawn issue by issue, then a random issue and a
//!   random value drawn again until the value differs from the current text's).
//! - **Relay** ([`RelayMediator`]): `pass` (everything, unchanged: the protocol is then SAO),
//!   `discipline` (message discipline: an offer is passed only if no recipient finds it worse than
//!   the sender's previous passed offer, otherwise held), `bridge` (when every party has made an
//!   offer, reframe to the package maximising the Nash product over the outcomes every party
//!   weakly prefers to the best offer it has from the others, if that improves on the offer).
//! - **Confidential** ([`ConfidentialMediator`]): `nash` (the package maximising
//!   `prod (u_i - d_i)` over the zone `{x : u_i(x) >= floor_i}` with `d_i = max(floor_i, min u_i)`),
//!   `welfare` (maximising `sum u_i`) and `egalitarian` (maximising `min (u_i - d_i)`); all on the
//!   reported utilities. The optimum of each lies on the Pareto frontier, which is computed once
//!   per set of additive reported utilities (`bc_model::analyze`); ties go to the first point in
//!   frontier order (welfare descending, then outcome index). Other reports (tables, utilities
//!   with outcomes struck out at `-inf`) are scanned outcome by outcome with the same choice
//!   and tie rule (analysis would enumerate them anyway); outcomes some report values at a
//!   non-finite utility are never proposed.
//!
//! Mediators that judge offers (`discipline`, `bridge`) are given the parties' preferences as
//! their beliefs; by default the true ones.

use std::sync::Arc;

use bc_model::{analyze, Discount, Options, OutcomeSpace, Preferences};
use bc_protocol::{Adoption, OutcomeId, Reported};
use rand::Rng;

use crate::error::Error;
use crate::genius::JavaRandom;
use crate::side::Side;

/// When a mediator decides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MediatorContext {
    /// Number of parties.
    pub n_parties: usize,
    /// The round (0-based).
    pub step: u64,
    /// The round limit.
    pub n_steps: u64,
    /// NegMAS's relative time of the round.
    pub relative_time: f64,
}

/// A single-text mediator.
pub trait SingleTextMediator: Send {
    /// Its name.
    fn name(&self) -> &str;
    /// Who decides adoption under this mediator.
    fn adoption(&self) -> Adoption {
        Adoption::Unanimous
    }
    /// The next draft, or `None` to conclude.
    fn draft(&mut self, ctx: &MediatorContext, current: Option<OutcomeId>) -> Option<OutcomeId>;
    /// With [`Adoption::Mediator`]: adopt the draft given the votes?
    fn decide(&mut self, _ctx: &MediatorContext, _draft: OutcomeId, votes: &[bool]) -> bool {
        votes.iter().all(|v| *v)
    }
    /// The outcome of the round of `draft`: adopted or not.
    fn on_result(&mut self, _draft: OutcomeId, _adopted: bool) {}
}

/// What a relay mediator does with an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayDecision {
    /// Deliver it unchanged.
    Pass,
    /// Keep it.
    Hold,
    /// Deliver this text instead, as the mediator's own.
    Reframe(OutcomeId),
}

/// A relay mediator.
pub trait RelayMediator: Send {
    /// Its name.
    fn name(&self) -> &str;
    /// What to do with `from`'s offer.
    fn relay(&mut self, ctx: &MediatorContext, from: usize, offer: OutcomeId) -> RelayDecision;
}

/// A confidential mediator.
pub trait ConfidentialMediator: Send {
    /// Its name.
    fn name(&self) -> &str;
    /// A package inside the reported zone, or `None` when there is no zone.
    fn mediate(&mut self, ctx: &MediatorContext, reports: &[Reported]) -> Option<OutcomeId>;
}

/// Single text: a uniformly random draft each round.
#[derive(Debug)]
pub struct RandomText {
    n_outcomes: u64,
    rng: rand_chacha::ChaCha8Rng,
}

impl RandomText {
    /// Random drafts over `n_outcomes` outcomes.
    pub fn new(n_outcomes: u64, rng: rand_chacha::ChaCha8Rng) -> RandomText {
        RandomText { n_outcomes, rng }
    }
}

impl SingleTextMediator for RandomText {
    fn name(&self) -> &str {
        "random"
    }

    fn draft(&mut self, _ctx: &MediatorContext, _current: Option<OutcomeId>) -> Option<OutcomeId> {
        Some(self.rng.gen_range(0..self.n_outcomes))
    }
}

/// Every outcome that differs from `o` on exactly one issue, issue by issue, value by value.
pub fn neighbours(space: &OutcomeSpace, o: OutcomeId) -> Vec<OutcomeId> {
    let radices: Vec<u64> = space.radices().iter().map(|r| r.unwrap_or(1)).collect();
    let mut out = Vec::new();
    let mut stride = 1u64;
    let mut strides = vec![0u64; radices.len()];
    for i in (0..radices.len()).rev() {
        strides[i] = stride;
        stride = stride.saturating_mul(radices[i]);
    }
    for (i, r) in radices.iter().enumerate() {
        let digit = (o / strides[i]) % r;
        let base = o - digit * strides[i];
        for v in 0..*r {
            if v != digit {
                out.push(base + v * strides[i]);
            }
        }
    }
    out
}

/// `o` with one random issue (among those with two or more values) set to another random value.
pub fn flip<R: Rng + ?Sized>(space: &OutcomeSpace, o: OutcomeId, rng: &mut R) -> OutcomeId {
    let radices: Vec<u64> = space.radices().iter().map(|r| r.unwrap_or(1)).collect();
    let movable: Vec<usize> = (0..radices.len()).filter(|i| radices[*i] > 1).collect();
    if movable.is_empty() {
        return o;
    }
    let i = movable[rng.gen_range(0..movable.len())];
    let stride: u64 = radices[i + 1..].iter().product();
    let digit = (o / stride) % radices[i];
    let mut v = rng.gen_range(0..radices[i] - 1);
    if v >= digit {
        v += 1;
    }
    o - digit * stride + v * stride
}

/// Single text: NegMAS's hill-climbing mediator.
#[derive(Debug)]
pub struct HillClimbingText {
    space: Arc<OutcomeSpace>,
    pending: Vec<OutcomeId>,
    seeded_for: Option<OutcomeId>,
    rng: rand_chacha::ChaCha8Rng,
}

impl HillClimbingText {
    /// A hill-climbing mediator over `space`.
    pub fn new(space: Arc<OutcomeSpace>, rng: rand_chacha::ChaCha8Rng) -> HillClimbingText {
        HillClimbingText { space, pending: Vec::new(), seeded_for: None, rng }
    }
}

impl SingleTextMediator for HillClimbingText {
    fn name(&self) -> &str {
        "hill-climbing"
    }

    fn draft(&mut self, _ctx: &MediatorContext, current: Option<OutcomeId>) -> Option<OutcomeId> {
        let Some(c) = current else {
            let n = self.space.cardinality().unwrap_or(1) as u64;
            return Some(self.rng.gen_range(0..n.max(1)));
        };
        if self.seeded_for != Some(c) {
            self.pending = neighbours(&self.space, c);
            self.seeded_for = Some(c);
        }
        if self.pending.is_empty() {
            return None;
        }
        let k = self.rng.gen_range(0..self.pending.len());
        Some(self.pending.swap_remove(k))
    }
}

/// Single text: Klein's flipping mediator, optionally annealing.
#[derive(Debug)]
pub struct FlipText {
    space: Arc<OutcomeSpace>,
    /// Initial temperature of the annealing mediator; `None` for the plain flipping mediator.
    t0: Option<f64>,
    rng: rand_chacha::ChaCha8Rng,
}

impl FlipText {
    /// Klein's mediator; `t0 = Some(T0)` makes it anneal.
    pub fn new(space: Arc<OutcomeSpace>, t0: Option<f64>, rng: rand_chacha::ChaCha8Rng) -> Result<FlipText, Error> {
        if let Some(t) = t0 {
            if !(t > 0.0 && t.is_finite()) {
                return Err(Error::param("annealing", format!("t0: expected a number > 0, found {t}")));
            }
        }
        Ok(FlipText { space, t0, rng })
    }
}

impl SingleTextMediator for FlipText {
    fn name(&self) -> &str {
        if self.t0.is_some() {
            "annealing"
        } else {
            "flip"
        }
    }

    fn adoption(&self) -> Adoption {
        if self.t0.is_some() {
            Adoption::Mediator
        } else {
            Adoption::Unanimous
        }
    }

    fn draft(&mut self, _ctx: &MediatorContext, current: Option<OutcomeId>) -> Option<OutcomeId> {
        Some(match current {
            None => {
                let n = self.space.cardinality().unwrap_or(1) as u64;
                self.rng.gen_range(0..n.max(1))
            }
            Some(c) => flip(&self.space, c, &mut self.rng),
        })
    }

    fn decide(&mut self, ctx: &MediatorContext, _draft: OutcomeId, votes: &[bool]) -> bool {
        let rejections = votes.iter().filter(|v| !**v).count();
        if rejections == 0 {
            return true;
        }
        let Some(t0) = self.t0 else { return false };
        let temperature = t0 * (1.0 - ctx.relative_time);
        temperature > 0.0 && self.rng.gen::<f64>() < (-(rejections as f64) / temperature).exp()
    }
}

/// Single text: GENIUS's `RandomFlippingMediator` (`parties.simplemediator`), with its
/// `java.util.Random` seeded by the caller (GENIUS's `FixedOrderFlippingMediator` is seed 0).
///
/// Until a draft is adopted it drafts a random text, one `nextInt(#values)` per issue in domain
/// order; afterwards it copies the current text and draws `nextInt(#issues)` for an issue and
/// `nextInt(#values)` for a value, again and again until the value differs from the current
/// one. Issue and value order are the domain file's, as in GENIUS, so the drafts are GENIUS's.
#[derive(Debug)]
pub struct GeniusFlip {
    radices: Vec<u64>,
    strides: Vec<u64>,
    rng: JavaRandom,
}

impl GeniusFlip {
    /// The mediator over the discrete `space`, drawing from `new Random(seed)`.
    pub fn new(space: &OutcomeSpace, seed: i64) -> Result<GeniusFlip, Error> {
        let mut radices = Vec::with_capacity(space.issues().len());
        for (issue, r) in space.issues().iter().zip(space.radices()) {
            match r {
                Some(r) if *r >= 1 && *r <= i32::MAX as u64 => radices.push(*r),
                _ => {
                    return Err(Error::param(
                        "genius-flip",
                        format!(
                            "issue {:?}: expected a discrete issue with at most {} values (GENIUS draws values with nextInt)",
                            issue.name(),
                            i32::MAX
                        ),
                    ))
                }
            }
        }
        if radices.is_empty() || radices.len() > i32::MAX as usize {
            return Err(Error::param("genius-flip", format!("expected 1 to {} issues, found {}", i32::MAX, radices.len())));
        }
        let mut strides = vec![1u64; radices.len()];
        for i in (0..radices.len() - 1).rev() {
            strides[i] = strides[i + 1].saturating_mul(radices[i + 1]);
        }
        Ok(GeniusFlip { radices, strides, rng: JavaRandom::new(seed) })
    }

    fn draw(&mut self, bound: u64) -> u64 {
        // Bounds were checked to fit an i32 and be >= 1, so the draw is in 0..bound.
        self.rng.next_int_bounded(bound as i32) as u64
    }
}

impl SingleTextMediator for GeniusFlip {
    fn name(&self) -> &str {
        "genius-flip"
    }

    fn draft(&mut self, _ctx: &MediatorContext, current: Option<OutcomeId>) -> Option<OutcomeId> {
        let Some(c) = current else {
            // AbstractNegotiationParty.generateRandomBid: one value per issue, in domain order.
            let mut o = 0u64;
            for i in 0..self.radices.len() {
                let v = self.draw(self.radices[i]);
                o += v * self.strides[i];
            }
            return Some(o);
        };
        // GENIUS would loop forever when no issue has a second value; there is no other text.
        if self.radices.iter().all(|r| *r < 2) {
            return None;
        }
        let n_issues = self.radices.len() as u64;
        loop {
            let i = self.draw(n_issues) as usize;
            let v = self.draw(self.radices[i]);
            let digit = (c / self.strides[i]) % self.radices[i];
            if v != digit {
                return Some(c - digit * self.strides[i] + v * self.strides[i]);
            }
        }
    }
}

/// Relay: pass everything.
#[derive(Debug, Default)]
pub struct PassThrough;

impl RelayMediator for PassThrough {
    fn name(&self) -> &str {
        "pass"
    }

    fn relay(&mut self, _ctx: &MediatorContext, _from: usize, _offer: OutcomeId) -> RelayDecision {
        RelayDecision::Pass
    }
}

/// Relay: message discipline (hold any offer a recipient finds worse than the sender's last one).
#[derive(Debug)]
pub struct Discipline {
    parties: Vec<Arc<Side>>,
    last_passed: Vec<Option<OutcomeId>>,
}

impl Discipline {
    /// A disciplined relay, judging offers with the parties' preferences `parties`.
    pub fn new(parties: Vec<Arc<Side>>) -> Discipline {
        let n = parties.len();
        Discipline { parties, last_passed: vec![None; n] }
    }
}

impl RelayMediator for Discipline {
    fn name(&self) -> &str {
        "discipline"
    }

    fn relay(&mut self, _ctx: &MediatorContext, from: usize, offer: OutcomeId) -> RelayDecision {
        if let Some(prev) = self.last_passed.get(from).copied().flatten() {
            let worse = self.parties.iter().enumerate().any(|(j, s)| j != from && s.utility(offer) < s.utility(prev));
            if worse {
                return RelayDecision::Hold;
            }
        }
        if let Some(slot) = self.last_passed.get_mut(from) {
            *slot = Some(offer);
        }
        RelayDecision::Pass
    }
}

/// The Pareto frontier of some utility functions: `(outcome, utilities)` by welfare descending,
/// then outcome index; and each party's lowest utility over the space.
struct Frontier {
    points: Vec<(OutcomeId, Vec<f64>)>,
    mins: Vec<f64>,
}

fn frontier(space: &OutcomeSpace, prefs: &[Preferences]) -> Result<Frontier, Error> {
    let refs: Vec<&Preferences> = prefs.iter().collect();
    let a = analyze(space, &refs, Options::default())?;
    let points = a.pareto.into_iter().filter_map(|p| p.index.map(|i| (i, p.utils))).collect();
    Ok(Frontier { points, mins: a.ranges.iter().map(|r| r.0).collect() })
}

fn open_preferences(u: &bc_model::UtilityFunction) -> Preferences {
    Preferences { name: String::new(), utility: u.clone(), reserved_value: f64::NEG_INFINITY, discount: Discount::None }
}

/// Relay: bridging proposals that every party prefers to what it has been offered.
pub struct Bridge {
    parties: Vec<Arc<Side>>,
    frontier: Frontier,
    latest: Vec<Option<OutcomeId>>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge").field("frontier", &self.frontier.points.len()).finish()
    }
}

impl Bridge {
    /// A bridging relay with beliefs `parties` about the parties' preferences.
    pub fn new(parties: Vec<Arc<Side>>) -> Result<Bridge, Error> {
        let space = parties.first().map(|s| s.space().clone()).ok_or_else(|| Error::param("bridge", "no parties"))?;
        let prefs: Vec<Preferences> = parties.iter().map(|s| open_preferences(&s.preferences().utility)).collect();
        let frontier = frontier(&space, &prefs)?;
        let n = parties.len();
        Ok(Bridge { parties, frontier, latest: vec![None; n] })
    }
}

impl RelayMediator for Bridge {
    fn name(&self) -> &str {
        "bridge"
    }

    fn relay(&mut self, _ctx: &MediatorContext, from: usize, offer: OutcomeId) -> RelayDecision {
        if let Some(slot) = self.latest.get_mut(from) {
            *slot = Some(offer);
        }
        if self.latest.iter().any(Option::is_none) {
            return RelayDecision::Pass;
        }
        // Each party's best standing offer from the others.
        let n = self.parties.len();
        let base: Vec<f64> = (0..n)
            .map(|j| {
                (0..n)
                    .filter(|k| *k != j)
                    .filter_map(|k| self.latest[k])
                    .map(|o| self.parties[j].utility(o))
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .collect();
        let mut best: Option<(OutcomeId, f64)> = None;
        for (o, u) in &self.frontier.points {
            if u.iter().zip(&base).all(|(x, b)| x > b) {
                let product: f64 = u.iter().zip(&base).map(|(x, b)| x - b).product();
                if best.is_none() || best.is_some_and(|(_, p)| product > p) {
                    best = Some((*o, product));
                }
            }
        }
        match best {
            Some((o, _)) if o != offer => RelayDecision::Reframe(o),
            _ => RelayDecision::Pass,
        }
    }
}

/// What a confidential mediator maximises over the zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// `prod (u_i - d_i)`.
    Nash,
    /// `sum u_i`.
    Welfare,
    /// `min (u_i - d_i)`.
    Egalitarian,
}

/// Confidential mediation: the best package of the zone by an objective.
pub struct ZoneMediator {
    space: Arc<OutcomeSpace>,
    objective: Objective,
    /// What the reports it was computed from give: the frontier, or every outcome's utilities.
    cache: Option<(Vec<Arc<bc_model::UtilityFunction>>, Candidates)>,
    /// Scratch: the reported floors, the disagreement points, one outcome's utilities.
    floors: Vec<f64>,
    d: Vec<f64>,
    u: Vec<f64>,
}

/// The outcomes a confidential mediator chooses among.
enum Candidates {
    /// Additive reports: the Pareto frontier (the optimum of every objective lies on it).
    Frontier(Frontier),
    /// Other reports (a table, hyper-rectangles, a utility with outcomes struck out): every
    /// outcome's utility for each party, each party's lowest utility, and the outcomes whose
    /// utilities are all finite (the only ones that can be proposed).
    All(Vec<Arc<[f64]>>, Vec<f64>, Vec<u32>),
}

impl std::fmt::Debug for ZoneMediator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneMediator").field("objective", &self.objective).finish()
    }
}

impl ZoneMediator {
    /// A confidential mediator over `space` maximising `objective`.
    pub fn new(space: Arc<OutcomeSpace>, objective: Objective) -> ZoneMediator {
        ZoneMediator { space, objective, cache: None, floors: Vec::new(), d: Vec::new(), u: Vec::new() }
    }

    fn value(&self, u: &[f64], d: &[f64]) -> f64 {
        match self.objective {
            Objective::Nash => u.iter().zip(d).map(|(x, di)| x - di).product(),
            Objective::Welfare => u.iter().sum(),
            Objective::Egalitarian => u.iter().zip(d).map(|(x, di)| x - di).fold(f64::INFINITY, f64::min),
        }
    }
}

impl ConfidentialMediator for ZoneMediator {
    fn name(&self) -> &str {
        match self.objective {
            Objective::Nash => "nash",
            Objective::Welfare => "welfare",
            Objective::Egalitarian => "egalitarian",
        }
    }

    fn mediate(&mut self, _ctx: &MediatorContext, reports: &[Reported]) -> Option<OutcomeId> {
        let same = |k: &[Arc<bc_model::UtilityFunction>]| {
            k.len() == reports.len() && k.iter().zip(reports).all(|(a, r)| Arc::ptr_eq(a, &r.utility))
        };
        if !self.cache.as_ref().is_some_and(|(k, _)| same(k)) {
            let additive = reports.iter().all(|r| r.utility.as_additive().is_some()) && self.space.is_discrete();
            let candidates = if additive {
                let prefs: Vec<Preferences> = reports.iter().map(|r| open_preferences(&r.utility)).collect();
                Candidates::Frontier(frontier(&self.space, &prefs).ok()?)
            } else {
                // Analysis would enumerate the space anyway: scan it directly.
                let limit = Options::default().enumeration_limit;
                let n = self.space.check_enumerable(limit).ok()?;
                let all: Vec<Arc<[f64]>> = reports
                    .iter()
                    .map(|r| match &*r.utility {
                        bc_model::UtilityFunction::Table(t) if t.values().len() as u64 == n => Ok(Arc::clone(t.shared_values())),
                        u => u.eval_all(&self.space, limit).map(Arc::from),
                    })
                    .collect::<Result<_, _>>()
                    .ok()?;
                let mins = all.iter().map(|u| u.iter().fold(f64::INFINITY, |a, x| a.min(*x))).collect();
                let finite = (0..n as usize).filter(|k| all.iter().all(|u| u[*k].is_finite())).map(|k| k as u32).collect();
                Candidates::All(all, mins, finite)
            };
            self.cache = Some((reports.iter().map(|r| r.utility.clone()).collect(), candidates));
        }
        let (_, candidates) = self.cache.as_ref()?;
        let mut floors = std::mem::take(&mut self.floors);
        floors.clear();
        floors.extend(reports.iter().map(|r| r.floor));
        let mut d = std::mem::take(&mut self.d);
        d.clear();
        let mut u = std::mem::take(&mut self.u);
        let chosen = match candidates {
            Candidates::Frontier(f) => {
                d.extend(floors.iter().zip(&f.mins).map(|(fl, m)| fl.max(*m)));
                let mut best: Option<(OutcomeId, f64)> = None;
                for (o, u) in &f.points {
                    if !u.iter().zip(&floors).all(|(x, fl)| x >= fl) {
                        continue;
                    }
                    let value = self.value(u, &d);
                    if best.is_none() || best.is_some_and(|(_, b)| value > b) {
                        best = Some((*o, value));
                    }
                }
                best.map(|(o, _)| o)
            }
            Candidates::All(all, mins, finite) => {
                // The frontier's choice without building it: the highest objective, ties to the
                // higher welfare, then the lower index (a dominated outcome never wins: the
                // objectives are monotone and its dominator has more welfare).
                d.extend(floors.iter().zip(mins).map(|(fl, m)| fl.max(*m)));
                u.clear();
                u.resize(all.len(), 0.0);
                let mut best: Option<(usize, f64, f64)> = None;
                for &k in finite {
                    let k = k as usize;
                    if !all.iter().zip(&floors).all(|(row, fl)| row[k] >= *fl) {
                        continue;
                    }
                    for (x, row) in u.iter_mut().zip(all) {
                        *x = row[k];
                    }
                    let value = self.value(&u, &d);
                    let welfare = u.iter().fold(0.0, |a, x| a + x);
                    let better = match best {
                        None => !value.is_nan(),
                        Some((_, b, w)) => value > b || (value == b && welfare > w),
                    };
                    if better {
                        best = Some((k, value, welfare));
                    }
                }
                best.map(|(k, _, _)| k as OutcomeId)
            }
        };
        self.floors = floors;
        self.d = d;
        self.u = u;
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_model::Issue;
    use rand::SeedableRng;

    fn space(radices: &[usize]) -> OutcomeSpace {
        OutcomeSpace::new(
            "s",
            radices
                .iter()
                .enumerate()
                .map(|(k, n)| Issue::categorical(format!("i{k}"), (0..*n).map(|v| v.to_string()).collect()).unwrap())
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn zone_choice_is_the_same_from_tables_as_from_the_frontier() {
        use bc_model::{LinearAdditive, TableUtility, UtilityFunction, ValueFunction};
        use bc_protocol::Reported;
        use rand::Rng;
        let s = Arc::new(space(&[4, 3, 5]));
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for trial in 0..20 {
            let reports: Vec<(Arc<UtilityFunction>, Arc<UtilityFunction>)> = (0..2)
                .map(|_| {
                    let fs = [4, 3, 5].iter().map(|n| ValueFunction::Table((0..*n).map(|_| rng.gen::<f64>()).collect())).collect();
                    let f = LinearAdditive::new(&s, 0.0, vec![0.5, 0.2, 0.3], fs).unwrap();
                    let u = UtilityFunction::LinearAdditive(f);
                    let t = UtilityFunction::Table(TableUtility::new(&s, u.eval_all(&s, 1000).unwrap()).unwrap());
                    (Arc::new(u), Arc::new(t))
                })
                .collect();
            for objective in [Objective::Nash, Objective::Welfare, Objective::Egalitarian] {
                let ctx = MediatorContext { n_parties: 2, step: 0, n_steps: 1, relative_time: 0.5 };
                let mut by_frontier = ZoneMediator::new(s.clone(), objective);
                let mut by_table = ZoneMediator::new(s.clone(), objective);
                for floors in [[0.0, 0.0], [0.4, 0.5], [0.6, 0.6], [f64::NEG_INFINITY, 0.7], [0.95, 0.95]] {
                    let a: Vec<Reported> =
                        reports.iter().zip(floors).map(|((u, _), f)| Reported { utility: u.clone(), floor: f }).collect();
                    let b: Vec<Reported> =
                        reports.iter().zip(floors).map(|((_, t), f)| Reported { utility: t.clone(), floor: f }).collect();
                    assert_eq!(by_frontier.mediate(&ctx, &a), by_table.mediate(&ctx, &b), "trial {trial} {objective:?} {floors:?}");
                }
            }
        }
    }

    #[test]
    fn neighbours_differ_on_one_issue() {
        let s = space(&[2, 3, 2]);
        let o = s.index_of(&s.outcome_at(7)).unwrap();
        let ns = neighbours(&s, o);
        assert_eq!(ns.len(), 1 + 2 + 1);
        let d0 = s.outcome_at(o);
        for n in ns {
            let d = s.outcome_at(n);
            assert_eq!(d.iter().zip(&d0).filter(|(a, b)| a != b).count(), 1);
        }
    }

    #[test]
    fn flips_change_exactly_one_issue() {
        let s = space(&[1, 4, 3]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for o in 0..12u64 {
            let f = flip(&s, o, &mut rng);
            let (a, b) = (s.outcome_at(o), s.outcome_at(f));
            assert_eq!(a.iter().zip(&b).filter(|(x, y)| x != y).count(), 1);
            assert_eq!(a[0], b[0]);
        }
    }
}
