//! ANAC winners whose published implementations are precise enough to port: the GENIUS 10.4
//! sources of **AgentK** (ANAC 2010, Kawaguchi, Fujita & Ito; `agents/anac/y2010/AgentK/Agent_K.java`),
//! **HardHeaded** (ANAC 2011, van Krimpen, Looije & Hajizadeh; `agents/anac/y2011/HardHeaded/`)
//! and **PonPokoAgent** (ANAC 2017, Aydoğan et al.'s competition winner;
//! `agents/anac/y2017/ponpokoagent/PonPokoAgent.java`), read in the GENIUS copy vendored in
//! `yasserfarouk/negmas` (`external/genius10.4`).
//!
//! Each port makes the Java's decisions with the Java's arithmetic, and its sessions against a
//! deterministic opponent reproduce GENIUS's offer for offer
//! (`crates/strategy/tests/genius_anac.rs`, traces in `tests/data/genius-java/anac_traces.json`):
//! - utilities are the party's own (GENIUS's `getUtility`, undiscounted) when they lie in
//!   `[0, 1]`, as in every GENIUS profile; a profile outside `[0, 1]` is normalised to it
//!   ([`crate::side::unit_scale`]), the scale these agents were written for;
//! - with `java_seed=S` a port draws from `java.util.Random` exactly as the Java does, from the
//!   generators the Java creates with `new Random()` seeded `S + 100`, `S + 200`, … (AgentK:
//!   four, HardHeaded: two; `S = 0` is the Java's own `TEST_EQUIVALENCE` setting), PonPoko's
//!   `new Random(seed)` seeded `S` and its class-wide `AgentTool.random` seeded `S + 1`; random
//!   bids are drawn per issue as the Java draws them. Without it the draws come from the
//!   negotiation's ChaCha8 generator and random bids are uniform over the space;
//! - Java `HashMap`/`HashSet` iterations over bids (AgentK's offered bids, PonPoko's bid set) go
//!   in Java's order, which depends only on GENIUS's `Bid.hashCode` (a sum of the values' string
//!   hashes; [`crate::genius::JavaHashOrder`]); HardHeaded's `TreeMap` of every bid keyed by
//!   utility plus a nudge is GENIUS's own list ([`crate::side::Ranking`]);
//! - time is the protocol's relative time, which for SAO equals GENIUS's round-based time
//!   (`DiscreteTimeline`: round `r` of `N`, from 1, is at `r / (N + 1)`);
//! - where the Java throws (an exception caught inside the agent that leaves no action, which
//!   GENIUS reports as a failed session), the port carries on with a sensible move: AgentK's
//!   search on an integer issue with one value, HardHeaded below its worst bid.
//!
//! Long file: three ports of Java agents, each kept whole and in the Java's order so it can be read
//! against its source.

use std::collections::VecDeque;
use std::sync::Arc;

use bc_model::{Discount, IssueKind, OutcomeSpace};
use bc_protocol::{OutcomeId, Source};
use rand::Rng;

use crate::error::Error;
use crate::genius::{java_string_hash, JavaHashOrder, JavaRandom, JavaTreeMap};
use crate::negotiator::{Context, Negotiator, Response};
use crate::side::{unit_scale, Ranking, Side};

/// Maps a party's utilities to `[0, 1]` ([`unit_scale`]).
#[derive(Clone, Copy, Debug)]
struct Scale {
    min: f64,
    span: f64,
}

impl Scale {
    fn of(side: &Side) -> Result<Scale, Error> {
        let t = side.table()?;
        let (min, span) = unit_scale(t.min(), t.max());
        Ok(Scale { min, span })
    }

    fn norm(&self, u: f64) -> f64 {
        (u - self.min) / self.span
    }
}

/// Where a port's random draws come from: the negotiation's ChaCha8 generator, or the Java
/// agent's own `java.util.Random` generators (one per `Random` field, by position).
#[derive(Debug)]
enum Draws {
    ChaCha(Box<rand_chacha::ChaCha8Rng>),
    Java(Vec<JavaRandom>),
}

impl Draws {
    fn java(seeds: &[i64]) -> Draws {
        Draws::Java(seeds.iter().map(|s| JavaRandom::new(*s)).collect())
    }

