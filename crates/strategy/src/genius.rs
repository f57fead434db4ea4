//! GENIUS conventions needed to reproduce GENIUS sessions bit for bit: `java.util.Random` (the
//! generator GENIUS parties draw from) and the analysis GENIUS's multilateral runner logs for a
//! session (`genius.core.analysis.MultilateralAnalysis` as used by `SessionEndedNormallyEvent`).
//!
//! [`JavaRandom`] is Java's 48-bit linear congruential generator with Java's seed scrambling and
//! `nextInt(bound)` rejection rule, so a GENIUS party seeded with `new Random(s)` makes the same
//! draws here. It is used only where a GENIUS algorithm is ported; every other strategy draws
//! from ChaCha8.
//!
//! [`JavaHashOrder`] gives the iteration order of a `java.util.HashMap` whose keys hash as
//! GENIUS's bids do ([`java_bid_hash`]), for ports that iterate such maps.
//!
//! [`GeniusAnalysis`] follows GENIUS, not NegMAS (see `docs/conventions.md`): every party of the
//! session counts, the mediator included when it has a profile; the space is enumerated in
//! GENIUS's `BidIterator` order (first issue fastest) and cut off after 100,000 bids as GENIUS
//! does; the frontier keeps every point no other point strictly dominates (ties included), sorted
//! stably by the first party's utility; the Nash point is the first frontier point in that order
//! with the largest `prod (u_i - r_i)`, `r_i` the reservation value (0 when the profile has none);
//! distances are Euclidean over all parties; social welfare is the sum of every party's utility
//! of the agreement (0 without agreement). Utilities are discounted GENIUS's way, `u * d^t` at the
//! session's end time `t`, when a profile has a [`Discount::NormalizedTime`] factor.

use bc_model::{Discount, IssueKind, OutcomeSpace, Preferences, Value};

use crate::error::Error;

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const ADDEND: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;

