//! Readers of KTAB's scenario files: the CSV layout of `examples/smp/doc/*.csv` and the XML of
//! `smpSchema.xsd`. Every rejection names the file, the line, the field, what was expected and
//! what was found.
//!
//! CSV: line 1 is `name, description, number of actors, number of dimensions`; line 2 is a
//! header `Actor, Description, Power, Pos1, Sal1, Pos2, Sal2, ...` whose position columns name
//! the dimensions; then one line per actor: name, description, capability, then position and
//! salience per dimension. Trailing empty fields and blank lines are ignored; fields may be
//! double-quoted.

use std::path::Path;

use crate::error::Error;
use crate::params::{Params, PARAM_NAMES};
use crate::scenario::{Actor, StakeholderScenario};
use bc_formats::xml::{self, Element};

/// Reads a scenario from a `.csv` or `.xml` file (by extension, any case) and validates it.
pub fn load(path: &Path) -> Result<StakeholderScenario, Error> {
    let text = bc_io::read::read_text(path).map_err(|e| Error::io(path, &e.into_io()))?;
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => from_csv_str(path, &text),
        Some("xml") => from_xml_str(path, &text),
        _ => Err(Error::invalid(
            path,
            None,
            "file name",
            "a KTAB scenario ending in .csv or .xml",
            format!("{:?}", path.file_name().unwrap_or_default()),
        )),
    }
}

/// Splits a CSV line into trimmed fields (double quotes group a field and are removed), and
/// drops trailing empty fields.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    fields.push(cur);
    let mut fields: Vec<String> = fields.into_iter().map(|f| f.trim().to_string()).collect();
    while fields.last().is_some_and(|f| f.is_empty()) {
        fields.pop();
    }
    fields
}

fn number(file: &Path, line: usize, field: &str, text: &str) -> Result<f64, Error> {
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(Error::invalid(file, Some(line), field, "a number", format!("{text:?}"))),
    }
}

fn count(file: &Path, line: usize, field: &str, text: &str) -> Result<usize, Error> {
    text.trim().parse::<usize>().map_err(|_| Error::invalid(file, Some(line), field, "a whole number", format!("{text:?}")))
}

/// Reads a KTAB CSV scenario from text; `file` names it in errors.
pub fn from_csv_str(file: &Path, text: &str) -> Result<StakeholderScenario, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, split_csv(l))).filter(|(_, f)| !f.is_empty());
    let (l1, head) = lines.next().ok_or_else(|| Error::syntax(file, None, "the file is empty"))?;
    if head.len() < 4 {
        return Err(Error::invalid(
            file,
            Some(l1),
            "scenario line",
            "name, description, number of actors, number of dimensions",
            format!("{} field(s)", head.len()),
        ));
    }
    let na = count(file, l1, "number of actors (field 3)", &head[2])?;
    let nd = count(file, l1, "number of dimensions (field 4)", &head[3])?;
    if nd == 0 {
        return Err(Error::invalid(file, Some(l1), "number of dimensions (field 4)", "at least 1", "0"));
    }
    // Counts come from the file: checked arithmetic, and no allocation sized by them (the
    // actor lines that are really there bound the work).
    let width = nd.checked_mul(2).and_then(|w| w.checked_add(3)).ok_or_else(|| {
        Error::invalid(
            file,
            Some(l1),
            "number of dimensions (field 4)",
            "a number of dimensions whose columns can be counted",
            nd.to_string(),
        )
    })?;
    let (l2, header) =
        lines.next().ok_or_else(|| Error::syntax(file, None, "the header line (Actor, Description, Power, ...) is missing"))?;
    if header.len() != width {
        return Err(Error::invalid(
            file,
            Some(l2),
            "header",
            format!("{width} columns (Actor, Description, Power, then position and salience for each of {nd} dimensions)"),
            format!("{} columns", header.len()),
        ));
    }
    let dimensions: Vec<String> = (0..nd).map(|d| header[3 + 2 * d].clone()).collect();
    let mut actors = Vec::with_capacity(na.min(1024));
    for k in 0..na {
        let Some((ln, f)) = lines.next() else {
            return Err(Error::invalid(file, None, "actor lines", format!("{na} actors, as line {l1} says"), format!("{k} actor line(s)")));
        };
        let name = f[0].clone();
        if f.len() != width {
            return Err(Error::invalid(
                file,
                Some(ln),
                format!("actor \"{name}\""),
                format!("{width} fields (name, description, capability, then position and salience per dimension)"),
                format!("{} fields", f.len()),
            ));
        }
        let capability = number(file, ln, &format!("actor \"{name}\" / capability"), &f[2])?;
        let mut position = Vec::with_capacity(nd);
        let mut salience = Vec::with_capacity(nd);
        for (d, dim) in dimensions.iter().enumerate() {
            position.push(number(file, ln, &format!("actor \"{name}\" / position on \"{dim}\""), &f[3 + 2 * d])?);
            salience.push(number(file, ln, &format!("actor \"{name}\" / salience of \"{dim}\""), &f[4 + 2 * d])?);
        }
        actors.push((ln, Actor { name, description: f[1].clone(), capability, position, salience }));
    }
    if let Some((ln, f)) = lines.next() {
        return Err(Error::invalid(
            file,
            Some(ln),
            "actor lines",
            format!("{na} actors, as line {l1} says"),
            format!("another line starting {:?}", f[0]),
        ));
    }
    let lines_of: Vec<usize> = actors.iter().map(|(l, _)| *l).collect();
    let scenario = StakeholderScenario {
        name: head[0].clone(),
        description: head[1].clone(),
        dimensions,
        actors: actors.into_iter().map(|(_, a)| a).collect(),
        params: None,
        seed: None,
        ideal_adjustment: Vec::new(),
    };
    scenario.validate(file).map_err(|e| with_actor_line(e, &scenario, &lines_of))?;
    Ok(scenario)
}

