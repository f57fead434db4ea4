//! Negotiation tournaments: every ordered tuple of agents on every domain, with every rotation of
//! the parties' profiles (role swaps) and any number of repetitions, run in parallel through
//! `bc-engine` and streamed, in job order, to CSV and JSONL, and scored ([`scores`]).
//!
//! **Architecture invariant.** A tournament never holds its results: each job's [`Row`] goes to
//! the sink as soon as its batch is done, and the [`Scores`] are exact, mergeable running
//! statistics (the scores of shards merge into the unsharded tournament's). Job `i` is
//! seeded from `(seed, i)` only, so the output is byte-identical whatever the thread count, and
//! the outputs of `--shard k/N` runs concatenate to the unsharded output.
//!
//! Job order: domain, then agent tuple (agents as digits of a base-`A` number, party 0 most
//! significant), then rotation `r` (party `k` gets profile `(k + r) mod n`), then repetition.

pub mod error;
pub mod negotiation;
pub mod output;
pub mod scores;
pub mod study;

use std::ops::Range;
use std::sync::Arc;

use bc_engine::{rng_for, run_ordered, seed_for, RunOptions};
use bc_model::{analyze, Analysis, Options, OutcomeSpace, Preferences};
use bc_protocol::{Ending, OutcomeId, ProtocolKind};
use bc_strategy::{agreement_utility, check_agent, check_mediator, play, Budget, Plan, Side, Spec};

pub use error::{Error, ErrorKind};
pub use output::{csv_header, csv_line, jsonl_line, rescore, rescore_texts, CsvWriter, JsonlWriter};
pub use scores::{AgentStats, Scores, TournamentSpec};

/// One domain of a tournament: its outcome space, every profile, and the analysis of the
/// profiles that negotiate (the first `n_parties`).
#[derive(Clone, Debug)]
pub struct Domain {
    /// Its name.
    pub name: String,
    /// The outcome space.
    pub space: Arc<OutcomeSpace>,
    /// Every profile, shared by all jobs (tables are built once).
    pub sides: Vec<Arc<Side>>,
    /// Pareto frontier and bargaining solutions of the negotiating profiles, in profile order.
    pub analysis: Analysis,
}

impl Domain {
    /// A domain whose first `n_parties` profiles negotiate.
    pub fn new(name: impl Into<String>, space: OutcomeSpace, profiles: Vec<Preferences>, n_parties: usize) -> Result<Domain, Error> {
        let name = name.into();
        check_parties(n_parties)?;
        if profiles.len() < n_parties {
            return Err(Error::setup(format!(
                "domain {name}: a {n_parties}-party tournament needs at least {n_parties} profiles, found {}",
                profiles.len()
            )));
        }
        let space = Arc::new(space);
        let used: Vec<&Preferences> = profiles.iter().take(n_parties).collect();
        let analysis = analyze(&space, &used, Options::default())
            .map_err(|e| Error::setup(format!("domain {name}: cannot find the Pareto frontier and Nash point the scores need: {e}")))?;
        let sides = profiles
            .into_iter()
            .map(|p| Side::new(space.clone(), p).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| Error::new(ErrorKind::Strategy { context: format!("domain {name}"), error }))?;
        Ok(Domain { name, space, sides, analysis })
    }
}

/// At least two parties negotiate.
fn check_parties(n_parties: usize) -> Result<(), Error> {
    if n_parties < 2 {
        return Err(Error::setting("parties", "at least 2", n_parties.to_string()));
    }
    Ok(())
}

/// A tournament's settings, checked: made by [`Tournament::builder`].
#[derive(Clone, Debug)]
pub struct Tournament {
    /// The domains.
    pub domains: Vec<Domain>,
    /// The competing agents.
    pub agents: Vec<Spec>,
    /// The protocol.
    pub protocol: ProtocolKind,
    /// The mediator of a mediated protocol (default: the protocol's first).
    pub mediator: Option<Spec>,
    /// Parties per negotiation.
    pub n_parties: usize,
    /// Round limit.
    pub n_steps: u64,
    /// Repetitions of every (domain, agents, rotation).
    pub repetitions: u64,
    /// Let an agent meet itself (tuples with a repeated agent).
    pub self_play: bool,
    /// Master seed.
    pub seed: u64,
    /// Limits on strategies.
    pub budget: Budget,
    tuples: Vec<Vec<usize>>,
}

