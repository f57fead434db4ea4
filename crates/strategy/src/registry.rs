//! Strategies by name: `name` or `name:key=value:key=value` (e.g. `tb:e=2.5`, `random:accept=0.3`),
//! the form the command line and tournament files use. Unknown names and parameters are errors
//! that list the valid ones.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use bc_model::OutcomeSpace;
use bc_protocol::ProtocolKind;

use crate::anac::{AgentK, HardHeaded2011, PonPoko};
use crate::basic::{HardHeaded, Random};
use crate::error::{Error, ErrorKind};
use crate::mediators::{
    Bridge, ConfidentialMediator, Discipline, FlipText, GeniusFlip, HillClimbingText, Objective, PassThrough, RandomText, RelayMediator,
    SingleTextMediator, ZoneMediator,
};
use crate::micro::Micro;
use crate::negotiator::Negotiator;
use crate::side::Side;
use crate::tft::{Reciprocity, TitForTat};
use crate::timebased::{Curve, TimeBased, ASPIRATION_EPS, BOULWARE, CONCEDER, LINEAR, TB_EPS};
use crate::voters::{Annealer, GeniusHillClimber, HillClimber};

/// The generator strategies draw from.
pub type Rng = rand_chacha::ChaCha8Rng;

/// A strategy name with parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The name (lower case).
    pub name: String,
    /// Parameters by key.
    pub params: BTreeMap<String, f64>,
}

impl FromStr for Spec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Spec, Error> {
        let mut parts = s.trim().split(':');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(Error::param(s, "expected a strategy name, found nothing"));
        }
        let mut params = BTreeMap::new();
        for p in parts {
            let (k, v) = p.split_once('=').ok_or_else(|| Error::param(&name, format!("expected a parameter as key=value, found {p:?}")))?;
            let value: f64 = v
                .trim()
                .parse()
                .map_err(|_| Error::param(&name, format!("parameter {}: expected a number, found {:?}", k.trim(), v.trim())))?;
            params.insert(k.trim().to_ascii_lowercase(), value);
        }
        Ok(Spec { name, params })
    }
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        for (k, v) in &self.params {
            write!(f, ":{k}={v}")?;
        }
        Ok(())
    }
}

/// Reads a spec's parameters, refusing any it does not know.
struct Params<'a> {
    spec: &'a Spec,
    known: &'a [&'a str],
}

impl Params<'_> {
    fn check(&self) -> Result<(), Error> {
        for k in self.spec.params.keys() {
            if !self.known.contains(&k.as_str()) {
                let valid = if self.known.is_empty() { "none".to_string() } else { self.known.join(", ") };
                return Err(Error::param(&self.spec.name, format!("unknown parameter {k:?}; valid parameters: {valid}")));
            }
        }
        Ok(())
    }

    fn get(&self, key: &str, default: f64) -> f64 {
        self.spec.params.get(key).copied().unwrap_or(default)
    }

    fn count(&self, key: &str, default: usize) -> Result<usize, Error> {
        match self.spec.params.get(key) {
            None => Ok(default),
            Some(v) if *v >= 1.0 && v.fract() == 0.0 && *v < 1e9 => Ok(*v as usize),
            Some(v) => Err(Error::param(&self.spec.name, format!("{key}: expected an integer >= 1, found {v}"))),
        }
    }
}

/// An agent the registry knows: its name, parameters, the protocols it takes part in and a
/// one-line description.
#[derive(Clone, Copy, Debug)]
pub struct AgentInfo {
    /// Name.
    pub name: &'static str,
    /// Parameters it accepts.
    pub params: &'static [&'static str],
    /// True when it can only vote in single-text negotiation.
    pub voter_only: bool,
    /// What it does.
    pub about: &'static str,
}

