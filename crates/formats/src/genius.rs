//! GENIUS XML: domain files (`<negotiation_template>`) and profiles (`<utility_space>`), read
//! under GENIUS's own rules or NegMAS 0.16's, and written back as GENIUS XML.
//!
//! The two semantics differ only in how a profile's numbers become utilities (see
//! [`Semantics`]); both read the same files and reject the same malformed ones.
//!
//! Long file: the reader and the writer of one format, kept together so that every rule read has
//! its inverse written beside it; a fifth is tests.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use bc_model::{
    Aggregation, Bound, Discount, HyperRectangles, Issue, IssueKind, LinearAdditive, OutcomeSpace, Preferences, Rectangle, RectangleGroup,
    UtilityFunction, Value, ValueFunction,
};

use crate::error::{from_model, Error};
use crate::xml::{self, Element};
use crate::Semantics;

/// A GENIUS domain: the outcome space and each issue's node number in the objective tree (by
/// which GENIUS profiles refer to issues).
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    /// The issues.
    pub space: OutcomeSpace,
    /// `issue@index` of each issue, in issue order.
    pub node_indices: Vec<i64>,
}

impl Domain {
    fn position_of_node(&self, node: i64) -> Option<usize> {
        self.node_indices.iter().position(|n| *n == node)
    }
}

/// Reads a domain file.
pub fn read_domain(path: &Path) -> Result<Domain, Error> {
    let text = crate::read_text(path)?;
    read_domain_str(path, &text)
}

/// Reads a domain from text; `path` is used in error messages and for the domain's name.
pub fn read_domain_str(path: &Path, text: &str) -> Result<Domain, Error> {
    let root = xml::parse(path, text)?;
    let space_el = if root.name == "utility_space" {
        &root
    } else {
        root.child("utility_space").ok_or_else(|| {
            Error::invalid(
                path,
                Some(root.line),
                format!("<{}>", root.name),
                "a <negotiation_template> holding a <utility_space>",
                format!("<{}> without a <utility_space> child", root.name),
            )
        })?
    };
    let objective = space_el
        .child("objective")
        .ok_or_else(|| Error::invalid(path, Some(space_el.line), "<utility_space>", "an <objective> child holding the issues", "none"))?;
    let mut elements = Vec::new();
    collect_issues(objective, &mut elements);
    if elements.is_empty() {
        return Err(Error::invalid(path, Some(objective.line), "<objective>", "at least one <issue>", "none"));
    }
    if let Some(declared) = space_el.attr("number_of_issues") {
        // GENIUS writes 0 when it does not count; any other number must be the count.
        if !matches!(declared.trim().parse::<usize>(), Ok(n) if n == 0 || n == elements.len()) {
            return Err(Error::invalid(
                path,
                Some(space_el.line),
                "<utility_space> @number_of_issues",
                format!("{} (the number of <issue> elements) or 0", elements.len()),
                format!("{declared:?}"),
            ));
        }
    }
    let mut issues = Vec::with_capacity(elements.len());
    let mut node_indices = Vec::with_capacity(elements.len());
    for el in elements {
        let name = required(path, el, "name")?;
        node_indices.push(parse_int(path, el, "index", &issue_field(name, "index"))?);
        issues.push(read_issue(path, el, name)?);
    }
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let space = OutcomeSpace::new(name, issues).map_err(|e| from_model(path, Some(objective.line), "<objective>", e))?;
    Ok(Domain { space, node_indices })
}

/// The issue type under GENIUS's rules: `type` decides, a missing `type` means discrete, and an
/// unknown one is an error (GENIUS falls back to discrete with a warning; we refuse to guess).
fn issue_type<'a>(path: &Path, el: &'a Element, name: &str) -> Result<&'a str, Error> {
    match el.attr("type") {
        None => Ok("discrete"),
        Some(t) => match t.to_ascii_lowercase().as_str() {
            "discrete" => Ok("discrete"),
            "integer" => Ok("integer"),
            "real" => Ok("real"),
            _ => Err(Error::invalid(
                path,
                Some(el.line),
                issue_field(name, "type"),
                "\"discrete\", \"integer\" or \"real\"",
                format!("{t:?}"),
            )),
        },
    }
}

fn read_issue(path: &Path, el: &Element, name: &str) -> Result<Issue, Error> {
    let model = |e| from_model(path, Some(el.line), &format!("issue {name:?}"), e);
    match issue_type(path, el, name)? {
        "integer" => {
            let (lo, hi) = bounds(path, el, name, false)?;
            let lo = to_int(path, el, name, "lowerbound", &lo)?;
            let hi = to_int(path, el, name, "upperbound", &hi)?;
            // An integer range is never listed (its evaluator is a formula, computed per value
            // on demand), so `values-per-issue` does not apply; `Issue::integer` bounds it at
            // 2^32 - 1 values, what an outcome's value position holds.
            if lo > hi {
                return Err(Error::invalid(
                    path,
                    Some(el.line),
                    issue_field(name, "lowerbound"),
                    "lowerbound <= upperbound",
                    format!("{lo} > {hi}"),
                ));
            }
            Issue::integer(name, lo, hi).map_err(model)
        }
        "real" => {
            let (lo, hi) = bounds(path, el, name, true)?;
            let lo = to_float(path, el, &issue_field(name, "lowerbound"), &lo)?;
            let hi = to_float(path, el, &issue_field(name, "upperbound"), &hi)?;
            if lo > hi {
                return Err(Error::invalid(
                    path,
                    Some(el.line),
                    issue_field(name, "lowerbound"),
                    "lowerbound <= upperbound",
                    format!("{lo} > {hi}"),
                ));
            }
            Issue::real(name, lo, hi).map_err(model)
        }
        _ => {
            let mut values = Vec::new();
            for item in el.children_named("item") {
                let v = item
                    .attr("value")
                    .ok_or_else(|| Error::invalid(path, Some(item.line), format!("issue {name:?} <item>"), "a value attribute", "none"))?;
                // Trimmed, as profiles' values are when they are looked up.
                values.push(v.trim().to_string());
            }
            crate::check_values(path, Some(el.line), &format!("issue {name:?}"), values.len() as u128)?;
            if values.is_empty() {
                return Err(Error::invalid(path, Some(el.line), format!("issue {name:?}"), "at least one <item>", "an empty issue"));
            }
            Issue::categorical(name, values).map_err(model)
        }
    }
}

