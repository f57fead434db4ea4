//! The SMP's model parameters, named and defaulted exactly as in KTAB's XML `<ModelParameters>`
//! (`smpSchema.xsd`), plus the two switches that correct KTAB's quirks.

use std::fmt;
use std::str::FromStr;

macro_rules! ktab_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in KTAB's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// KTAB's name of the value (as written in XML scenarios).
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                let s = s.trim();
                // The spellings of KTAB's schema (smpSchema.xsd) where they differ from its code.
                let s = match s {
                    "Proportional" if stringify!($name) == "VotingRule" => "Prop",
                    "No" if stringify!($name) == "BigRAdjust" => "None",
                    other => other,
                };
                $name::ALL.iter().copied().find(|v| v.name() == s).ok_or_else(|| {
                    let names: Vec<_> = $name::ALL.iter().map(|v| v.name()).collect();
                    format!("one of {}", names.join(", "))
                })
            }
        }
    };
}

ktab_enum! {
    /// How much influence an actor exerts for a difference `Δ` in utility (`KBase::VotingRule`).
    VotingRule {
        /// `w·clip(Δ/1e-8, -1, 1)`.
        Binary = "Binary",
        /// `w·(0.8Δ + 0.2·Binary)`.
        PropBin = "PropBin",
        /// `w·Δ` (KTAB's default).
        Proportional = "Prop",
        /// `w·(0.5Δ + 0.5Δ³)`.
        PropCbc = "PropCbc",
        /// `w·Δ³`.
        Cubic = "Cubic",
        /// `w·Δ` for losses, `(2/3)·w·Δ` for gains.
        ASymProsp = "ASymProsp",
    }
}

ktab_enum! {
    /// Victory probability as a function of coalition strengths (`KBase::VPModel`).
    VpModel {
        /// `P = C_ij / (C_ij + C_ji)` (default).
        Linear = "Linear",
        /// Strengths squared.
        Square = "Square",
        /// Strengths to the fourth power.
        Quartic = "Quartic",
        /// Strengths to the eighth power.
        Octic = "Octic",
        /// Certain victory beyond a 10% advantage, linear in between.
        Binary = "Binary",
    }
}

ktab_enum! {
    /// Probabilistic Condorcet election variant (`KBase::PCEModel`).
    PceModel {
        /// `p_i ∝ Π_j P(i≻j)` (default).
        Conditional = "Conditional",
        /// Markov chain with challenge probabilities proportional to incentives (Wise).
        MarkovIncentive = "MarkovIncentive",
        /// Markov chain with uniform challenge probabilities.
        MarkovUniform = "MarkovUniform",
    }
}

ktab_enum! {
    /// How each actor's next position is picked among its bargains (`KBase::StateTransMode`).
    StateTransitions {
        /// The most probable bargain (first one on ties; default).
        Deterministic = "Deterministic",
        /// A bargain drawn with its probability from KTAB's generator.
        Stochastic = "Stochastic",
    }
}

ktab_enum! {
    /// Range of inferred risk attitudes (`KBase::BigRRange`).
    BigRRange {
        /// `[0, 1]`.
        Min = "Min",
        /// `[-1/2, 1]` (default).
        Mid = "Mid",
        /// `[-1, 1]`.
        Max = "Max",
    }
}

ktab_enum! {
    /// How actor h estimates actor i's risk attitude (`KBase::BigRAdjust`).
    BigRAdjust {
        /// `r^h_i = R_h`.
        None = "None",
        /// `r^h_i = (2R_h + R_i)/3` (default).
        OneThird = "OneThird",
        /// `r^h_i = (R_h + R_i)/2`.
        Half = "Half",
        /// `r^h_i = (R_h + 2R_i)/3`.
        TwoThirds = "TwoThirds",
        /// `r^h_i = R_i`.
        Full = "Full",
    }
}

ktab_enum! {
    /// What a third party expects to get from joining a side (`KBase::ThirdPartyCommit`).
    ThirdPartyCommit {
        /// It keeps its own position whoever wins.
        NoCommit = "NoCommit",
        /// It keeps its position if its side wins, adopts the winner's if it loses (default).
        SemiCommit = "SemiCommit",
        /// It adopts the winner's position either way.
        FullCommit = "FullCommit",
    }
}

ktab_enum! {
    /// How a bargain interpolates two positions, per dimension (`SMPLib::InterVecBrgn`).
    InterVecBrgn {
        /// Weights salience × probability.
        S1P1 = "S1P1",
        /// Weights salience² × probability² (default).
        S2P2 = "S2P2",
        /// Moves by the probability advantage, weighted by squared saliences.
        S2PMax = "S2PMax",
    }
}

ktab_enum! {
    /// Whose interpolation becomes the proposed bargain (`SMPLib::SMPBargnModel`).
    BargainModel {
        /// The initiator's interpolation, offered to both (default).
        InitOnlyInterp = "InitOnlyInterp",
        /// Both the initiator's and the receiver's interpolations are offered.
        InitRcvrInterp = "InitRcvrInterp",
        /// The power-weighted compromise of the two interpolations.
        PWCompInterp = "PWCompInterp",
    }
}

