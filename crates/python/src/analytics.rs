//! Analytics for Python: `analyze` on a domain (the JSON of `backchannel analyze --json`, key
//! for key and value for value), and on plain utility arrays (NegMAS's `pareto_frontier` and
//! `nash_points` results, and the same full analysis with outcome indices).

use anyhow::{bail, Context as _, Result};
use bc_formats::DomainProfiles;
use bc_model::{
    analyze, analyze_outcomes, normalize, Issue, Normalization, Options, OutcomeSpace, Preferences, TableUtility, UtilityFunction,
};
use serde_json::{json, Value as Json};

use crate::domain::Domain;
use crate::float;

/// What `analyze` is asked for (the CLI's flags).
#[derive(Clone, Debug, Default)]
pub struct AnalyzeOptions {
    /// Which profiles (all when `None`).
    pub profiles: Option<Vec<usize>>,
    /// `"per-party"` or `"shared"` normalisation first.
    pub normalize: Option<String>,
    /// Analyse this many sampled outcomes instead of the space, with this seed.
    pub sample: Option<(usize, u64)>,
    /// Largest space to enumerate for non-additive utilities (default: the `outcomes` limit).
    pub max_outcomes: Option<u64>,
}

/// `backchannel analyze --json` on a loaded domain.
pub fn analyze_domain(d: &Domain, o: &AnalyzeOptions) -> Result<Json> {
    let which = d.profile_indices(o.profiles.as_deref())?;
    let mut scenario: DomainProfiles = (*d.scenario).clone();
    scenario.parties = which.iter().map(|&k| scenario.parties[k].clone()).collect();
    scenario.profile_files = which.iter().filter_map(|&k| scenario.profile_files.get(k).cloned()).collect();
    if scenario.parties.len() < 2 {
        bail!("{}: analysis needs at least 2 profiles, found {}", scenario.domain_file.display(), scenario.parties.len());
    }
    let max_outcomes = o.max_outcomes.unwrap_or_else(|| bc_io::limits::OUTCOMES.get());
    if let Some(how) = &o.normalize {
        let how = match how.as_str() {
            "shared" => Normalization::Shared,
            "per-party" | "per_party" => Normalization::PerParty,
            other => bail!("normalize: expected \"per-party\" or \"shared\", found {other:?}"),
        };
        scenario.parties = normalize(&scenario.space, &scenario.parties, how, max_outcomes).context("normalising utilities")?;
    }
    let parties: Vec<&Preferences> = scenario.parties.iter().collect();
    let analysis = match o.sample {
        Some((0, _)) => bail!("sample: expected a positive number of outcomes, found 0"),
        Some((n, seed)) => {
            bc_io::limits::SAMPLE.check(n as u64, "sample")?;
            let mut rng = bc_engine::seed::rng_seeded(seed);
            let outcomes = scenario.space.sample(&mut rng, n);
            analyze_outcomes(&scenario.space, &parties, outcomes)?
        }
        None => analyze(&scenario.space, &parties, Options { enumeration_limit: max_outcomes })
            .with_context(|| format!("analysing {}", scenario.domain_file.display()))?,
    };
    Ok(bc_formats::json::analysis_json(&scenario, &analysis, o.sample))
}

/// Checks a row-major `[outcome][party]` utility array.
fn check_array(utils: &[f64], n_rows: usize, n_parties: usize, reserved: &[f64]) -> Result<()> {
    if n_parties < 2 {
        bail!("utilities: expected an array of shape (outcomes, parties) with at least 2 parties, found {n_parties} column(s)");
    }
    if utils.len() != n_rows * n_parties {
        bail!("utilities: expected {} numbers for shape ({n_rows}, {n_parties}), found {}", n_rows * n_parties, utils.len());
    }
    if reserved.len() != n_parties {
        bail!("reserved: expected one reservation value per party ({n_parties}), found {}", reserved.len());
    }
    Ok(())
}

/// NegMAS's `pareto_frontier` on evaluated points: the rows whose every utility is finite and at
/// least the party's reservation value, without weakly dominated rows (of identical rows, the
/// first), sorted by welfare descending (ties by row) when `sort_by_welfare`, else by row.
/// Returns row indices.
pub fn pareto_indices(utils: &[f64], n_rows: usize, n_parties: usize, reserved: &[f64], sort_by_welfare: bool) -> Result<Vec<usize>> {
    check_array(utils, n_rows, n_parties, reserved)?;
    let rational = (0..n_rows).filter(|&k| {
        let u = &utils[k * n_parties..(k + 1) * n_parties];
        u.iter().all(|x| x.is_finite()) && u.iter().zip(reserved).all(|(x, r)| x >= r)
    });
    let mut kept = bc_model::analytics::pareto_filter(utils, n_parties, rational);
    if sort_by_welfare {
        let welfare = |k: usize| utils[k * n_parties..(k + 1) * n_parties].iter().sum::<f64>();
        kept.sort_by(|&a, &b| welfare(b).total_cmp(&welfare(a)).then(a.cmp(&b)));
    } else {
        kept.sort_unstable();
    }
    Ok(kept)
}

