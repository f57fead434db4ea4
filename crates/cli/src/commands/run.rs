//! `backchannel run`: a Monte Carlo forecast of a scenario (the embedded default when none is
//! given): outcome probabilities, time to the first step, indicators, paired counterfactuals and
//! a sensitivity ranking, as a page a person reads in a minute or as JSON.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use bc_diplomacy::forecast::{self, Forecast, Options};
use bc_diplomacy::Scenario;
use bc_engine::stats::{Difference, Proportion};

use crate::output::{print_json, print_text};

/// Flags of `backchannel run`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (TOML); the embedded default (US–Iran via Pakistan) when omitted.
    #[arg(value_name = "SCENARIO.toml")]
    scenario: Option<PathBuf>,
    /// A named variant of the scenario (e.g. direct, discreet, grand_bargain).
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// Number of Monte Carlo runs.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    runs: u64,
    /// Master seed: the same seed gives byte-identical output whatever the thread count.
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0, value_name = "T")]
    threads: usize,
    /// Skip the paired counterfactuals.
    #[arg(long)]
    no_counterfactuals: bool,
    /// Print JSON on standard output instead of the report.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scale: crate::scale::ScaleArgs,
}

/// Loads the scenario a command names (the default when none), with its variant applied.
pub fn load(path: Option<&PathBuf>, variant: Option<&str>) -> Result<Scenario> {
    let s = match path {
        Some(p) => Scenario::load(p)?,
        None => Scenario::default_scenario()?,
    };
    Ok(match variant {
        Some(v) => s.variant(v)?,
        None => s,
    })
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let scenario = load(args.scenario.as_ref(), args.variant.as_deref())?;
    args.scale.check_threads(args.threads)?;
    let opts = Options { runs: args.runs, seed: args.seed, threads: args.threads, counterfactuals: !args.no_counterfactuals };
    if args.scale.dry_run {
        crate::forecast_out::dry_run(&scenario, &opts, &args.scale)?;
        return Ok(ExitCode::SUCCESS);
    }
    // --out / --shard: the run directory (records, report…) as well as the summary below.
    let f = if args.scale.out.is_some() || args.scale.shard != bc_engine::Shard::ALL {
        crate::forecast_out::run(&scenario, &opts, &args.scale, args.scenario.as_deref())?
    } else {
        // A progress bar on standard error (hidden when it is not a terminal, or with --quiet).
        let bar = args.scale.progress(opts.runs, "runs");
        forecast::forecast(&scenario, &opts, |done| bar.set(done))?
    };
    if args.json {
        print_json(&serde_json::to_value(&f)?)?;
    } else {
        print_text(&report(&f))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(p: &Proportion) -> String {
    if p.p.is_nan() {
        return "   n/a".into();
    }
    format!("{:5.1}%  [{:4.1}, {:4.1}]", 100.0 * p.p, 100.0 * p.lo, 100.0 * p.hi)
}

fn pts(d: &Difference) -> String {
    if d.diff.is_nan() {
        return "n/a".into();
    }
    format!("{:+5.1} pts [{:+5.1}, {:+5.1}]", 100.0 * d.diff, 100.0 * d.lo, 100.0 * d.hi)
}

/// Two decimals; "n/a" for a mean over no runs (an empty shard).
fn fixed2(x: f64) -> String {
    if x.is_nan() {
        "n/a".into()
    } else {
        format!("{x:.2}")
    }
}

/// The report a person reads.
pub fn report(f: &Forecast) -> String {
    let mut o = String::new();
    let variant = f.variant.as_ref().map(|v| format!(", variant {v}")).unwrap_or_default();
    let _ = writeln!(o, "backchannel forecast: {}{variant}", f.scenario);
    let _ = writeln!(o, "{} runs, seed {}, horizon {} {}s; source {}", f.runs, f.seed, f.horizon, f.round_unit, f.source);
    let _ = writeln!(o, "Probabilities are shares of runs with 95% intervals; differences are paired (same random numbers).");
    let _ = writeln!(o);
    let _ = writeln!(o, "Outcome");
    let rows = [
        ("comprehensive (every step implemented)", &f.outcomes.comprehensive),
        ("partial (some steps by the horizon)", &f.outcomes.partial),
        ("collapse (a party left the talks)", &f.outcomes.collapse),
        ("drift (nothing implemented)", &f.outcomes.drift),
        ("any agreement (comprehensive or partial)", &f.outcomes.agreement),
    ];
    for (name, p) in rows {
        let _ = writeln!(o, "  {name:<44} {}", pct(p));
    }
    let _ = writeln!(o);
    let fs = &f.first_step_round;
    match (fs.median, fs.q1, fs.q3) {
        (Some(m), Some(a), Some(b)) => {
            let _ = writeln!(
                o,
                "First concrete step      {} {m} (quartiles {a}–{b}) in {:.1}% of runs",
                f.round_unit,
                100.0 * fs.runs_with_step.p
            );
        }
        _ => {
            let _ = writeln!(o, "First concrete step      none in any run");
        }
    }
    let k = &f.kept_talking_after_setback;
    let _ = writeln!(
        o,
        "Kept talking after the first setback   {}   (setback in {:.1}% of runs)",
        pct(&k.probability),
        100.0 * k.runs_with_condition.p
    );
    match &f.mediator_accepted {
        Some(p) => {
            let _ = writeln!(o, "Mediator's role accepted               {}", pct(p));
        }
        None => {
            let _ = writeln!(o, "Mediator's role accepted               n/a (direct talks)");
        }
    }
    let trust: Vec<String> = (0..f.parties.len())
        .flat_map(|i| (0..f.parties.len()).filter(move |j| *j != i).map(move |j| (i, j)))
        .map(|(i, j)| format!("{}→{} {}", f.parties[i], f.parties[j], fixed2(f.mean_final_trust[i][j])))
        .collect();
    let _ = writeln!(o, "Mean final trust         {}; mean strikes per run {}", trust.join(", "), fixed2(f.mean_strikes));
    if !f.counterfactuals.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Counterfactuals (paired): difference in P(any agreement) | in P(comprehensive)");
        for c in &f.counterfactuals {
            let _ = writeln!(o, "  {:<44} {} | {:+5.1} pts", c.label, pts(&c.agreement), 100.0 * c.comprehensive.diff);
        }
    }
    if !f.sensitivity.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Sensitivity: P(any agreement) with the parameter in its top vs bottom quarter");
        for s in f.sensitivity.iter().take(10) {
            let _ = writeln!(
                o,
                "  {:<44} {}  ({:.1}% vs {:.1}%)",
                s.parameter,
                pts(&s.effect),
                100.0 * s.high_quarter.p,
                100.0 * s.low_quarter.p
            );
        }
        if f.sensitivity.len() > 10 {
            let _ = writeln!(o, "  ... and {} more (see --json)", f.sensitivity.len() - 10);
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Every number in the default scenario is illustrative; see `backchannel scenario export`.");
    o
}
