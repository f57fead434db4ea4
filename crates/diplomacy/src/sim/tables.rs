//! The packages of a step and what each is worth to each party: a step's table (built once per
//! step state and utilities, shared through the scenario's cache or memoised per worker), and
//! the acceptance tests on it under the current trust, floors and leverage.

use std::collections::HashMap;
use std::sync::Arc;

use bc_model::{Issue, IssueKind, OutcomeSpace, UtilityFunction, Value};

use super::Run;
use crate::bargain::Aspirations;
use crate::draws::Draws;
use crate::model::Model;

/// The packages of a step's open issues and what they are worth.
#[derive(Clone, Debug)]
pub struct Table {
    /// The packages as an outcome space (the open issues, real ones on their grid): package p
    /// is outcome p. What the protocols see (None: the step has no open issue).
    pub(super) space: Option<Arc<OutcomeSpace>>,
    /// Open issues (space indices).
    pub(super) open: Vec<usize>,
    /// Values of each open issue (grid for real issues).
    pub(super) choices: Vec<Vec<Value>>,
    /// Package digits, flat: package p's are `digits[p * open.len()..][..open.len()]`.
    pub(super) digits: Vec<u32>,
    /// Number of packages.
    pub(super) count: usize,
    /// `u[i][p]`: utility with the package in place and everything else as now.
    pub(super) u: Vec<Vec<f64>>,
    /// `without[i][j][p]`: utility for i if j does not deliver (j's issues stay as now).
    pub(super) without: Vec<Vec<Vec<f64>>>,
    /// Per party: lowest and highest `u` over the packages.
    pub(super) range: Vec<(f64, f64)>,
    /// True when every open issue is real-valued (Rubinstein may mix neighbouring packages).
    pub(super) all_real: bool,
}

/// What the runs of one worker reuse: a run's buffers, and the step tables already built for
/// the same utilities. A table depends only on the utilities, the open issues, the values in
/// place and the no-deal values, so reusing one changes nothing: results never depend on what a
/// scratch holds. Give each worker its own ([`super::simulate_in`]).
#[derive(Default)]
pub struct Scratch {
    pub(super) values: Vec<Vec<f64>>,
    pub(super) base_ok: Vec<Vec<bool>>,
    pub(super) recip_ok: Vec<Vec<bool>>,
    pub(super) joint: Vec<usize>,
    pub(super) levels: Vec<f64>,
    pub(super) doubt: Vec<f64>,
    pub(super) scratch: Vec<Value>,
    pub(super) memo: TableMemo,
    pub(super) aspirations: Aspirations,
    pub(super) frontiers: Vec<Arc<super::Frontier>>,
}

/// Packages held at most by a [`TableMemo`] (summed over its tables; about 100 bytes each): it
/// starts afresh when full, so memory stays flat.
const MEMO_PACKAGES: usize = 50_000;

/// Step tables by what they depend on, for one model's utilities.
#[derive(Default)]
pub(super) struct TableMemo {
    /// The model the tables are of: its space, utilities (held, so that no other utility can
    /// take their addresses), implementers and real grid.
    owner: Option<Owner>,
    tables: HashMap<TableKey, Arc<Table>>,
    /// Packages in `tables`.
    packages: usize,
    /// The key being looked up (reused).
    key: TableKey,
}

struct Owner {
    space: Arc<OutcomeSpace>,
    utilities: Vec<Arc<UtilityFunction>>,
    implementers: Vec<Vec<usize>>,
    real_grid: u32,
}

impl Owner {
    fn of(m: &Model) -> Owner {
        Owner {
            space: Arc::clone(&m.space),
            utilities: m.parties.iter().map(|p| Arc::clone(&p.utility)).collect(),
            implementers: m.issues.iter().map(|i| i.implementers.clone()).collect(),
            real_grid: m.real_grid,
        }
    }

    fn is_of(&self, m: &Model) -> bool {
        Arc::ptr_eq(&self.space, &m.space)
            && self.real_grid == m.real_grid
            && self.utilities.len() == m.parties.len()
            && self.utilities.iter().zip(&m.parties).all(|(u, p)| Arc::ptr_eq(u, &p.utility))
            && self.implementers.len() == m.issues.len()
            && self.implementers.iter().zip(&m.issues).all(|(a, i)| *a == i.implementers)
    }
}