/// NegMAS's `nash_points` on a frontier (row-major `[point][party]`): the points within `eps`
/// of the largest product of gains over the disagreement point, where party i's disagreement
/// is its reservation value when finite and not below its lowest utility `ranges[i].0`, else
/// that lowest utility; every point when some party's range is at most `eps`. Returns indices
/// into the frontier.
pub fn nash_indices(
    frontier: &[f64],
    n_points: usize,
    n_parties: usize,
    ranges: &[(f64, f64)],
    reserved: &[f64],
    eps: f64,
) -> Result<Vec<usize>> {
    check_array(frontier, n_points, n_parties, reserved)?;
    if ranges.len() != n_parties {
        bail!("ranges: expected one (min, max) per party ({n_parties}), found {}", ranges.len());
    }
    if n_points == 0 {
        return Ok(Vec::new());
    }
    let d: Vec<(f64, f64)> =
        ranges.iter().zip(reserved).map(|(&(lo, hi), &r)| if r.is_finite() && r >= lo { (r, hi) } else { (lo, hi) }).collect();
    if d.iter().any(|(lo, hi)| hi - lo <= eps) {
        return Ok((0..n_points).collect());
    }
    let vals: Vec<f64> = (0..n_points)
        .map(|k| frontier[k * n_parties..(k + 1) * n_parties].iter().zip(&d).fold(1.0, |acc, (u, (r, _))| acc * (u - r)))
        .collect();
    let best = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if best == f64::NEG_INFINITY {
        return Ok(Vec::new());
    }
    Ok((0..n_points).filter(|&k| vals[k] >= best - eps).collect())
}

/// The full analysis (every solution concept of `analyze`) of a utility array: a space of one
/// issue whose values are the rows, each party's utility a table. Points carry their row as
/// `"index"` instead of value names.
pub fn analyze_array(utils: &[f64], n_rows: usize, n_parties: usize, reserved: &[f64]) -> Result<Json> {
    check_array(utils, n_rows, n_parties, reserved)?;
    if n_rows == 0 {
        bail!("utilities: expected at least one outcome, found none");
    }
    let issue = Issue::number("outcome", (0..n_rows).map(|k| k as f64).collect())?;
    let space = OutcomeSpace::new("array", vec![issue])?;
    let mut parties = Vec::with_capacity(n_parties);
    for j in 0..n_parties {
        let col: Vec<f64> = (0..n_rows).map(|k| utils[k * n_parties + j]).collect();
        let t = TableUtility::new(&space, col).with_context(|| format!("utilities of party {j}"))?;
        parties.push(Preferences {
            name: format!("party {j}"),
            utility: UtilityFunction::Table(t),
            reserved_value: reserved[j],
            discount: bc_model::Discount::None,
        });
    }
    let refs: Vec<&Preferences> = parties.iter().collect();
    let a = analyze(&space, &refs, Options { enumeration_limit: n_rows as u64 })?;
    let pts = |which: &[usize]| -> Json {
        Json::Array(
            which
                .iter()
                .map(|&k| {
                    let p = &a.pareto[k];
                    json!({"index": p.index, "utils": p.utils.iter().map(|u| float(*u)).collect::<Vec<_>>()})
                })
                .collect(),
        )
    };
    let all: Vec<usize> = (0..a.pareto.len()).collect();
    Ok(json!({
        "n_outcomes": n_rows,
        "reserved_values": a.reserved_values.iter().map(|x| float(*x)).collect::<Vec<_>>(),
        "ranges": a.ranges.iter().map(|(lo, hi)| json!([float(*lo), float(*hi)])).collect::<Vec<_>>(),
        "disagreement": a.disagreement.iter().map(|x| float(*x)).collect::<Vec<_>>(),
        "n_pareto": a.pareto.len(),
        "pareto": pts(&all),
        "nash": pts(&a.nash),
        "kalai_smorodinsky": pts(&a.kalai_smorodinsky),
        "kalai": pts(&a.kalai),
        "modified_kalai": pts(&a.modified_kalai),
        "modified_ks": pts(&a.modified_ks),
        "max_welfare": pts(&a.max_welfare),
        "max_relative_welfare": pts(&a.max_relative_welfare),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn travel() -> Domain {
        Domain::load(&[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius/Travel")], "negmas", false).unwrap()
    }

    #[test]
    fn arrays_give_the_domains_frontier() {
        let d = travel();
        let (rows, n, u) = d.utilities(Some(&[0, 1]), 1_000_000).unwrap();
        let reserved: Vec<f64> = d.scenario.parties[..2].iter().map(|p| p.reserved_value).collect();
        let whole = analyze_domain(&d, &AnalyzeOptions { profiles: Some(vec![0, 1]), ..Default::default() }).unwrap();
        let kept = pareto_indices(&u, rows, n, &reserved, true).unwrap();
        assert_eq!(kept.len() as u64, whole["n_pareto"].as_u64().unwrap());
        for (k, p) in kept.iter().zip(whole["pareto"].as_array().unwrap()) {
            let got: Vec<f64> = u[k * n..(k + 1) * n].to_vec();
            let want: Vec<f64> = p["utils"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            assert_eq!(got, want);
        }
        let arr = analyze_array(&u, rows, n, &reserved).unwrap();
        assert_eq!(arr["nash"][0]["utils"], whole["nash"][0]["utils"]);
        let frontier: Vec<f64> = kept.iter().flat_map(|k| u[k * n..(k + 1) * n].to_vec()).collect();
        let ranges: Vec<(f64, f64)> =
            whole["ranges"].as_array().unwrap().iter().map(|r| (r[0].as_f64().unwrap(), r[1].as_f64().unwrap())).collect();
        let nash = nash_indices(&frontier, kept.len(), n, &ranges, &reserved, 1e-12).unwrap();
        assert_eq!(
            whole["nash"][0]["utils"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect::<Vec<_>>(),
            frontier[nash[0] * n..(nash[0] + 1) * n].to_vec()
        );
    }

    #[test]
    fn bad_shapes_are_refused() {
        assert!(pareto_indices(&[1.0, 2.0, 3.0], 1, 3, &[0.0, 0.0], true).unwrap_err().to_string().contains("reserved"));
        assert!(pareto_indices(&[1.0], 1, 1, &[0.0], true).unwrap_err().to_string().contains("at least 2 parties"));
    }
}
