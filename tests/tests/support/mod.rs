//! Shared arrangement for the command-path tests: a real store in a temporary folder, a
//! command path over it, and builders for the commands the tests send.

#![allow(dead_code)]

pub mod decorated;

use chrono::Utc;
use roster_domain::command_path::{CommandMeta, CommandPath};
use roster_domain::ids::UserId;
use roster_domain::store::{Actor, EventStore, Position, Recorded};
use roster_domain::user::{CreateUser, CreatedVia};
use roster_domain::values::{DisplayName, Email, PasswordHash, Username};
use roster_store::SqliteStore;
use std::sync::Arc;
use uuid::Uuid;

/// A precomputed argon2id PHC string: these tests exercise the command path, not hashing.
pub const FIXED_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE";

/// A fresh SQLite store in its own temporary folder (kept alive by the returned guard).
pub fn sqlite_store() -> (tempfile::TempDir, Arc<dyn EventStore>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(dir.path().join("roster").join("events.db"))
        .expect("open the SQLite store");
    (dir, Arc::new(store))
}

/// A command path naming events with UUID v7, as the server does.
pub fn command_path(store: Arc<dyn EventStore>) -> CommandPath {
    CommandPath::new(store, Arc::new(Uuid::now_v7))
}

/// Metadata for a command sent by `actor` now.
pub fn meta(actor: Actor) -> CommandMeta {
    CommandMeta {
        actor,
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        occurred_at: Utc::now(),
    }
}

/// The actor of a user.
pub fn as_user(id: UserId) -> Actor {
    Actor::User(id.0)
}

/// A CreateUser as an administrator would send it.
pub fn create_user(username: &str, is_admin: bool) -> CreateUser {
    CreateUser {
        user_id: UserId(Uuid::now_v7()),
        username: Username::parse(username).expect("valid username"),
        display_name: DisplayName::parse(&format!("{username} Example")).expect("valid name"),
        email: Some(Email::parse(&format!("{username}@example.org")).expect("valid email")),
        password_hash: PasswordHash::from_phc(FIXED_HASH.to_owned()),
        is_admin,
        must_change_password: false,
        via: CreatedVia::Admin,
    }
}

/// The whole log, in order.
pub async fn whole_log(store: &dyn EventStore) -> Vec<Recorded> {
    store
        .read_all(Position::START, usize::MAX)
        .await
        .expect("read the whole log")
}

/// How many events of `event_type` the log holds.
pub async fn count(store: &dyn EventStore, event_type: &str) -> usize {
    whole_log(store)
        .await
        .iter()
        .filter(|e| e.event_type == event_type)
        .count()
}