/// What a table depends on besides the model's utilities: the open issues, the value in place
/// of each issue and each party's no-deal value (numbers by their bits).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct TableKey {
    open: Vec<usize>,
    current: Vec<(u8, u64)>,
    reservation: Vec<u64>,
}

impl TableMemo {
    /// Forgets everything unless the tables are of `m`'s utilities.
    pub(super) fn bind(&mut self, m: &Model) {
        if !self.owner.as_ref().is_some_and(|o| o.is_of(m)) {
            self.owner = Some(Owner::of(m));
            self.tables.clear();
            self.packages = 0;
        }
    }

    /// Sets the key being looked up.
    fn set_key(&mut self, open: &[usize], current: &[Option<Value>], reservation: &[f64]) {
        let k = &mut self.key;
        k.open.clear();
        k.open.extend_from_slice(open);
        k.current.clear();
        k.current.extend(current.iter().map(|v| match v {
            None => (0, 0),
            Some(Value::Index(i)) => (1, u64::from(*i)),
            Some(Value::Real(x)) => (2, x.to_bits()),
        }));
        k.reservation.clear();
        k.reservation.extend(reservation.iter().map(|r| r.to_bits()));
    }

    fn get(&self) -> Option<Arc<Table>> {
        self.tables.get(&self.key).cloned()
    }

    fn insert(&mut self, t: &Arc<Table>) {
        if self.packages + t.count > MEMO_PACKAGES {
            self.tables.clear();
            self.packages = 0;
        }
        self.packages += t.count;
        self.tables.insert(self.key.clone(), Arc::clone(t));
    }
}