    /// `nextDouble()` of generator `stream`.
    fn double(&mut self, stream: usize) -> f64 {
        match self {
            Draws::ChaCha(r) => r.gen::<f64>(),
            Draws::Java(v) => v.get_mut(stream).map_or(0.0, JavaRandom::next_double),
        }
    }

    /// `nextInt(bound)` of generator `stream` (0 when `bound` is 0).
    fn int(&mut self, stream: usize, bound: usize) -> usize {
        match self {
            Draws::ChaCha(r) => r.gen_range(0..bound.max(1)),
            Draws::Java(v) => v.get_mut(stream).map_or(0, |r| r.next_int_bounded(bound.min(i32::MAX as usize) as i32) as usize),
        }
    }
}

/// Issue-by-issue views of a discrete space: radices, strides (last issue fastest) and GENIUS's
/// hash code of each value, for building outcomes from per-issue draws and hashing bids.
#[derive(Debug)]
struct Digits {
    radices: Vec<u64>,
    strides: Vec<u64>,
    integer: Vec<bool>,
    value_hashes: Vec<Vec<i32>>,
}

impl Digits {
    fn of(space: &OutcomeSpace) -> Digits {
        let radices: Vec<u64> = space.radices().iter().map(|r| r.unwrap_or(1).max(1)).collect();
        let mut strides = vec![1u64; radices.len()];
        for i in (0..radices.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1].saturating_mul(radices[i + 1]);
        }
        let integer = space.issues().iter().map(|i| matches!(i.kind(), IssueKind::Integer { .. })).collect();
        let value_hashes = space
            .issues()
            .iter()
            .zip(&radices)
            .map(|(issue, r)| match issue.kind() {
                IssueKind::Categorical(names) => names.iter().map(|n| java_string_hash(n)).collect(),
                IssueKind::Integer { .. } => vec![0; *r as usize],
                _ => (0..*r)
                    .map(|k| {
                        let bits = issue.numeric(bc_model::Value::Index(k as u32)).unwrap_or(0.0).to_bits();
                        (bits ^ (bits >> 32)) as u32 as i32
                    })
                    .collect(),
            })
            .collect();
        Digits { radices, strides, integer, value_hashes }
    }

    /// GENIUS's `Bid.hashCode()` of outcome `o` (see [`crate::genius::java_bid_hash`]).
    fn hash(&self, o: OutcomeId) -> i32 {
        let mut h = 0i32;
        for ((r, s), vh) in self.radices.iter().zip(&self.strides).zip(&self.value_hashes) {
            let d = ((o / s) % r) as usize;
            h = h.wrapping_add(vh.get(d).copied().unwrap_or(0));
        }
        h
    }

    /// GENIUS's `Domain.getRandomBid(r)`: per issue, value `(int) (r.nextDouble() * n)`.
    fn random_bid(&self, r: &mut Draws, stream: usize) -> OutcomeId {
        let mut o = 0;
        for (radix, stride) in self.radices.iter().zip(&self.strides) {
            let k = ((r.double(stream) * *radix as f64) as u64).min(radix - 1);
            o += k * stride;
        }
        o
    }
}

/// A random outcome: uniform from ChaCha8, or GENIUS's `Domain.getRandomBid` from a Java stream.
fn random_outcome(side: &Side, digits: &Digits, draws: &mut Draws, stream: usize) -> OutcomeId {
    match draws {
        Draws::ChaCha(r) => side.random_outcome(r.as_mut()),
        Draws::Java(_) => digits.random_bid(draws, stream),
    }
}

/// AgentK's Java generators, by position.
const K_ACCEPT: usize = 0; // random100: acceptance
const K_PICK: usize = 1; // random200: which offered bid to repeat
const K_SEARCH: usize = 2; // random300: random search
const K_TREMOR: usize = 3; // random400: the bid target's tremor

/// ANAC 2010 winner AgentK.
#[derive(Debug)]
pub struct AgentK {
    side: Arc<Side>,
    scale: Scale,
    digits: Digits,
    offered: JavaHashOrder,
    target: f64,
    bid_target: f64,
    sum: f64,
    sum2: f64,
    rounds: u64,
    tremor: f64,
    planned: Option<OutcomeId>,
    draws: Draws,
}

