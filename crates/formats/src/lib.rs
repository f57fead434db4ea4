//! Readers and writers of the negotiation research formats: GENIUS XML (domains and profiles,
//! additive and ANAC-2014 hyper-rectangle) and GeniusWeb JSON (domains and linear-additive
//! profiles), turned into `bc-model` types.
//!
//! Every reader names the file, the line (where the format has lines), the field, what was
//! expected and what was found when it rejects an input. Nothing here panics on any input.

pub mod error;
pub mod genius;
pub mod geniusweb;
pub mod json;
pub mod xml;

use std::path::{Path, PathBuf};

use bc_model::{OutcomeSpace, Preferences};

pub use error::{Error, ErrorKind};

/// Which rules turn a GENIUS profile's numbers into utilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Semantics {
    /// GENIUS's own (`genius.core.utility`): discrete evaluations divided by the issue's maximum,
    /// integer evaluators on `x - lowerbound` clamped to [0, 1], additive totals capped at 1,
    /// discount `d^t` over normalised time, reservation value as written (0 if absent).
    #[default]
    Genius,
    /// NegMAS 0.16's reading (`Scenario.load`): raw evaluations, integer evaluators on the raw
    /// value without clamping, no cap, and a discounted profile becomes a per-round discount whose
    /// reservation value is `-inf`.
    Negmas,
}

impl std::str::FromStr for Semantics {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "genius" => Ok(Semantics::Genius),
            "negmas" => Ok(Semantics::Negmas),
            other => Err(format!("unknown semantics {other:?}; expected \"genius\" or \"negmas\"")),
        }
    }
}

/// A negotiation domain with its preference profiles: an outcome space and one set of
/// preferences per party (NegMAS's `Scenario`; named after GENIUS's domain and profile files so
/// as not to be confused with the backchannel model's `bc_diplomacy::Scenario`).
#[derive(Clone, Debug, PartialEq)]
pub struct DomainProfiles {
    /// The outcome space.
    pub space: OutcomeSpace,
    /// The parties' preferences, in load order.
    pub parties: Vec<Preferences>,
    /// The domain file.
    pub domain_file: PathBuf,
    /// The profile files, in the order of `parties`.
    pub profile_files: Vec<PathBuf>,
}

/// A file's text through the one read path (`bc_io::read`: regular files only, at most the
/// `input-bytes` limit). UTF-8, or Latin-1 when an XML declaration says so (older GENIUS
/// files); any other bytes are refused rather than guessed.
pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = bc_io::read::read_bytes(path).map_err(|e| Error::io(path, &e.into_io()))?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            if declares_latin1(&bytes) {
                Ok(bytes.iter().map(|b| char::from(*b)).collect())
            } else {
                let line = bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1;
                Err(Error::invalid(
                    path,
                    Some(line),
                    "",
                    "UTF-8 text (or an XML declaration with encoding=\"ISO-8859-1\")",
                    format!("the byte 0x{:02x}, which is not UTF-8, at byte offset {offset}", bytes[offset]),
                ))
            }
        }
    }
}

/// Whether the XML declaration at the start of `bytes` names Latin-1 (ISO-8859-1 or
/// windows-1252, which GENIUS's Java wrote).
fn declares_latin1(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(200)];
    if !head.starts_with(b"<?xml") {
        return false;
    }
    let end = head.iter().position(|b| *b == b'>').unwrap_or(head.len());
    let decl = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
    ["iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252"].iter().any(|e| decl.contains(e))
}

/// Checks an issue's number of values against the `values-per-issue` limit, before anything of
/// that size is built.
pub(crate) fn check_values(path: &Path, line: Option<usize>, field: &str, count: u128) -> Result<(), Error> {
    let limit = &bc_io::limits::VALUES_PER_ISSUE;
    if count <= u128::from(limit.get()) {
        return Ok(());
    }
    Err(Error::invalid(
        path,
        line,
        field,
        format!("at most {} values (limit {}; raise it with {})", limit.get(), limit.name, limit.how_to_raise()),
        format!("{count}"),
    ))
}

/// Refuses what is not a regular file (a folder, a FIFO, a device, a missing path) with the
/// read path's message.
fn regular(path: &Path) -> Result<(), Error> {
    bc_io::read::open(path).map(drop).map_err(|e| Error::io(path, &e.into_io()))
}

/// What a file in a scenario folder holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    GeniusDomain,
    GeniusProfile,
    WebDomain,
    WebProfile,
}

fn classify(path: &Path) -> Result<Option<Role>, Error> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        // NegMAS skips `*pareto.xml` (in 10issues it is not even XML).
        Some("xml") if !name.ends_with("pareto.xml") => {
            let text = read_text(path)?;
            let root = xml::parse(path, &text)?;
            Ok(match root.name.as_str() {
                "negotiation_template" => Some(Role::GeniusDomain),
                "utility_space" => Some(Role::GeniusProfile),
                _ => None,
            })
        }
        Some("json") if !name.ends_with("specials.json") => {
            let text = read_text(path)?;
            let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::syntax(path, Some(e.line()), e.to_string()))?;
            Ok(if json.get("issuesValues").is_some() {
                Some(Role::WebDomain)
            } else if json.get("LinearAdditiveUtilitySpace").is_some() {
                Some(Role::WebProfile)
            } else {
                None
            })
        }
        _ => Ok(None),
    }
}

