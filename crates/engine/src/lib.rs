//! Deterministic execution of many independent jobs (negotiations, Monte Carlo runs, sweep
//! points): per-job seeds derived from a master seed and the job's index, parallel execution in
//! fixed batches with results handed back in index order, shards of the index range, and the
//! exact, mergeable statistics ([`stats`]) in which Monte Carlo runs, tournaments and sweeps
//! are summarised, so that merged shards equal the unsharded run byte for byte; and the
//! analysts' sensitivity methods on tables of inputs and outputs ([`gsa`]: Sobol' sequence,
//! Saltelli/Sobol' indices, Morris elementary effects, PRIM); and the [`Study`] trait the
//! domain crates' studies implement (jobs, worker scratch, records, statistics), run by
//! [`run_study`].
//!
//! This is the only crate that spawns threads. Results never depend on the thread count or on
//! scheduling: job `i` always gets the generator `rng_for(master, i)` and the sink always sees
//! job `i` before job `i + 1`.

pub mod gsa;
pub mod record;
pub mod seed;
pub mod shard;
pub mod stats;
pub mod study;

mod run;

pub use run::{run_ordered, run_ordered_with, RunOptions};
pub use seed::{rng_for, seed_for, Rng};
pub use shard::Shard;
pub use study::{run_study, Job, Study};