/// Bounds of an integer or real issue. GENIUS reads integer bounds from the issue's attributes
/// and real bounds from a `<range>` child; we accept either place for both, `<range>` winning
/// (as NegMAS does).
fn bounds(path: &Path, el: &Element, name: &str, real: bool) -> Result<(String, String), Error> {
    let mut lo = el.attr("lowerbound").map(str::to_string);
    let mut hi = el.attr("upperbound").map(str::to_string);
    if let Some(range) = el.child("range") {
        if let Some(v) = range.attr("lowerbound") {
            lo = Some(v.to_string());
        }
        if let Some(v) = range.attr("upperbound") {
            hi = Some(v.to_string());
        }
    }
    let kind = if real { "real" } else { "integer" };
    let missing =
        |which: &str| Error::invalid(path, Some(el.line), issue_field(name, which), format!("the {which} of a {kind} issue"), "none");
    Ok((lo.ok_or_else(|| missing("lowerbound"))?, hi.ok_or_else(|| missing("upperbound"))?))
}

fn collect_issues<'a>(el: &'a Element, out: &mut Vec<&'a Element>) {
    for c in &el.children {
        match c.name.as_str() {
            "issue" => out.push(c),
            "objective" => collect_issues(c, out),
            _ => {}
        }
    }
}

/// Reads a profile file for `domain`.
pub fn read_profile(path: &Path, domain: &Domain, semantics: Semantics) -> Result<Preferences, Error> {
    let text = crate::read_text(path)?;
    read_profile_str(path, &text, domain, semantics)
}

/// Reads a profile from text; `path` is used in error messages and for the profile's name.
pub fn read_profile_str(path: &Path, text: &str, domain: &Domain, semantics: Semantics) -> Result<Preferences, Error> {
    let root = xml::parse(path, text)?;
    if root.name != "utility_space" {
        return Err(Error::invalid(path, Some(root.line), "root element", "<utility_space>", format!("<{}>", root.name)));
    }
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let reservation = match root.child("reservation") {
        Some(el) => Some(parse_float(path, el, "value", "<reservation> @value")?),
        None => None,
    };
    let discount = match root.child("discount_factor") {
        Some(el) => Some(parse_float(path, el, "value", "<discount_factor> @value")?),
        None => None,
    };
    let objective = root.child("objective").unwrap_or(&root);
    let kind = root.attr("type").map(str::to_ascii_lowercase);
    let utility = match kind.as_deref() {
        None | Some("linear") | Some("additive") => read_additive(path, objective, domain, semantics)?,
        Some("nonlinear") => read_rectangles(path, objective, domain, semantics)?,
        Some(other) => {
            return Err(Error::invalid(
                path,
                Some(root.line),
                "<utility_space> @type",
                "an additive profile (no type) or \"nonlinear\"",
                format!("{other:?} (not supported)"),
            ))
        }
    };
    let (reserved_value, discount) = match semantics {
        Semantics::Genius => {
            // GENIUS's validateDiscount: d <= 0 or d > 1 means no discount.
            let d = discount.filter(|d| *d > 0.0 && *d < 1.0);
            (reservation.unwrap_or(0.0), d.map_or(Discount::None, Discount::NormalizedTime))
        }
        Semantics::Negmas => match discount {
            // NegMAS wraps the ufun in a per-round discount whose reserved value is -inf.
            Some(d) if d > 0.0 && d != 1.0 => (f64::NEG_INFINITY, Discount::PerStep(d)),
            _ => (reservation.unwrap_or(0.0), Discount::None),
        },
    };
    Ok(Preferences { name, utility, reserved_value, discount })
}

/// The `<reservation value>` written in a GENIUS profile file, if any (whatever the semantics).
pub fn read_reservation(path: &Path) -> Result<Option<f64>, Error> {
    let text = crate::read_text(path)?;
    let root = xml::parse(path, &text)?;
    match root.child("reservation") {
        Some(el) => Ok(Some(parse_float(path, el, "value", "<reservation> @value")?)),
        None => Ok(None),
    }
}