impl AgentK {
    /// AgentK for `side`, drawing from the negotiation's generator.
    pub fn new(side: Arc<Side>, rng: rand_chacha::ChaCha8Rng) -> Result<AgentK, Error> {
        AgentK::with_draws(side, Draws::ChaCha(Box::new(rng)))
    }

    /// AgentK drawing from `java.util.Random` as GENIUS's `Agent_K` does, its four generators
    /// seeded `seed + 100`, `seed + 200`, `seed + 300`, `seed + 400`.
    pub fn with_java_seed(side: Arc<Side>, seed: i64) -> Result<AgentK, Error> {
        let s = |k: i64| seed.wrapping_add(k);
        AgentK::with_draws(side, Draws::java(&[s(100), s(200), s(300), s(400)]))
    }

    fn with_draws(side: Arc<Side>, draws: Draws) -> Result<AgentK, Error> {
        let scale = Scale::of(&side)?;
        let digits = Digits::of(side.space());
        Ok(AgentK {
            side,
            scale,
            digits,
            offered: JavaHashOrder::new(),
            target: 1.0,
            bid_target: 1.0,
            sum: 0.0,
            sum2: 0.0,
            rounds: 0,
            tremor: 2.0,
            planned: None,
            draws,
        })
    }

    /// The current `(target, bidTarget)`: the utility above which an offered bid is repeated,
    /// and the one a random bid must reach.
    pub fn targets(&self) -> (f64, f64) {
        (self.target, self.bid_target)
    }

    fn u(&self, o: OutcomeId) -> f64 {
        self.scale.norm(self.side.utility(o))
    }

    /// `acceptProbability`: updates the statistics of the opponent's offers and the targets.
    fn accept_probability(&mut self, offer: OutcomeId, time: f64) -> f64 {
        let mut offered_utility = self.u(offer);
        self.offered.insert(self.digits.hash(offer), offer);
        self.sum += offered_utility;
        self.sum2 += offered_utility * offered_utility;
        self.rounds += 1;
        let mean = self.sum / self.rounds as f64;
        let variance = (self.sum2 / self.rounds as f64) - (mean * mean);
        let mut deviation = (variance * 12.0).sqrt();
        if deviation.is_nan() {
            deviation = 0.0;
        }
        let t = time * time * time;
        if offered_utility > 1.0 {
            offered_utility = 1.0;
        }
        let estimate_max = mean + ((1.0 - mean) * deviation);
        let alpha = 1.0 + self.tremor + (10.0 * mean) - (2.0 * self.tremor * mean);
        let beta = alpha + (self.draws.double(K_TREMOR) * self.tremor) - (self.tremor / 2.0);
        let pre_target = 1.0 - (time.powf(alpha) * (1.0 - estimate_max));
        let pre_target2 = 1.0 - (time.powf(beta) * (1.0 - estimate_max));
        let mut ratio = (deviation + 0.1) / (1.0 - pre_target);
        if ratio.is_nan() || ratio > 2.0 {
            ratio = 2.0;
        }
        let mut ratio2 = (deviation + 0.1) / (1.0 - pre_target2);
        if ratio2.is_nan() || ratio2 > 2.0 {
            ratio2 = 2.0;
        }
        self.target = ratio * pre_target + 1.0 - ratio;
        self.bid_target = ratio2 * pre_target2 + 1.0 - ratio2;
        let m = t * (-300.0) + 400.0;
        let approach = |x: f64| -> f64 {
            if x > estimate_max {
                let r = x - estimate_max;
                let mut f = 1.0 / (r * r);
                if f > m || f.is_nan() {
                    f = m;
                }
                x - r * f / m
            } else {
                estimate_max
            }
        };
        self.target = approach(self.target);
        self.bid_target = approach(self.bid_target);
        let utility_evaluation = offered_utility - estimate_max;
        let satisfy = offered_utility - self.target;
        let p = (time.powf(alpha) / 5.0) + utility_evaluation + satisfy;
        if p < 0.1 {
            0.0
        } else {
            p
        }
    }