/// Loads a scenario folder the way NegMAS does: files in sorted name order; the one GENIUS
/// `<negotiation_template>` (or GeniusWeb `issuesValues` JSON) is the domain, every
/// `<utility_space>` (or `LinearAdditiveUtilitySpace`) a profile.
pub fn load_folder(dir: &Path, semantics: Semantics) -> Result<DomainProfiles, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, &e))?;
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, &e))?;
        if entry.path().is_file() && !entry.file_name().to_string_lossy().starts_with('.') {
            files.push(entry.path());
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    let mut domains = Vec::new();
    let mut profiles = Vec::new();
    for f in files {
        match classify(&f)? {
            Some(r @ (Role::GeniusDomain | Role::WebDomain)) => domains.push((f, r)),
            Some(r @ (Role::GeniusProfile | Role::WebProfile)) => profiles.push((f, r)),
            None => {}
        }
    }
    let (domain, _) = match domains.len() {
        1 => domains.remove(0),
        0 => {
            return Err(Error::invalid(
                dir,
                None,
                "folder",
                "one domain file (<negotiation_template> XML or GeniusWeb JSON with \"issuesValues\")",
                "none",
            ))
        }
        n => {
            let names: Vec<String> = domains.iter().map(|(p, _)| p.display().to_string()).collect();
            return Err(Error::invalid(dir, None, "folder", "one domain file", format!("{n}: {}", names.join(", "))));
        }
    };
    if profiles.is_empty() {
        return Err(Error::invalid(dir, None, "folder", "at least one profile file", "none"));
    }
    let profile_paths: Vec<PathBuf> = profiles.iter().map(|(p, _)| p.clone()).collect();
    load_files(&domain, &profile_paths, semantics)
}

/// Loads a domain file and named profile files (GENIUS XML or GeniusWeb JSON, by content).
pub fn load_files(domain: &Path, profiles: &[PathBuf], semantics: Semantics) -> Result<DomainProfiles, Error> {
    if domain.is_dir() {
        return Err(Error::invalid(
            domain,
            None,
            "arguments",
            "a domain file followed by profile files, or one domain folder alone",
            "a folder followed by other paths",
        ));
    }
    regular(domain)?;
    for p in profiles {
        regular(p)?;
    }
    let role = classify(domain)?;
    let mut parties = Vec::with_capacity(profiles.len());
    let space = match role {
        Some(Role::GeniusDomain) => {
            let d = genius::read_domain(domain)?;
            for p in profiles {
                match classify(p)? {
                    Some(Role::GeniusProfile) => parties.push(genius::read_profile(p, &d, semantics)?),
                    Some(Role::WebProfile) => parties.push(geniusweb::read_profile(p, Some(&d.space))?.1),
                    _ => return Err(not_a_profile(p)),
                }
            }
            d.space
        }
        Some(Role::WebDomain) => {
            let space = geniusweb::read_domain(domain)?;
            let d = genius::Domain { node_indices: (1..=space.issues().len() as i64).collect(), space: space.clone() };
            for p in profiles {
                match classify(p)? {
                    Some(Role::WebProfile) => parties.push(geniusweb::read_profile(p, Some(&space))?.1),
                    Some(Role::GeniusProfile) => parties.push(genius::read_profile(p, &d, semantics)?),
                    _ => return Err(not_a_profile(p)),
                }
            }
            space
        }
        _ => {
            return Err(Error::invalid(
                domain,
                None,
                "file",
                "a domain (<negotiation_template> XML or GeniusWeb JSON with \"issuesValues\")",
                "another kind of file",
            ))
        }
    };
    Ok(DomainProfiles { space, parties, domain_file: domain.to_path_buf(), profile_files: profiles.to_vec() })
}

fn not_a_profile(p: &Path) -> Error {
    Error::invalid(
        p,
        None,
        "file",
        "a profile (<utility_space> XML or GeniusWeb JSON with \"LinearAdditiveUtilitySpace\")",
        "another kind of file",
    )
}

/// Drops every party's discount, as NegMAS's `Scenario.load(folder, ignore_discount=True)` does:
/// a GENIUS profile whose discount made its reservation value `-inf` (NegMAS semantics) gets back
/// the value written in its file (0 if none). Other parties keep their reservation value.
pub fn ignore_discount(scenario: &mut DomainProfiles) -> Result<(), Error> {
    for (party, file) in scenario.parties.iter_mut().zip(&scenario.profile_files) {
        if party.discount == bc_model::Discount::None {
            continue;
        }
        party.discount = bc_model::Discount::None;
        if party.reserved_value == f64::NEG_INFINITY && classify(file)? == Some(Role::GeniusProfile) {
            party.reserved_value = genius::read_reservation(file)?.unwrap_or(0.0);
        }
    }
    Ok(())
}

/// Loads a scenario from command-line paths: one folder, or a domain file followed by profiles.
pub fn load(paths: &[PathBuf], semantics: Semantics) -> Result<DomainProfiles, Error> {
    match paths {
        [] => Err(Error::invalid(Path::new(""), None, "arguments", "a domain folder, or a domain file and profiles", "nothing")),
        [one] if one.is_dir() => load_folder(one, semantics),
        [domain, profiles @ ..] => {
            regular(domain)?;
            if profiles.is_empty() {
                return Err(Error::invalid(domain, None, "arguments", "profile files after the domain file", "none"));
            }
            load_files(domain, profiles, semantics)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_discount_restores_the_written_reservation() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius/Ultimatum");
        let mut s = load_folder(&dir, Semantics::Negmas).unwrap();
        assert_eq!(s.parties[0].reserved_value, f64::NEG_INFINITY);
        ignore_discount(&mut s).unwrap();
        assert_eq!(s.parties[0].reserved_value, 0.1);
        assert_eq!(s.parties[0].discount, bc_model::Discount::None);
        let mut g = load_folder(&dir, Semantics::Genius).unwrap();
        ignore_discount(&mut g).unwrap();
        assert_eq!(g.parties[1].reserved_value, 0.1);
        assert_eq!(g.parties[1].discount, bc_model::Discount::None);
    }
}
