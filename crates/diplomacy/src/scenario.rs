//! Scenarios: reading and checking a scenario file (every problem at once), its named variants,
//! the embedded default, and turning it into a concrete [`Model`] per run (uncertain parameters
//! drawn by inverse CDF from the run's parameter stream).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bc_model::{IssueKind, LinearAdditive, OutcomeSpace, UtilityFunction, Value, ValueFunction};

use crate::dist::{Bounds, Param};
use crate::draws::{name_hash, Draws, Purpose};
use crate::error::{Error, ErrorKind};
use crate::file::{ProtocolSpec, ScenarioFile, SemanticsSpec, ValueRef};
use crate::model::{AgendaIssue, Mediator, Model, Party, Protocol, Public, Ratification, Response, Spoiler, Step, Strategy};
use crate::sim::TableCache;
use crate::validate::{self, check_references, IssueShape, Located, Report, SchemaCheck};

/// The embedded default scenario's TOML text.
pub const DEFAULT_TOML: &str = include_str!("../scenarios/us_iran_pakistan.toml");

/// The name under which the embedded default is reported.
pub const DEFAULT_SOURCE: &str = "<embedded default scenario>";

/// Largest number of packages one step may have by default (the `packages-per-step` limit of
/// `bc_io::limits`, which is what is checked).
pub const MAX_PACKAGES: u64 = 200_000;

/// An uncertain parameter: its path in the file and its distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    /// Dotted path, e.g. `spoilers.proxy_attack.base`.
    pub path: String,
    /// The distribution.
    pub param: Param,
    /// The address of its quantile among a run's draws (a hash of the path).
    pub key: u64,
}

/// A checked scenario, ready to be sampled.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file as read.
    pub file: ScenarioFile,
    /// Where it came from (for messages).
    pub source: String,
    /// The variant applied, if any.
    pub variant: Option<String>,
    base_dir: PathBuf,
    text: String,
    located: Located,
    space: Arc<OutcomeSpace>,
    /// Utilities that need no sampling, per party.
    fixed_utilities: Vec<Option<Arc<UtilityFunction>>>,
    template: Model,
    /// What every run of the scenario shares: step spaces, and step tables at the status quo
    /// when no utility is sampled (a memo: it never changes a result).
    pub(crate) tables: TableCache,
    uncertain: Vec<Uncertain>,
}

impl Scenario {
    /// The embedded default scenario (US–Iran talks through Pakistan).
    pub fn default_scenario() -> Result<Scenario, Error> {
        Scenario::from_str(DEFAULT_TOML, DEFAULT_SOURCE, Path::new("."))
    }

    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, Error> {
        let text = bc_io::read::read_text(path)
            .map_err(|e| Error::new(ErrorKind::Io { path: path.display().to_string(), message: e.reason() }))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Scenario::from_str(&text, &path.display().to_string(), &dir)
    }