fn read_additive(path: &Path, objective: &Element, domain: &Domain, semantics: Semantics) -> Result<UtilityFunction, Error> {
    let space = &domain.space;
    let m = space.issues().len();
    let mut issue_els: Vec<&Element> = Vec::new();
    collect_issues(objective, &mut issue_els);
    let mut weight_els: Vec<&Element> = Vec::new();
    collect_weights(objective, &mut weight_els);

    // Profile issues, matched to the domain by name.
    let mut by_position: Vec<Option<&Element>> = vec![None; m];
    for el in &issue_els {
        let name = required(path, el, "name")?;
        let Some(pos) = space.issue_index(name) else {
            return Err(Error::invalid(
                path,
                Some(el.line),
                format!("issue {name:?}"),
                format!("one of the domain's issues ({})", issue_names(space)),
                format!("{name:?}"),
            ));
        };
        if by_position[pos].is_some() {
            return Err(Error::invalid(path, Some(el.line), format!("issue {name:?}"), "each issue once", "a second definition"));
        }
        by_position[pos] = Some(el);
    }

    // Weights: GENIUS keys them by the issue's node number; NegMAS by position (index - 1),
    // adding out-of-range ones to a constant term.
    let mut weights_by_index: BTreeMap<i64, (f64, usize)> = BTreeMap::new();
    for el in &weight_els {
        let index = parse_int(path, el, "index", "<weight> @index")?;
        let value = parse_float(path, el, "value", &format!("<weight index=\"{index}\"> @value"))?;
        if value < 0.0 {
            return Err(Error::invalid(
                path,
                Some(el.line),
                format!("<weight index=\"{index}\"> @value"),
                "a non-negative number",
                format!("{value}"),
            ));
        }
        weights_by_index.insert(index, (value, el.line));
    }
    let all_numeric = space.issues().iter().all(|i| !matches!(i.kind(), IssueKind::Categorical(_)));
    let mut bias = 0.0;
    let mut weights = vec![f64::NAN; m];
    match semantics {
        Semantics::Genius => {
            for (pos, el) in by_position.iter().enumerate() {
                let Some(el) = el else { continue };
                let node = parse_int(path, el, "index", &issue_field(space.issues()[pos].name(), "index"))?;
                if let Some((w, _)) = weights_by_index.get(&node) {
                    weights[pos] = *w;
                }
            }
        }
        Semantics::Negmas => {
            for (index, (w, _)) in &weights_by_index {
                if *index >= 1 && (*index as usize) <= m {
                    weights[*index as usize - 1] = *w;
                } else {
                    bias += w;
                }
            }
        }
    }

    let mut values = Vec::with_capacity(m);
    for (pos, issue) in space.issues().iter().enumerate() {
        let Some(el) = by_position[pos] else {
            if semantics == Semantics::Negmas && all_numeric {
                // NegMAS gives an issue the profile does not mention weight 0.
                weights[pos] = 0.0;
                values.push(ValueFunction::Constant(0.0));
                continue;
            }
            return Err(Error::invalid(
                path,
                Some(objective.line),
                format!("issue {:?}", issue.name()),
                "an evaluation of every domain issue",
                "no <issue> element for it",
            ));
        };
        if weights[pos].is_nan() {
            if semantics == Semantics::Negmas && all_numeric {
                weights[pos] = 1.0;
            } else {
                let node = el.attr("index").unwrap_or("?");
                return Err(Error::invalid(
                    path,
                    Some(el.line),
                    format!("issue {:?}", issue.name()),
                    format!("a <weight index=\"{node}\">"),
                    "none",
                ));
            }
        }
        values.push(read_evaluator(path, el, issue, semantics)?);
    }
    let f = LinearAdditive::new(space, bias, weights, values).map_err(|e| from_model(path, Some(objective.line), "<objective>", e))?;
    let f = match semantics {
        Semantics::Genius => f.with_cap(Some(1.0)),
        Semantics::Negmas => f,
    };
    Ok(UtilityFunction::LinearAdditive(f))
}

fn collect_weights<'a>(el: &'a Element, out: &mut Vec<&'a Element>) {
    for c in &el.children {
        match c.name.as_str() {
            "weight" => out.push(c),
            "objective" => collect_weights(c, out),
            _ => {}
        }
    }
}