/// `java.util.Random`: the same sequence as Java's for the same seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    /// `new Random(seed)`.
    pub fn new(seed: i64) -> JavaRandom {
        JavaRandom { seed: (seed as u64 ^ MULTIPLIER) & MASK }
    }

    /// `next(bits)`: the top `bits` of the advanced 48-bit state, as Java's signed `int`.
    fn next(&mut self, bits: u32) -> i32 {
        self.seed = self.seed.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND) & MASK;
        (self.seed >> (48 - bits)) as u32 as i32
    }

    /// `nextInt()`.
    pub fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// `nextInt(bound)` for `bound >= 1`: uniform in `0..bound`, with Java's power-of-two shortcut
    /// and its rejection of the last incomplete block. A bound below 1 (where Java throws)
    /// returns 0 without drawing.
    pub fn next_int_bounded(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        if bound & bound.wrapping_neg() == bound {
            return ((i64::from(bound) * i64::from(self.next(31))) >> 31) as i32;
        }
        loop {
            let bits = self.next(31);
            let val = bits % bound;
            // Java: `bits - val + (bound - 1) < 0` in int arithmetic (overflow) means reject.
            if bits.wrapping_sub(val).wrapping_add(bound - 1) >= 0 {
                return val;
            }
        }
    }

    /// `nextDouble()`.
    pub fn next_double(&mut self) -> f64 {
        let hi = i64::from(self.next(26)) << 27;
        let lo = i64::from(self.next(27));
        (hi + lo) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// `String.hashCode()`: `s[0]·31^(n-1) + … + s[n-1]` over the UTF-16 code units, in `int`
/// arithmetic.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// GENIUS's `Bid.hashCode()` of an outcome: the sum of its values' hash codes
/// (`ValueDiscrete`: the value's `String.hashCode()`; `ValueInteger`: 0; a real value: its
/// `Double.hashCode()`), in `int` arithmetic. Independent of the object's identity, so the
/// iteration order of a `HashMap<Bid, _>` is the same in every run.
pub fn java_bid_hash(space: &OutcomeSpace, outcome: &[Value]) -> i32 {
    let mut h = 0i32;
    for (issue, v) in space.issues().iter().zip(outcome) {
        let vh = match (issue.kind(), v) {
            (IssueKind::Categorical(names), Value::Index(k)) => names.get(*k as usize).map_or(0, |n| java_string_hash(n)),
            (IssueKind::Integer { .. }, _) => 0,
            _ => {
                let bits = issue.numeric(*v).unwrap_or(0.0).to_bits();
                (bits ^ (bits >> 32)) as u32 as i32
            }
        };
        h = h.wrapping_add(vh);
    }
    h
}

/// The iteration order of a `java.util.HashMap` (or `HashSet`) created with the default
/// capacity, after its keys were inserted in a given order: key `k` with hash `h` lives in bucket
/// `(h ^ (h >>> 16)) & (capacity - 1)`; buckets are visited in order and a bucket's keys in
/// insertion order (a resize splits a bucket keeping that order). The capacity starts at 16 and
/// doubles when the size exceeds 3/4 of it, or when a bucket reaches 9 keys while the capacity is
/// below 64 (`treeifyBin`). A bucket that reaches 9 keys at a larger capacity becomes a red-black
/// tree in Java, whose order this does not reproduce: [`JavaHashOrder::treeified`] reports it.
#[derive(Clone, Debug)]
pub struct JavaHashOrder {
    /// `(hash, key)` in insertion order.
    entries: Vec<(i32, u64)>,
    members: std::collections::HashSet<u64>,
    capacity: usize,
    bucket_sizes: Vec<u32>,
    treeified: bool,
}

impl Default for JavaHashOrder {
    fn default() -> JavaHashOrder {
        JavaHashOrder::new()
    }
}

impl JavaHashOrder {
    /// An empty map (`new HashMap<>()`).
    pub fn new() -> JavaHashOrder {
        JavaHashOrder {
            entries: Vec::new(),
            members: std::collections::HashSet::new(),
            capacity: 16,
            bucket_sizes: vec![0; 16],
            treeified: false,
        }
    }

    fn bucket(hash: i32, capacity: usize) -> usize {
        let h = hash as u32;
        ((h ^ (h >> 16)) as usize) & (capacity - 1)
    }

    fn resize(&mut self) {
        self.capacity *= 2;
        self.bucket_sizes = vec![0; self.capacity];
        for (h, _) in &self.entries {
            self.bucket_sizes[Self::bucket(*h, self.capacity)] += 1;
        }
    }

    /// `put(key, …)` of a key with Java hash code `hash`; false when the key was already there
    /// (its place does not change).
    pub fn insert(&mut self, hash: i32, key: u64) -> bool {
        if !self.members.insert(key) {
            return false;
        }
        self.entries.push((hash, key));
        let b = Self::bucket(hash, self.capacity);
        self.bucket_sizes[b] += 1;
        if self.bucket_sizes[b] >= 9 {
            if self.capacity < 64 {
                self.resize();
            } else {
                self.treeified = true;
            }
        }
        if self.entries.len() > self.capacity / 4 * 3 {
            self.resize();
        }
        true
    }

    /// Whether `key` is in the map.
    pub fn contains(&self, key: u64) -> bool {
        self.members.contains(&key)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// True once some bucket became a tree in Java: from then on the order may differ from
    /// Java's.
    pub fn treeified(&self) -> bool {
        self.treeified
    }

    /// The keys in Java's iteration order.
    pub fn order(&self) -> Vec<u64> {
        let mut idx: Vec<(usize, usize)> =
            self.entries.iter().enumerate().map(|(i, (h, _))| (Self::bucket(*h, self.capacity), i)).collect();
        idx.sort_unstable();
        idx.into_iter().map(|(_, i)| self.entries[i].1).collect()
    }
}

/// `java.util.TreeMap`'s red-black tree, node for node, for ports that keep the map's *live*
/// entries (those an iteration hands out) after removing keys: Java's `deleteEntry` of a node
/// with two children moves its successor's key and value into that node, so a live entry of a
/// removed key then reads as its successor (HardHeaded's offer queue depends on this). Keys only:
/// the ports' values follow their keys. Node ids are stable; a node's key is [`JavaTreeMap::key`].
#[derive(Clone, Debug, Default)]
pub struct JavaTreeMap<K> {
    nodes: Vec<TreeNode<K>>,
    root: Option<usize>,
    len: usize,
}

#[derive(Clone, Debug)]
struct TreeNode<K> {
    key: K,
    left: Option<usize>,
    right: Option<usize>,
    parent: Option<usize>,
    black: bool,
}

impl<K: Ord + Copy> JavaTreeMap<K> {
    /// An empty map.
    pub fn new() -> JavaTreeMap<K> {
        JavaTreeMap { nodes: Vec::new(), root: None, len: 0 }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The key a node holds now.
    pub fn key(&self, node: usize) -> K {
        self.nodes[node].key
    }

    fn left(&self, n: Option<usize>) -> Option<usize> {
        n.and_then(|n| self.nodes[n].left)
    }

    fn right(&self, n: Option<usize>) -> Option<usize> {
        n.and_then(|n| self.nodes[n].right)
    }

    fn parent(&self, n: Option<usize>) -> Option<usize> {
        n.and_then(|n| self.nodes[n].parent)
    }

    fn is_black(&self, n: Option<usize>) -> bool {
        n.is_none_or(|n| self.nodes[n].black)
    }

    fn set_black(&mut self, n: Option<usize>, black: bool) {
        if let Some(n) = n {
            self.nodes[n].black = black;
        }
    }

    /// `put(key, …)`: a new node, or nothing when the key is there.
    pub fn put(&mut self, key: K) {
        let Some(mut t) = self.root else {
            self.nodes.push(TreeNode { key, left: None, right: None, parent: None, black: true });
            self.root = Some(self.nodes.len() - 1);
            self.len = 1;
            return;
        };
        let (parent, left) = loop {
            match key.cmp(&self.nodes[t].key) {
                std::cmp::Ordering::Less => match self.nodes[t].left {
                    Some(l) => t = l,
                    None => break (t, true),
                },
                std::cmp::Ordering::Greater => match self.nodes[t].right {
                    Some(r) => t = r,
                    None => break (t, false),
                },
                std::cmp::Ordering::Equal => return,
            }
        };
        self.nodes.push(TreeNode { key, left: None, right: None, parent: Some(parent), black: false });
        let e = self.nodes.len() - 1;
        if left {
            self.nodes[parent].left = Some(e);
        } else {
            self.nodes[parent].right = Some(e);
        }
        self.fix_after_insertion(e);
        self.len += 1;
    }

    fn rotate_left(&mut self, p: Option<usize>) {
        let Some(p) = p else { return };
        let Some(r) = self.nodes[p].right else { return };
        self.nodes[p].right = self.nodes[r].left;
        if let Some(rl) = self.nodes[r].left {
            self.nodes[rl].parent = Some(p);
        }
        self.nodes[r].parent = self.nodes[p].parent;
        match self.nodes[p].parent {
            None => self.root = Some(r),
            Some(pp) if self.nodes[pp].left == Some(p) => self.nodes[pp].left = Some(r),
            Some(pp) => self.nodes[pp].right = Some(r),
        }
        self.nodes[r].left = Some(p);
        self.nodes[p].parent = Some(r);
    }

    fn rotate_right(&mut self, p: Option<usize>) {
        let Some(p) = p else { return };
        let Some(l) = self.nodes[p].left else { return };
        self.nodes[p].left = self.nodes[l].right;
        if let Some(lr) = self.nodes[l].right {
            self.nodes[lr].parent = Some(p);
        }
        self.nodes[l].parent = self.nodes[p].parent;
        match self.nodes[p].parent {
            None => self.root = Some(l),
            Some(pp) if self.nodes[pp].right == Some(p) => self.nodes[pp].right = Some(l),
            Some(pp) => self.nodes[pp].left = Some(l),
        }
        self.nodes[l].right = Some(p);
        self.nodes[p].parent = Some(l);
    }

    fn fix_after_insertion(&mut self, x: usize) {
        let mut x = Some(x);
        self.set_black(x, false);
        while x.is_some() && x != self.root && !self.is_black(self.parent(x)) {
            let px = self.parent(x);
            let gx = self.parent(px);
            if px == self.left(gx) {
                let y = self.right(gx);
                if !self.is_black(y) {
                    self.set_black(px, true);
                    self.set_black(y, true);
                    self.set_black(gx, false);
                    x = gx;
                } else {
                    if x == self.right(px) {
                        x = px;
                        self.rotate_left(x);
                    }
                    let px = self.parent(x);
                    self.set_black(px, true);
                    self.set_black(self.parent(px), false);
                    self.rotate_right(self.parent(px));
                }
            } else {
                let y = self.left(gx);
                if !self.is_black(y) {
                    self.set_black(px, true);
                    self.set_black(y, true);
                    self.set_black(gx, false);
                    x = gx;
                } else {
                    if x == self.left(px) {
                        x = px;
                        self.rotate_right(x);
                    }
                    let px = self.parent(x);
                    self.set_black(px, true);
                    self.set_black(self.parent(px), false);
                    self.rotate_left(self.parent(px));
                }
            }
        }
        let root = self.root;
        self.set_black(root, true);
    }

    fn successor(&self, t: usize) -> Option<usize> {
        if let Some(mut p) = self.nodes[t].right {
            while let Some(l) = self.nodes[p].left {
                p = l;
            }
            return Some(p);
        }
        let mut ch = t;
        let mut p = self.nodes[t].parent;
        while let Some(pp) = p {
            if self.nodes[pp].right != Some(ch) {
                break;
            }
            ch = pp;
            p = self.nodes[pp].parent;
        }
        p
    }

    fn find(&self, key: K) -> Option<usize> {
        let mut t = self.root;
        while let Some(n) = t {
            t = match key.cmp(&self.nodes[n].key) {
                std::cmp::Ordering::Less => self.nodes[n].left,
                std::cmp::Ordering::Greater => self.nodes[n].right,
                std::cmp::Ordering::Equal => return Some(n),
            };
        }
        None
    }

    /// `remove(key)` (Java's `deleteEntry`); false when the key is not there.
    pub fn remove(&mut self, key: K) -> bool {
        let Some(mut p) = self.find(key) else { return false };
        self.len -= 1;
        if self.nodes[p].left.is_some() && self.nodes[p].right.is_some() {
            if let Some(s) = self.successor(p) {
                self.nodes[p].key = self.nodes[s].key;
                p = s;
            }
        }
        let replacement = self.nodes[p].left.or(self.nodes[p].right);
        if let Some(r) = replacement {
            self.nodes[r].parent = self.nodes[p].parent;
            match self.nodes[p].parent {
                None => self.root = Some(r),
                Some(pp) if self.nodes[pp].left == Some(p) => self.nodes[pp].left = Some(r),
                Some(pp) => self.nodes[pp].right = Some(r),
            }
            self.nodes[p].left = None;
            self.nodes[p].right = None;
            self.nodes[p].parent = None;
            if self.nodes[p].black {
                self.fix_after_deletion(r);
            }
        } else if self.nodes[p].parent.is_none() {
            self.root = None;
        } else {
            if self.nodes[p].black {
                self.fix_after_deletion(p);
            }
            if let Some(pp) = self.nodes[p].parent {
                if self.nodes[pp].left == Some(p) {
                    self.nodes[pp].left = None;
                } else if self.nodes[pp].right == Some(p) {
                    self.nodes[pp].right = None;
                }
                self.nodes[p].parent = None;
            }
        }
        true
    }

    fn fix_after_deletion(&mut self, x: usize) {
        let mut x = Some(x);
        while x != self.root && self.is_black(x) {
            let px = self.parent(x);
            if x == self.left(px) {
                let mut sib = self.right(px);
                if !self.is_black(sib) {
                    self.set_black(sib, true);
                    self.set_black(px, false);
                    self.rotate_left(px);
                    sib = self.right(self.parent(x));
                }
                if self.is_black(self.left(sib)) && self.is_black(self.right(sib)) {
                    self.set_black(sib, false);
                    x = self.parent(x);
                } else {
                    if self.is_black(self.right(sib)) {
                        self.set_black(self.left(sib), true);
                        self.set_black(sib, false);
                        self.rotate_right(sib);
                        sib = self.right(self.parent(x));
                    }
                    let px = self.parent(x);
                    let c = self.is_black(px);
                    self.set_black(sib, c);
                    self.set_black(px, true);
                    self.set_black(self.right(sib), true);
                    self.rotate_left(px);
                    x = self.root;
                }
            } else {
                let mut sib = self.left(px);
                if !self.is_black(sib) {
                    self.set_black(sib, true);
                    self.set_black(px, false);
                    self.rotate_right(px);
                    sib = self.left(self.parent(x));
                }
                if self.is_black(self.right(sib)) && self.is_black(self.left(sib)) {
                    self.set_black(sib, false);
                    x = self.parent(x);
                } else {
                    if self.is_black(self.left(sib)) {
                        self.set_black(self.right(sib), true);
                        self.set_black(sib, false);
                        self.rotate_left(sib);
                        sib = self.left(self.parent(x));
                    }
                    let px = self.parent(x);
                    let c = self.is_black(px);
                    self.set_black(sib, c);
                    self.set_black(px, true);
                    self.set_black(self.left(sib), true);
                    self.rotate_right(px);
                    x = self.root;
                }
            }
        }
        self.set_black(x, true);
    }

    /// The nodes in key order (the live entries of an iteration).
    pub fn nodes_in_order(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.len);
        let Some(mut t) = self.root else { return out };
        while let Some(l) = self.nodes[t].left {
            t = l;
        }
        let mut cur = Some(t);
        while let Some(n) = cur {
            out.push(n);
            cur = self.successor(n);
        }
        out
    }

    /// The largest key (`lastKey()`).
    pub fn last_key(&self) -> Option<K> {
        let mut t = self.root?;
        while let Some(r) = self.nodes[t].right {
            t = r;
        }
        Some(self.nodes[t].key)
    }
}

/// What GENIUS's multilateral runner logs about a session's agreement, for its parties (the
/// mediator first when it has a profile, then the parties, as GENIUS orders them).
#[derive(Clone, Debug, PartialEq)]
pub struct GeniusAnalysis {
    /// Each party's (discounted) utility of the agreement, or its reservation value without one
    /// (`CsvLogger.getUtils`).
    pub utils: Vec<f64>,
    /// Lowest of `utils` ("min.util.").
    pub min_util: f64,
    /// Highest of `utils` ("max.util.").
    pub max_util: f64,
    /// Distance of the agreement to the nearest frontier point ("Dist. to Pareto"); the
    /// agreement point is all zeros when there is none, as in GENIUS.
    pub dist_pareto: f64,
    /// Distance to GENIUS's Nash point ("Dist. to Nash").
    pub dist_nash: f64,
    /// Sum of every party's utility of the agreement, 0 without agreement ("Social Welfare").
    pub social_welfare: f64,
    /// The frontier's size (ties included).
    pub frontier_len: usize,
    /// The Nash point's utilities.
    pub nash: Vec<f64>,
}

/// GENIUS's cut-off on the bids `MultilateralAnalysis` enumerates.
pub const ENUMERATION_CUTOFF: usize = 100_000;

/// GENIUS's reservation value of a profile: 0 when it has none (ours is then `-inf` under NegMAS
/// semantics).
fn reservation(p: &Preferences) -> f64 {
    if p.reserved_value.is_finite() {
        p.reserved_value
    } else {
        0.0
    }
}

/// GENIUS's `discount(u, t)`: `u * d^t` for a normalised-time discount, `u` otherwise.
fn discounted(p: &Preferences, u: f64, time: f64) -> f64 {
    match p.discount {
        Discount::NormalizedTime(d) if d > 0.0 && d < 1.0 => u * d.powf(time),
        _ => u,
    }
}

/// `a` strictly dominated by `b`: `b` at least as good for all and better for one.
fn strictly_dominated(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if y < x {
            return false;
        }
        if y > x {
            better = true;
        }
    }
    better
}

fn euclid(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |s, (x, y)| s + (x - y).powi(2)).sqrt()
}