    /// Checks a scenario given as text; `source` names it in messages and `base_dir` resolves
    /// the domain and profile files it names.
    pub fn from_str(text: &str, source: &str, base_dir: &Path) -> Result<Scenario, Error> {
        let mut report = Report::new(source, text);
        let Some(located) = validate::parse(text, &mut report) else {
            return Err(Error::invalid(report.problems));
        };
        let (problems, domain) = check_document(&located, base_dir, &mut report);
        // Variants: each must give a valid scenario too.
        let mut variant_problems = Vec::new();
        if let Some(serde_json::Value::Object(vs)) = located.json.get("variants") {
            for (name, v) in vs {
                let (merged, own) = validate::apply_variant(&located, name, v);
                let mut sub = Report::new(source, text);
                for (p, msg) in own {
                    sub.at(&located.spans, &p, msg);
                }
                sub.set_prefix(&format!("variant {name}: "));
                let (vp, _) = check_document(&merged, base_dir, &mut sub);
                for (p, msg) in vp {
                    if !problems.iter().any(|(bp, bm)| *bp == p && *bm == msg) {
                        sub.at(&merged.spans, &p, msg);
                    }
                }
                variant_problems.extend(sub.problems);
            }
        }
        for (p, msg) in &problems {
            report.at(&located.spans, p, msg.clone());
        }
        report.problems.extend(variant_problems);
        if !report.problems.is_empty() {
            report.problems.sort_by_key(|d| d.line.unwrap_or(usize::MAX));
            return Err(Error::invalid(report.problems));
        }
        let file: ScenarioFile =
            serde_json::from_value(located.json.clone()).map_err(|e| Error::invalid(vec![general(source, "(document)", e.to_string())]))?;
        let Some((space, file_utilities)) = domain else {
            return Err(Error::invalid(vec![general(source, "domain", "the domain could not be built")]));
        };
        Scenario::build(file, source, base_dir, text, located, space, file_utilities)
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        file: ScenarioFile,
        source: &str,
        base_dir: &Path,
        text: &str,
        located: Located,
        space: Arc<OutcomeSpace>,
        file_utilities: Vec<Option<Arc<UtilityFunction>>>,
    ) -> Result<Scenario, Error> {
        // Utilities with no uncertain number are built once.
        let mut fixed = file_utilities;
        for (k, (id, party)) in file.parties.0.iter().enumerate() {
            if fixed[k].is_some() {
                continue;
            }
            let certain = party.utility.weights.as_ref().is_none_or(|w| w.0.iter().all(|(_, p)| !p.is_uncertain()))
                && party.utility.values.as_ref().is_none_or(|v| v.0.iter().all(|(_, s)| s.0.iter().all(|(_, p)| !p.is_uncertain())));
            if certain {
                let u = inline_utility(&space, party, id, &mut |_, p: &Param, _| p.nominal())
                    .map_err(|m| Error::invalid(vec![general(source, &format!("parties.{id}.utility"), m)]))?;
                fixed[k] = Some(Arc::new(u));
            }
        }
        let mut uncertain = Vec::new();
        let template = model_with(&file, &space, &fixed, &mut |path: fmt::Arguments<'_>, p: &Param, _| {
            if p.is_uncertain() {
                let path = path.to_string();
                let key = name_hash(&path);
                uncertain.push(Uncertain { path, param: p.clone(), key });
            }
            p.nominal()
        })
        .map_err(|m| Error::invalid(vec![general(source, "(scenario)", m)]))?;
        let utilities_fixed = fixed.iter().all(Option::is_some);
        let tables = TableCache::for_model(&template, utilities_fixed);
        Ok(Scenario {
            file,
            source: source.to_string(),
            variant: None,
            base_dir: base_dir.to_path_buf(),
            text: text.to_string(),
            located,
            space,
            fixed_utilities: fixed,
            template,
            tables,
            uncertain,
        })
    }

    /// The names and descriptions of the named variants.
    pub fn variants(&self) -> Vec<(String, String)> {
        self.file.variants.0.iter().map(|(k, v)| (k.clone(), v.description.clone())).collect()
    }

    /// The scenario with a named variant applied.
    pub fn variant(&self, name: &str) -> Result<Scenario, Error> {
        let Some(v) = self.located.json.get("variants").and_then(|vs| vs.get(name)) else {
            let known: Vec<String> = self.file.variants.ids().map(String::from).collect();
            return Err(Error::new(ErrorKind::UnknownVariant { name: name.to_string(), known }));
        };
        let (merged, _) = validate::apply_variant(&self.located, name, v);
        let mut report = Report::new(&self.source, &self.text);
        report.set_prefix(&format!("variant {name}: "));
        let (problems, domain) = check_document(&merged, &self.base_dir, &mut report);
        for (p, m) in problems {
            report.at(&merged.spans, &p, m);
        }
        if !report.problems.is_empty() {
            return Err(Error::invalid(report.problems));
        }
        let file: ScenarioFile = serde_json::from_value(merged.json.clone())
            .map_err(|e| Error::invalid(vec![general(&self.source, "(document)", e.to_string())]))?;
        let Some((space, utilities)) = domain else {
            return Err(Error::invalid(vec![general(&self.source, "domain", "the domain could not be built")]));
        };
        let mut s = Scenario::build(file, &self.source, &self.base_dir, &self.text, merged, space, utilities)?;
        s.variant = Some(name.to_string());
        Ok(s)
    }

    /// The model with every parameter at its median.
    pub fn nominal(&self) -> &Model {
        &self.template
    }

    /// The uncertain parameters, in sampling order.
    pub fn uncertain(&self) -> &[Uncertain] {
        &self.uncertain
    }

    /// Each uncertain parameter's quantile in a run: the draw addressed by its path, so that
    /// adding or removing another parameter changes none of the others.
    pub fn quantiles(&self, draws: &Draws) -> Vec<f64> {
        self.uncertain.iter().map(|u| draws.uniform(Purpose::Param, &[u.key])).collect()
    }

    /// The model of one run: every uncertain parameter drawn from the run's draws. Returns the
    /// model and each uncertain parameter's quantile (its rank in [0, 1]).
    pub fn sample(&self, draws: &Draws) -> (Model, Vec<f64>) {
        let us = self.quantiles(draws);
        (self.model_at(&us), us)
    }

    /// The model with the uncertain parameters at quantiles `us` (in [`Scenario::uncertain`]
    /// order).
    pub(crate) fn model_at(&self, us: &[f64]) -> Model {
        if self.uncertain.is_empty() {
            return self.template.clone();
        }
        let mut next = 0;
        let model = model_with(&self.file, &self.space, &self.fixed_utilities, &mut |_, p: &Param, _| {
            if p.is_uncertain() {
                let u = us.get(next).copied().unwrap_or(0.5);
                next += 1;
                p.quantile(u)
            } else {
                p.nominal()
            }
        });
        // The template was built from the same file, so this cannot fail; fall back to it.
        model.unwrap_or_else(|_| self.template.clone())
    }
}

