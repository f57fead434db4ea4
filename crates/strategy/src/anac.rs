//! ANAC winners whose published implementations are precise enough to port: the GENIUS 10.4
//! sources of **AgentK** (ANAC 2010, Kawaguchi, Fujita & Ito; `agents/anac/y2010/AgentK/Agent_K.java`),
//! **HardHeaded** (ANAC 2011, van Krimpen, Looije & Hajizadeh; `agents/anac/y2011/HardHeaded/`)
//! and **PonPokoAgent** (ANAC 2017, Aydoğan et al.'s competition winner;
//! `agents/anac/y2017/ponpokoagent/PonPokoAgent.java`), read in the GENIUS copy vendored in
//! `yasserfarouk/negmas` (`external/genius10.4`).
//!
//! Differences from the Java, all forced by determinism or by the platform:
//! - utilities are each party's own utility normalised to `[0, 1]` over the whole space
//!   (`(u - min) / (max - min)`), the scale these agents were written for;
//! - randomness comes from the negotiation's seeded ChaCha8 generator, not `java.util.Random`;
//!   random bids are uniform per issue (GENIUS's `getRandomBid`; AgentK's own search never draws
//!   an integer issue's upper bound, a bug not reproduced);
//! - where Java iterates a `HashMap`/`HashSet` (AgentK's offered bids, PonPoko's bid set) the
//!   order is first-seen order; HardHeaded's `TreeMap` keyed by utility (with a `1e-8` nudge per
//!   bid to keep keys distinct) becomes all outcomes sorted by `(utility, index)`;
//! - time is the protocol's relative time.

use std::collections::BTreeMap;
use std::sync::Arc;

use bc_model::Discount;
use bc_protocol::{OutcomeId, Source};
use rand::Rng;

use crate::error::Error;
use crate::negotiator::{Context, Negotiator, Response};
use crate::side::{Ranking, Side};

/// Maps a party's utilities to `[0, 1]` over the whole space.
#[derive(Clone, Copy, Debug)]
struct Scale {
    min: f64,
    span: f64,
}

impl Scale {
    fn of(side: &Side) -> Result<Scale, Error> {
        let t = side.table()?;
        Ok(Scale { min: t.min(), span: t.max() - t.min() })
    }

    fn norm(&self, u: f64) -> f64 {
        if self.span > 0.0 {
            (u - self.min) / self.span
        } else {
            1.0
        }
    }
}

/// ANAC 2010 winner AgentK.
#[derive(Debug)]
pub struct AgentK {
    side: Arc<Side>,
    scale: Scale,
    offered: Vec<(OutcomeId, f64)>,
    target: f64,
    bid_target: f64,
    sum: f64,
    sum2: f64,
    rounds: u64,
    tremor: f64,
    planned: Option<OutcomeId>,
    rng: rand_chacha::ChaCha8Rng,
}

impl AgentK {
    /// AgentK for `side`.
    pub fn new(side: Arc<Side>, rng: rand_chacha::ChaCha8Rng) -> Result<AgentK, Error> {
        let scale = Scale::of(&side)?;
        Ok(AgentK {
            side,
            scale,
            offered: Vec::new(),
            target: 1.0,
            bid_target: 1.0,
            sum: 0.0,
            sum2: 0.0,
            rounds: 0,
            tremor: 2.0,
            planned: None,
            rng,
        })
    }

    fn u(&self, o: OutcomeId) -> f64 {
        self.scale.norm(self.side.utility(o))
    }