impl Run<'_> {
    /// Opens the current step: its table at the current state, and the acceptance tests reset.
    pub(super) fn open_step(&mut self) {
        let Some(s) = self.step else { return };
        self.table = self.table_for(self.m.steps[s].issues.clone());
        self.after_open();
    }

    /// The table of the packages of issues `open` at the current state.
    pub(super) fn table_for(&mut self, open: Vec<usize>) -> Arc<Table> {
        let m = self.m;
        // At the status quo the table depends only on the utilities and the open issues: take
        // it from the scenario's cache when there is one.
        if self.current.iter().zip(&m.issues).all(|(c, i)| *c == i.status_quo) {
            if let Some(t) = self.cache.get(&open) {
                return t;
            }
        }
        // Otherwise on the utilities, the open issues, the values in place and the no-deal
        // values: take it from this worker's memo when it was built before.
        self.memo.set_key(&open, &self.current, &self.reservation);
        if let Some(t) = self.memo.get() {
            return t;
        }
        let t = Arc::new(self.build_table(open));
        self.memo.insert(&t);
        t
    }

    /// d_i: the better of the reservation and the current state.
    fn disagreement(&self, i: usize) -> f64 {
        let mut scratch = Vec::with_capacity(self.current.len());
        for c in &self.current {
            match c {
                Some(v) => scratch.push(*v),
                None => return self.reservation[i],
            }
        }
        self.reservation[i].max(self.m.parties[i].utility.eval(&scratch))
    }

    pub(super) fn after_open(&mut self) {
        let n = self.n;
        let count = self.table.count;
        for i in 0..n {
            self.d[i] = self.disagreement(i);
        }
        self.stale.iter_mut().for_each(|s| *s = true);
        self.recip_stale = true;
        self.frontier = None;
        self.step_open = self.t;
        self.talks.open();
        for i in 0..n {
            self.values[i].clear();
            self.values[i].resize(count, 0.0);
            self.base_ok[i].clear();
            self.base_ok[i].resize(count, false);
        }
    }

    /// The values each open issue can take in a package (a real issue's grid).
    pub(super) fn choices(&self, open: &[usize]) -> Vec<Vec<Value>> {
        let m = self.m;
        open.iter()
            .map(|&k| {
                let issue = &m.space.issues()[k];
                match issue.kind() {
                    IssueKind::Real { lo, hi } => {
                        let g = m.real_grid.max(2);
                        (0..g).map(|s| Value::Real(lo + (hi - lo) * f64::from(s) / f64::from(g - 1))).collect()
                    }
                    _ => (0..issue.cardinality().unwrap_or(1)).map(|v| Value::Index(v as u32)).collect(),
                }
            })
            .collect()
    }

    /// The packages of the open issues and what each is worth to each party.
    pub(super) fn build_table(&self, open: Vec<usize>) -> Table {
        let m = self.m;
        let space = &m.space;
        let choices = self.choices(&open);
        let all_real = open.iter().all(|&k| matches!(space.issues()[k].kind(), bc_model::IssueKind::Real { .. }));
        let radices: Vec<u32> = choices.iter().map(|c| c.len() as u32).collect();
        let count: usize = radices.iter().map(|r| *r as usize).product();
        let mut digits = Vec::with_capacity(count * open.len());
        let mut d = vec![0u32; open.len()];
        for _ in 0..count {
            digits.extend_from_slice(&d);
            for k in (0..d.len()).rev() {
                d[k] += 1;
                if d[k] < radices[k] {
                    break;
                }
                d[k] = 0;
            }
        }
        let n = self.n;
        let mut u = vec![vec![0.0; count]; n];
        let mut without = vec![vec![vec![0.0; count]; n]; n];
        let mut outcome: Vec<Option<Value>> = self.current.clone();
        let mut partial: Vec<Option<Value>> = self.current.clone();
        let mut full: Vec<Value> = Vec::with_capacity(outcome.len());
        let w = open.len();
        let additive: Option<Vec<&bc_model::LinearAdditive>> = m.parties.iter().map(|p| p.utility.as_additive()).collect();
        let outside_defined = (0..self.current.len()).all(|k| open.contains(&k) || self.current[k].is_some());
        if let (Some(fs), true) = (additive.as_ref(), outside_defined) {
            // Additive utilities: sums of precomputed terms (same values as `eval` up to the
            // order of additions).
            let implements: Vec<Vec<bool>> =
                (0..n).map(|j| open.iter().map(|k| m.issues[*k].implementers.contains(&j)).collect()).collect();
            for (i, f) in fs.iter().enumerate() {
                let mut base = f.bias();
                for (k, c) in self.current.iter().enumerate() {
                    if let (false, Some(v)) = (open.contains(&k), c) {
                        base += f.term(k, *v);
                    }
                }
                let terms: Vec<Vec<f64>> = open.iter().zip(&choices).map(|(&k, cs)| cs.iter().map(|v| f.term(k, *v)).collect()).collect();
                let now: Vec<Option<f64>> = open.iter().map(|&k| self.current[k].map(|v| f.term(k, v))).collect();
                for p in 0..count {
                    let dg = &digits[p * w..(p + 1) * w];
                    let mut total = base;
                    for (slot, d) in dg.iter().enumerate() {
                        total += terms[slot][*d as usize];
                    }
                    u[i][p] = f.finish(total);
                    for j in (0..n).filter(|j| *j != i) {
                        let mut alt = Some(base);
                        for (slot, d) in dg.iter().enumerate() {
                            alt = match (alt, implements[j][slot]) {
                                (Some(a), true) => now[slot].map(|x| a + x),
                                (Some(a), false) => Some(a + terms[slot][*d as usize]),
                                (None, _) => None,
                            };
                        }
                        without[i][j][p] = alt.map_or(self.reservation[i], |a| f.finish(a));
                    }
                }
            }
        }
        for p in 0..count {
            if additive.is_some() && outside_defined {
                break;
            }
            let dg = &digits[p * w..(p + 1) * w];
            for (slot, (&k, &di)) in open.iter().zip(dg).enumerate() {
                outcome[k] = Some(choices[slot][di as usize]);
            }
            let complete = fill(&outcome, &mut full);
            for i in 0..n {
                u[i][p] = if complete { m.parties[i].utility.eval(&full) } else { self.reservation[i] };
            }
            for j in 0..n {
                // j defects: the open issues j implements stay as they are now.
                partial.copy_from_slice(&outcome);
                for &k in &open {
                    if m.issues[k].implementers.contains(&j) {
                        partial[k] = self.current[k];
                    }
                }
                let complete = fill(&partial, &mut full);
                for i in 0..n {
                    if i != j {
                        without[i][j][p] = if complete { m.parties[i].utility.eval(&full) } else { self.reservation[i] };
                    }
                }
            }
        }
        let range = u.iter().map(|row| row.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)))).collect();
        let space = self.cache.space(&open).or_else(|| step_space(&m.space, &open, &choices).map(Arc::new));
        Table { space, open, choices, digits, count, u, without, range, all_real }
    }

    /// Recomputes what depends on trust and the disagreement values, for the parties whose
    /// trust changed (all of them when the step changed): credibility-discounted values, the
    /// packages that pass the disagreement and reciprocity tests, each party's range of values,
    /// its best gain as a function of its floor, and the packages every party admits.
    pub(super) fn refresh(&mut self) {
        self.refresh_reciprocity();
        if self.n == 2 && self.stale[0] && self.stale[1] {
            self.refresh_pair();
        } else {
            self.refresh_values();
        }
    }

    /// The reciprocity tests, when the step or the disagreement values changed.
    pub(super) fn refresh_reciprocity(&mut self) {
        if !self.recip_stale {
            return;
        }
        let n = self.n;
        let count = self.table.count;
        // A plain borrow (the table may be shared with other threads: no reference counting).
        let table: &Table = &self.table;
        for i in 0..n {
            let rho = self.m.parties[i].ratification.map_or(0.0, |r| r.reciprocity);
            let ok = &mut self.recip_ok[i];
            ok.clear();
            ok.resize(count, true);
            if rho > 0.0 {
                let (ui, di) = (&table.u[i][..count], self.d[i]);
                for j in (0..n).filter(|&j| j != i) {
                    let (uj, dj) = (&table.u[j][..count], self.d[j]);
                    for ((o, x), y) in ok.iter_mut().zip(ui).zip(uj) {
                        *o = *o && x - di >= rho * (y - dj) - 1e-12;
                    }
                }
            }
        }
        self.recip_stale = false;
        self.frontier = None;
    }

    /// [`Run::refresh`]'s part for the parties whose trust changed: credibility-discounted
    /// values, tests, ranges and the joint set.
    fn refresh_values(&mut self) {
        let n = self.n;
        let count = self.table.count;
        let table: &Table = &self.table;
        let mut doubt = std::mem::take(&mut self.doubt);
        doubt.clear();
        doubt.resize(n, 0.0);
        for i in 0..n {
            if !self.stale[i] {
                continue;
            }
            self.stale[i] = false;
            // The mediator's leverage lowers the value a package must clear.
            let di = self.d[i] - self.lev[i];
            for j in 0..n {
                doubt[j] = if i == j { 0.0 } else { 1.0 - self.beliefs[i][j].mean() };
            }
            // U_i = u_i - sum over j of doubt_ij (u_i - u_i without j), in party order.
            let ui = &table.u[i][..count];
            let vals = &mut self.values[i][..count];
            vals.copy_from_slice(ui);
            for j in (0..n).filter(|&j| j != i) {
                let (w, dj) = (&table.without[i][j][..count], doubt[j]);
                for ((v, x), y) in vals.iter_mut().zip(ui).zip(w) {
                    *v -= dj * (x - y);
                }
            }
            let ok = &mut self.base_ok[i][..count];
            self.ranges[i] = test_and_range(vals, &self.recip_ok[i][..count], di - 1e-12, ok);
        }
        self.doubt = doubt;
        // The packages every party admits, in increasing order: a branch-free append (whether a
        // package is admitted is close to random from one to the next) into a buffer that only
        // grows, so it is never cleared.
        if self.joint_buf.len() < count {
            self.joint_buf.resize(count, 0);
        }
        let mut len = 0;
        let joint = &mut self.joint_buf[..count];
        match &self.base_ok[..] {
            [a, b] => {
                // Two parties (the common case): one pass over both tests.
                for (p, (x, y)) in a[..count].iter().zip(&b[..count]).enumerate() {
                    joint[len] = p;
                    len += usize::from(*x & *y);
                }
            }
            oks => {
                for p in 0..count {
                    joint[len] = p;
                    len += usize::from(oks.iter().all(|ok| ok[p]));
                }
            }
        }
        self.joint_len = len;
    }

    /// [`Run::refresh`] for two parties whose trust both changed (every round of the default
    /// scenario): the same numbers, computed in one pass over the packages instead of five.
    fn refresh_pair(&mut self) {
        let count = self.table.count;
        let table: &Table = &self.table;
        self.stale[0] = false;
        self.stale[1] = false;
        let doubt = [1.0 - self.beliefs[0][1].mean(), 1.0 - self.beliefs[1][0].mean()];
        let threshold = [self.d[0] - self.lev[0] - 1e-12, self.d[1] - self.lev[1] - 1e-12];
        if self.joint_buf.len() < count {
            self.joint_buf.resize(count, 0);
        }
        let (u0, u1) = (&table.u[0][..count], &table.u[1][..count]);
        let (w0, w1) = (&table.without[0][1][..count], &table.without[1][0][..count]);
        let (r0, r1) = (&self.recip_ok[0][..count], &self.recip_ok[1][..count]);
        let [vals0, vals1] = &mut self.values[..] else { unreachable!("two parties") };
        let [ok0, ok1] = &mut self.base_ok[..] else { unreachable!("two parties") };
        let (vals0, vals1, ok0, ok1) = (&mut vals0[..count], &mut vals1[..count], &mut ok0[..count], &mut ok1[..count]);
        let joint = &mut self.joint_buf[..count];
        let (mut worst, mut best) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        let mut len = 0;
        for p in 0..count {
            // U_i = u_i - doubt_ij (u_i - u_i without j), as in the general loop.
            let v = [u0[p] - doubt[0] * (u0[p] - w0[p]), u1[p] - doubt[1] * (u1[p] - w1[p])];
            vals0[p] = v[0];
            vals1[p] = v[1];
            for i in 0..2 {
                if v[i] > best[i] {
                    best[i] = v[i];
                }
                if v[i] < worst[i] {
                    worst[i] = v[i];
                }
            }
            let (a, b) = ((v[0] >= threshold[0]) & r0[p], (v[1] >= threshold[1]) & r1[p]);
            ok0[p] = a;
            ok1[p] = b;
            joint[len] = p;
            len += usize::from(a & b);
        }
        self.ranges[0] = (worst[0], best[0]);
        self.ranges[1] = (worst[1], best[1]);
        self.joint_len = len;
    }

    /// The packages every party admits (disagreement and reciprocity tests), in increasing
    /// order, as of the last [`Run::evaluate`].
    pub(super) fn joint(&self) -> &[usize] {
        &self.joint_buf[..self.joint_len]
    }

    /// Values and tests refreshed where trust or the step changed (what [`Run::joint`], the
    /// values, the tests and the ranges read).
    pub(super) fn settle(&mut self) {
        if self.recip_stale || self.stale.iter().any(|s| *s) {
            self.refresh();
        }
    }

    /// Each party's absolute floor this round. The values and tests are refreshed on demand
    /// ([`Run::settle`]; a quiet round of a large table may be decided on its frontier).
    pub(super) fn evaluate(&mut self) {
        for i in 0..self.n {
            let (lo, hi) = self.table.range[i];
            let floor = self.bargaining_floor(i);
            self.floor_abs[i] = absolute_floor(floor, lo, hi) - self.lev[i];
        }
    }
}