fn read_evaluator(path: &Path, el: &Element, issue: &Issue, semantics: Semantics) -> Result<ValueFunction, Error> {
    let name = issue.name();
    let declared = issue_type(path, el, name)?;
    let kind_name = match issue.kind() {
        IssueKind::Categorical(_) | IssueKind::Number(_) => "discrete",
        IssueKind::Integer { .. } => "integer",
        IssueKind::Real { .. } => "real",
    };
    if declared != kind_name {
        return Err(Error::invalid(
            path,
            Some(el.line),
            issue_field(name, "type"),
            format!("{kind_name:?}, as in the domain"),
            format!("{declared:?}"),
        ));
    }
    match issue.kind() {
        IssueKind::Categorical(_) | IssueKind::Number(_) => {
            let n = issue.cardinality().unwrap_or(0) as usize;
            let mut evals: Vec<Option<f64>> = vec![None; n];
            for item in el.children_named("item") {
                let value = item
                    .attr("value")
                    .ok_or_else(|| Error::invalid(path, Some(item.line), format!("issue {name:?} <item>"), "a value attribute", "none"))?;
                let Some(Value::Index(k)) = issue.parse_value(value) else {
                    return Err(Error::invalid(
                        path,
                        Some(item.line),
                        format!("issue {name:?} <item>"),
                        "a value of the domain's issue",
                        format!("{value:?}"),
                    ));
                };
                let field = format!("issue {name:?} item {value:?} @evaluation");
                let e = parse_float(path, item, "evaluation", &field)?;
                evals[k as usize] = Some(e);
            }
            let mut table = Vec::with_capacity(n);
            for (k, e) in evals.iter().enumerate() {
                match e {
                    Some(e) => table.push(*e),
                    None => {
                        return Err(Error::invalid(
                            path,
                            Some(el.line),
                            format!("issue {name:?}"),
                            "an <item> with an evaluation for every value",
                            format!("none for {:?}", issue.value_name(Value::Index(k as u32))),
                        ))
                    }
                }
            }
            if semantics == Semantics::Genius {
                // EvaluatorDiscrete divides by the issue's largest evaluation (0 if below 1e-5).
                let mx = table.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                for x in &mut table {
                    *x = if mx >= 1e-5 { *x / mx } else { 0.0 };
                }
            }
            Ok(ValueFunction::Table(table))
        }
        IssueKind::Integer { lo, .. } => {
            let ev = evaluator_el(path, el, name)?;
            match ev.attr("ftype").unwrap_or("linear") {
                "linear" => {}
                other => {
                    return Err(Error::invalid(
                        path,
                        Some(ev.line),
                        format!("issue {name:?} <evaluator> @ftype"),
                        "\"linear\" for an integer issue",
                        format!("{other:?}"),
                    ))
                }
            }
            let (offset, slope) = linear_params(path, ev, name, semantics)?;
            Ok(match semantics {
                // EvaluatorInteger: clamp01(slope * (x - lowerbound) + offset), with the
                // lowerbound read from the profile's issue element.
                Semantics::Genius => {
                    let origin = match el.attr("lowerbound") {
                        Some(v) => to_int(path, el, name, "lowerbound", v)? as f64,
                        None => *lo as f64,
                    };
                    ValueFunction::Linear { offset, slope, origin, clamp: true }
                }
                Semantics::Negmas => ValueFunction::Linear { offset, slope, origin: 0.0, clamp: false },
            })
        }
        IssueKind::Real { .. } => {
            let ev = evaluator_el(path, el, name)?;
            let ftype = ev.attr("ftype").unwrap_or("linear");
            let p = |k: &str, default: Option<f64>| -> Result<f64, Error> {
                match (ev.attr(k), default) {
                    (Some(v), _) => to_float(path, ev, &format!("issue {name:?} <evaluator> @{k}"), v),
                    (None, Some(d)) => Ok(d),
                    (None, None) => Err(Error::invalid(
                        path,
                        Some(ev.line),
                        format!("issue {name:?} <evaluator> @{k}"),
                        format!("the {k} of a {ftype} evaluator"),
                        "none",
                    )),
                }
            };
            match ftype {
                "linear" => {
                    let (offset, slope) = linear_params(path, ev, name, semantics)?;
                    Ok(ValueFunction::Linear { offset, slope, origin: 0.0, clamp: semantics == Semantics::Genius })
                }
                "constant" => Ok(ValueFunction::Constant(p("parameter0", None)?)),
                "triangular" => {
                    Ok(ValueFunction::Triangular { lo: p("parameter0", None)?, hi: p("parameter1", None)?, top: p("parameter2", None)? })
                }
                other => Err(Error::invalid(
                    path,
                    Some(ev.line),
                    format!("issue {name:?} <evaluator> @ftype"),
                    "\"linear\", \"constant\" or \"triangular\"",
                    format!("{other:?}"),
                )),
            }
        }
    }
}

fn evaluator_el<'a>(path: &Path, el: &'a Element, name: &str) -> Result<&'a Element, Error> {
    el.child("evaluator").ok_or_else(|| Error::invalid(path, Some(el.line), format!("issue {name:?}"), "an <evaluator> child", "none"))
}

/// `(offset, slope)` of a linear evaluator: integer evaluators name them `offset`/`slope`, real
/// ones `parameter0`/`parameter1`; both are accepted (NegMAS's reading), defaults 0 and 1 as in
/// NegMAS, but GENIUS requires them, so under GENIUS rules a missing one is an error.
fn linear_params(path: &Path, ev: &Element, name: &str, semantics: Semantics) -> Result<(f64, f64), Error> {
    let get = |a: &str, b: &str, default: f64| -> Result<f64, Error> {
        let field = format!("issue {name:?} <evaluator> @{a}");
        match ev.attr(a).or_else(|| ev.attr(b)) {
            Some(v) => to_float(path, ev, &field, v),
            None if semantics == Semantics::Negmas => Ok(default),
            None => Err(Error::invalid(path, Some(ev.line), field, format!("a number (@{a} or @{b})"), "none")),
        }
    };
    Ok((get("offset", "parameter0", 0.0)?, get("slope", "parameter1", 1.0)?))
}