    /// `searchBid`: a random bid. The Java draws `nextInt(n)` per discrete issue and
    /// `lower + nextInt(upper - lower)` per integer issue (never its upper bound).
    fn search_bid(&mut self) -> OutcomeId {
        if let Draws::ChaCha(r) = &mut self.draws {
            return self.side.random_outcome(r.as_mut());
        }
        let mut o = 0;
        for i in 0..self.digits.radices.len() {
            let (radix, stride) = (self.digits.radices[i], self.digits.strides[i]);
            let n = if self.digits.integer[i] { radix - 1 } else { radix };
            let k = self.draws.int(K_SEARCH, n as usize) as u64;
            o += k.min(radix - 1) * stride;
        }
        o
    }

    /// `selectBid`: an offered bid above the target, or a random bid above the bid target.
    fn select_bid(&mut self) -> Option<OutcomeId> {
        let above: Vec<OutcomeId> = self.offered.order().into_iter().filter(|o| self.u(*o) > self.target).collect();
        if !above.is_empty() {
            let k = (self.draws.double(K_PICK) * above.len() as f64).floor() as usize;
            return above.get(k).copied();
        }
        let mut next = None;
        let mut search_util = 0.0;
        let mut tries = 0u32;
        while search_util < self.bid_target {
            if tries > 500 {
                self.bid_target -= 0.01;
                tries = 0;
            }
            let o = self.search_bid();
            search_util = self.u(o);
            next = Some(o);
            tries += 1;
        }
        next
    }
}

impl Negotiator for AgentK {
    fn name(&self) -> &str {
        "agentk"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, _ctx: &Context) -> Option<OutcomeId> {
        match self.planned.take() {
            Some(o) => Some(o),
            None => Some(self.select_bid().unwrap_or_else(|| self.side.table().map_or(0, |t| t.best()))),
        }
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        let p = self.accept_probability(offer, ctx.relative_time);
        if p > self.draws.double(K_ACCEPT) {
            return Response::Accept;
        }
        match self.select_bid() {
            // Java accepts the partner's bid when no bid can be selected.
            None => Response::Accept,
            Some(o) => {
                self.planned = Some(o);
                Response::Reject
            }
        }
    }

    fn floor(&mut self, _ctx: &Context) -> f64 {
        self.scale.min + self.target.clamp(0.0, 1.0) * self.scale.span
    }
}

/// ANAC 2017 winner PonPokoAgent.
#[derive(Debug)]
pub struct PonPoko {
    side: Arc<Side>,
    scale: Scale,
    /// The distinct bids among 30,000 random ones, best first (ties in Java's `HashSet` order).
    bids: Vec<(OutcomeId, f64)>,
    pattern: u32,
    /// `(threshold_high, threshold_low)` of the last decision, `low` as lowered to find a bid.
    last: (f64, f64),
    draws: Draws,
}

/// PonPoko's Java generators: the party's `rand`, and `AgentTool.random` (class-wide in Java).
const P_RAND: usize = 0;
const P_SELECT: usize = 1;

impl PonPoko {
    /// PonPokoAgent for `side`, drawing from the negotiation's generator.
    pub fn new(side: Arc<Side>, rng: rand_chacha::ChaCha8Rng) -> Result<PonPoko, Error> {
        PonPoko::with_draws(side, Draws::ChaCha(Box::new(rng)))
    }

    /// PonPokoAgent drawing from `java.util.Random` as GENIUS's does: the party's generator
    /// seeded `seed` (GENIUS passes the session's random seed) and `AgentTool.random` seeded
    /// `seed + 1` (in Java one generator shared by every PonPokoAgent of the virtual machine).
    pub fn with_java_seed(side: Arc<Side>, seed: i64) -> Result<PonPoko, Error> {
        PonPoko::with_draws(side, Draws::java(&[seed, seed.wrapping_add(1)]))
    }

