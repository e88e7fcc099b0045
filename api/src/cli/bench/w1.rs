//! Workload W1, exact so it can be compared with other event-sourcing libraries: for each of
//! N users, in sequence, CreateUser (username `user0000000`…, display name, email, a fixed
//! precomputed argon2 PHC string so hashing is excluded), UpdateProfile (new display name),
//! ResetPassword (the same fixed hash), and GrantAdmin for every 10th user. Every command goes
//! through the real command path (load, decide, append with the expected revision) on a fresh
//! SQLite store with `synchronous=FULL`. Then the whole log is replayed in global order into
//! the projections. With concurrency C > 1, C tasks share the N users. Personal data is sealed
//! per user as `serve` seals it, unless `--plain`.

use super::{BenchError, FIXED_HASH, peak_rss_kib};
use chrono::Utc;
use roster_domain::command_path::{CommandMeta, CommandPath};
use roster_domain::ids::UserId;
use roster_domain::store::{Actor, EventStore};
use roster_domain::user::{CreateUser, CreatedVia, GrantAdmin, ResetPassword, UpdateProfile};
use roster_domain::values::{DisplayName, Email, PasswordHash, Username};
use roster_projections::Projections;
use roster_store::SqliteStore;
use roster_store::shredding::{NameScheme, PersonalKeys, ShreddingStore, key_file_beside};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use uuid::Uuid;

fn meta() -> CommandMeta {
    CommandMeta {
        actor: Actor::System,
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        occurred_at: Utc::now(),
    }
}

/// W1's commands for user number `n`; how many commands were sent.
async fn one_user(path: &CommandPath, n: u64) -> Result<u64, BenchError> {
    let user_id = UserId(Uuid::now_v7());
    let name = format!("user{n:07}");
    let hash = PasswordHash::from_phc(FIXED_HASH.to_owned());
    let email = Some(Email::parse(&format!("{name}@example.org"))?);
    let create = CreateUser {
        user_id,
        username: Username::parse(&name)?,
        display_name: DisplayName::parse(&format!("User {n}"))?,
        email: email.clone(),
        password_hash: hash.clone(),
        is_admin: false,
        must_change_password: false,
        via: CreatedVia::Admin,
    };
    let update = UpdateProfile {
        user_id,
        display_name: DisplayName::parse(&format!("User Number {n}"))?,
        email,
    };
    let reset = ResetPassword {
        user_id,
        password_hash: hash,
        revoke_sessions: false,
        require_change: false,
    };
    path.execute(meta(), &create).await?;
    path.execute(meta(), &update).await?;
    path.execute(meta(), &reset).await?;
    if n.is_multiple_of(10) {
        path.execute(meta(), &GrantAdmin { user_id }).await?;
        return Ok(4);
    }
    Ok(3)
}

pub(super) async fn run(users: u64, concurrency: u64, plain: bool) -> Result<String, BenchError> {
    let concurrency = concurrency.max(1);
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("w1").join("events.db");
    let keys_file = key_file_beside(&file);
    let sqlite = Arc::new(tokio::task::spawn_blocking(move || SqliteStore::open(file)).await??);
    let store: Arc<dyn EventStore> = if plain {
        sqlite.clone()
    } else {
        let keys = tokio::task::spawn_blocking(move || {
            PersonalKeys::open_file(&keys_file, NameScheme::Keyed)
        })
        .await??;
        Arc::new(ShreddingStore::new(sqlite.clone(), Arc::new(keys)))
    };
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
                        return Ok::<u64, BenchError>(sent);
                    }
                    sent += one_user(&path, n).await?;
                }
            })
        })
        .collect();
    let mut commands = 0;
    for worker in workers {
        commands += worker.await??;
    }
    let command_time = started.elapsed();
    let transactions = sqlite.commits();

    let projections = Projections::new(chrono::Duration::days(7));
    let started = Instant::now();
    let head = projections.replay(store).await?;
    let replay_time = started.elapsed();
    let live_users = projections.read(|m| m.users.count()) as u64;
    if live_users != users {
        return Err(format!("replay found {live_users} users, expected {users}").into());
    }
    Ok(format!(
        "{{\"system\":\"roster {}\",\"users\":{users},\"concurrency\":{concurrency},\"sealed\":{},\"commands\":{commands},\"events\":{},\"cmd_per_s\":{:.0},\"transactions\":{transactions},\"replay_events_per_s\":{:.0},\"peak_rss_kib\":{}}}",
        env!("CARGO_PKG_VERSION"),
        !plain,
        head.0,
        commands as f64 / command_time.as_secs_f64(),
        head.0 as f64 / replay_time.as_secs_f64(),
        peak_rss_kib()
    ))
}