impl GeniusAnalysis {
    /// Analyses `agreement` (an outcome of the discrete `space`, or `None`) for `parties` at
    /// the session's end time `time` in `[0, 1]`, GENIUS's way. Fails on a continuous space.
    pub fn new(space: &OutcomeSpace, parties: &[&Preferences], agreement: Option<&[Value]>, time: f64) -> Result<GeniusAnalysis, Error> {
        if !space.is_discrete() {
            return Err(Error::param(
                "genius analysis",
                "GENIUS enumerates bids: expected a discrete outcome space, found a continuous issue",
            ));
        }
        if parties.is_empty() {
            return Err(Error::param("genius analysis", "expected at least one party"));
        }
        let util = |p: &Preferences, o: &[Value]| discounted(p, p.utility.eval(o), time);
        // CsvLogger.getUtils: utility of the agreement, or the reservation value, discounted.
        let utils: Vec<f64> =
            parties.iter().map(|p| discounted(p, agreement.map_or_else(|| reservation(p), |o| p.utility.eval(o)), time)).collect();
        let min_util = utils.iter().copied().fold(f64::INFINITY, f64::min);
        let max_util = utils.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // MultilateralAnalysis: the agreement point is all zeros without agreement.
        let point: Vec<f64> = match agreement {
            Some(o) => parties.iter().map(|p| util(p, o)).collect(),
            None => vec![0.0; parties.len()],
        };
        let social_welfare = match agreement {
            Some(o) => parties.iter().fold(0.0, |s, p| s + util(p, o)),
            None => 0.0,
        };
        // BidIterator: the first issue varies fastest; stop after ENUMERATION_CUTOFF bids.
        let radices: Vec<u64> = space.radices().iter().map(|r| r.unwrap_or(1)).collect();
        let mut digits = vec![0u64; radices.len()];
        let mut frontier: Vec<Vec<f64>> = Vec::new();
        let total = space.cardinality().unwrap_or(0).min(ENUMERATION_CUTOFF as u128) as usize;
        let mut outcome: Vec<Value> = Vec::with_capacity(radices.len());
        for _ in 0..total {
            outcome.clear();
            outcome.extend(digits.iter().map(|d| Value::Index(*d as u32)));
            let u: Vec<f64> = parties.iter().map(|p| util(p, &outcome)).collect();
            merge_into_frontier(&mut frontier, u);
            for (d, r) in digits.iter_mut().zip(&radices) {
                if *d + 1 < *r {
                    *d += 1;
                    break;
                }
                *d = 0;
            }
        }
        // ParetoFrontier.sort: stable, by the first party's utility ascending.
        frontier.sort_by(|a, b| a[0].partial_cmp(&b[0]).unwrap_or(std::cmp::Ordering::Equal));
        let dist_pareto = frontier.iter().map(|f| euclid(&point, f)).fold(f64::INFINITY, f64::min);
        let rv: Vec<f64> = parties.iter().map(|p| reservation(p)).collect();
        let mut nash: Vec<f64> = vec![0.0; parties.len()];
        let mut max_p = -1.0;
        for f in &frontier {
            let p = f.iter().zip(&rv).fold(1.0, |acc, (u, r)| acc * (u - r));
            if p > max_p {
                max_p = p;
                nash.clone_from(f);
            }
        }
        let dist_nash = euclid(&point, &nash);
        Ok(GeniusAnalysis { utils, min_util, max_util, dist_pareto, dist_nash, social_welfare, frontier_len: frontier.len(), nash })
    }
}

