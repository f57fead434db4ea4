//! A study: many independent jobs (a forecast's runs, a tournament's negotiations, a sweep's
//! points, a stakeholder run) that each give a record folded into exact statistics, with the
//! rows and events a run directory keeps. The domain crates implement [`Study`]; one runner,
//! [`run_study`], runs any of them in job order, and bc-report's runner writes any of them as a
//! run directory (shards, progress, `--dry-run`) without knowing the domain.

use std::ops::Range;

use crate::record::{Cell, Column};
use crate::run::{run_ordered_with, RunOptions};

/// What one job gives: the record the statistics fold, and (when asked for, see
/// [`Study::run`]) the rows of `records.csv`, the lines of `events.jsonl` and the text each
/// of the study's [`Study::concatenated`] files gets, all rendered on the worker thread.
#[derive(Clone, Debug, Default)]
pub struct Job<R> {
    /// What [`Study::fold`] adds to the statistics.
    pub record: R,
    /// Rows of the record table, in [`Study::columns`] order.
    pub rows: Vec<Vec<Cell>>,
    /// Lines of JSON, without their newline.
    pub events: Vec<String>,
    /// One text per [`Study::concatenated`] file, in that order, appended as is.
    pub files: Vec<String>,
}

impl<R> Job<R> {
    /// A job that gives only its record.
    pub fn record(record: R) -> Job<R> {
        Job { record, rows: Vec::new(), events: Vec::new(), files: Vec::new() }
    }
}

/// A study split into jobs `0..jobs()`. Job `i` must depend only on the study and `i` (its
/// generator comes from `rng_for(seed, i)`), never on the scratch or on which jobs ran
/// before, so that any thread count and any shard give the same records.
pub trait Study: Sync {
    /// A worker's reusable buffers and caches (what it holds never changes a result).
    type Scratch: Send;
    /// What one job gives the statistics.
    type Record: Send;
    /// The exact statistics the records fold into.
    type Stats;

    /// The run directory's `kind` (`run`, `tournament`, `sweep`, `stakeholders`).
    fn kind(&self) -> &'static str;
    /// Jobs of the whole study.
    fn jobs(&self) -> u64;
    /// What one job is, in the plural, for people (`runs`, `negotiations`, `sweep points`).
    fn unit(&self) -> &'static str;
    /// The columns of the record table.
    fn columns(&self) -> Vec<Column>;
    /// A new worker scratch.
    fn scratch(&self) -> Self::Scratch;
    /// Runs job `i`. With `detail` false only the record is needed (no run directory): the rows,
    /// events and files may be left empty.
    fn run(&self, scratch: &mut Self::Scratch, i: u64, detail: bool) -> Job<Self::Record>;
    /// Empty statistics of a run whose first job is `first` (a shard's start).
    fn stats(&self, first: u64) -> Self::Stats;
    /// Adds a job's record to the statistics (in job order).
    fn fold(&self, stats: &mut Self::Stats, record: &Self::Record);

    /// Files of the study's own (besides the run directory's), each the jobs' texts in job
    /// order, so that the shards' files concatenate to the unsharded one's: (file name, the
    /// header written only by a run that starts at job 0).
    fn concatenated(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// Whether jobs run in parallel; a study whose jobs are themselves parallel (a sweep point
    /// is a whole forecast) runs them one after another.
    fn parallel(&self) -> bool {
        true
    }
    /// Progress counted in (unit, units per job): a sweep counts runs, not points.
    fn progress_unit(&self) -> (&'static str, u64) {
        (self.unit(), 1)
    }
    /// For `--dry-run` when a job's cost is set by a flag (a sweep's runs per point, a
    /// tournament's rounds): a smaller study to time, how many times longer the real jobs are,
    /// and what was timed, in words.
    fn calibration(&self) -> Option<(Self, f64, String)>
    where
        Self: Sized,
    {
        None
    }
}

/// Runs jobs `range` of `study` on `threads` threads (0 = one per core; one thread when the
/// study is not [`Study::parallel`]) and hands each job to `sink` in job order;
/// `progress(done)` counts jobs. Stops at the first error of the sink.
pub fn run_study<S: Study, E>(
    study: &S,
    range: Range<u64>,
    threads: usize,
    detail: bool,
    sink: impl FnMut(u64, Job<S::Record>) -> Result<(), E>,
    progress: impl FnMut(u64),
) -> Result<(), E> {
    let (threads, batch) = if study.parallel() { (threads, 4096) } else { (1, 1) };
    run_ordered_with(range, RunOptions { threads, batch }, || study.scratch(), |w, i| study.run(w, i, detail), sink, progress)
}

/// Runs jobs `range` and returns their statistics (no rows, events or files).
pub fn stats_of<S: Study>(study: &S, range: Range<u64>, threads: usize, progress: impl FnMut(u64)) -> S::Stats {
    let mut stats = study.stats(range.start);
    let r: Result<(), std::convert::Infallible> = run_study(
        study,
        range,
        threads,
        false,
        |_, job| {
            study.fold(&mut stats, &job.record);
            Ok(())
        },
        progress,
    );
    match r {
        Ok(()) => stats,
        Err(e) => match e {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ColumnType;
    use crate::rng_for;
    use rand::Rng;

    /// Sums of uniform draws: the statistics are (count, sum of the draws' bits / 2^11).
    struct Sums;

    impl Study for Sums {
        type Scratch = Vec<u64>;
        type Record = u64;
        type Stats = (u64, u128);
        fn kind(&self) -> &'static str {
            "sums"
        }
        fn jobs(&self) -> u64 {
            1000
        }
        fn unit(&self) -> &'static str {
            "draws"
        }
        fn columns(&self) -> Vec<Column> {
            vec![Column::new("x", ColumnType::Int)]
        }
        fn scratch(&self) -> Vec<u64> {
            Vec::new()
        }
        fn run(&self, scratch: &mut Vec<u64>, i: u64, detail: bool) -> Job<u64> {
            scratch.push(i);
            let x = rng_for(5, i).gen::<u64>() >> 11;
            let mut job = Job::record(x);
            if detail {
                job.rows.push(vec![Cell::from(x)]);
            }
            job
        }
        fn stats(&self, _: u64) -> (u64, u128) {
            (0, 0)
        }
        fn fold(&self, s: &mut (u64, u128), x: &u64) {
            s.0 += 1;
            s.1 += u128::from(*x);
        }
    }

    #[test]
    fn shards_add_up_to_the_whole_whatever_the_threads() {
        let whole = stats_of(&Sums, 0..1000, 3, |_| {});
        let a = stats_of(&Sums, 0..400, 1, |_| {});
        let b = stats_of(&Sums, 400..1000, 2, |_| {});
        assert_eq!(whole.0, 1000);
        assert_eq!(whole, (a.0 + b.0, a.1 + b.1));
    }

    #[test]
    fn rows_only_with_detail_and_in_job_order() {
        let mut rows = Vec::new();
        run_study(
            &Sums,
            10..20,
            2,
            true,
            |i, job| {
                rows.push((i, job.rows));
                Ok::<(), ()>(())
            },
            |_| {},
        )
        .unwrap();
        assert_eq!(rows.iter().map(|(i, _)| *i).collect::<Vec<_>>(), (10..20).collect::<Vec<_>>());
        assert!(rows.iter().all(|(_, r)| r.len() == 1));
        let mut empty = true;
        run_study(
            &Sums,
            0..5,
            1,
            false,
            |_, job| {
                empty &= job.rows.is_empty();
                Ok::<(), ()>(())
            },
            |_| {},
        )
        .unwrap();
        assert!(empty);
    }
}