/// Every agent, in the order they are listed to users.
pub const AGENTS: &[AgentInfo] = &[
    AgentInfo { name: "boulware", params: &["eps"], voter_only: false, about: "NegMAS BoulwareTBNegotiator: time-based, exponent 4" },
    AgentInfo { name: "linear", params: &["eps"], voter_only: false, about: "NegMAS LinearTBNegotiator: time-based, exponent 1" },
    AgentInfo { name: "conceder", params: &["eps"], voter_only: false, about: "NegMAS ConcederTBNegotiator: time-based, exponent 0.25" },
    AgentInfo { name: "tb", params: &["e", "eps", "max"], voter_only: false, about: "time-based with any exponent e (default 1)" },
    AgentInfo {
        name: "aspiration",
        params: &["e", "eps", "max"],
        voter_only: false,
        about: "NegMAS AspirationNegotiator: Boulware with tolerance 1e-3",
    },
    AgentInfo { name: "hardheaded", params: &[], voter_only: false, about: "never concedes: offers and accepts only its best" },
    AgentInfo {
        name: "random",
        params: &["accept", "end"],
        voter_only: false,
        about: "random offers; accepts with p=0.15, ends with p=0.1",
    },
    AgentInfo { name: "tft-relative", params: &["delta"], voter_only: false, about: "Faratin's relative tit-for-tat in own utility" },
    AgentInfo {
        name: "tft-absolute",
        params: &["delta", "m"],
        voter_only: false,
        about: "Faratin's (random) absolute tit-for-tat in own utility",
    },
    AgentInfo { name: "micro", params: &[], voter_only: false, about: "NegMAS MiCRONegotiator (de Jonge 2022)" },
    AgentInfo {
        name: "agentk",
        params: &["java_seed"],
        voter_only: false,
        about: "ANAC 2010 winner AgentK (GENIUS source; java_seed=S: GENIUS's draws)",
    },
    AgentInfo {
        name: "hardheaded2011",
        params: &["java_seed"],
        voter_only: false,
        about: "ANAC 2011 winner HardHeaded (GENIUS source; java_seed=S: GENIUS's draws)",
    },
    AgentInfo {
        name: "ponpoko",
        params: &["java_seed"],
        voter_only: false,
        about: "ANAC 2017 winner PonPokoAgent (GENIUS source; java_seed=S: GENIUS's draws)",
    },
    AgentInfo {
        name: "hill-climber",
        params: &[],
        voter_only: true,
        about: "single-text voter: accepts iff its utility does not fall (Klein 2003)",
    },
    AgentInfo {
        name: "annealer",
        params: &["t0"],
        voter_only: true,
        about: "single-text voter: also accepts worse drafts while warm (Klein 2003)",
    },
    AgentInfo {
        name: "genius-hill-climber",
        params: &[],
        voter_only: true,
        about: "single-text voter: GENIUS's HillClimber (baseline 0 before any text, no ratification)",
    },
];

/// The agent names, in listing order.
pub fn agent_names() -> Vec<String> {
    AGENTS.iter().map(|a| a.name.to_string()).collect()
}

fn protocol_names(voter_only: bool) -> Vec<String> {
    if voter_only {
        vec!["single-text".into()]
    } else {
        vec!["sao".into(), "single-text".into(), "relay".into(), "confidential".into()]
    }
}

/// Checks that `spec` names an agent that can take part in `protocol` with valid parameters.
pub fn check_agent(spec: &Spec, protocol: ProtocolKind) -> Result<&'static AgentInfo, Error> {
    let info = AGENTS
        .iter()
        .find(|a| a.name == spec.name)
        .ok_or_else(|| Error::new(ErrorKind::UnknownName { what: "agent".into(), name: spec.name.clone(), valid: agent_names() }))?;
    Params { spec, known: info.params }.check()?;
    if info.voter_only && protocol != ProtocolKind::SingleText {
        return Err(Error::new(ErrorKind::WrongProtocol {
            strategy: spec.name.clone(),
            protocol: protocol.name().into(),
            supported: protocol_names(true),
        }));
    }
    Ok(info)
}

/// Builds agent `spec` for the party with preferences `side`, drawing from `rng`.
pub fn build_agent(spec: &Spec, side: Arc<Side>, protocol: ProtocolKind, rng: Rng) -> Result<Box<dyn Negotiator>, Error> {
    let info = check_agent(spec, protocol)?;
    let p = Params { spec, known: info.params };
    let tb = |name: &'static str, e: f64, eps: f64| -> Result<Box<dyn Negotiator>, Error> {
        Ok(Box::new(TimeBased::new(name, side.clone(), e, p.get("max", 1.0), p.get("eps", eps))?))
    };
    match info.name {
        "boulware" => tb("boulware", BOULWARE, TB_EPS),
        "linear" => tb("linear", LINEAR, TB_EPS),
        "conceder" => tb("conceder", CONCEDER, TB_EPS),
        "tb" => tb("tb", p.get("e", LINEAR), TB_EPS),
        "aspiration" => tb("aspiration", p.get("e", BOULWARE), ASPIRATION_EPS),
        "hardheaded" => Ok(Box::new(HardHeaded::new(side)?)),
        "random" => Ok(Box::new(Random::new(side, p.get("accept", 0.15), p.get("end", 0.1), rng)?)),
        "tft-relative" => Ok(Box::new(TitForTat::new(side, Reciprocity::Relative, p.count("delta", 1)?, rng)?)),
        "tft-absolute" => Ok(Box::new(TitForTat::new(side, Reciprocity::Absolute { m: p.get("m", 0.0) }, p.count("delta", 1)?, rng)?)),
        "micro" => Ok(Box::new(Micro::new(side, rng)?)),
        "agentk" => match java_seed_param(spec, "java_seed")? {
            Some(s) => Ok(Box::new(AgentK::with_java_seed(side, s)?)),
            None => Ok(Box::new(AgentK::new(side, rng)?)),
        },
        "hardheaded2011" => match java_seed_param(spec, "java_seed")? {
            Some(s) => Ok(Box::new(HardHeaded2011::with_java_seed(side, s)?)),
            None => Ok(Box::new(HardHeaded2011::new(side, rng)?)),
        },
        "ponpoko" => match java_seed_param(spec, "java_seed")? {
            Some(s) => Ok(Box::new(PonPoko::with_java_seed(side, s)?)),
            None => Ok(Box::new(PonPoko::new(side, rng)?)),
        },
        "hill-climber" => Ok(Box::new(HillClimber::new(side))),
        "genius-hill-climber" => Ok(Box::new(GeniusHillClimber::new(side))),
        "annealer" => Ok(Box::new(Annealer::new(side, p.get("t0", 0.1), rng)?)),
        other => Err(Error::new(ErrorKind::UnknownName { what: "agent".into(), name: other.into(), valid: agent_names() })),
    }
}