fn read_rectangles(path: &Path, objective: &Element, domain: &Domain, semantics: Semantics) -> Result<UtilityFunction, Error> {
    let utility = objective.children.iter().find(|c| c.name == "utility" || c.name == "utility_function").ok_or_else(|| {
        Error::invalid(path, Some(objective.line), "<objective>", "a <utility> element holding <ufun>s (a nonlinear profile)", "none")
    })?;
    let ufuns: Vec<&Element> = utility.children_named("ufun").collect();
    if ufuns.is_empty() {
        return Err(Error::invalid(path, Some(utility.line), "<utility>", "at least one <ufun>", "none"));
    }
    let model_err = |e| from_model(path, Some(utility.line), "<utility>", e);
    let f = match semantics {
        Semantics::Genius => {
            let mx = parse_float(path, utility, "maxutility", "<utility> @maxutility")?;
            if mx <= 0.0 {
                return Err(Error::invalid(path, Some(utility.line), "<utility> @maxutility", "a positive number", format!("{mx}")));
            }
            // GENIUS (`NonlinearUtilitySpace.loadNonlinearSpace`) reads the first top-level
            // <ufun> only, without its weight, and divides its value by maxutility.
            let root = read_ufun(path, ufuns[0], domain, semantics)?;
            HyperRectangles::new(&domain.space, root, 0.0, 1.0, Some(1.0)).map_err(model_err)?.divided_by(mx).map_err(model_err)?
        }
        Semantics::Negmas => {
            let groups = ufuns.iter().map(|u| read_ufun(path, u, domain, semantics)).collect::<Result<Vec<_>, _>>()?;
            // NegMAS flattens every top-level ufun's rectangles into one sum, each weighted by
            // its ufun's weight, and tests bounds as open intervals (`outcome_in_range`:
            // `min < x < max`), so an outcome on a bound is outside.
            let rectangles = groups.into_iter().flat_map(|g| g.rectangles).collect();
            let root = RectangleGroup { aggregation: Aggregation::Sum, weight: 1.0, rectangles, groups: vec![] };
            HyperRectangles::new(&domain.space, root, 0.0, 1.0, None).map_err(model_err)?.with_open_bounds()
        }
    };
    Ok(UtilityFunction::HyperRectangles(f))
}

fn read_ufun(path: &Path, el: &Element, domain: &Domain, semantics: Semantics) -> Result<RectangleGroup, Error> {
    let weight = match el.attr("weight") {
        Some(v) => to_float(path, el, "<ufun> @weight", v)?,
        None => 1.0,
    };
    let aggregation = match el.attr("aggregation").map(str::to_ascii_lowercase).as_deref() {
        None | Some("sum") => Aggregation::Sum,
        Some("min") if semantics == Semantics::Genius => Aggregation::Min,
        Some("max") if semantics == Semantics::Genius => Aggregation::Max,
        Some(other) => {
            return Err(Error::invalid(
                path,
                Some(el.line),
                "<ufun> @aggregation",
                if semantics == Semantics::Genius { "\"sum\", \"min\" or \"max\"" } else { "\"sum\" (NegMAS supports no other)" },
                format!("{other:?}"),
            ))
        }
    };
    let mut rectangles = Vec::new();
    let mut groups = Vec::new();
    for c in &el.children {
        match c.name.as_str() {
            "hyperRectangle" => {
                let utility = match c.attr("utility") {
                    Some(v) => to_float(path, c, "<hyperRectangle> @utility", v)?,
                    None if semantics == Semantics::Negmas => 0.0,
                    None => return Err(Error::invalid(path, Some(c.line), "<hyperRectangle> @utility", "a number", "none")),
                };
                let rect_weight = match (semantics, c.attr("weight")) {
                    (Semantics::Genius, Some(v)) => to_float(path, c, "<hyperRectangle> @weight", v)?,
                    (Semantics::Genius, None) => 1.0,
                    // NegMAS multiplies by the ufun's weight and ignores the rectangle's.
                    (Semantics::Negmas, _) => weight,
                };
                let mut bounds = Vec::new();
                let mut exclusive = None;
                for b in &c.children {
                    let is_excl = match b.name.as_str() {
                        "INCLUDES" => false,
                        "EXCLUDES" => true,
                        _ => continue,
                    };
                    if exclusive.is_some_and(|e| e != is_excl) && semantics == Semantics::Genius {
                        return Err(Error::invalid(
                            path,
                            Some(b.line),
                            "<hyperRectangle>",
                            "only INCLUDES or only EXCLUDES bounds",
                            "both",
                        ));
                    }
                    exclusive = Some(is_excl);
                    let node = parse_int(path, b, "index", &format!("<{}> @index", b.name))?;
                    let Some(issue) = domain.position_of_node(node) else {
                        return Err(Error::invalid(
                            path,
                            Some(b.line),
                            format!("<{}> @index", b.name),
                            format!("the index of a domain issue ({})", node_list(domain)),
                            format!("{node}"),
                        ));
                    };
                    let end = |attr: &str| {
                        let field = format!("<{}> @{attr}", b.name);
                        match semantics {
                            // GENIUS's Bound parses both ends with Integer.parseInt.
                            Semantics::Genius => parse_int(path, b, attr, &field).map(|v| v as f64),
                            Semantics::Negmas => parse_float(path, b, attr, &field),
                        }
                    };
                    bounds.push(Bound { issue, min: end("min")?, max: end("max")? });
                }
                rectangles.push(Rectangle {
                    bounds,
                    utility,
                    weight: rect_weight,
                    // NegMAS reads EXCLUDES bounds as if they were INCLUDES.
                    exclusive: semantics == Semantics::Genius && exclusive == Some(true),
                });
            }
            "ufun" if semantics == Semantics::Genius => groups.push(read_ufun(path, c, domain, semantics)?),
            "ufun" => {
                return Err(Error::invalid(
                    path,
                    Some(c.line),
                    "<ufun>",
                    "hyperRectangles only (NegMAS does not read nested ufuns; use --semantics genius)",
                    "a nested <ufun>",
                ))
            }
            _ => {}
        }
    }
    Ok(RectangleGroup { aggregation, weight, rectangles, groups })
}

