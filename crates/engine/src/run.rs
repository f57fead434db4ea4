//! Runs jobs `range` in parallel in fixed-size batches and hands each result to a sink in index
//! order, so output is identical whatever the thread count and memory is bounded by the batch.

use std::ops::Range;

use rayon::prelude::*;

/// How to run a range of jobs.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Jobs per batch: results of one batch are held in memory before the sink sees them.
    pub batch: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { threads: 0, batch: 4096 }
    }
}

/// Runs `job(i)` for every `i` in `range`, in parallel, and calls `sink(i, result)` in
/// increasing `i`. `progress(done)` is called after each batch with the number of jobs done.
/// Stops at the first error the sink returns.
pub fn run_ordered<T, E, J, S, P>(range: Range<u64>, options: RunOptions, job: J, sink: S, progress: P) -> Result<(), E>
where
    T: Send,
    J: Fn(u64) -> T + Sync,
    S: FnMut(u64, T) -> Result<(), E>,
    P: FnMut(u64),
{
    run_ordered_with(range, options, || (), |_, i| job(i), sink, progress)
}

/// Like [`run_ordered`], with a worker state: `job(&mut state, i)` gets a state made by
/// `init()` and reused for many jobs on the same worker (scratch buffers, caches). The results
/// must not depend on what the state holds: which jobs share a state depends on scheduling.
pub fn run_ordered_with<T, E, W, I, J, S, P>(
    range: Range<u64>,
    options: RunOptions,
    init: I,
    job: J,
    mut sink: S,
    mut progress: P,
) -> Result<(), E>
where
    T: Send,
    I: Fn() -> W + Sync,
    J: Fn(&mut W, u64) -> T + Sync,
    S: FnMut(u64, T) -> Result<(), E>,
    P: FnMut(u64),
{
    // A pool that cannot start (the system refuses that many threads) runs the jobs on this
    // thread instead: results never depend on the thread count, and nothing panics. Callers
    // bound the thread count first (`bc_io::limits::check_threads`).
    let pool = rayon::ThreadPoolBuilder::new().num_threads(options.threads).build().ok();
    let mut local: Option<W> = None;
    let batch = options.batch.max(1);
    let mut start = range.start;
    while start < range.end {
        let end = (start + batch).min(range.end);
        let results: Vec<T> = match &pool {
            Some(pool) => pool.install(|| (start..end).into_par_iter().map_init(&init, &job).collect()),
            None => {
                let w = local.get_or_insert_with(&init);
                (start..end).map(|i| job(w, i)).collect()
            }
        };
        for (i, r) in (start..end).zip(results) {
            sink(i, r)?;
        }
        progress(end - range.start);
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::rng_for;
    use rand::Rng;

    fn collect(threads: usize, batch: u64) -> Vec<(u64, f64)> {
        let mut out = Vec::new();
        run_ordered(
            3..1000,
            RunOptions { threads, batch },
            |i| rng_for(9, i).gen::<f64>(),
            |i, x| {
                out.push((i, x));
                Ok::<(), ()>(())
            },
            |_| {},
        )
        .unwrap();
        out
    }

    #[test]
    fn same_results_in_order_whatever_the_threads_and_batch() {
        let one = collect(1, 7);
        assert_eq!(one.len(), 997);
        assert!(one.windows(2).all(|w| w[0].0 + 1 == w[1].0));
        assert_eq!(one, collect(2, 4096));
        assert_eq!(one, collect(4, 1));
    }

    /// A worker state is reused across jobs, and results stay in order.
    #[test]
    fn worker_state_is_reused() {
        let mut out = Vec::new();
        run_ordered_with(
            0..500,
            RunOptions { threads: 2, batch: 100 },
            Vec::new,
            |seen: &mut Vec<u64>, i| {
                seen.push(i);
                (i, seen.len())
            },
            |i, r| {
                out.push((i, r));
                Ok::<(), ()>(())
            },
            |_| {},
        )
        .unwrap();
        assert!(out.iter().enumerate().all(|(k, (i, (j, _)))| k as u64 == *i && i == j));
        assert!(out.iter().any(|(_, (_, n))| *n > 1), "some state served several jobs");
    }

    #[test]
    fn sink_error_stops_the_run() {
        let mut seen = 0;
        let r = run_ordered(
            0..100,
            RunOptions { threads: 2, batch: 10 },
            |i| i,
            |i, _| {
                seen += 1;
                if i == 15 {
                    Err("stop")
                } else {
                    Ok(())
                }
            },
            |_| {},
        );
        assert_eq!(r, Err("stop"));
        assert_eq!(seen, 16);
    }
}