/// One negotiation's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Job index.
    pub index: u64,
    /// Domain (index into the tournament's domains).
    pub domain: usize,
    /// Agent of each party (indices into the tournament's agents).
    pub agents: Vec<usize>,
    /// Profile of each party (indices into the domain's profiles).
    pub profiles: Vec<usize>,
    /// Repetition.
    pub repetition: u64,
    /// How it ended (`agreement`, `timeout`, `ended`, `not-ratified`, `fault`).
    pub ending: &'static str,
    /// Final step count.
    pub step: u64,
    /// Offers (or mediator texts) made.
    pub n_offers: u64,
    /// The agreement.
    pub agreement: Option<OutcomeId>,
    /// Each party's utility: of the agreement (discounted at its round if the profile
    /// discounts), else of no agreement (the analysis's disagreement point).
    pub utilities: Vec<f64>,
    /// Each party's utility minus its disagreement utility.
    pub advantages: Vec<f64>,
    /// Sum of utilities.
    pub welfare: f64,
    /// Distance of the utility vector to the Pareto frontier.
    pub pareto_distance: f64,
    /// Distance to the nearest Nash point.
    pub nash_distance: f64,
    /// What failed, for a fault.
    pub fault: Option<String>,
}

/// The settings of a [`Tournament`] before they are checked: made by [`Tournament::builder`],
/// each setter replaces a default, and [`TournamentBuilder::build`] checks them all.
///
/// Defaults: SAO, the protocol's first mediator, 2 parties, 100 rounds, 1 repetition, self-play
/// allowed, seed 0, no time budget.
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct TournamentBuilder {
    domains: Vec<Domain>,
    agents: Vec<Spec>,
    protocol: ProtocolKind,
    mediator: Option<Spec>,
    n_parties: usize,
    n_steps: u64,
    repetitions: u64,
    self_play: bool,
    seed: u64,
    budget: Budget,
}

impl TournamentBuilder {
    /// The protocol (default SAO).
    pub fn protocol(mut self, protocol: ProtocolKind) -> Self {
        self.protocol = protocol;
        self
    }

    /// The mediator of a mediated protocol (default `None`: the protocol's first).
    pub fn mediator(mut self, mediator: Option<Spec>) -> Self {
        self.mediator = mediator;
        self
    }

    /// Parties per negotiation (default 2; the first `n` profiles of each domain negotiate).
    pub fn parties(mut self, n: usize) -> Self {
        self.n_parties = n;
        self
    }

    /// Round limit of each negotiation (default 100).
    pub fn steps(mut self, n: u64) -> Self {
        self.n_steps = n;
        self
    }

    /// Repetitions of every (domain, agents, rotation) (default 1).
    pub fn repetitions(mut self, n: u64) -> Self {
        self.repetitions = n;
        self
    }

    /// Whether an agent may meet itself (default `true`).
    pub fn self_play(mut self, allowed: bool) -> Self {
        self.self_play = allowed;
        self
    }