    /// `acceptProbability`: updates the statistics of the opponent's offers and the targets.
    fn accept_probability(&mut self, offer: OutcomeId, time: f64) -> f64 {
        let mut offered_utility = self.u(offer);
        if !self.offered.iter().any(|(o, _)| *o == offer) {
            self.offered.push((offer, offered_utility));
        }
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
        let beta = alpha + (self.rng.gen::<f64>() * self.tremor) - (self.tremor / 2.0);
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

    /// `selectBid`: an offered bid above the target, or a random bid above the bid target.
    fn select_bid(&mut self) -> Option<OutcomeId> {
        let above: Vec<OutcomeId> =
            self.offered.iter().filter(|(_, u)| *u > self.target).map(|(o, _)| *o).collect();
        if !above.is_empty() {
            let k = (self.rng.gen::<f64>() * above.len() as f64).floor() as usize;
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
            let o = self.side.random_outcome(&mut self.rng);
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
        if p > self.rng.gen::<f64>() {
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
    /// Up to 30,000 random bids, best first.
    bids: Vec<(OutcomeId, f64)>,
    pattern: u32,
    rng: rand_chacha::ChaCha8Rng,
}

impl PonPoko {
    /// PonPokoAgent for `side`.
    pub fn new(side: Arc<Side>, mut rng: rand_chacha::ChaCha8Rng) -> Result<PonPoko, Error> {
        let scale = Scale::of(&side)?;
        let mut seen = std::collections::HashSet::new();
        let mut bids = Vec::new();
        for _ in 0..30_000 {
            let o = side.random_outcome(&mut rng);
            if seen.insert(o) {
                bids.push((o, scale.norm(side.utility(o))));
            }
        }
        // Java: Collections.sort(list, comparator.reversed()), a stable sort.
        bids.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        let pattern = rng.gen_range(0..5);
        Ok(PonPoko { side, scale, bids, pattern, rng })
    }

    /// The pattern's `(threshold_high, threshold_low)` at time `t`.
    fn thresholds(&self, t: f64) -> (f64, f64) {
        match self.pattern {
            0 => (1.0 - 0.1 * t, 1.0 - 0.1 * t - 0.1 * (t * 40.0).sin().abs()),
            1 => (1.0, 1.0 - 0.22 * t),
            2 => (1.0 - 0.1 * t, 1.0 - 0.1 * t - 0.15 * (t * 20.0).sin().abs()),
            3 => (1.0 - 0.05 * t, if t > 0.99 { 1.0 - 0.3 * t } else { 1.0 - 0.1 * t }),
            4 => (
                1.0 - 0.15 * t * (t * 20.0).sin().abs(),
                1.0 - 0.21 * t * (t * 20.0).sin().abs(),
            ),
            _ => (1.0 - 0.1 * t, 1.0 - 0.2 * (t * 40.0).sin().abs()),
        }
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
        // Java lowers `low` by 1e-4 and rescans until some bid lies in [low, high]; the first
        // such `low` is the first at or below the best utility not above `high`.
        let reachable = self.bids.iter().map(|(_, u)| *u).filter(|u| *u <= high).fold(f64::NEG_INFINITY, f64::max);
        if reachable == f64::NEG_INFINITY {
            return self.bids.first().map(|(o, _)| *o);
        }
        while low > reachable {
            low -= 0.0001;
        }
        let candidates: Vec<OutcomeId> =
            self.bids.iter().filter(|(_, u)| *u <= high && *u >= low).map(|(o, _)| *o).collect();
        let k = self.rng.gen_range(0..candidates.len().max(1));
        candidates.get(k).copied()
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        let (_, low) = self.thresholds(ctx.relative_time);
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
    queue: std::collections::VecDeque<usize>,
    first_round: bool,
    lowest_yet: f64,
    opponent_best: Option<OutcomeId>,
    weights: Vec<f64>,
    counts: Vec<Vec<f64>>,
    digits: Vec<u32>,
    planned: Option<usize>,
    rng: rand_chacha::ChaCha8Rng,
}

const KA: f64 = 0.05;
const E: f64 = 0.05;
const MIN_UTIL: f64 = 0.585;
const TOP_SELECTED_BIDS: usize = 4;
const LEARNING_COEF: f64 = 0.2;
const UTILITY_TOLERANCE: f64 = 0.01;

enum Choice {
    Accept,
    Offer(usize),
}

impl HardHeaded2011 {
    /// HardHeaded for `side`.
    pub fn new(side: Arc<Side>, rng: rand_chacha::ChaCha8Rng) -> Result<HardHeaded2011, Error> {
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
            queue: std::collections::VecDeque::new(),
            first_round: true,
            lowest_yet: 1.0,
            opponent_best: None,
            weights: vec![1.0 / n as f64; n],
            counts: radices.iter().map(|r| vec![1.0; *r]).collect(),
            digits: vec![0; n],
            planned: None,
            rng,
        })
    }

    fn u(&self, o: OutcomeId) -> f64 {
        self.scale.norm(self.side.utility(o))
    }

    fn key(&self, pos: usize) -> f64 {
        self.u(u64::from(self.ranking.order[pos]))
    }

    fn pos(&self, o: OutcomeId) -> usize {
        self.ranking.position[o as usize] as usize
    }

    /// The learned opponent utility: issue weights times value counts over the maximum.
    fn opponent_utility(&mut self, o: OutcomeId) -> f64 {
        self.side.space().digits_into(o, &mut self.digits);
        let mut u = 0.0;
        for (i, d) in self.digits.iter().enumerate() {
            let c = &self.counts[i];
            let max = c.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            u += self.weights[i] * c[*d as usize] / max;
        }
        u
    }

    /// `updateLearner`.
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
            if last[i] == prev[i] && self.weights[i] < max_weight {
                self.weights[i] = (self.weights[i] + golden) / total;
            } else {
                self.weights[i] /= total;
            }
        }
        for (i, d) in last.iter().enumerate() {
            self.counts[i][*d as usize] += 1.0;
        }
    }

    /// `get_p`: the concession threshold at time `t`.
    fn threshold(&self, t: f64) -> f64 {
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

    /// `chooseAction`.
    fn choose(&mut self, t: f64, offer: Option<OutcomeId>) -> Choice {
        let p = self.threshold(t);
        let top = self.ranking.order.len().saturating_sub(1);
        if self.first_round {
            self.first_round = false;
            self.queue.push_back(top);
        } else if self.queue.is_empty() {
            let last = self.my_bids.last().copied().unwrap_or(top);
            let new_bid = last.saturating_sub(1);
            let mut new_bids: BTreeMap<usize, ()> = BTreeMap::new();
            new_bids.insert(new_bid, ());
            if self.key(new_bid) < p {
                let k = (self.my_bids.len() as f64 * self.rng.gen::<f64>()).floor() as usize;
                new_bids.remove(&new_bid);
                if let Some(b) = self.my_bids.get(k) {
                    new_bids.insert(*b, ());
                }
            }
            let first_util = self.key(new_bid);
            let mut add = new_bid.checked_sub(1);
            while let Some(a) = add {
                let add_util = self.key(a);
                if !((first_util - add_util) < UTILITY_TOLERANCE && add_util >= p) {
                    break;
                }
                new_bids.insert(a, ());
                add = a.checked_sub(1);
            }
            if new_bids.len() <= TOP_SELECTED_BIDS {
                self.queue.extend(new_bids.keys().copied());
            } else {
                let mut added = 0;
                while added <= TOP_SELECTED_BIDS && !new_bids.is_empty() {
                    let mut best = *new_bids.keys().next_back().unwrap_or(&new_bid);
                    let mut best_u = self.opponent_utility(u64::from(self.ranking.order[best]));
                    let keys: Vec<usize> = new_bids.keys().copied().collect();
                    for e in keys {
                        let u = self.opponent_utility(u64::from(self.ranking.order[e]));
                        if u > best_u {
                            best = e;
                            best_u = u;
                        }
                    }
                    self.queue.push_back(best);
                    new_bids.remove(&best);
                    added += 1;
                }
            }
            if let (Some(first), Some(ob)) = (self.queue.front().copied(), self.opponent_best) {
                let ob_pos = self.pos(ob);
                if self.key(first) < self.key(ob_pos) {
                    self.queue.push_front(ob_pos);
                }
            }
        }
        let Some(&first) = self.queue.front() else {
            return Choice::Offer(top);
        };
        if let Some(o) = offer {
            let uo = self.u(o);
            if uo > self.lowest_yet || self.key(first) <= uo {
                return Choice::Accept;
            }
        }
        let pos = self.queue.pop_front().unwrap_or(first);
        self.my_bids.push(pos);
        let k = self.key(pos);
        if k < self.lowest_yet {
            self.lowest_yet = k;
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
    }

    fn floor(&mut self, ctx: &Context) -> f64 {
        self.scale.min + self.threshold(ctx.relative_time).clamp(0.0, 1.0) * self.scale.span
    }
}