/// Writes a domain as a GENIUS `<negotiation_template>`.
pub fn write_domain(space: &OutcomeSpace) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<negotiation_template>\n");
    let _ = writeln!(s, "<utility_space number_of_issues=\"{}\">", space.issues().len());
    let _ = writeln!(
        s,
        "<objective index=\"0\" description=\"\" name=\"{}\" type=\"objective\" etype=\"objective\">",
        xml::escape(space.name())
    );
    for (k, issue) in space.issues().iter().enumerate() {
        write_issue_open(&mut s, k, issue);
        if let IssueKind::Categorical(_) | IssueKind::Number(_) = issue.kind() {
            for v in 0..issue.cardinality().unwrap_or(0) {
                let _ =
                    writeln!(s, "  <item index=\"{}\" value=\"{}\"></item>", v + 1, xml::escape(&issue.value_name(Value::Index(v as u32))));
            }
        }
        s.push_str("</issue>\n");
    }
    s.push_str("</objective>\n</utility_space>\n</negotiation_template>\n");
    s
}

fn write_issue_open(s: &mut String, k: usize, issue: &Issue) {
    let name = xml::escape(issue.name());
    match issue.kind() {
        IssueKind::Categorical(_) | IssueKind::Number(_) => {
            let _ = writeln!(s, "<issue index=\"{}\" name=\"{name}\" type=\"discrete\" etype=\"discrete\" vtype=\"discrete\">", k + 1);
        }
        IssueKind::Integer { lo, hi } => {
            let _ = writeln!(
                s,
                "<issue index=\"{}\" name=\"{name}\" type=\"integer\" etype=\"integer\" vtype=\"integer\" lowerbound=\"{lo}\" upperbound=\"{hi}\">",
                k + 1
            );
        }
        IssueKind::Real { lo, hi } => {
            let _ = writeln!(s, "<issue index=\"{}\" name=\"{name}\" type=\"real\" etype=\"real\" vtype=\"real\">", k + 1);
            let _ = writeln!(s, "  <range lowerbound=\"{lo:?}\" upperbound=\"{hi:?}\"></range>");
        }
    }
}

/// Writes a party's preferences as a GENIUS profile, so that reading it back under GENIUS rules
/// gives the same utilities (up to rounding). Fails for what GENIUS cannot express: a constant
/// term, a negative weight, non-linear integer evaluators, or a non-additive utility other than
/// hyper-rectangles.
pub fn write_profile(space: &OutcomeSpace, prefs: &Preferences) -> Result<String, String> {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match &prefs.utility {
        UtilityFunction::LinearAdditive(f) => {
            s.push_str("<utility_space>\n");
            write_additive(&mut s, space, f)?;
        }
        UtilityFunction::HyperRectangles(f) => {
            s.push_str("<utility_space type=\"nonlinear\">\n");
            write_rectangles(&mut s, space, f)?;
        }
        UtilityFunction::Table(_) => {
            return Err("GENIUS cannot express a utility given outcome by outcome (a table utility)".into());
        }
    }
    let d = match prefs.discount {
        Discount::None => 1.0,
        Discount::NormalizedTime(d) | Discount::PerStep(d) => d,
    };
    let _ = writeln!(s, "<discount_factor value=\"{d:?}\"></discount_factor>");
    if prefs.reserved_value.is_finite() {
        let _ = writeln!(s, "<reservation value=\"{:?}\"></reservation>", prefs.reserved_value);
    }
    s.push_str("</utility_space>\n");
    Ok(s)
}

fn write_additive(s: &mut String, space: &OutcomeSpace, f: &LinearAdditive) -> Result<(), String> {
    if f.bias() != 0.0 {
        return Err(format!("GENIUS profiles have no constant term (this one has {})", f.bias()));
    }
    s.push_str("<objective index=\"0\" description=\"\" name=\"root\" type=\"objective\" etype=\"objective\">\n");
    let mut weights = Vec::new();
    for (k, issue) in space.issues().iter().enumerate() {
        let w = f.weights()[k];
        if w < 0.0 {
            return Err(format!("issue {:?} has a negative weight ({w})", issue.name()));
        }
        write_issue_open(s, k, issue);
        let vf = &f.values()[k];
        let mut weight = w;
        match issue.kind() {
            IssueKind::Categorical(_) | IssueKind::Number(_) => {
                // GENIUS divides evaluations by their maximum, so write them on that scale and
                // move the maximum into the weight.
                let n = issue.cardinality().unwrap_or(0) as u32;
                let evals: Vec<f64> = (0..n).map(|v| vf.eval(issue, Value::Index(v))).collect();
                if evals.iter().any(|e| *e < 0.0 || !e.is_finite()) {
                    return Err(format!("issue {:?} has negative or non-finite value utilities", issue.name()));
                }
                let mx = evals.iter().copied().fold(0.0, f64::max);
                if mx > 0.0 {
                    weight = w * mx;
                }
                for (v, e) in evals.iter().enumerate() {
                    let e = if mx > 0.0 { e / mx } else { 0.0 };
                    let _ = writeln!(
                        s,
                        "  <item index=\"{}\" value=\"{}\" evaluation=\"{e:?}\"></item>",
                        v + 1,
                        xml::escape(&issue.value_name(Value::Index(v as u32)))
                    );
                }
            }
            IssueKind::Integer { lo, .. } => match vf {
                ValueFunction::Linear { offset, slope, origin, clamp: true } => {
                    // Re-express around the lower bound: slope * (x - lo) + offset'.
                    let offset = slope * (*lo as f64 - origin) + offset;
                    let _ = writeln!(s, "  <evaluator ftype=\"linear\" offset=\"{offset:?}\" slope=\"{slope:?}\"></evaluator>");
                }
                _ => return Err(format!("issue {:?}: GENIUS integer issues need a clamped linear evaluator", issue.name())),
            },
            IssueKind::Real { .. } => {
                match vf {
                    ValueFunction::Linear { offset, slope, origin, clamp: true } => {
                        let offset = offset - slope * origin;
                        let _ =
                            writeln!(s, "  <evaluator ftype=\"linear\" parameter0=\"{offset:?}\" parameter1=\"{slope:?}\"></evaluator>");
                    }
                    ValueFunction::Triangular { lo, hi, top } => {
                        let _ = writeln!(s, "  <evaluator ftype=\"triangular\" parameter0=\"{lo:?}\" parameter1=\"{hi:?}\" parameter2=\"{top:?}\"></evaluator>");
                    }
                    ValueFunction::Constant(c) => {
                        let _ = writeln!(s, "  <evaluator ftype=\"constant\" parameter0=\"{c:?}\"></evaluator>");
                    }
                    _ => return Err(format!("issue {:?}: this real-valued evaluator has no GENIUS form", issue.name())),
                }
            }
        }
        s.push_str("</issue>\n");
        weights.push(weight);
    }
    for (k, w) in weights.iter().enumerate() {
        let _ = writeln!(s, "<weight index=\"{}\" value=\"{w:?}\"></weight>", k + 1);
    }
    s.push_str("</objective>\n");
    Ok(())
}