/// Builds the model, reading every number through `pick(path, param, bounds)` (the path is
/// formatted only by a `pick` that needs it: sampling a run needs none).
fn model_with(
    f: &ScenarioFile,
    space: &Arc<OutcomeSpace>,
    fixed_utilities: &[Option<Arc<UtilityFunction>>],
    pick: &mut dyn FnMut(fmt::Arguments<'_>, &Param, Bounds) -> f64,
) -> Result<Model, String> {
    {
        let party_ids: Vec<&str> = f.parties.ids().collect();
        let pidx = |id: &str| party_ids.iter().position(|p| *p == id).unwrap_or(0);
        let n = party_ids.len();
        // Parties.
        let mut parties = Vec::with_capacity(n);
        for (k, (id, p)) in f.parties.0.iter().enumerate() {
            let base = format!("parties.{id}");
            let utility = match &fixed_utilities[k] {
                Some(u) => {
                    // Keep the sampling order identical whether or not the utility is cached.
                    Arc::clone(u)
                }
                None => Arc::new(inline_utility(space, p, id, pick)?),
            };
            let reservation = p.reservation.as_ref().map(|r| pick(format_args!("{base}.reservation"), r, Bounds::ANY));
            let discount = pick(format_args!("{base}.discount"), &p.discount, Bounds::UNIT_POSITIVE);
            let deadline = p.deadline.as_ref().map(|d| pick(format_args!("{base}.deadline"), d, Bounds::NON_NEGATIVE).round() as u32);
            let capacity = pick(format_args!("{base}.capacity"), &p.capacity, Bounds::UNIT);
            let mut trust = vec![(1.0, 1.0); n];
            for (other, prior) in &p.trust.0 {
                let j = pidx(other);
                let a = pick(format_args!("{base}.trust.{other}.a"), &prior.a, Bounds::POSITIVE);
                let b = pick(format_args!("{base}.trust.{other}.b"), &prior.b, Bounds::POSITIVE);
                trust[j] = (a, b);
            }
            let walk_away = pick(format_args!("{base}.walk_away"), &p.walk_away, Bounds::UNIT);
            let audience_cost = pick(format_args!("{base}.audience_cost"), &p.audience_cost, Bounds::NON_NEGATIVE);
            let withdrawal = p.withdrawal.as_ref().map_or(0.0, |x| pick(format_args!("{base}.withdrawal"), x, Bounds::UNIT));
            let bluff = p.bluff.as_ref().map_or(0.0, |x| pick(format_args!("{base}.bluff"), x, Bounds::UNIT));
            let ratification = p.ratification.as_ref().map(|r| Ratification {
                floor: pick(format_args!("{base}.ratification.floor"), &r.floor, Bounds::UNIT),
                visibility: pick(format_args!("{base}.ratification.visibility"), &r.visibility, Bounds::NON_NEGATIVE),
                expectations: pick(format_args!("{base}.ratification.expectations"), &r.expectations, Bounds::NON_NEGATIVE),
                reciprocity: pick(format_args!("{base}.ratification.reciprocity"), &r.reciprocity, Bounds::NON_NEGATIVE),
            });
            let strategy = party_strategy(&p.strategy, &format!("{base}.strategy"), f.scenario.rounds, pick);
            parties.push(Party {
                id: id.clone(),
                name: if p.name.is_empty() { id.clone() } else { p.name.clone() },
                utility,
                reservation,
                discount,
                deadline,
                capacity,
                trust,
                walk_away,
                audience_cost,
                withdrawal,
                bluff,
                ratification,
                strategy,
            });
        }
        // Agenda: issues in space order.
        let mut issues = Vec::with_capacity(space.issues().len());
        let importance: Vec<Vec<f64>> = parties.iter().map(|p| issue_importance(space, &p.utility)).collect();
        for (k, issue) in space.issues().iter().enumerate() {
            let spec = f
                .issues
                .iter()
                .find(|i| i.name == issue.name())
                .ok_or_else(|| format!("issue {:?} has no [[issues]] entry", issue.name()))?;
            let status_quo = match &spec.status_quo {
                None => None,
                Some(ValueRef::Name(s)) => {
                    Some(issue.parse_value(s).ok_or_else(|| format!("status_quo {s:?} of issue {:?}", issue.name()))?)
                }
                Some(ValueRef::Number(x)) => {
                    Some(number_value(issue, *x).ok_or_else(|| format!("status_quo {x} of issue {:?}", issue.name()))?)
                }
            };
            let weight = importance.iter().map(|w| w[k]).sum::<f64>() / n.max(1) as f64;
            issues.push(AgendaIssue {
                name: issue.name().to_string(),
                status_quo,
                implementers: spec.implementers.iter().map(|p| pidx(p)).collect(),
                weight,
            });
        }
        let total: f64 = issues.iter().map(|i| i.weight).sum();
        for i in &mut issues {
            i.weight = if total > 0.0 { i.weight / total } else { 1.0 / space.issues().len() as f64 };
        }
        let mut steps = Vec::with_capacity(f.steps.len());
        for (s, st) in f.steps.iter().enumerate() {
            let mut idx: Vec<usize> = st.issues.iter().filter_map(|name| space.issue_index(name)).collect();
            idx.sort_unstable();
            let verifiability = pick(format_args!("steps[{s}].verifiability"), &st.verifiability, Bounds::UNIT_POSITIVE);
            let sequence = match st.sequencing.unwrap_or_default() {
                crate::file::SequencingSpec::Simultaneous => None,
                crate::file::SequencingSpec::Sequenced => Some(match &st.order {
                    Some(order) => order.iter().map(|p| pidx(p)).collect(),
                    None => {
                        let mut who: Vec<usize> = idx.iter().flat_map(|&k| issues[k].implementers.iter().copied()).collect();
                        who.sort_unstable();
                        who.dedup();
                        who
                    }
                }),
            };
            let key = crate::draws::name_hash(&st.name);
            steps.push(Step { name: st.name.clone(), issues: idx, verifiability, sequence, key });
        }
        let pu = &f.public;
        let public = Public {
            visibility: pick(format_args!("public.visibility"), &pu.visibility, Bounds::UNIT),
            expectations: pick(format_args!("public.expectations"), &pu.expectations, Bounds::UNIT),
            decay: pick(format_args!("public.decay"), &pu.decay, Bounds::UNIT),
            gamma: pick(format_args!("public.gamma"), &pu.gamma, Bounds::UNIT),
            announce_visibility: pick(format_args!("public.announce_visibility"), &pu.announce_visibility, Bounds::UNIT),
            announce_expectations: pick(format_args!("public.announce_expectations"), &pu.announce_expectations, Bounds::UNIT),
            direct_visibility: pick(format_args!("public.direct_visibility"), &pu.direct_visibility, Bounds::UNIT),
        };
        let mediator = f.mediator.as_ref().map(|m| {
            let mut standing = vec![0.0; n];
            for (id, s) in &m.standing.0 {
                standing[pidx(id)] = pick(format_args!("mediator.standing.{id}"), s, Bounds::UNIT);
            }
            Mediator {
                name: if m.name.is_empty() { "mediator".into() } else { m.name.clone() },
                protocol: match m.protocol {
                    ProtocolSpec::Relay => Protocol::Relay,
                    ProtocolSpec::SingleText => Protocol::SingleText,
                    ProtocolSpec::Confidential => Protocol::Confidential,
                },
                strategy: mediator_strategy(m, pick),
                insulation: pick(format_args!("mediator.insulation"), &m.insulation, Bounds::UNIT),
                leak: pick(format_args!("mediator.leak"), &m.leak, Bounds::UNIT),
                leak_jump: pick(format_args!("mediator.leak_jump"), &m.leak_jump, Bounds::UNIT),
                visibility: pick(format_args!("mediator.visibility"), &m.visibility, Bounds::UNIT),
                standing,
                threshold: pick(format_args!("mediator.standing_threshold"), &m.standing_threshold, Bounds::UNIT),
                gain: pick(format_args!("mediator.standing_gain"), &m.standing_gain, Bounds::UNIT),
                loss: pick(format_args!("mediator.standing_loss"), &m.standing_loss, Bounds::UNIT),
                discipline: m.discipline.as_ref().map_or(0.0, |x| pick(format_args!("mediator.discipline"), x, Bounds::UNIT)),
                report_shading: m.report_shading.as_ref().map_or(0.0, |x| pick(format_args!("mediator.report_shading"), x, Bounds::UNIT)),
                leverage: {
                    let mut l = vec![0.0; n];
                    for (id, x) in m.leverage.iter().flat_map(|k| &k.0) {
                        l[pidx(id)] = pick(format_args!("mediator.leverage.{id}"), x, Bounds::UNIT);
                    }
                    l
                },
                leverage_decay: m.leverage_decay.as_ref().map_or(0.0, |x| pick(format_args!("mediator.leverage_decay"), x, Bounds::UNIT)),
            }
        });
        let mut spoilers = Vec::new();
        for (id, s) in &f.spoilers.0 {
            let base = format!("spoilers.{id}");
            let target = pidx(&s.target);
            let blamed = match &s.blamed {
                Some(b) => b.iter().map(|x| pidx(x)).collect(),
                None => (0..n).filter(|j| *j != target).collect(),
            };
            spoilers.push(Spoiler {
                id: id.clone(),
                name: if s.name.is_empty() { id.clone() } else { s.name.clone() },
                target,
                blamed,
                base: pick(format_args!("{base}.base"), &s.base, Bounds::UNIT),
                visibility: pick(format_args!("{base}.visibility"), &s.visibility, Bounds::ANY),
                progress: pick(format_args!("{base}.progress"), &s.progress, Bounds::ANY),
                capacity_link: s.capacity_link.as_ref().map_or(0.0, |x| pick(format_args!("{base}.capacity_link"), x, Bounds::UNIT)),
                misperception: s
                    .misperception
                    .as_ref()
                    .map_or(0.0, |x| pick(format_args!("{base}.misperception"), x, Bounds::NON_NEGATIVE)),
                jump: pick(format_args!("{base}.visibility_jump"), &s.visibility_jump, Bounds::UNIT),
                pause: pick(format_args!("{base}.pause"), &s.pause, Bounds::NON_NEGATIVE).round() as u32,
                floor_shock: s.floor_shock.as_ref().map_or(0.0, |x| pick(format_args!("{base}.floor_shock"), x, Bounds::NON_NEGATIVE)),
                floor_targets: s.floor_targets.as_ref().map_or(vec![target], |v| v.iter().map(|x| pidx(x)).collect()),
                enabled: true,
                key: crate::draws::name_hash(id),
            });
        }
        Ok(Model {
            name: f.scenario.name.clone(),
            rounds: f.scenario.rounds,
            sub_rounds: f.scenario.sub_rounds,
            real_grid: f.scenario.real_grid,
            space: Arc::clone(space),
            issues,
            steps,
            parties,
            public,
            mediator,
            spoilers,
            response: f.response.as_ref().map_or(Response { snap_back: true, grace: 4 }, |r| Response {
                snap_back: r.kind == crate::file::ResponseKind::SnapBack,
                grace: r.grace,
            }),
            setback_window: f.scenario.setback_window,
            signal_window: f.scenario.signal_window,
        })
    }
}

/// A party's strategy: `spe`, `time_based` (the library's `tb` with the file's exponent), or a
/// library agent with its parameters (drawn like any other number).
fn party_strategy(
    st: &crate::file::StrategySpec,
    base: &str,
    horizon: u32,
    pick: &mut dyn FnMut(fmt::Arguments<'_>, &Param, Bounds) -> f64,
) -> Strategy {
    if st.kind == "spe" {
        return Strategy::Spe;
    }
    let mut spec = if st.kind == "time_based" {
        let e = st.exponent.as_ref().map_or(1.0, |e| pick(format_args!("{base}.exponent"), e, Bounds::POSITIVE));
        bc_strategy::Spec { name: "tb".into(), params: [("e".to_string(), e)].into_iter().collect() }
    } else {
        bc_strategy::Spec { name: st.kind.clone(), params: Default::default() }
    };
    let rounds = st.rounds.as_ref().map_or(if st.kind == "time_based" { 1.0 } else { f64::from(horizon) }, |r| {
        pick(format_args!("{base}.rounds"), r, Bounds::POSITIVE)
    });
    for (k, v) in st.params.iter().flat_map(|p| &p.0) {
        spec.params.insert(k.to_ascii_lowercase(), pick(format_args!("{base}.params.{k}"), v, Bounds::ANY));
    }
    Strategy::Agent { spec, rounds }
}

/// The mediator's strategy: the file's, or its protocol's default.
fn mediator_strategy(m: &crate::file::MediatorSpec, pick: &mut dyn FnMut(fmt::Arguments<'_>, &Param, Bounds) -> f64) -> bc_strategy::Spec {
    let default = || bc_strategy::registry::mediators(m.protocol.kind()).first().map_or("pass", |(n, _)| *n).to_string();
    let Some(st) = &m.strategy else {
        return bc_strategy::Spec { name: default(), params: Default::default() };
    };
    let mut spec = bc_strategy::Spec { name: st.kind.clone(), params: Default::default() };
    for (k, v) in st.params.iter().flat_map(|p| &p.0) {
        spec.params.insert(k.to_ascii_lowercase(), pick(format_args!("mediator.strategy.params.{k}"), v, Bounds::ANY));
    }
    spec
}

/// The scenario text `text` as an editable TOML file, with variant `variant` applied (comments
/// and layout kept; the `[variants]` section dropped from a variant's export, since the file then
/// *is* that variant). The result is checked by reading it back.
pub fn export(text: &str, source: &str, variant: Option<&str>) -> Result<String, Error> {
    let Some(name) = variant else {
        // Check it, then return it unchanged.
        Scenario::from_str(text, source, Path::new("."))?;
        return Ok(text.to_string());
    };
    let base = Scenario::from_str(text, source, Path::new("."))?;
    base.variant(name)?;
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| Error::invalid(vec![general(source, "(syntax)", e.to_string())]))?;
    let v = doc.get("variants").and_then(|vs| vs.get(name)).cloned();
    doc.remove("variants");
    if let Some(v) = v {
        if let Some(remove) = v.get("remove").and_then(|r| r.as_array()) {
            for p in remove.iter().filter_map(|x| x.as_str()) {
                remove_item(doc.as_table_mut(), p);
            }
        }
        if let Some(patch) = v.get("patch") {
            merge_item(doc.as_item_mut(), patch);
        }
    }
    let description = base.variants().into_iter().find(|(n, _)| n == name).map(|(_, d)| d).unwrap_or_default();
    let mut out = format!("# Variant {name:?} of {source}: {description}\n");
    out.push_str(&doc.to_string());
    Scenario::from_str(&out, source, Path::new("."))?;
    Ok(out)
}

fn remove_item(table: &mut toml_edit::Table, path: &str) {
    let parts: Vec<&str> = path.split('.').collect();
    let Some((last, init)) = parts.split_last() else { return };
    let mut cur: &mut toml_edit::Item = match init.first() {
        Some(first) => match table.get_mut(first) {
            Some(i) => i,
            None => return,
        },
        None => {
            table.remove(last);
            return;
        }
    };
    for p in init.iter().skip(1) {
        cur = match cur.get_mut(p) {
            Some(i) => i,
            None => return,
        };
    }
    if let Some(t) = cur.as_table_like_mut() {
        t.remove(last);
    }
}

fn merge_item(base: &mut toml_edit::Item, patch: &toml_edit::Item) {
    match (base.as_table_like_mut(), patch.as_table_like()) {
        (Some(b), Some(p)) => {
            for (k, v) in p.iter() {
                match b.get_mut(k) {
                    Some(existing) if existing.is_table_like() && v.is_table_like() => merge_item(existing, v),
                    _ => {
                        b.insert(k, v.clone());
                    }
                }
            }
        }
        _ => *base = patch.clone(),
    }
}

fn general(source: &str, key: &str, message: impl Into<String>) -> validate::Diagnostic {
    validate::Diagnostic::other(std::path::Path::new(source), None, key, message)
}

fn number_value(issue: &bc_model::Issue, x: f64) -> Option<Value> {
    match issue.kind() {
        IssueKind::Real { lo, hi } => (x >= *lo && x <= *hi).then_some(Value::Real(x)),
        _ => issue.parse_value(&bc_model::issue::format_number(x)),
    }
}

/// Each issue's share of a party's utility range (additive utilities; equal shares otherwise).
fn issue_importance(space: &OutcomeSpace, u: &UtilityFunction) -> Vec<f64> {
    let m = space.issues().len();
    match u.as_additive() {
        Some(f) => {
            let spans: Vec<f64> = (0..m)
                .map(|k| {
                    let t = f.terms(k);
                    if t.is_empty() {
                        let (lo, hi) = match space.issues()[k].kind() {
                            IssueKind::Real { lo, hi } => (*lo, *hi),
                            _ => (0.0, 0.0),
                        };
                        (f.term(k, Value::Real(hi)) - f.term(k, Value::Real(lo))).abs()
                    } else {
                        let (a, b) = t.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
                        b - a
                    }
                })
                .collect();
            let total: f64 = spans.iter().sum();
            if total > 0.0 {
                spans.iter().map(|s| s / total).collect()
            } else {
                vec![1.0 / m as f64; m]
            }
        }
        None => vec![1.0 / m as f64; m],
    }
}

/// An inline utility, rescaled to [0, 1] over the space.
fn inline_utility(
    space: &OutcomeSpace,
    party: &crate::file::PartySpec,
    id: &str,
    pick: &mut dyn FnMut(fmt::Arguments<'_>, &Param, Bounds) -> f64,
) -> Result<UtilityFunction, String> {
    let (Some(weights), Some(values)) = (&party.utility.weights, &party.utility.values) else {
        return Err(format!("party {id:?} has no inline utility"));
    };
    let base = format!("parties.{id}.utility");
    let mut ws = Vec::new();
    let mut fs = Vec::new();
    for issue in space.issues() {
        let name = issue.name();
        let w = weights.get(name).map_or(0.0, |p| pick(format_args!("{base}.weights.{name}"), p, Bounds::NON_NEGATIVE));
        let scores = values.get(name);
        let f = match issue.kind() {
            IssueKind::Categorical(vs) => ValueFunction::Table(
                vs.iter()
                    .map(|v| scores.and_then(|s| s.get(v)).map_or(0.0, |p| pick(format_args!("{base}.values.{name}.{v}"), p, Bounds::ANY)))
                    .collect(),
            ),
            IssueKind::Number(xs) => ValueFunction::Table(
                xs.iter()
                    .map(|x| {
                        let key = bc_model::issue::format_number(*x);
                        scores.and_then(|s| s.get(&key)).map_or(0.0, |p| pick(format_args!("{base}.values.{name}.{key}"), p, Bounds::ANY))
                    })
                    .collect(),
            ),
            IssueKind::Integer { lo, hi } => linear(scores, &base, name, *lo as f64, *hi as f64, pick),
            IssueKind::Real { lo, hi } => linear(scores, &base, name, *lo, *hi, pick),
        };
        ws.push(w);
        fs.push(f);
    }
    let la = LinearAdditive::new(space, 0.0, ws, fs).map_err(|e| format!("party {id:?}: {e}"))?;
    let u = UtilityFunction::LinearAdditive(la);
    Ok(rescale(space, u))
}

fn linear(
    scores: Option<&crate::file::Keyed<Param>>,
    base: &str,
    name: &str,
    lo: f64,
    hi: f64,
    pick: &mut dyn FnMut(fmt::Arguments<'_>, &Param, Bounds) -> f64,
) -> ValueFunction {
    let low = scores.and_then(|s| s.get("low")).map_or(0.0, |p| pick(format_args!("{base}.values.{name}.low"), p, Bounds::ANY));
    let high = scores.and_then(|s| s.get("high")).map_or(0.0, |p| pick(format_args!("{base}.values.{name}.high"), p, Bounds::ANY));
    let slope = if hi > lo { (high - low) / (hi - lo) } else { 0.0 };
    ValueFunction::Linear { offset: low, slope, origin: lo, clamp: false }
}

/// Rescales a utility to [0, 1] over the space (a constant utility becomes 1 everywhere).
fn rescale(space: &OutcomeSpace, u: UtilityFunction) -> UtilityFunction {
    match bc_model::utility_range(space, &u, bc_model::DEFAULT_ENUMERATION_LIMIT) {
        Ok((lo, hi)) if hi > lo => {
            let s = 1.0 / (hi - lo);
            u.affine(s, -lo * s)
        }
        _ => u.affine(0.0, 1.0),
    }
}

/// Schema check, domain loading and cross-references of one document. Returns the problems as
/// (path, message) and, when the domain could be built, the space and the profile utilities.
#[allow(clippy::type_complexity)]
fn check_document(
    loc: &Located,
    base_dir: &Path,
    report: &mut Report,
) -> (Vec<(String, String)>, Option<(Arc<OutcomeSpace>, Vec<Option<Arc<UtilityFunction>>>)>) {
    let schema = crate::file::schema();
    let mut check = SchemaCheck::new(&schema, &loc.spans);
    check.check(&schema, &loc.json, "", Bounds::ANY);
    let mut problems = check.problems;
    let _ = report;
    let json = &loc.json;
    let party_ids: Vec<String> = json.get("parties").and_then(|p| p.as_object()).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let mut space: Option<OutcomeSpace> = None;
    let mut utilities: Vec<Option<Arc<UtilityFunction>>> = vec![None; party_ids.len()];
    let mut file_issues = None;
    if let Some(domain) = json.get("domain") {
        if let Some(file) = domain.get("file").and_then(|f| f.as_str()) {
            let semantics = match domain.get("semantics").and_then(|s| s.as_str()) {
                Some("negmas") => bc_formats::Semantics::Negmas,
                _ => bc_formats::Semantics::Genius,
            };
            let _ = SemanticsSpec::Genius;
            let path = base_dir.join(file);
            // Profiles named by the parties.
            let mut profile_paths = Vec::new();
            let mut owners = Vec::new();
            for (k, id) in party_ids.iter().enumerate() {
                if let Some(pf) = json.pointer(&format!("/parties/{}/utility/file", escape_pointer(id))).and_then(|x| x.as_str()) {
                    profile_paths.push(base_dir.join(pf));
                    owners.push(k);
                }
            }
            match bc_formats::load_files(&path, &[], semantics) {
                Err(e) => problems.push(("domain.file".into(), format!("cannot read the domain: {e}"))),
                Ok(sc) => {
                    file_issues = Some(sc.space.issues().iter().map(|i| (i.name().to_string(), IssueShape::of(i))).collect::<Vec<_>>());
                    for (k, pp) in owners.iter().zip(&profile_paths) {
                        match bc_formats::load_files(&path, std::slice::from_ref(pp), semantics) {
                            Ok(ps) => {
                                if let Some(pref) = ps.parties.into_iter().next() {
                                    utilities[*k] = Some(Arc::new(rescale(&sc.space, pref.utility)));
                                }
                            }
                            Err(e) => {
                                problems.push((format!("parties.{}.utility.file", party_ids[*k]), format!("cannot read the profile: {e}")))
                            }
                        }
                    }
                    space = Some(sc.space);
                }
            }
        }
    }
    check_references(json, file_issues.as_deref(), &mut problems);
    if json.get("domain").is_none() && problems.is_empty() {
        match inline_space(json) {
            Ok(s) => space = Some(s),
            Err(m) => problems.push(("issues".into(), m)),
        }
    }
    // Package counts per step.
    if let (Some(sp), Some(serde_json::Value::Array(steps))) = (&space, json.get("steps")) {
        let grid = json.pointer("/scenario/real_grid").and_then(|g| g.as_u64()).unwrap_or(21);
        for (s, st) in steps.iter().enumerate() {
            let mut count: u64 = 1;
            for name in st.get("issues").and_then(|i| i.as_array()).into_iter().flatten().filter_map(|x| x.as_str()) {
                if let Some(k) = sp.issue_index(name) {
                    count = count.saturating_mul(sp.issues()[k].cardinality().unwrap_or(grid));
                }
            }
            let max = bc_io::limits::PACKAGES_PER_STEP.get();
            if count > max {
                problems.push((
                    format!("steps[{s}].issues"),
                    format!("this step has {count} packages, more than the limit of {max} (limit packages-per-step, raise it with --limit packages-per-step=N); split it into smaller steps or coarsen real_grid"),
                ));
            }
        }
    }
    let out = space.filter(|_| problems.is_empty()).map(|s| (Arc::new(s), utilities));
    (problems, out)
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The outcome space of an inline domain (issues in file order).
fn inline_space(json: &serde_json::Value) -> Result<OutcomeSpace, String> {
    let name = json.pointer("/scenario/name").and_then(|n| n.as_str()).unwrap_or("scenario");
    let mut issues = Vec::new();
    for issue in json.get("issues").and_then(|i| i.as_array()).into_iter().flatten() {
        let n = issue.get("name").and_then(|x| x.as_str()).unwrap_or("?");
        let built = if let Some(vs) = issue.get("values").and_then(|v| v.as_array()) {
            bc_model::Issue::categorical(n, vs.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        } else if let Some(r) = issue.get("integer").and_then(|v| v.as_array()) {
            let lo = r.first().and_then(|x| x.as_i64()).unwrap_or(0);
            let hi = r.get(1).and_then(|x| x.as_i64()).unwrap_or(0);
            bc_model::Issue::integer(n, lo, hi)
        } else {
            let r = issue.get("real").and_then(|v| v.as_array());
            let lo = r.and_then(|r| r.first()).and_then(|x| x.as_f64()).unwrap_or(0.0);
            let hi = r.and_then(|r| r.get(1)).and_then(|x| x.as_f64()).unwrap_or(0.0);
            bc_model::Issue::real(n, lo, hi)
        };
        issues.push(built.map_err(|e| e.to_string())?);
    }
    OutcomeSpace::new(name, issues).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_scenario_loads_and_has_uncertain_parameters() {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.nominal().parties.len(), 2);
        assert!(s.nominal().mediator.is_some());
        assert!(!s.uncertain().is_empty());
        for (name, _) in s.variants() {
            s.variant(&name).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
