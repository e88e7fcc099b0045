//! The `roster` command line: its subcommands and every setting as a flag with an environment
//! fallback. Only `main` and this module know clap; the server receives a checked
//! [`Config`](crate::config::Config).
//!
//! - `settings`: the flags, and their check into a `Config`.
//! - `bench`: `roster bench …`, the benchmarks anyone can run from a clone.
//! - `events`, `export`: the audit log and a user's export, offline on the store.
//! - `replay`, `verify`, `migrate` (with `transforms`): the operator's commands, sharing
//!   `operating` (opening a store by URL, the progress bar, exit codes).

pub mod bench;
pub mod events;
pub mod export;
pub mod migrate;
pub mod operating;
pub mod replay;
mod settings;
mod time;
pub mod transforms;
pub mod verify;

pub use settings::Settings;

use clap::{Parser, Subcommand};

/// The `roster` command line.
#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Roster: event-sourced user administration (GraphQL, REST, sessions, API keys)"
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Server settings.
    #[command(flatten)]
    pub settings: Settings,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum CliCommand {
    /// Serve the API (the default).
    Serve,
    /// Print the GraphQL schema (SDL), as committed in `api/schema.graphql`.
    Schema,
    /// Rebuild every read model from the log without serving, and check them.
    Replay(replay::ReplayArgs),
    /// Check the whole log: positions, revisions, ids, decoding, envelopes.
    Verify(verify::VerifyArgs),
    /// Copy a store into another, resumably, optionally transforming every event.
    Migrate(migrate::MigrateArgs),
    /// Run a benchmark and print its figures as one JSON line.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Print the audit log from the store itself (beside a running server or not).
    Events(events::EventsArgs),
    /// Write everything Roster holds about one user as one JSON document.
    Export(export::ExportArgs),
}