/// `ParetoFrontier.mergeIntoFrontier`: drop a point some frontier point strictly dominates;
/// otherwise remove the points it strictly dominates and append it (equal points are kept).
fn merge_into_frontier(frontier: &mut Vec<Vec<f64>>, p: Vec<f64>) {
    for k in 0..frontier.len() {
        if strictly_dominated(&p, &frontier[k]) {
            return;
        }
        if strictly_dominated(&frontier[k], &p) {
            frontier.retain(|f| !strictly_dominated(f, &p));
            frontier.push(p);
            return;
        }
    }
    frontier.push(p);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_matches_java() {
        // Values printed by OpenJDK's java.util.Random.
        assert_eq!(JavaRandom::new(0).next_int(), -1155484576);
        let mut r = JavaRandom::new(42);
        assert_eq!([r.next_int(), r.next_int()], [-1170105035, 234785527]);
        // nextInt(bound) is next(31) % bound for these states, and a power of two takes the
        // high bits.
        let mut a = JavaRandom::new(0);
        let mut b = JavaRandom::new(0);
        let raw = (b.next_int() as u32 >> 1) as i32;
        assert_eq!(a.next_int_bounded(10), raw % 10);
        let mut c = JavaRandom::new(7);
        let mut d = JavaRandom::new(7);
        assert_eq!(c.next_int_bounded(8), ((d.next_int() as u32) >> 29) as i32);
        assert_eq!(JavaRandom::new(0).next_int_bounded(0), 0);
        let x = JavaRandom::new(0).next_double();
        assert!((0.0..1.0).contains(&x));
        assert_eq!(x, 0.730967787376657);
    }

    #[test]
    fn tree_map_live_entries_take_their_successors_keys() {
        // OpenJDK 17: entries of `entrySet()` taken before `remove(30, 50, 20, 80, 5)` read
        // 5,10,25,25,33,33,35,60,60,70,75,90,90,95 afterwards.
        let mut m = JavaTreeMap::new();
        for k in [50, 20, 80, 10, 30, 70, 90, 25, 35, 60, 75, 5, 95, 33] {
            m.put(k);
        }
        m.put(33);
        assert_eq!(m.len(), 14);
        let live = m.nodes_in_order();
        for k in [30, 50, 20, 80, 5] {
            assert!(m.remove(k));
        }
        assert!(!m.remove(5));
        let keys: Vec<i32> = live.iter().map(|n| m.key(*n)).collect();
        assert_eq!(keys, [5, 10, 25, 25, 33, 33, 35, 60, 60, 70, 75, 90, 90, 95]);
        let left: Vec<i32> = m.nodes_in_order().iter().map(|n| m.key(*n)).collect();
        assert_eq!(left, [10, 25, 33, 35, 60, 70, 75, 90, 95]);
        assert_eq!(m.last_key(), Some(95));
    }

    #[test]
    fn hash_order_is_javas() {
        // OpenJDK 17: a HashMap<Integer, _> (hash = the value) after these puts iterates as below
        // (a bucket of 9 at capacity 16 and 32 resizes; the size resizes to 64).
        let keys =
            [17, 1, 33, 65, 97, 129, 161, 193, 225, 257, 2, 100000, -5, 70000, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 1 << 20];
        let mut h = JavaHashOrder::new();
        for k in keys {
            assert!(h.insert(k, k as u32 as u64));
        }
        assert!(!h.insert(17, 17));
        assert!(!h.treeified());
        let order: Vec<i32> = h.order().into_iter().map(|k| k as u32 as i32).collect();
        assert_eq!(
            order,
            [1, 65, 129, 193, 257, 2, 3, -5, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 1048576, 17, 33, 97, 161, 225, 100000, 70000]
        );
        assert_eq!(java_string_hash("Itex"), 2289470);
        assert_eq!(java_string_hash("$4.37"), 34841730);
        assert_eq!(java_string_hash("Zimbabwe will reduce tariffs on imports"), -1112955081);
    }

    #[test]
    fn frontier_keeps_ties_and_drops_dominated_points() {
        let mut f = Vec::new();
        for p in [vec![0.1, 0.1], vec![0.5, 0.5], vec![0.5, 0.5], vec![0.2, 0.9], vec![0.6, 0.4], vec![0.4, 0.4]] {
            merge_into_frontier(&mut f, p);
        }
        assert_eq!(f, vec![vec![0.5, 0.5], vec![0.5, 0.5], vec![0.2, 0.9], vec![0.6, 0.4]]);
    }
}