    /// The master seed (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Limits on strategies (default none).
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// The tournament; checks the settings (an error names the setting: `steps`, `repetitions`,
    /// `parties`, `agents`, `domains`), names and parameters and profile counts, and builds every
    /// agent once on every domain so that a strategy that cannot run on a domain fails here, not
    /// mid-run.
    pub fn build(self) -> Result<Tournament, Error> {
        let TournamentBuilder { domains, agents, protocol, mediator, n_parties, n_steps, repetitions, self_play, seed, budget } = self;
        if domains.is_empty() {
            return Err(Error::setting("domains", "at least one domain", "none"));
        }
        if agents.is_empty() {
            return Err(Error::setting("agents", "at least one agent", "none"));
        }
        check_parties(n_parties)?;
        if n_steps == 0 {
            return Err(Error::setting("steps", "at least 1 round", "0"));
        }
        if repetitions == 0 {
            return Err(Error::setting("repetitions", "at least 1", "0"));
        }
        let strategy = |context: String| move |error| Error::new(ErrorKind::Strategy { context, error });
        for a in &agents {
            check_agent(a, protocol).map_err(strategy(format!("agent {a}")))?;
        }
        if let Some(m) = &mediator {
            check_mediator(m, protocol).map_err(strategy(format!("mediator {m}")))?;
        }
        let a = agents.len();
        let total = (a as u128)
            .checked_pow(n_parties as u32)
            .filter(|t| *t <= 1_000_000)
            .ok_or_else(|| Error::setup(format!("{a} agents and {n_parties} parties make too many agent tuples (more than 10^6)")))?
            as usize;
        let mut tuples = Vec::new();
        for t in 0..total {
            let mut digits = vec![0usize; n_parties];
            let mut x = t;
            for d in digits.iter_mut().rev() {
                *d = x % a;
                x /= a;
            }
            let distinct = {
                let mut s = digits.clone();
                s.sort_unstable();
                s.windows(2).all(|w| w[0] != w[1])
            };
            if self_play || distinct {
                tuples.push(digits);
            }
        }
        if tuples.is_empty() {
            return Err(Error::setup(format!(
                "no agent tuple without self-play: {a} agent(s) for {n_parties} parties; add agents or allow self-play"
            )));
        }
        (tuples.len() as u64)
            .checked_mul(n_parties as u64)
            .and_then(|x| x.checked_mul(repetitions))
            .and_then(|x| x.checked_mul(domains.len() as u64))
            .ok_or_else(|| Error::setup("too many negotiations: agents x parties x repetitions x domains exceeds 2^64"))?;
        for d in &domains {
            if d.sides.len() < n_parties {
                return Err(Error::setup(format!(
                    "domain {}: a {n_parties}-party tournament needs at least {n_parties} profiles, found {}",
                    d.name,
                    d.sides.len()
                )));
            }
            // Every agent on every profile it will play: fails early on unusable spaces.
            for spec in &agents {
                for side in d.sides.iter().take(n_parties) {
                    bc_strategy::build_agent(spec, side.clone(), protocol, bc_engine::seed::rng_seeded(0))
                        .map_err(strategy(format!("domain {}, agent {spec}", d.name)))?;
                }
            }
        }
        Ok(Tournament { domains, agents, protocol, mediator, n_parties, n_steps, repetitions, self_play, seed, budget, tuples })
    }
}

impl Tournament {
    /// A tournament of `agents` on `domains`, with every other setting at its default until set
    /// on the builder.
    pub fn builder(domains: Vec<Domain>, agents: Vec<Spec>) -> TournamentBuilder {
        TournamentBuilder {
            domains,
            agents,
            protocol: ProtocolKind::Sao,
            mediator: None,
            n_parties: 2,
            n_steps: 100,
            repetitions: 1,
            self_play: true,
            seed: 0,
            budget: Budget::default(),
        }
    }

    fn per_domain(&self) -> u64 {
        self.tuples.len() as u64 * self.n_parties as u64 * self.repetitions
    }

    /// Number of negotiations.
    pub fn n_jobs(&self) -> u64 {
        self.per_domain() * self.domains.len() as u64
    }

    /// The agent tuples, in job order.
    pub fn tuples(&self) -> &[Vec<usize>] {
        &self.tuples
    }

    /// Which (domain, agents, profiles, repetition) job `index` is.
    pub fn job(&self, index: u64) -> (usize, &[usize], Vec<usize>, u64) {
        let per = self.per_domain();
        let domain = (index / per) as usize;
        let mut within = index % per;
        let repetition = within % self.repetitions;
        within /= self.repetitions;
        let n = self.n_parties as u64;
        let rotation = (within % n) as usize;
        let tuple = (within / n) as usize;
        let profiles = (0..self.n_parties).map(|k| (k + rotation) % self.n_parties).collect();
        (domain, &self.tuples[tuple], profiles, repetition)
    }

    /// What the `--json` summary says about the run (before [`Scores::summary_json`] adds the
    /// agents): protocol, domains, rounds, repetitions, seed, the shard and how many of the
    /// tournament's negotiations it ran.
    pub fn summary_meta(&self, shard: bc_engine::Shard, negotiations: u64) -> serde_json::Value {
        serde_json::json!({
            "protocol": self.protocol.name(),
            "domains": self.domains.iter().map(|d| d.name.clone()).collect::<Vec<_>>(),
            "n_steps": self.n_steps,
            "repetitions": self.repetitions,
            "seed": self.seed,
            "shard": shard.to_string(),
            "negotiations": negotiations,
            "total_negotiations": self.n_jobs(),
        })
    }