    fn with_draws(side: Arc<Side>, mut draws: Draws) -> Result<PonPoko, Error> {
        let scale = Scale::of(&side)?;
        let digits = Digits::of(side.space());
        // AgentTool.generateRandomBids: a HashSet<BidInfo> (hashed as the bid) of 30,000 draws.
        let mut set = JavaHashOrder::new();
        for _ in 0..30_000 {
            let o = random_outcome(&side, &digits, &mut draws, P_RAND);
            set.insert(digits.hash(o), o);
        }
        let mut bids: Vec<(OutcomeId, f64)> = set.order().into_iter().map(|o| (o, scale.norm(side.utility(o)))).collect();
        // Collections.sort(list, comparator.reversed()): stable, by Double.compare.
        bids.sort_by(|a, b| b.1.total_cmp(&a.1));
        let pattern = match &mut draws {
            Draws::ChaCha(r) => r.gen_range(0..5),
            Draws::Java(_) => draws.int(P_RAND, 5) as u32,
        };
        Ok(PonPoko { side, scale, bids, pattern, last: (1.0, 0.99), draws })
    }

    /// The pattern's `(threshold_high, threshold_low)` at time `t`.
    pub fn thresholds(&self, t: f64) -> (f64, f64) {
        match self.pattern {
            0 => (1.0 - 0.1 * t, 1.0 - 0.1 * t - 0.1 * (t * 40.0).sin().abs()),
            1 => (1.0, 1.0 - 0.22 * t),
            2 => (1.0 - 0.1 * t, 1.0 - 0.1 * t - 0.15 * (t * 20.0).sin().abs()),
            3 => (1.0 - 0.05 * t, if t > 0.99 { 1.0 - 0.3 * t } else { 1.0 - 0.1 * t }),
            4 => (1.0 - 0.15 * t * (t * 20.0).sin().abs(), 1.0 - 0.21 * t * (t * 20.0).sin().abs()),
            _ => (1.0 - 0.1 * t, 1.0 - 0.2 * (t * 40.0).sin().abs()),
        }
    }

    /// The concession pattern drawn at the start (0 to 4).
    pub fn pattern(&self) -> u32 {
        self.pattern
    }

    /// The thresholds of the last decision (`threshold_high`, `threshold_low`), the low one as
    /// lowered to find a bid to offer.
    pub fn last_thresholds(&self) -> (f64, f64) {
        self.last
    }
}