/// Adds the line of the actor an error names (validation knows actors, not lines).
fn with_actor_line(mut e: Error, s: &StakeholderScenario, lines: &[usize]) -> Error {
    if e.line.is_none() {
        if let Some(i) = s.actors.iter().enumerate().position(|(i, a)| e.field.starts_with(&format!("actor {} \"{}\"", i + 1, a.name))) {
            e.line = lines.get(i).copied();
        }
    }
    e
}

fn child<'a>(file: &Path, el: &'a Element, name: &str) -> Result<&'a Element, Error> {
    el.child(name).ok_or_else(|| Error::invalid(file, Some(el.line), format!("<{}>", el.name), format!("a <{name}> element"), "none"))
}

fn text_of(file: &Path, el: &Element, what: &str) -> Result<String, Error> {
    if el.text.is_empty() {
        return Err(Error::invalid(file, Some(el.line), what, format!("text in <{}>", el.name), "an empty element"));
    }
    Ok(el.text.clone())
}

fn number_of(file: &Path, el: &Element, what: &str) -> Result<f64, Error> {
    let t = text_of(file, el, what)?;
    number(file, el.line, what, &t)
}

/// Reads a KTAB XML scenario from text; `file` names it in errors.
pub fn from_xml_str(file: &Path, text: &str) -> Result<StakeholderScenario, Error> {
    let root = xml::parse(file, text)?;
    if root.name != "Scenario" {
        return Err(Error::invalid(file, Some(root.line), "root element", "<Scenario>", format!("<{}>", root.name)));
    }
    let name = child(file, &root, "name")?.text.clone();
    let description = child(file, &root, "desc")?.text.clone();
    let seed_el = child(file, &root, "prngSeed")?;
    let seed_text = text_of(file, seed_el, "prngSeed")?;
    let seed = seed_text
        .parse::<u64>()
        .map_err(|_| Error::invalid(file, Some(seed_el.line), "prngSeed", "a whole number below 2^64", format!("{seed_text:?}")))?;
    let params = match root.child("ModelParameters") {
        None => None,
        Some(mp) => {
            let mut p = Params::default();
            for pname in PARAM_NAMES {
                let el = child(file, mp, pname)?;
                let value = text_of(file, el, pname)?;
                p.set(pname, &value).map_err(|expected| Error::invalid(file, Some(el.line), pname, expected, format!("{value:?}")))?;
            }
            Some(p)
        }
    };
    let dims_el = child(file, &root, "Dimensions")?;
    let mut dimensions = Vec::new();
    for d in dims_el.children_named("dName") {
        dimensions.push(text_of(file, d, "dName")?);
    }
    if dimensions.is_empty() {
        return Err(Error::invalid(file, Some(dims_el.line), "Dimensions", "at least one <dName>", "none"));
    }
    let nd = dimensions.len();
    let actors_el = child(file, &root, "Actors")?;
    let mut actors = Vec::new();
    let mut lines = Vec::new();
    for a in actors_el.children_named("Actor") {
        let aname = text_of(file, child(file, a, "name")?, "Actor / name")?;
        let field = |what: &str| format!("actor \"{aname}\" / {what}");
        let description = child(file, a, "description")?.text.clone();
        let capability = number_of(file, child(file, a, "capability")?, &field("capability"))?;
        let pos_el = child(file, a, "Position")?;
        let sal_el = child(file, a, "Salience")?;
        let position = pos_el
            .children_named("dCoord")
            .enumerate()
            .map(|(d, el)| number_of(file, el, &field(&format!("dCoord {}", d + 1))))
            .collect::<Result<Vec<_>, _>>()?;
        let salience = sal_el
            .children_named("dSal")
            .enumerate()
            .map(|(d, el)| number_of(file, el, &field(&format!("dSal {}", d + 1))))
            .collect::<Result<Vec<_>, _>>()?;
        if position.len() != nd {
            return Err(Error::invalid(
                file,
                Some(pos_el.line),
                field("Position"),
                format!("{nd} <dCoord> (one per dimension)"),
                position.len().to_string(),
            ));
        }
        if salience.len() != nd {
            return Err(Error::invalid(
                file,
                Some(sal_el.line),
                field("Salience"),
                format!("{nd} <dSal> (one per dimension)"),
                salience.len().to_string(),
            ));
        }
        lines.push(a.line);
        actors.push(Actor { name: aname, description, capability, position, salience });
    }
    let mut ideal_adjustment = Vec::new();
    if let Some(ia) = root.child("IdealAdjustment") {
        for pair in ia.children_named("iaPair") {
            let find = |tag: &str| -> Result<usize, Error> {
                let el = child(file, pair, tag)?;
                let who = text_of(file, el, tag)?;
                actors.iter().position(|a| a.name == who).ok_or_else(|| {
                    Error::invalid(file, Some(el.line), format!("iaPair / {tag}"), "the name of an actor", format!("{who:?}"))
                })
            };
            let i = find("adjustingIdeal")?;
            let j = find("referencePos")?;
            let rate = number_of(file, child(file, pair, "adjust")?, "iaPair / adjust")?;
            ideal_adjustment.push((i, j, rate));
        }
    }
    let scenario = StakeholderScenario { name, description, dimensions, actors, params, seed: Some(seed), ideal_adjustment };
    scenario.validate(file).map_err(|e| with_actor_line(e, &scenario, &lines))?;
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "Tiny, \"A, b\", 3, 2,\nActor,Description,Power,P1,S1,P2,S2,\nA,first,10,20,50,30,40,\nB,second,20,60,30,70,20\n\nC,third,5,90,10,10,10, \n";

    #[test]
    fn csv_reads_ktab_layout() {
        let s = from_csv_str(Path::new("t.csv"), CSV).unwrap();
        assert_eq!(s.description, "A, b");
        assert_eq!(s.dimensions, vec!["P1", "P2"]);
        assert_eq!(s.actors[1].position, vec![60.0, 70.0]);
        assert_eq!(s.actors[2].salience, vec![10.0, 10.0]);
    }

    #[test]
    fn csv_errors_name_line_and_field() {
        let bad = CSV.replace("B,second,20,60,30", "B,second,20,sixty,30");
        let e = from_csv_str(Path::new("t.csv"), &bad).unwrap_err().to_string();
        assert_eq!(e, "t.csv:4: actor \"B\" / position on \"P1\": expected a number, found \"sixty\"");
        let bad = CSV.replace("C,third,5,90,10,10,10", "C,third,5,90,60,10,50");
        let e = from_csv_str(Path::new("t.csv"), &bad).unwrap_err().to_string();
        assert!(e.starts_with("t.csv:6: actor 3 \"C\" / saliences"), "{e}");
        let bad = CSV.replace("Tiny, \"A, b\", 3", "Tiny, \"A, b\", 4");
        let e = from_csv_str(Path::new("t.csv"), &bad).unwrap_err().to_string();
        assert!(e.contains("4 actors, as line 1 says"), "{e}");
        let bad = CSV.replace("A,first,10,20,50,30,40,", "A,first,10,20,50,30");
        let e = from_csv_str(Path::new("t.csv"), &bad).unwrap_err().to_string();
        assert!(e.starts_with("t.csv:3: actor \"A\": expected 7 fields"), "{e}");
    }

    #[test]
    fn xml_errors_name_line_and_field() {
        let xml = "<Scenario><name>x</name><desc/><prngSeed>7</prngSeed>\n<Dimensions><dName>D</dName></Dimensions>\n<Actors>\n<Actor><name>A</name><description/><capability>1</capability><Position><dCoord>1</dCoord></Position><Salience><dSal>1</dSal></Salience></Actor>\n<Actor><name>B</name><description/><capability>1</capability><Position><dCoord></dCoord></Position><Salience><dSal>1</dSal></Salience></Actor>\n</Actors></Scenario>";
        let e = from_xml_str(Path::new("t.xml"), xml).unwrap_err().to_string();
        assert_eq!(e, "t.xml:5: actor \"B\" / dCoord 1: expected text in <dCoord>, found an empty element");
        let e = from_xml_str(Path::new("t.xml"), &xml.replace("<prngSeed>7", "<prngSeed>-7")).unwrap_err().to_string();
        assert!(e.starts_with("t.xml:1: prngSeed: expected a whole number"), "{e}");
    }
}