    /// What the tournament is, as its scores record it.
    pub fn spec(&self) -> TournamentSpec {
        TournamentSpec {
            agents: self.agents.iter().map(|a| a.to_string()).collect(),
            domains: self.domains.iter().map(|d| d.name.clone()).collect(),
            protocol: self.protocol.name().to_string(),
            parties: self.n_parties,
            steps: self.n_steps,
            repetitions: self.repetitions,
            seed: self.seed,
        }
    }

    /// Runs job `index`.
    pub fn run_job(&self, index: u64) -> Row {
        let (domain, tuple, profiles, repetition) = self.job(index);
        let d = &self.domains[domain];
        let specs: Vec<Spec> = tuple.iter().map(|a| self.agents[*a].clone()).collect();
        let sides: Vec<Arc<Side>> = profiles.iter().map(|p| d.sides[*p].clone()).collect();
        let plan = Plan {
            protocol: self.protocol,
            agents: &specs,
            mediator: self.mediator.as_ref(),
            n_steps: self.n_steps,
            keep_events: false,
            budget: self.budget,
        };
        let job_seed = seed_for(self.seed, index);
        let (ending, step, n_offers, fault) = match play(&plan, &sides, &mut |k| rng_for(job_seed, k as u64)) {
            Ok(r) => {
                let fault = match &r.ending {
                    Ending::Fault { by, message } => Some(format!("{by}: {message}")),
                    _ => None,
                };
                (r.ending, r.step, r.n_offers, fault)
            }
            Err(e) => (Ending::Fault { by: bc_protocol::Actor::Mediator, message: e.to_string() }, 0, 0, Some(format!("set-up: {e}"))),
        };
        let agreement = ending.agreement();
        let utilities: Vec<f64> = sides
            .iter()
            .zip(&profiles)
            .map(|(s, p)| match agreement {
                Some(o) => agreement_utility(s, o, step, self.n_steps),
                None => d.analysis.disagreement[*p],
            })
            .collect();
        let advantages = utilities.iter().zip(&profiles).map(|(u, p)| u - d.analysis.disagreement[*p]).collect();
        // Distances in profile order (the analysis's coordinates).
        let mut by_profile = vec![0.0; self.n_parties];
        for (u, p) in utilities.iter().zip(&profiles) {
            by_profile[*p] = *u;
        }
        let dist = d.analysis.distances(&by_profile);
        Row {
            index,
            domain,
            agents: tuple.to_vec(),
            profiles,
            repetition,
            ending: ending.name(),
            step,
            n_offers,
            agreement,
            welfare: dist.welfare,
            utilities,
            advantages,
            pareto_distance: dist.pareto,
            nash_distance: dist.nash,
            fault,
        }
    }

    /// Runs the jobs in `range` on `threads` threads (0 = one per core), handing each row to
    /// `sink` in job order and calling `progress(done)` after every batch. Returns the scores of
    /// the rows run.
    pub fn run(
        &self,
        range: Range<u64>,
        threads: usize,
        mut sink: impl FnMut(&Row) -> Result<(), Error>,
        progress: impl FnMut(u64),
    ) -> Result<Scores, Error> {
        self.run_rendered(range, threads, |_, _| (), |row, ()| sink(row), progress)
    }

    /// Like [`Tournament::run`], but `render` turns each row into output (e.g. its CSV and
    /// JSONL lines) on the worker threads, so that the sink, which runs on one thread in job
    /// order, only writes.
    pub fn run_rendered<R: Send>(
        &self,
        range: Range<u64>,
        threads: usize,
        render: impl Fn(&Tournament, &Row) -> R + Sync,
        mut sink: impl FnMut(&Row, R) -> Result<(), Error>,
        progress: impl FnMut(u64),
    ) -> Result<Scores, Error> {
        let mut scores = Scores::new(self.spec());
        run_ordered(
            range,
            RunOptions { threads, batch: 4096 },
            |i| {
                let row = self.run_job(i);
                let out = render(self, &row);
                (row, out)
            },
            |_, (row, out)| {
                scores.add(&row);
                sink(&row, out)
            },
            progress,
        )?;
        Ok(scores)
    }
}
