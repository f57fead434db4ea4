//! `backchannel serve` (live negotiation rooms over HTTP and WebSocket), `backchannel room
//! replay` (fold an exported room log to its final state) and `backchannel room export` (an
//! exported log as a run directory with `report.html`): flags in, `bc_server` does the work.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Result};

use crate::output::print_json;

/// Flags of `backchannel serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to listen (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The rooms' database: `sqlite://PATH` or `postgres://…` (several `serve` processes on
    /// one PostgreSQL share rooms). Default: the SQLite file `backchannel-rooms.sqlite` here,
    /// and a demo room on the embedded US–Iran scenario.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Do not open the demo room.
    #[arg(long)]
    no_demo: bool,
}

/// `backchannel room …`.
#[derive(clap::Subcommand)]
pub enum RoomCommand {
    /// Fold an exported room log (`events.jsonl`) to its final state and print it as JSON.
    Replay {
        /// The exported log.
        file: PathBuf,
    },
    /// Write an exported room log (`events.jsonl` from the admin export) as a run directory:
    /// the log, the timeline as records, `report.html` with each party's utility of the
    /// agreement.
    Export {
        /// The exported log.
        file: PathBuf,
        /// The run directory to write (new or empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Runs `serve`. The admin token comes from `BC_ADMIN_TOKEN` when set (at least 32
/// characters), otherwise a new one is printed.
pub fn run(args: Args) -> Result<ExitCode> {
    let demo = args.database.is_none() && !args.no_demo;
    let config = bc_server::Config {
        addr: args.addr,
        database: args.database.unwrap_or_else(|| "sqlite://backchannel-rooms.sqlite".into()),
        demo,
        admin_token: std::env::var("BC_ADMIN_TOKEN").ok().filter(|t| !t.is_empty()),
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(bc_server::serve(config)).map_err(|e| anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `room …`.
pub fn room(cmd: RoomCommand) -> Result<ExitCode> {
    match cmd {
        RoomCommand::Replay { file } => {
            let room = bc_server::replay(&file).map_err(|e| anyhow!(e))?;
            print_json(&serde_json::to_value(bc_server::summary(&room))?)?;
            Ok(ExitCode::SUCCESS)
        }
        RoomCommand::Export { file, out } => {
            let dir = bc_server::report::export_run_dir(&file, &out).map_err(|e| anyhow!(e))?;
            println!("{}", dir.join("report.html").display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