/// Sets `ok[p]` to whether package `p` passes the disagreement test (`vals[p] >= threshold`) and
/// the reciprocity test (`recip[p]`), and returns the lowest and highest of `vals`. Four running
/// minima and maxima rather than one: the same result (the order of comparisons cannot change a
/// minimum; the range feeds only comparisons, where the sign of a zero cannot matter), without a
/// chain of dependent comparisons through the loop. Comparisons rather than `f64::min`: no NaN
/// handling (a NaN value is ignored, as before).
fn test_and_range(vals: &[f64], recip: &[bool], threshold: f64, ok: &mut [bool]) -> (f64, f64) {
    let mut worst = [f64::INFINITY; 4];
    let mut best = [f64::NEG_INFINITY; 4];
    let len = vals.len();
    let (ok, recip) = (&mut ok[..len], &recip[..len]);
    let body = len / 4 * 4;
    for c in (0..body).step_by(4) {
        let (v, o, r) = (&vals[c..c + 4], &mut ok[c..c + 4], &recip[c..c + 4]);
        for l in 0..4 {
            if v[l] > best[l] {
                best[l] = v[l];
            }
            if v[l] < worst[l] {
                worst[l] = v[l];
            }
            o[l] = (v[l] >= threshold) & r[l];
        }
    }
    for p in body..len {
        let v = vals[p];
        if v > best[0] {
            best[0] = v;
        }
        if v < worst[0] {
            worst[0] = v;
        }
        ok[p] = (v >= threshold) & recip[p];
    }
    let pick = |xs: [f64; 4], better: fn(f64, f64) -> bool| xs.into_iter().fold(xs[0], |a, x| if better(x, a) { x } else { a });
    (pick(worst, |x, a| x < a), pick(best, |x, a| x > a))
}