fn write_rectangles(s: &mut String, space: &OutcomeSpace, f: &HyperRectangles) -> Result<(), String> {
    if f.bias() != 0.0 || f.scale() <= 0.0 {
        return Err("this hyper-rectangle utility has a constant term or a non-positive scale".into());
    }
    s.push_str("<objective index=\"0\" description=\"\" name=\"root\" type=\"objective\" etype=\"objective\">\n");
    for (k, issue) in space.issues().iter().enumerate() {
        write_issue_open(s, k, issue);
        s.push_str("</issue>\n");
    }
    let _ = writeln!(s, "<utility maxutility=\"{:?}\">", f.divisor() / f.scale());
    write_group(s, f.root());
    s.push_str("</utility>\n</objective>\n");
    Ok(())
}

fn write_group(s: &mut String, g: &RectangleGroup) {
    let agg = match g.aggregation {
        Aggregation::Sum => "sum",
        Aggregation::Min => "min",
        Aggregation::Max => "max",
    };
    let _ = writeln!(s, "<ufun type=\"PlainUfun\" weight=\"{:?}\" aggregation=\"{agg}\">", g.weight);
    for r in &g.rectangles {
        let _ = writeln!(s, "<hyperRectangle utility=\"{:?}\" weight=\"{:?}\">", r.utility, r.weight);
        let tag = if r.exclusive { "EXCLUDES" } else { "INCLUDES" };
        for b in &r.bounds {
            let _ = writeln!(s, "  <{tag} index=\"{}\" min=\"{}\" max=\"{}\"/>", b.issue + 1, b.min, b.max);
        }
        s.push_str("</hyperRectangle>\n");
    }
    for c in &g.groups {
        write_group(s, c);
    }
    s.push_str("</ufun>\n");
}

fn issue_names(space: &OutcomeSpace) -> String {
    space.issues().iter().map(|i| format!("{:?}", i.name())).collect::<Vec<_>>().join(", ")
}

fn node_list(domain: &Domain) -> String {
    domain.node_indices.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
}

fn issue_field(name: &str, attr: &str) -> String {
    format!("issue {name:?} @{attr}")
}

fn required<'a>(path: &Path, el: &'a Element, attr: &str) -> Result<&'a str, Error> {
    el.attr(attr)
        .ok_or_else(|| Error::invalid(path, Some(el.line), format!("<{}> @{attr}", el.name), format!("a {attr} attribute"), "none"))
}

fn parse_int(path: &Path, el: &Element, attr: &str, field: &str) -> Result<i64, Error> {
    let v = el.attr(attr).ok_or_else(|| Error::invalid(path, Some(el.line), field, "an integer", "none"))?;
    v.trim().parse().map_err(|_| Error::invalid(path, Some(el.line), field, "an integer", format!("{v:?}")))
}

fn parse_float(path: &Path, el: &Element, attr: &str, field: &str) -> Result<f64, Error> {
    let v = el.attr(attr).ok_or_else(|| Error::invalid(path, Some(el.line), field, "a number", "none"))?;
    to_float(path, el, field, v)
}

fn to_float(path: &Path, el: &Element, field: &str, v: &str) -> Result<f64, Error> {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(Error::invalid(path, Some(el.line), field, "a finite number", format!("{v:?}"))),
    }
}

