//! The domain studies through bc-report's generic runner. bc-report's run directory asks a
//! study's statistics for [`bc_report::study::Study`] (merge, aggregates, report); the
//! statistics of a forecast, a tournament and the sensitivity studies are the domain crates'
//! types, and the orphan rule lets neither bc-report (which knows no domain crate) nor this crate
//! implement bc-report's trait for them. [`Stats`] is the local wrapper this crate implements it
//! for (serialised as the statistics themselves, so `stats.json` is unchanged), and [`run`] /
//! [`run_concluding`] run any `bc_engine::Study` whose statistics this crate renders, handing
//! back the domain crate's statistics unwrapped.

use std::ops::{Deref, DerefMut};

use bc_engine::{Job, Study};
use bc_report::records::Column;
use bc_report::runner::Plan;
use bc_report::Error;
use serde::{Deserialize, Serialize};

/// A domain crate's statistics (`bc_diplomacy::forecast::Aggregate`, `bc_tournament::Scores`,
/// `bc_diplomacy::gsa::SensitivityData`, `DiscoverData`) as a bc-report study: this crate's
/// modules implement [`bc_report::study::Study`] for `Stats<T>`. Serialised as `T` itself.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Stats<T>(pub T);

impl<T> Deref for Stats<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Stats<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// A study borrowed from the caller, or owned (the smaller study of `--dry-run`'s calibration).
enum Held<'a, S> {
    Borrowed(&'a S),
    Owned(S),
}

/// `study` with its statistics wrapped in [`Stats`]: everything else is the study's own.
struct Wrapped<'a, S>(Held<'a, S>);

impl<S> Wrapped<'_, S> {
    fn study(&self) -> &S {
        match &self.0 {
            Held::Borrowed(s) => s,
            Held::Owned(s) => s,
        }
    }
}

impl<S: Study> Study for Wrapped<'_, S> {
    type Scratch = S::Scratch;
    type Record = S::Record;
    type Stats = Stats<S::Stats>;

    fn kind(&self) -> &'static str {
        self.study().kind()
    }
    fn jobs(&self) -> u64 {
        self.study().jobs()
    }
    fn unit(&self) -> &'static str {
        self.study().unit()
    }
    fn columns(&self) -> Vec<Column> {
        self.study().columns()
    }
    fn scratch(&self) -> S::Scratch {
        self.study().scratch()
    }
    fn run(&self, scratch: &mut S::Scratch, i: u64, detail: bool) -> Job<S::Record> {
        self.study().run(scratch, i, detail)
    }
    fn stats(&self, first: u64) -> Stats<S::Stats> {
        Stats(self.study().stats(first))
    }
    fn fold(&self, stats: &mut Stats<S::Stats>, record: &S::Record) {
        self.study().fold(&mut stats.0, record)
    }
    fn concatenated(&self) -> Vec<(&'static str, String)> {
        self.study().concatenated()
    }
    fn parallel(&self) -> bool {
        self.study().parallel()
    }
    fn progress_unit(&self) -> (&'static str, u64) {
        self.study().progress_unit()
    }
    fn calibration(&self) -> Option<(Self, f64, String)> {
        self.study().calibration().map(|(small, factor, what)| (Wrapped(Held::Owned(small)), factor, what))
    }
}

/// [`bc_report::runner::run`] for a study whose statistics are a domain crate's type that this
/// crate renders (`Stats<S::Stats>` is a bc-report study): returns the statistics of the jobs run.
pub fn run<S>(study: &S, plan: &Plan, each: impl FnMut(u64, &S::Record) -> Result<(), Error>) -> Result<S::Stats, Error>
where
    S: Study,
    Stats<S::Stats>: bc_report::study::Study,
{
    Ok(bc_report::runner::run(&Wrapped(Held::Borrowed(study)), plan, each)?.0)
}

/// [`bc_report::runner::run_concluding`] for such a study: `conclude` sees the domain crate's
/// statistics before the run directory is finished.
pub fn run_concluding<S, T>(
    study: &S,
    plan: &Plan,
    each: impl FnMut(u64, &S::Record) -> Result<(), Error>,
    conclude: impl FnOnce(&S::Stats) -> Result<T, Error>,
) -> Result<(S::Stats, T), Error>
where
    S: Study,
    Stats<S::Stats>: bc_report::study::Study,
{
    let (stats, t) = bc_report::runner::run_concluding(&Wrapped(Held::Borrowed(study)), plan, each, |s: &Stats<S::Stats>| conclude(&s.0))?;
    Ok((stats.0, t))
}