/// A floor on the step-normalised scale as a utility level on the step's range `[lo, hi]`
/// (minus infinity for no floor; a step whose packages are all worth the same passes any floor
/// up to 1).
pub(super) fn absolute_floor(floor: f64, lo: f64, hi: f64) -> f64 {
    if hi > lo {
        lo + floor * (hi - lo) - 1e-12
    } else if floor > 1.0 {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    }
}

impl Table {
    /// The table of no step (before the first opens).
    pub(super) fn empty() -> Table {
        Table {
            space: None,
            open: Vec::new(),
            choices: Vec::new(),
            digits: Vec::new(),
            count: 0,
            u: Vec::new(),
            without: Vec::new(),
            range: Vec::new(),
            all_real: false,
        }
    }
}

/// The outcome space of a step's packages: its open issues in space order, each as the integers
/// `0..r` numbering its `r` values in the model's order (a real issue's grid points), so that
/// package `p` (last issue fastest) is outcome `p`. The mechanisms and strategies need only the
/// numbering; traces name packages from the model's issues. None when no issue is open.
fn step_space(space: &OutcomeSpace, open: &[usize], choices: &[Vec<Value>]) -> Option<OutcomeSpace> {
    let issues: Vec<Issue> = open
        .iter()
        .zip(choices)
        .map(|(&k, cs)| Issue::integer(space.issues()[k].name(), 0, cs.len().saturating_sub(1) as i64))
        .collect::<Result<_, _>>()
        .ok()?;
    OutcomeSpace::new(space.name(), issues).ok()
}