/// The concession curve of `spec` when it names a time-based agent (boulware, linear,
/// conceder, tb, aspiration) with valid parameters: such an agent's decisions depend only on
/// the time and the outcome, never on what happened before. `None` for every other agent.
pub fn time_based_curve(spec: &Spec) -> Option<Curve> {
    let info = check_agent(spec, ProtocolKind::Sao).ok()?;
    let p = Params { spec, known: info.params };
    let (exponent, eps) = match info.name {
        "boulware" => (BOULWARE, TB_EPS),
        "linear" => (LINEAR, TB_EPS),
        "conceder" => (CONCEDER, TB_EPS),
        "tb" => (p.get("e", LINEAR), TB_EPS),
        "aspiration" => (p.get("e", BOULWARE), ASPIRATION_EPS),
        _ => return None,
    };
    let curve = Curve { exponent, max_aspiration: p.get("max", 1.0), eps: p.get("eps", eps) };
    let valid =
        !curve.exponent.is_nan() && curve.exponent >= 0.0 && curve.max_aspiration.is_finite() && curve.eps.is_finite() && curve.eps >= 0.0;
    valid.then_some(curve)
}

/// The mediators of each mediated protocol, with their parameters; the first is the default.
pub fn mediators(protocol: ProtocolKind) -> &'static [(&'static str, &'static [&'static str])] {
    match protocol {
        ProtocolKind::Sao => &[],
        ProtocolKind::SingleText => {
            &[("flip", &[]), ("random", &[]), ("hill-climbing", &[]), ("annealing", &["t0"]), ("genius-flip", &["seed"])]
        }
        ProtocolKind::Relay => &[("pass", &[]), ("discipline", &[]), ("bridge", &[])],
        ProtocolKind::Confidential => &[("nash", &[]), ("welfare", &[]), ("egalitarian", &[])],
    }
}

/// Checks that `spec` names a mediator of `protocol` with valid parameters.
pub fn check_mediator(spec: &Spec, protocol: ProtocolKind) -> Result<(), Error> {
    let list = mediators(protocol);
    if list.is_empty() {
        return Err(Error::param(
            &spec.name,
            format!("{} has no mediator; use --protocol single-text, relay or confidential", protocol.name()),
        ));
    }
    let (_, known) = list.iter().find(|(n, _)| *n == spec.name).ok_or_else(|| {
        Error::new(ErrorKind::UnknownName {
            what: format!("{} mediator", protocol.name()),
            name: spec.name.clone(),
            valid: list.iter().map(|(n, _)| n.to_string()).collect(),
        })
    })?;
    Params { spec, known }.check()
}

/// The `seed` parameter of a mediator that draws from `java.util.Random` (default 0).
fn java_seed(spec: &Spec) -> Result<i64, Error> {
    Ok(java_seed_param(spec, "seed")?.unwrap_or(0))
}

/// A `java.util.Random` seed parameter, if given: an integer a double represents exactly.
fn java_seed_param(spec: &Spec, key: &str) -> Result<Option<i64>, Error> {
    match spec.params.get(key) {
        None => Ok(None),
        Some(v) if v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 => Ok(Some(*v as i64)),
        Some(v) => Err(Error::param(&spec.name, format!("{key}: expected an integer of at most 2^53 in magnitude, found {v}"))),
    }
}