fn to_int(path: &Path, el: &Element, name: &str, attr: &str, v: &str) -> Result<i64, Error> {
    v.trim().parse().map_err(|_| Error::invalid(path, Some(el.line), issue_field(name, attr), "an integer", format!("{v:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN: &str = r#"<negotiation_template>
<utility_space number_of_issues="2">
<objective index="0" name="root" type="objective">
<issue index="1" name="Color" type="discrete" vtype="discrete">
<item index="1" value="red"></item>
<item index="2" value="blue"></item>
</issue>
<issue index="2" name="Price" type="integer" lowerbound="8" upperbound="14"></issue>
</objective>
</utility_space>
</negotiation_template>"#;

    fn profile(weight2: &str, extra: &str) -> String {
        format!(
            r#"<utility_space>
<objective index="0" name="root" type="objective">
<issue index="1" name="Color" type="discrete">
<item index="1" value="red" evaluation="4"></item>
<item index="2" value="blue" evaluation="2"></item>
</issue>
<issue index="2" name="Price" type="integer" lowerbound="8" upperbound="14">
<evaluator ftype="linear" offset="1.0" slope="-0.15"></evaluator>
</issue>
<weight index="1" value="0.6"></weight>
<weight index="2" value="{weight2}"></weight>
{extra}
</objective>
<discount_factor value="0.5"/>
<reservation value="0.25"/>
</utility_space>"#
        )
    }

    fn domain() -> Domain {
        read_domain_str(Path::new("d.xml"), DOMAIN).unwrap()
    }

    #[test]
    fn genius_and_negmas_read_the_same_profile_differently() {
        let d = domain();
        let text = profile("0.4", "");
        let g = read_profile_str(Path::new("p.xml"), &text, &d, Semantics::Genius).unwrap();
        let n = read_profile_str(Path::new("p.xml"), &text, &d, Semantics::Negmas).unwrap();
        let o = d.space.parse_outcome(&["blue", "10"]).unwrap();
        // GENIUS: 0.6 * 2/4 + 0.4 * clamp01(-0.15 * (10 - 8) + 1)
        assert_eq!(g.eval(&o), 0.0 + 0.6 * 0.5 + 0.4 * (-0.15 * 2.0 + 1.0));
        // NegMAS: 0.6 * 2 + 0.4 * (10 * -0.15 + 1)
        assert_eq!(n.eval(&o), 0.0 + 0.6 * 2.0 + 0.4 * (10.0 * -0.15 + 1.0));
        assert_eq!(g.reserved_value, 0.25);
        assert_eq!(g.discount, Discount::NormalizedTime(0.5));
        assert_eq!(n.reserved_value, f64::NEG_INFINITY);
        assert_eq!(n.discount, Discount::PerStep(0.5));
    }

    #[test]
    fn bad_profiles_name_the_line_field_and_values() {
        let d = domain();
        let e = read_profile_str(Path::new("p.xml"), &profile("-0.4", ""), &d, Semantics::Genius).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("p.xml:11") && msg.contains("non-negative") && msg.contains("-0.4"), "{msg}");
        let e = read_profile_str(Path::new("p.xml"), &profile("abc", ""), &d, Semantics::Genius).unwrap_err();
        assert!(e.to_string().contains("\"abc\""), "{e}");
        let bad_issue = profile("0.4", "").replace("name=\"Color\"", "name=\"Colour\"");
        let e = read_profile_str(Path::new("p.xml"), &bad_issue, &d, Semantics::Genius).unwrap_err();
        assert!(e.to_string().contains("\"Colour\"") && e.to_string().contains("\"Color\""), "{e}");
        let bad_value = profile("0.4", "").replace("value=\"blue\" evaluation", "value=\"green\" evaluation");
        let e = read_profile_str(Path::new("p.xml"), &bad_value, &d, Semantics::Genius).unwrap_err();
        assert!(e.to_string().contains("\"green\""), "{e}");
        let no_weight = profile("0.4", "").replace("<weight index=\"2\" value=\"0.4\"></weight>", "");
        let e = read_profile_str(Path::new("p.xml"), &no_weight, &d, Semantics::Genius).unwrap_err();
        assert!(e.to_string().contains("<weight index=\"2\">"), "{e}");
    }

    #[test]
    fn bad_domains_are_rejected_with_line() {
        let empty = DOMAIN.replace("<item index=\"1\" value=\"red\"></item>\n<item index=\"2\" value=\"blue\"></item>", "");
        let e = read_domain_str(Path::new("d.xml"), &empty).unwrap_err();
        assert!(e.to_string().contains("d.xml:4") && e.to_string().contains("empty issue"), "{e}");
        let bounds = DOMAIN.replace("upperbound=\"14\"", "upperbound=\"x\"");
        let e = read_domain_str(Path::new("d.xml"), &bounds).unwrap_err();
        assert!(e.to_string().contains("upperbound") && e.to_string().contains("\"x\""), "{e}");
        let e = read_domain_str(Path::new("d.xml"), "<foo/>").unwrap_err();
        assert!(e.to_string().contains("<utility_space>"), "{e}");
    }

    #[test]
    fn written_files_read_back_to_the_same_utilities() {
        let d = domain();
        let p = read_profile_str(Path::new("p.xml"), &profile("0.4", ""), &d, Semantics::Genius).unwrap();
        let d2 = read_domain_str(Path::new("d2.xml"), &write_domain(&d.space)).unwrap();
        assert_eq!(d2.space.issues(), d.space.issues());
        let text = write_profile(&d.space, &p).unwrap();
        let p2 = read_profile_str(Path::new("p2.xml"), &text, &d2, Semantics::Genius).unwrap();
        for k in 0..14 {
            let o = d.space.outcome_at(k);
            assert!((p.eval(&o) - p2.eval(&o)).abs() < 1e-12);
        }
        assert_eq!(p2.reserved_value, p.reserved_value);
        assert_eq!(p2.discount, p.discount);
    }
}
