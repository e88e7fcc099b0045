//! Workload W1, exact so it can be compared with other event-sourcing libraries:
//! for each of N users, in sequence, CreateUser (username `user0000000`…, display name, email,
//! a fixed precomputed argon2 PHC string so hashing is excluded), UpdateProfile (new display
//! name), ResetPassword (the same fixed hash), and GrantAdmin for every 10th user. Every
//! command goes through the real command path (load, decide, append with the expected
//! revision) on a fresh SQLite store with `synchronous=FULL`. Then the whole log is replayed
//! in global order into the projections.
//!
//! `cargo bench -p roster-tests --bench w1 -- --users N [--concurrency C]` prints one JSON
//! line. With C > 1, C tasks share the N users and the store's group commit is exercised.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure should stop it loudly

use chrono::Utc;
use roster_domain::command_path::{CommandMeta, CommandPath};
use roster_domain::ids::UserId;
use roster_domain::store::{Actor, EventStore};
use roster_domain::user::{CreateUser, CreatedVia, GrantAdmin, ResetPassword, UpdateProfile};
use roster_domain::values::{DisplayName, Email, PasswordHash, Username};
use roster_projections::Projections;
use roster_store::SqliteStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use uuid::Uuid;

/// A real argon2id PHC string, computed once: W1 measures the command path, not hashing.
const FIXED_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$dzFmaXhlZHNhbHQ$Xq3pW0C9v3m7w8TmX1mJ0rQ8l3oYVwz0gH3oZ1u9q2A";

fn meta() -> CommandMeta {
    CommandMeta {
        actor: Actor::System,
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        occurred_at: Utc::now(),
    }
}

/// Runs W1's commands for user number `n`; returns how many commands it sent.
async fn one_user(path: &CommandPath, n: u64) -> u64 {
    let user_id = UserId(Uuid::now_v7());
    let name = format!("user{n:07}");
    let hash = PasswordHash::from_phc(FIXED_HASH.to_owned());
    let create = CreateUser {
        user_id,
        username: Username::parse(&name).unwrap(),
        display_name: DisplayName::parse(&format!("User {n}")).unwrap(),
        email: Some(Email::parse(&format!("{name}@example.org")).unwrap()),
        password_hash: hash.clone(),
        is_admin: false,
        must_change_password: false,
        via: CreatedVia::Admin,
    };
    path.execute(meta(), &create).await.unwrap();
    let update = UpdateProfile {
        user_id,
        display_name: DisplayName::parse(&format!("User Number {n}")).unwrap(),
        email: create.email.clone(),
    };
    path.execute(meta(), &update).await.unwrap();
    let reset = ResetPassword {
        user_id,
        password_hash: hash,
        revoke_sessions: false,
        require_change: false,
    };
    path.execute(meta(), &reset).await.unwrap();
    if n.is_multiple_of(10) {
        path.execute(meta(), &GrantAdmin { user_id }).await.unwrap();
        return 4;
    }
    3
}

fn flag(name: &str) -> Option<u64> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let users = flag("--users").unwrap_or(10_000);
    let concurrency = flag("--concurrency").unwrap_or(1).max(1);
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteStore::open(dir.path().join("w1").join("events.db")).unwrap());
    let path = CommandPath::new(store.clone(), Arc::new(Uuid::now_v7));

    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (path, next) = (path.clone(), next.clone());
            tokio::spawn(async move {
                let mut sent = 0;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= users {
                        return sent;
                    }
                    sent += one_user(&path, n).await;
                }
            })
        })
        .collect();
    let mut commands = 0;
    for worker in workers {
        commands += worker.await.unwrap();
    }
    let command_time = started.elapsed();

    let projections = Projections::new(chrono::Duration::days(7));
    let started = Instant::now();
    let head = projections.replay(store).await.unwrap();
    let replay_time = started.elapsed();
    assert_eq!(projections.read(|m| m.users.count()) as u64, users);

    println!(
        "{{\"system\":\"roster {}\",\"users\":{users},\"concurrency\":{concurrency},\"commands\":{commands},\"events\":{},\"cmd_per_s\":{:.0},\"replay_events_per_s\":{:.0},\"peak_rss_kib\":{}}}",
        env!("CARGO_PKG_VERSION"),
        head.0,
        commands as f64 / command_time.as_secs_f64(),
        head.0 as f64 / replay_time.as_secs_f64(),
        peak_rss_kib()
    );
}
