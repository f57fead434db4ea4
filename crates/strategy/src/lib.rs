//! Negotiation strategies behind small traits, and the session runner that plays them through a
//! protocol of `bc-protocol`.
//!
//! - [`Negotiator`] is a party's strategy: it proposes, responds, votes, ratifies and reports a
//!   floor, so one agent can take part in every protocol. Agents: time-based concession
//!   (Boulware, Linear, Conceder, any exponent, NegMAS's Aspiration), hard-headed, random,
//!   Faratin's relative and absolute tit-for-tat, MiCRO, the ANAC winners AgentK (2010),
//!   HardHeaded (2011) and PonPokoAgent (2017), Klein's single-text hill-climber and annealer,
//!   and GENIUS's hill-climber.
//! - [`genius`]: `java.util.Random` and GENIUS's session analysis, for exact GENIUS ports.
//! - Mediators, one trait per mediated protocol ([`mediators`]).
//! - [`session`] runs a mechanism with strategies; a strategy that panics or breaks its time
//!   budget ends the negotiation as a recorded fault, never a crash.
//! - [`registry`] builds strategies from names such as `boulware` or `tb:e=2.5`.
//!
//! Strategies own their state and their generator (ChaCha8, seeded by the caller); nothing here
//! reads a clock (except the optional time budget), spawns a thread or uses global randomness.

pub mod anac;
pub mod basic;
pub mod error;
pub mod genius;
pub mod mediators;
pub mod micro;
pub mod negotiator;
pub mod registry;
pub mod session;
pub mod side;
pub mod tft;
pub mod timebased;
pub mod voters;

pub use error::{Error, ErrorKind};
pub use mediators::{ConfidentialMediator, MediatorContext, RelayDecision, RelayMediator, SingleTextMediator};
pub use negotiator::{session_time, Constrained, Context, Negotiator, Response, Timeline};
pub use registry::{build_agent, check_agent, check_mediator, Spec};
pub use session::{agreement_utility, play, run_confidential, run_relay, run_sao, run_single_text, Budget, Plan, Record};
pub use side::{Ranking, Side, Table};