/// Builds a single-text mediator.
pub fn build_single_text_mediator(spec: &Spec, space: Arc<OutcomeSpace>, rng: Rng) -> Result<Box<dyn SingleTextMediator>, Error> {
    check_mediator(spec, ProtocolKind::SingleText)?;
    let n = space.cardinality().map_or(1, |c| c.min(u128::from(u64::MAX)) as u64);
    Ok(match spec.name.as_str() {
        "random" => Box::new(RandomText::new(n, rng)),
        "hill-climbing" => Box::new(HillClimbingText::new(space, rng)),
        "annealing" => Box::new(FlipText::new(space, Some(spec.params.get("t0").copied().unwrap_or(1.0)), rng)?),
        "genius-flip" => Box::new(GeniusFlip::new(&space, java_seed(spec)?)?),
        _ => Box::new(FlipText::new(space, None, rng)?),
    })
}

/// Builds a relay mediator believing the parties' preferences are `parties`.
pub fn build_relay_mediator(spec: &Spec, parties: Vec<Arc<Side>>) -> Result<Box<dyn RelayMediator>, Error> {
    check_mediator(spec, ProtocolKind::Relay)?;
    Ok(match spec.name.as_str() {
        "discipline" => Box::new(Discipline::new(parties)),
        "bridge" => Box::new(Bridge::new(parties)?),
        _ => Box::new(PassThrough),
    })
}

/// Builds a confidential mediator.
pub fn build_confidential_mediator(spec: &Spec, space: Arc<OutcomeSpace>) -> Result<Box<dyn ConfidentialMediator>, Error> {
    check_mediator(spec, ProtocolKind::Confidential)?;
    let objective = match spec.name.as_str() {
        "welfare" => Objective::Welfare,
        "egalitarian" => Objective::Egalitarian,
        _ => Objective::Nash,
    };
    Ok(Box::new(ZoneMediator::new(space, objective)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_parameters() {
        let s: Spec = "TB:e=2.5:eps=0.001".parse().unwrap();
        assert_eq!(s.name, "tb");
        assert_eq!(s.params["e"], 2.5);
        assert_eq!(s.to_string(), "tb:e=2.5:eps=0.001");
        assert!("tb:e".parse::<Spec>().unwrap_err().to_string().contains("key=value"));
        assert!("tb:e=x".parse::<Spec>().unwrap_err().to_string().contains("expected a number"));
        assert!("".parse::<Spec>().is_err());
    }

    #[test]
    fn time_based_curves_are_the_agents_own() {
        let c = time_based_curve(&"aspiration:e=2".parse().unwrap()).unwrap();
        assert_eq!((c.exponent, c.eps, c.max_aspiration), (2.0, ASPIRATION_EPS, 1.0));
        assert_eq!(time_based_curve(&"boulware".parse().unwrap()).unwrap().exponent, BOULWARE);
        assert!(time_based_curve(&"micro".parse().unwrap()).is_none());
        assert!(time_based_curve(&"tb:e=-1".parse().unwrap()).is_none());
        assert!(time_based_curve(&"nope".parse().unwrap()).is_none());
        // The band an agent uses is the curve's.
        let space = Arc::new(
            OutcomeSpace::new("s", vec![bc_model::Issue::categorical("x", (0..5).map(|v| v.to_string()).collect()).unwrap()]).unwrap(),
        );
        let f = bc_model::LinearAdditive::new(&space, 0.0, vec![1.0], vec![bc_model::ValueFunction::Table(vec![0.0, 0.2, 0.5, 0.7, 1.0])])
            .unwrap();
        let prefs = bc_model::Preferences {
            name: "p".into(),
            utility: bc_model::UtilityFunction::LinearAdditive(f),
            reserved_value: 0.1,
            discount: bc_model::Discount::None,
        };
        let side = Arc::new(Side::new(space, prefs).unwrap());
        let tb = TimeBased::new("tb", side, 3.0, 1.0, TB_EPS).unwrap();
        let c = time_based_curve(&"tb:e=3".parse().unwrap()).unwrap();
        for t in [0.0, 0.3, 0.9, 1.0] {
            assert_eq!(tb.band(t), c.band(0.1, 1.0, t));
        }
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let e = check_agent(&"bolware".parse().unwrap(), ProtocolKind::Sao).unwrap_err().to_string();
        assert!(e.contains("unknown agent \"bolware\"") && e.contains("boulware") && e.contains("micro"), "{e}");
        let e = check_agent(&"boulware:x=1".parse().unwrap(), ProtocolKind::Sao).unwrap_err().to_string();
        assert!(e.contains("unknown parameter \"x\"") && e.contains("eps"), "{e}");
        let e = check_agent(&"hill-climber".parse().unwrap(), ProtocolKind::Sao).unwrap_err().to_string();
        assert!(e.contains("single-text"), "{e}");
        let e = check_mediator(&"nash".parse().unwrap(), ProtocolKind::Relay).unwrap_err().to_string();
        assert!(e.contains("pass") && e.contains("bridge"), "{e}");
    }
}
