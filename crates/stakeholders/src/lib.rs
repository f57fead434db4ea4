//! Stakeholder models: forecasts of multi-actor bargaining from each actor's capability and, per
//! issue dimension, its position and salience.
//!
//! - [`smp`]: the Spatial Model of Politics of KAPSARC's KTAB (MIT), ported so that seeded runs
//!   reproduce KTAB's reference logs to the printed digit. Its parameters ([`Params`]) are KTAB's
//!   XML `<ModelParameters>`; KTAB's two quirks are reproduced by default and corrected by
//!   [`Params::corrected`].
//! - [`bdm`]: Bueno de Mesquita's expected-utility (challenge) model as reconstructed by Scholz,
//!   Calbert & Smith (2011), one dimension at a time.
//! - [`read`]: KTAB's CSV and XML scenario files.
//! - [`json`]: the JSON of a run (`backchannel stakeholders --json`, the Python module's).
//! - [`run`]: one run as a front end asks for it (model, turns, seed, parameters, quirks), checked.
//!
//! Conventions: positions and saliences are read on KTAB's 0–100 scales and reported on them;
//! inside the SMP both are divided by 100, as KTAB does. Actor order is file order everywhere.
//! See `docs/stakeholders.md` for the equations, the quirks and the options.
//!
//! ```
//! use bc_stakeholders::{read, smp, Params};
//! let text = "Toy,,3,1\nActor,Description,Power,Pos,Sal\nA,,10,10,80\nB,,20,50,50\nC,,15,90,60\n";
//! let scenario = read::from_csv_str(std::path::Path::new("toy.csv"), text).unwrap();
//! let run = smp::run(&scenario, smp::RunOptions { params: Params::default(), seed: 1, max_turns: 100 }).unwrap();
//! assert!(run.states.len() >= 2);
//! ```

pub mod bdm;
pub mod error;
pub mod json;
pub mod kernel;
pub mod params;
pub mod prng;
pub mod read;
pub mod run;
pub mod scenario;
pub mod smp;

pub use error::{Error, ErrorKind};
pub use params::Params;
pub use scenario::{Actor, StakeholderScenario};

/// The embedded illustrative scenario of US–Iran talks through Pakistan (KTAB XML, every number
/// with the reason for it in a comment beside it).
pub const US_IRAN_XML: &str = include_str!("../data/us_iran.xml");

/// The embedded illustrative scenario, read.
pub fn us_iran() -> Result<StakeholderScenario, Error> {
    read::from_xml_str(std::path::Path::new("us_iran.xml (embedded)"), US_IRAN_XML)
}