/// The SMP's parameters. `Default` is KTAB's default model (the one its reference runs of CSV
/// scenarios use) with both quirks reproduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Params {
    /// `VictoryProbModel`.
    pub vp_model: VpModel,
    /// `PCEModel`.
    pub pce_model: PceModel,
    /// `StateTransitions`.
    pub state_transitions: StateTransitions,
    /// `VotingRule`.
    pub voting_rule: VotingRule,
    /// `BigRAdjust`.
    pub big_r_adjust: BigRAdjust,
    /// `BigRRange`.
    pub big_r_range: BigRRange,
    /// `ThirdPartyCommit`.
    pub third_party_commit: ThirdPartyCommit,
    /// `InterVecBrgn`.
    pub inter_vec_brgn: InterVecBrgn,
    /// `BargnModel`.
    pub bargain_model: BargainModel,
    /// Quirk 1 (default `true`, as KTAB): the receiver's interpolation is built with the
    /// receiver's *expected gain* from the challenge where its *probability* of the initiator
    /// winning belongs (`pjiJ = get<1>(Vjij)` in `smpbcn.cpp`). `false` uses the probability.
    pub quirk_gain_as_probability: bool,
    /// Quirk 2 (default `true`, as KTAB): the power-weighted compromise weighs the receiver's
    /// interpolation with the *initiator's* capability (`scj = brgnJIJ->actInit->sCap`).
    /// `false` uses the receiver's capability.
    pub quirk_initiator_capability: bool,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            vp_model: VpModel::Linear,
            pce_model: PceModel::Conditional,
            state_transitions: StateTransitions::Deterministic,
            voting_rule: VotingRule::Proportional,
            big_r_adjust: BigRAdjust::OneThird,
            big_r_range: BigRRange::Mid,
            third_party_commit: ThirdPartyCommit::SemiCommit,
            inter_vec_brgn: InterVecBrgn::S2P2,
            bargain_model: BargainModel::InitOnlyInterp,
            quirk_gain_as_probability: true,
            quirk_initiator_capability: true,
        }
    }
}

/// The names of the nine KTAB parameters, in `<ModelParameters>` order.
pub const PARAM_NAMES: [&str; 9] = [
    "VictoryProbModel",
    "PCEModel",
    "StateTransitions",
    "VotingRule",
    "BigRAdjust",
    "BigRRange",
    "ThirdPartyCommit",
    "InterVecBrgn",
    "BargnModel",
];

impl Params {
    /// Both quirks corrected.
    pub fn corrected(self) -> Params {
        Params { quirk_gain_as_probability: false, quirk_initiator_capability: false, ..self }
    }

    /// Sets one parameter by its KTAB name (`VotingRule`, ...) and value name (`PropCbc`, ...).
    /// On failure, returns what was expected.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        match name.trim() {
            "VictoryProbModel" => self.vp_model = value.parse()?,
            "PCEModel" => self.pce_model = value.parse()?,
            "StateTransitions" => self.state_transitions = value.parse()?,
            "VotingRule" => self.voting_rule = value.parse()?,
            "BigRAdjust" => self.big_r_adjust = value.parse()?,
            "BigRRange" => self.big_r_range = value.parse()?,
            "ThirdPartyCommit" => self.third_party_commit = value.parse()?,
            "InterVecBrgn" => self.inter_vec_brgn = value.parse()?,
            "BargnModel" => self.bargain_model = value.parse()?,
            _ => return Err(format!("a parameter name, one of {}", PARAM_NAMES.join(", "))),
        }
        Ok(())
    }

    /// The nine KTAB parameters as (name, value) pairs, in `<ModelParameters>` order.
    pub fn named(&self) -> [(&'static str, &'static str); 9] {
        [
            ("VictoryProbModel", self.vp_model.name()),
            ("PCEModel", self.pce_model.name()),
            ("StateTransitions", self.state_transitions.name()),
            ("VotingRule", self.voting_rule.name()),
            ("BigRAdjust", self.big_r_adjust.name()),
            ("BigRRange", self.big_r_range.name()),
            ("ThirdPartyCommit", self.third_party_commit.name()),
            ("InterVecBrgn", self.inter_vec_brgn.name()),
            ("BargnModel", self.bargain_model.name()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_defaults_are_ktabs() {
        for v in VotingRule::ALL {
            assert_eq!(v.name().parse::<VotingRule>().unwrap(), *v);
        }
        let d = Params::default();
        let named = d.named();
        assert_eq!(named[0], ("VictoryProbModel", "Linear"));
        assert_eq!(named[3], ("VotingRule", "Prop"));
        assert_eq!(named[8], ("BargnModel", "InitOnlyInterp"));
        let mut p = d;
        p.set("VotingRule", "PropCbc").unwrap();
        assert_eq!(p.voting_rule, VotingRule::PropCbc);
        let err = p.set("VotingRule", "Majority").unwrap_err();
        assert!(err.contains("PropCbc"), "{err}");
        assert!(p.set("Nope", "x").unwrap_err().contains("BargnModel"));
        assert_eq!("Proportional".parse::<VotingRule>().unwrap(), VotingRule::Proportional);
        assert_eq!("No".parse::<BigRAdjust>().unwrap(), BigRAdjust::None);
        assert!(!d.corrected().quirk_gain_as_probability);
    }
}
