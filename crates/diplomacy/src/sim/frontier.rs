//! The few packages of a large two-party table that can decide a quiet round: the grand
//! bargain's 972 packages are re-valued every round that trust moves, but whether a round can
//! produce an agreement depends only on the packages no other package beats under every doubt.
//!
//! Party i's credibility-discounted value of package p is `U_i = u_i - doubt_i (u_i - w_i)`
//! (`w_i`: u_i without the other side's part), for a doubt in [0, 1]. Package q *beats* p for i
//! when `U_i(q) >= U_i(p)` as computed in floating point for every such doubt, and `u_i(q) >=
//! u_i(p)`: either `u_i` is the same number and `w_i(q) >= w_i(p)` (IEEE rounding is monotone, so
//! each operation keeps the order), or both are larger by a margin far above the rounding error
//! (`U` is a convex combination of `u` and `w`). The acceptance tests of a round (`U_i` at least
//! a threshold, `u_i` at least a floor, the reciprocity test fixed while the step is open) and
//! the strategies' lowest levels are all of that monotone kind, so a round has a package passing
//! them iff a package of the *frontier* does: the reciprocity-admitted packages that no other
//! admitted package beats for both parties (about a hundred of the grand bargain's 972 at the default). Each
//! party's lowest and highest `U_i` (what the strategies' levels are computed from) are reached
//! on packages no other package beats for that party (one or two). So the round is decided on
//! those, and the whole table is valued only when talks will actually be held; the numbers are
//! the same to the last bit.

use std::sync::Arc;

use super::Table;

/// Tables with fewer packages are valued in full every round (a frontier would not pay).
pub(super) const FRONTIER_MIN: usize = 64;

/// Frontiers kept per worker (each holds its table): the list starts afresh when full.
const KEPT: usize = 16;

/// The packages of a two-party table that decide a round (see the module's comment).
pub(super) struct Frontier {
    /// The table, and the reciprocity tests the frontier was computed under.
    table: Arc<Table>,
    recip: [Vec<bool>; 2],
    /// Reciprocity-admitted packages that no other admitted package beats for both parties,
    /// as their `[u_0, w_0, u_1, w_1]` (in increasing package order).
    pub(super) zone: Vec<[f64; 4]>,
    /// Per party: packages no other package beats for it (the highest value is among them),
    /// and packages that beat no other package for it (the lowest is among them), as their
    /// `(u_i, w_i)`.
    pub(super) top: [Vec<(f64, f64)>; 2],
    pub(super) bottom: [Vec<(f64, f64)>; 2],
}

impl Frontier {
    /// The frontier of `table` under the reciprocity tests `recip`, from `kept` when it was
    /// computed before (by pointer: a kept frontier holds its table, so no other table can take
    /// its address).
    pub(super) fn of(table: &Arc<Table>, recip: &[Vec<bool>], kept: &mut Vec<Arc<Frontier>>) -> Arc<Frontier> {
        let count = table.count;
        if let Some(f) =
            kept.iter().find(|f| Arc::ptr_eq(&f.table, table) && f.recip[0][..] == recip[0][..count] && f.recip[1][..] == recip[1][..count])
        {
            return Arc::clone(f);
        }
        let f = Arc::new(Frontier::build(table, [&recip[0][..count], &recip[1][..count]]));
        if kept.len() >= KEPT {
            kept.clear();
        }
        kept.push(Arc::clone(&f));
        f
    }

    fn build(table: &Arc<Table>, recip: [&[bool]; 2]) -> Frontier {
        let count = table.count;
        let (u, w) = ([&table.u[0][..count], &table.u[1][..count]], [&table.without[0][1][..count], &table.without[1][0][..count]]);
        // The margin: far above the few units of rounding in `u - doubt (u - w)` at the table's
        // scale, and one number for the table, so that "beats" is transitive.
        let scale = u.iter().chain(&w).flat_map(|xs| xs.iter()).filter(|x| x.is_finite()).fold(1.0_f64, |s, x| s.max(x.abs()));
        let margin = 1e-9 * scale;
        let beats = |i: usize, q: usize, p: usize| {
            (u[i][q] == u[i][p] && w[i][q] >= w[i][p]) || (u[i][q] >= u[i][p] + margin && w[i][q] >= w[i][p] + margin)
        };
        // Candidates in decreasing order of the parties' utilities (only speeds the scan up:
        // the result does not depend on the order).
        let mut admitted: Vec<usize> = (0..count).filter(|&p| recip[0][p] && recip[1][p]).collect();
        admitted.sort_by(|&a, &b| u[0][b].total_cmp(&u[0][a]).then(u[1][b].total_cmp(&u[1][a])).then(a.cmp(&b)));
        let mut zone = maximal(&admitted, |q, p| beats(0, q, p) && beats(1, q, p));
        zone.sort_unstable();
        let zone = zone.into_iter().map(|p| [u[0][p], w[0][p], u[1][p], w[1][p]]).collect();
        let all: Vec<usize> = (0..count).collect();
        let pairs = |i: usize, ps: Vec<usize>| ps.into_iter().map(|p| (u[i][p], w[i][p])).collect();
        let top = [0, 1].map(|i| pairs(i, maximal(&all, |q, p| beats(i, q, p))));
        let bottom = [0, 1].map(|i| pairs(i, maximal(&all, |q, p| beats(i, p, q))));
        Frontier { table: Arc::clone(table), recip: recip.map(<[bool]>::to_vec), zone, top, bottom }
    }
}