/// Writes the values of `partial` into `full`; false if some issue has no value.
fn fill(partial: &[Option<Value>], full: &mut Vec<Value>) -> bool {
    full.clear();
    for v in partial {
        match v {
            Some(x) => full.push(*x),
            None => return false,
        }
    }
    true
}

/// The zone of agreement of the first step at the start of a run: the packages (values of the
/// step's issues, in space order) that every party would ratify and values at least at its
/// disagreement value, before any bargaining (Fearon's bargaining range on a one-issue split).
pub fn initial_zone(model: &Model) -> Vec<Vec<Value>> {
    let n = model.parties.len();
    let draws = Draws::from_key([0, 0]);
    let none = TableCache::default();
    let mut run = Run::new(model, &none, &draws, Scratch::default());
    run.evaluate();
    run.settle();
    run.joint()
        .iter()
        .copied()
        .filter(|&p| (0..n).all(|i| run.table.u[i][p] >= run.floor_abs[i]))
        .map(|p| run.package_values(p, None))
        .collect()
}

/// What runs of a scenario share: the outcome space of each step's packages (they depend only
/// on the open issues), and the tables of steps opened at the status quo when utilities are not
/// uncertain (they depend only on the utilities and the open issues).
#[derive(Clone, Debug, Default)]
pub(crate) struct TableCache {
    tables: Arc<Vec<(Vec<usize>, Arc<Table>)>>,
    spaces: Arc<Vec<(Vec<usize>, Arc<OutcomeSpace>)>>,
}