impl Negotiator for PonPoko {
    fn name(&self) -> &str {
        "ponpoko"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        let (high, mut low) = self.thresholds(ctx.relative_time);
        self.last = (high, low);
        // Java lowers `low` by 1e-4 and rescans until some bid lies in [low, high]; the first
        // such `low` is the first at or below the best utility not above `high`.
        let reachable = self.bids.iter().map(|(_, u)| *u).filter(|u| *u <= high).fold(f64::NEG_INFINITY, f64::max);
        if reachable == f64::NEG_INFINITY {
            return self.bids.first().map(|(o, _)| *o);
        }
        while low > reachable {
            low -= 0.0001;
        }
        self.last = (high, low);
        let candidates: Vec<OutcomeId> = self.bids.iter().filter(|(_, u)| *u <= high && *u >= low).map(|(o, _)| *o).collect();
        let k = self.draws.int(P_SELECT, candidates.len());
        candidates.get(k).copied()
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        let (high, low) = self.thresholds(ctx.relative_time);
        self.last = (high, low);
        if self.scale.norm(self.side.utility(offer)) > low {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn floor(&mut self, ctx: &Context) -> f64 {
        self.scale.min + self.thresholds(ctx.relative_time).1.clamp(0.0, 1.0) * self.scale.span
    }
}

/// ANAC 2011 winner HardHeaded (class `KLH`).
#[derive(Debug)]
pub struct HardHeaded2011 {
    side: Arc<Side>,
    scale: Scale,
    ranking: Arc<Ranking>,
    discount: f64,
    max_util: f64,
    /// Positions (in the ranking) of the bids offered so far.
    my_bids: Vec<usize>,
    opponent_bids: Vec<OutcomeId>,
    queue: VecDeque<usize>,
    first_round: bool,
    lowest_yet: f64,
    opponent_best: Option<OutcomeId>,
    /// Position of `opponent_best` in the ranking (`opponentbestentry`).
    opponent_best_entry: Option<usize>,
    /// The opponent model (`oppUtility`): issue weights and value counts.
    weights: Vec<f64>,
    counts: Vec<Vec<f64>>,
    digits: Vec<u32>,
    planned: Option<usize>,
    draws: Draws,
}

const KA: f64 = 0.05;
const E: f64 = 0.05;
const MIN_UTIL: f64 = 0.585;
const TOP_SELECTED_BIDS: usize = 4;
const LEARNING_COEF: f64 = 0.2;
const UTILITY_TOLERANCE: f64 = 0.01;
/// `AdditiveUtilitySpace.normalizeChildren`'s `RENORMALCORR`.
const RENORMALCORR: f64 = 0.05;

enum Choice {
    Accept,
    Offer(usize),
}

impl HardHeaded2011 {
    /// HardHeaded for `side`, drawing from the negotiation's generator.
    pub fn new(side: Arc<Side>, rng: rand_chacha::ChaCha8Rng) -> Result<HardHeaded2011, Error> {
        HardHeaded2011::with_draws(side, Draws::ChaCha(Box::new(rng)))
    }

    /// HardHeaded drawing from `java.util.Random` as GENIUS's `KLH` does, its two generators
    /// seeded `seed + 100` and `seed + 200` (the second only draws when the Java's offer queue
    /// is empty after refilling, which does not happen).
    pub fn with_java_seed(side: Arc<Side>, seed: i64) -> Result<HardHeaded2011, Error> {
        HardHeaded2011::with_draws(side, Draws::java(&[seed.wrapping_add(100), seed.wrapping_add(200)]))
    }

    fn with_draws(side: Arc<Side>, draws: Draws) -> Result<HardHeaded2011, Error> {
        let scale = Scale::of(&side)?;
        let ranking = side.ranking()?.clone();
        let discount = match side.preferences().discount {
            Discount::NormalizedTime(d) | Discount::PerStep(d) if d > 0.0 && d <= 1.0 => d,
            _ => 1.0,
        };
        let radices: Vec<usize> = side.space().radices().iter().map(|r| r.unwrap_or(1) as usize).collect();
        let n = radices.len();
        let max_util = ranking.order.last().map_or(1.0, |k| scale.norm(side.utility(u64::from(*k))));
        Ok(HardHeaded2011 {
            side,
            scale,
            ranking,
            discount,
            max_util,
            my_bids: Vec::new(),
            opponent_bids: Vec::new(),
            queue: VecDeque::new(),
            first_round: true,
            lowest_yet: 1.0,
            opponent_best: None,
            opponent_best_entry: None,
            weights: vec![1.0 / n as f64; n],
            counts: radices.iter().map(|r| vec![1.0; *r]).collect(),
            digits: vec![0; n],
            planned: None,
            draws,
        })
    }

    fn u(&self, o: OutcomeId) -> f64 {
        self.scale.norm(self.side.utility(o))
    }

    /// The utility of the bid at `pos` of the ranking.
    fn u_at(&self, pos: usize) -> f64 {
        self.ranking.order.get(pos).map_or(0.0, |k| self.u(u64::from(*k)))
    }

    /// The ranking's key at `pos` (the bid's utility plus GENIUS's nudge).
    fn key(&self, pos: usize) -> f64 {
        self.ranking.keys.get(pos).copied().unwrap_or(f64::NEG_INFINITY)
    }

    /// `oppUtility.getUtility`: the sum, issue by issue, of weight × (count / the issue's
    /// largest count), at most 1.
    fn opponent_utility(&mut self, pos: usize) -> f64 {
        let Some(o) = self.ranking.order.get(pos) else { return 0.0 };
        self.side.space().digits_into(u64::from(*o), &mut self.digits);
        let mut u = 0.0;
        for (i, d) in self.digits.iter().enumerate() {
            let c = &self.counts[i];
            let max = c.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let eval = if max < 0.00001 { 0.0 } else { c.get(*d as usize).copied().unwrap_or(0.0) / max };
            u += self.weights[i] * eval;
        }
        // AdditiveUtilitySpace.getUtility caps at 1 (the learned weights can sum to more).
        if u > 1.0 {
            1.0
        } else {
            u
        }
    }

    /// `AdditiveUtilitySpace.setWeight(issue, w)` on the opponent model: set the weight, then
    /// `normalizeChildren` of the root (every weight moves towards a sum of 1, with
    /// `RENORMALCORR`), and put the old weight of `issue` back if the sum is then outside
    /// `(0.98, 1.02)`.
    fn set_weight(&mut self, issue: usize, w: f64) {
        let old = self.weights[issue];
        self.weights[issue] = w;
        let n = self.weights.len();
        if n == 1 {
            self.weights[0] = 1.0;
        } else {
            let weight_sum = self.weights.iter().fold(0.0, |s, w| s + w);
            let diff = (0.0 + weight_sum) - 1.0;
            let corrected = weight_sum + RENORMALCORR * n as f64;
            for x in &mut self.weights {
                let mut nw = *x - (diff * (*x + RENORMALCORR) / corrected);
                if nw < 0.0 {
                    nw = 0.0;
                }
                *x = nw;
            }
        }
        let sum = self.weights.iter().fold(0.0, |s, w| s + w);
        if !(sum > 0.98 && sum < 1.02) {
            self.weights[issue] = old;
        }
    }

    /// `updateLearner`. Java walks the issues in the order of a `HashMap` keyed by issue number,
    /// which is issue order for the numbers 1..n of GENIUS domains with fewer than 16 issues.
    fn learn(&mut self) {
        let m = self.opponent_bids.len();
        if m < 2 {
            return;
        }
        let n = self.weights.len();
        let mut last = vec![0u32; n];
        let mut prev = vec![0u32; n];
        self.side.space().digits_into(self.opponent_bids[m - 1], &mut last);
        self.side.space().digits_into(self.opponent_bids[m - 2], &mut prev);
        let unchanged = last.iter().zip(&prev).filter(|(a, b)| a == b).count();
        let golden = LEARNING_COEF / n as f64;
        let total = 1.0 + golden * unchanged as f64;
        let max_weight = 1.0 - (n as f64) * golden / total;
        for i in 0..n {
            let w = self.weights[i];
            let new = if last[i] == prev[i] && w < max_weight { (w + golden) / total } else { w / total };
            self.set_weight(i, new);
        }
        for (i, d) in last.iter().enumerate() {
            if let Some(c) = self.counts[i].get_mut(*d as usize) {
                *c = c.round() + 1.0;
            }
        }
    }

    /// `get_p`: the concession threshold at time `t`.
    pub fn threshold(&self, t: f64) -> f64 {
        let step_point = self.discount;
        let (max, min) = (self.max_util, MIN_UTIL);
        if step_point >= 0.9 {
            let fa = KA + (1.0 - KA) * (t / step_point).powf(1.0 / E);
            min + (1.0 - fa) * (max - min)
        } else if t <= step_point {
            let e = E / step_point;
            let fa = KA + (1.0 - KA) * (t / step_point).powf(1.0 / e);
            let temp_min = min + (max - min).abs() * step_point;
            temp_min + (1.0 - fa) * (max - temp_min)
        } else {
            let fa = KA + (1.0 - KA) * ((t - step_point) / (1.0 - step_point)).powf(1.0 / 30.0);
            let temp_max = min + (max - min).abs() * step_point;
            min + (1.0 - fa) * (temp_max - min)
        }
    }

    /// The lowest utility offered so far (`lowestYetUtility`).
    pub fn lowest_offered(&self) -> f64 {
        self.lowest_yet
    }

    /// `chooseAction`.
    fn choose(&mut self, t: f64, offer: Option<OutcomeId>) -> Choice {
        let p = self.threshold(t);
        let top = self.ranking.order.len().saturating_sub(1);
        if self.first_round {
            self.first_round = false;
            self.queue.push_back(top);
        } else if self.queue.is_empty() {
            // BidList.lowerEntry(myLastBid.key): the next position down (Java throws below the
            // worst bid; the port stays there).
            let last = self.my_bids.last().copied().unwrap_or(top);
            let new_bid = last.saturating_sub(1);
            // newBids: a TreeMap whose live entries the queue keeps (positions order as keys do).
            let mut new_bids: JavaTreeMap<usize> = JavaTreeMap::new();
            new_bids.put(new_bid);
            if self.key(new_bid) < p {
                let k = (self.my_bids.len() as f64 * self.draws.double(0)).floor() as usize;
                new_bids.remove(new_bid);
                if let Some(b) = self.my_bids.get(k) {
                    new_bids.put(*b);
                }
            }
            let first_util = self.key(new_bid);
            let mut add = new_bid.checked_sub(1);
            while let Some(a) = add {
                let add_util = self.key(a);
                if !((first_util - add_util) < UTILITY_TOLERANCE && add_util >= p) {
                    break;
                }
                new_bids.put(a);
                add = a.checked_sub(1);
            }
            if new_bids.len() <= TOP_SELECTED_BIDS {
                let nodes = new_bids.nodes_in_order();
                self.queue.extend(nodes.into_iter().map(|n| new_bids.key(n)));
            } else {
                // Each pick is the snapshot `lastEntry()` or a live entry of the iteration; a
                // live entry whose node later takes its successor's key (Java's deleteEntry)
                // then stands for that successor.
                enum Pick {
                    Snapshot(usize),
                    Live(usize),
                }
                let mut picks = Vec::new();
                while picks.len() <= TOP_SELECTED_BIDS {
                    let Some(last_key) = new_bids.last_key() else { break };
                    let mut best = Pick::Snapshot(last_key);
                    let mut best_pos = last_key;
                    for node in new_bids.nodes_in_order() {
                        let e = new_bids.key(node);
                        // Java recomputes both utilities at each comparison.
                        if self.opponent_utility(e) > self.opponent_utility(best_pos) {
                            best = Pick::Live(node);
                            best_pos = e;
                        }
                    }
                    picks.push(best);
                    new_bids.remove(best_pos);
                }
                for pick in picks {
                    self.queue.push_back(match pick {
                        Pick::Snapshot(pos) => pos,
                        Pick::Live(node) => new_bids.key(node),
                    });
                }
            }
            if let (Some(first), Some(ob)) = (self.queue.front().copied(), self.opponent_best_entry) {
                if self.key(first) < self.key(ob) {
                    self.queue.push_front(ob);
                }
            }
        }
        let Some(&first) = self.queue.front() else {
            return Choice::Offer(top);
        };
        if let Some(o) = offer {
            let uo = self.u(o);
            if uo > self.lowest_yet || self.u_at(first) <= uo {
                return Choice::Accept;
            }
        }
        let pos = self.queue.pop_front().unwrap_or(first);
        self.my_bids.push(pos);
        if self.key(pos) < self.lowest_yet {
            self.lowest_yet = self.u_at(pos);
        }
        Choice::Offer(pos)
    }
}

impl Negotiator for HardHeaded2011 {
    fn name(&self) -> &str {
        "hardheaded2011"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        let pos = match self.planned.take() {
            Some(p) => p,
            None => match self.choose(ctx.relative_time, None) {
                Choice::Offer(p) => p,
                Choice::Accept => self.ranking.order.len().saturating_sub(1),
            },
        };
        self.ranking.order.get(pos).map(|k| u64::from(*k))
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        match self.choose(ctx.relative_time, Some(offer)) {
            Choice::Accept => Response::Accept,
            Choice::Offer(p) => {
                self.planned = Some(p);
                Response::Reject
            }
        }
    }

    fn observe(&mut self, _ctx: &Context, _from: Source, offer: OutcomeId) {
        self.opponent_bids.push(offer);
        self.learn();
        let better = match self.opponent_best {
            None => true,
            Some(b) => self.u(offer) > self.u(b),
        };
        if better {
            self.opponent_best = Some(offer);
        }
        // opponentbestentry: the best bid's entry in the list (unchanged when the bid was lost
        // to a key collision, where Java's search throws).
        if let Some(b) = self.opponent_best {
            if let Some(p) = self.ranking.position.get(b as usize).filter(|p| **p != u32::MAX) {
                self.opponent_best_entry = Some(*p as usize);
            }
        }
    }

    fn floor(&mut self, ctx: &Context) -> f64 {
        self.scale.min + self.threshold(ctx.relative_time).clamp(0.0, 1.0) * self.scale.span
    }
}