/// The maximal elements of `items` under the transitive relation `beats(q, p)` (q at least as
/// good as p), one of each class of elements that beat each other: the block-nested-loop
/// skyline (each item against the maximal ones so far, removing those it beats).
fn maximal(items: &[usize], beats: impl Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut window: Vec<usize> = Vec::new();
    for &p in items {
        if window.iter().any(|&q| beats(q, p)) {
            continue;
        }
        window.retain(|&q| !beats(p, q));
        window.push(p);
    }
    window
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{maximal, Frontier, Table};
    use proptest::prelude::*;

    /// A coarse value with a jitter of a few rounding units (ties and near-ties both occur).
    fn cell() -> impl Strategy<Value = f64> {
        (0u8..5, 0u8..3).prop_map(|(k, j)| f64::from(k) / 4.0 + f64::from(j) * 1e-15)
    }

    proptest! {
        /// Whether some package passes both parties' tests (value at least a threshold, utility at
        /// least a floor, reciprocity), and each party's lowest and highest value, are the same on
        /// the frontier as over the whole table, to the bit, whatever the doubts in [0, 1].
        #[test]
        fn the_frontier_decides_as_the_whole_table(
            cells in proptest::collection::vec((cell(), cell(), cell(), cell(), any::<bool>(), any::<bool>()), 1..80),
            doubt in (0.0..=1.0f64, 0.0..=1.0f64),
            threshold in (-0.2..1.0f64, -0.2..1.0f64),
            floor in (-0.2..1.0f64, -0.2..1.0f64),
        ) {
            let mut t = Table::empty();
            t.count = cells.len();
            t.u = vec![cells.iter().map(|c| c.0).collect(), cells.iter().map(|c| c.2).collect()];
            t.without = vec![vec![Vec::new(), cells.iter().map(|c| c.1).collect()], vec![cells.iter().map(|c| c.3).collect(), Vec::new()]];
            let recip = vec![cells.iter().map(|c| c.4).collect::<Vec<bool>>(), cells.iter().map(|c| c.5).collect()];
            let table = Arc::new(t);
            let f = Frontier::of(&table, &recip, &mut Vec::new());
            let (doubt, threshold, floor) = ([doubt.0, doubt.1], [threshold.0, threshold.1], [floor.0, floor.1]);
            let value = |i: usize, u: f64, w: f64| u - doubt[i] * (u - w);
            let passes = |i: usize, u: f64, w: f64| value(i, u, w) >= threshold[i] && u >= floor[i];
            let whole = cells.iter().any(|c| c.4 && c.5 && passes(0, c.0, c.1) && passes(1, c.2, c.3));
            let frontier = f.zone.iter().any(|x| passes(0, x[0], x[1]) && passes(1, x[2], x[3]));
            prop_assert_eq!(whole, frontier);
            for i in 0..2 {
                let all: Vec<f64> = cells.iter().map(|c| if i == 0 { value(0, c.0, c.1) } else { value(1, c.2, c.3) }).collect();
                let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
                prop_assert_eq!(f.top[i].iter().map(|&(u, w)| value(i, u, w)).fold(f64::NEG_INFINITY, f64::max), hi);
                prop_assert_eq!(f.bottom[i].iter().map(|&(u, w)| value(i, u, w)).fold(f64::INFINITY, f64::min), lo);
            }
        }
    }

    proptest! {
        /// The skyline keeps exactly one of each class of undominated points: every point is
        /// beaten by a kept one, and no kept point beats another.
        #[test]
        fn the_skyline_covers_every_point(points in proptest::collection::vec((0u8..6, 0u8..6, 0u8..6), 0..60)) {
            let beats = |q: usize, p: usize| {
                let (a, b) = (points[q], points[p]);
                a.0 >= b.0 && a.1 >= b.1 && a.2 >= b.2
            };
            let items: Vec<usize> = (0..points.len()).collect();
            let kept = maximal(&items, beats);
            for p in 0..points.len() {
                prop_assert!(kept.iter().any(|&q| beats(q, p)), "{p} not covered");
            }
            for &a in &kept {
                for &b in &kept {
                    prop_assert!(a == b || !beats(a, b), "{a} beats {b}");
                }
            }
        }
    }
}
