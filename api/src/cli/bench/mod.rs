//! `roster bench …`: the benchmarks anyone can run from a clone, each printing one JSON line.
//!
//! - `w1`: workload W1 through the real command path on a fresh durable SQLite store.
//! - `queries`: in-process latency of `users(first: 50)` through the GraphQL schema, with and
//!   without a search, over a store of N users; and of the audit questions (`audit_queries`)
//!   over the same store with a history of M events.
//! - `populate`: writes a store of N users for the HTTP load script (`scripts/bench-http.sh`).
//!
//! Benchmarks, not tests: nothing in `cargo test` depends on speed.

mod audit_queries;
mod population;
mod queries;
mod w1;

use clap::Subcommand;
use std::path::PathBuf;

/// The benchmarks.
#[derive(Debug, Clone, Subcommand)]
pub enum BenchCommand {
    /// Workload W1: create, update profile, reset password (and grant admin to every 10th) for
    /// N users, through the command path, then replay the log.
    W1 {
        /// How many users.
        #[arg(long, default_value_t = 10_000)]
        users: u64,
        /// How many tasks share the users (exercises group commit).
        #[arg(long, default_value_t = 1)]
        concurrency: u64,
        /// Write and replay the SQLite store bare, without sealing personal data (as `serve`
        /// does by default), to see what sealing costs.
        #[arg(long)]
        plain: bool,
    },
    /// Latency of `users(first: 50)` and of the audit questions through the GraphQL schema,
    /// in process.
    Queries {
        /// How many users the store holds.
        #[arg(long, default_value_t = 100_000)]
        users: u64,
        /// How many events the store holds in all: each user's three, then profile edits by
        /// a hundred users (none beyond the users' own when it is no more than that).
        #[arg(long, default_value_t = 0)]
        events: u64,
        /// How many queries of each kind to time.
        #[arg(long, default_value_t = 2_000)]
        samples: usize,
    },
    /// Write a store of N users (for the HTTP load script).
    Populate {
        /// How many users.
        #[arg(long, default_value_t = 100_000)]
        users: u64,
        /// The SQLite file to create (must not exist).
        #[arg(long)]
        file: PathBuf,
        /// Also create this administrator first (with `--admin-password`), so a server started
        /// on the file can be logged into.
        #[arg(long, requires = "admin_password")]
        admin_username: Option<String>,
        /// The administrator's password.
        #[arg(long)]
        admin_password: Option<String>,
    },
}

/// Why a benchmark could not run.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// Runs one benchmark and prints its JSON line.
pub async fn run(command: BenchCommand) -> Result<(), BenchError> {
    let line = match command {
        BenchCommand::W1 {
            users,
            concurrency,
            plain,
        } => w1::run(users, concurrency, plain).await?,
        BenchCommand::Queries {
            users,
            events,
            samples,
        } => queries::run(users, events, samples).await?,
        BenchCommand::Populate {
            users,
            file,
            admin_username,
            admin_password,
        } => {
            let admin = admin_username.zip(admin_password);
            population::run(users, &file, admin).await?
        }
    };
    println!("{line}");
    Ok(())
}

/// The process's peak resident set size, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A real argon2id PHC string, computed once: the benchmarks measure Roster, not hashing.
const FIXED_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$dzFmaXhlZHNhbHQ$Xq3pW0C9v3m7w8TmX1mJ0rQ8l3oYVwz0gH3oZ1u9q2A";