impl TableCache {
    pub(super) fn get(&self, open: &[usize]) -> Option<Arc<Table>> {
        self.tables.iter().find(|(k, _)| k == open).map(|(_, t)| Arc::clone(t))
    }

    fn space(&self, open: &[usize]) -> Option<Arc<OutcomeSpace>> {
        self.spaces.iter().find(|(k, _)| k == open).map(|(_, s)| Arc::clone(s))
    }

    /// Builds the step spaces of every step of `model` and of the whole agenda (the grand
    /// bargain), and, with `tables`, the tables of every step and of the whole agenda at the
    /// status quo (skipped when some issue has no status quo).
    pub(crate) fn for_model(model: &Model, tables: bool) -> TableCache {
        let draws = Draws::from_key([0, 0]);
        let none = TableCache::default();
        let run = Run::new(model, &none, &draws, Scratch::default());
        let all: Vec<usize> = (0..model.issues.len()).collect();
        let mut sets: Vec<Vec<usize>> = model.steps.iter().map(|s| s.issues.clone()).collect();
        sets.push(all.clone());
        let mut spaces: Vec<(Vec<usize>, Arc<OutcomeSpace>)> = Vec::new();
        for open in sets {
            if spaces.iter().any(|(k, _)| *k == open) {
                continue;
            }
            let choices = run.choices(&open);
            if let Some(sp) = step_space(&model.space, &open, &choices) {
                spaces.push((open, Arc::new(sp)));
            }
        }
        let spaces_only = TableCache { tables: Arc::new(Vec::new()), spaces: Arc::new(spaces) };
        if !tables || model.issues.iter().any(|i| i.status_quo.is_none()) || model.steps.is_empty() {
            return spaces_only;
        }
        let run = Run::new(model, &spaces_only, &draws, Scratch::default());
        let mut out = Vec::new();
        let mut sets: Vec<Vec<usize>> = model.steps.iter().map(|s| s.issues.clone()).collect();
        sets.push(all);
        for open in sets {
            if !out.iter().any(|(k, _): &(Vec<usize>, Arc<Table>)| *k == open) {
                let t = run.build_table(open.clone());
                out.push((open, Arc::new(t)));
            }
        }
        drop(run);
        TableCache { tables: Arc::new(out), spaces: spaces_only.spaces }
    }
}

#[cfg(test)]
mod tests {
    use super::test_and_range;
    use proptest::prelude::*;

    /// The plain one-pass scan `test_and_range` replaces (one running minimum and maximum).
    fn scan(vals: &[f64], recip: &[bool], threshold: f64) -> ((f64, f64), Vec<bool>) {
        let (mut worst, mut best) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut ok = Vec::new();
        for (v, r) in vals.iter().zip(recip) {
            if *v > best {
                best = *v;
            }
            if *v < worst {
                worst = *v;
            }
            ok.push(*v >= threshold && *r);
        }
        ((worst, best), ok)
    }

    proptest! {
        /// Four running minima and maxima give the scan's range and tests, whatever the length
        /// (tails of 0 to 3), with NaNs ignored as before.
        #[test]
        fn same_as_the_scan(vals in proptest::collection::vec(prop_oneof![-2.0..2.0f64, Just(f64::NAN), Just(0.0)], 0..40),
                            seed in any::<u64>(), threshold in -1.0..1.0f64) {
            let recip: Vec<bool> = (0..vals.len()).map(|k| (seed >> (k % 64)) & 1 == 1).collect();
            let mut ok = vec![false; vals.len()];
            let range = test_and_range(&vals, &recip, threshold, &mut ok);
            let (want, want_ok) = scan(&vals, &recip, threshold);
            prop_assert_eq!(range, want);
            prop_assert_eq!(ok, want_ok);
        }
    }
}
