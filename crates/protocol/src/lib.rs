//! Negotiation protocols as deterministic state machines that any participant can drive: an
//! agent in a simulation, a person through a web page, or a model (`bc-diplomacy`) running a
//! mediated round with its own acceptance tests.
//!
//! Every mechanism has explicit states. [`Mechanism::turn`] says who must act and what is in
//! front of them; [`Mechanism::submit`] takes an actor's action and returns the events it caused
//! (or an error, leaving the state unchanged); [`Mechanism::view`] filters the trace to what one
//! party may see. Mechanisms never call into strategies: the caller decides, the mechanism rules.
//! Nothing here reads a clock, draws a random number or spawns a thread.
//!
//! Protocols: [`Sao`] (stacked alternating offers, NegMAS 0.16's semantics), [`SingleText`]
//! (mediated single negotiating text), [`Relay`] (offers only through a mediator) and
//! [`Confidential`] (private reports, the mediator proposes from the zone of agreement).

pub mod common;
pub mod confidential;
pub mod error;
pub mod relay;
pub mod sao;
pub mod single_text;

pub use common::{relative_time, Actor, Ending, Event, Mechanism, OutcomeId, ProtocolKind, Setup, Source, Viewer};
pub use confidential::{ConfAction, ConfTurn, Confidential, Report, Reported};
pub use error::{Error, ErrorKind};
pub use relay::{Delivered, Relay, RelayAction, RelayTurn};
pub use sao::{CurrentOffer, Sao, SaoAction, SaoTurn};
pub use single_text::{Adoption, SingleText, StAction, StTurn};
