//! Writes the committed fixture stores under `tests/fixtures/`. Each one records history as a
//! given version of Roster wrote it, so that later versions are tested against real old
//! history, not against what today's code would write. Ignored: run it by hand only to write
//! a fixture again, from the Roster version the fixture stands for.
//!
//! `tests/fixtures/v1-events.db` was written this way while `ProfileUpdated` was at schema
//! version 1 (both fields, every time):
//!
//! ```sh
//! cargo test -p roster-tests --test fixtures -- --ignored write_the_version_1_fixture
//! python3 -c "import sqlite3; sqlite3.connect('tests/fixtures/v1-events.db').execute('PRAGMA wal_checkpoint(TRUNCATE)')"
//! ```
//!
//! (the last line folds the write-ahead log into the one file that is committed).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a tool: a failure should stop it loudly

mod support;

use chrono::{TimeZone, Utc};
use roster_domain::command_path::CommandMeta;
use roster_domain::ids::SessionId;
use roster_domain::session::StartSession;
use roster_domain::store::Actor;
use roster_domain::user::{DeleteUser, GrantAdmin, UpdateProfile};
use roster_domain::values::{DisplayName, Email, PasswordHash, TokenHash};
use roster_store::SqliteStore;
use std::path::Path;
use std::sync::Arc;
use support::{FIXED_HASH, command_path, create_user};
use uuid::Uuid;

/// Metadata at a fixed time of day on 1 March 2026, so the fixture reads the same everywhere.
fn at(actor: Actor, minute: u32) -> CommandMeta {
    CommandMeta {
        actor,
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        occurred_at: Utc.with_ymd_and_hms(2026, 3, 1, 9, minute, 0).unwrap(),
    }
}

#[tokio::test]
#[ignore = "writes a committed fixture; run by hand only"]
async fn write_the_version_1_fixture() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/v1-events.db");
    let _ = std::fs::remove_file(&path);
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let commands = command_path(store.clone());

    let alice = create_user("alice", true);
    commands
        .execute(at(Actor::System, 0), &alice)
        .await
        .unwrap();
    let admin = Actor::User(alice.user_id.0);
    let (bob, carol, dave) = (
        create_user("bob", false),
        create_user("carol", false),
        create_user("dave", false),
    );
    for (minute, user) in [(1, &bob), (2, &carol), (3, &dave)] {
        commands.execute(at(admin, minute), user).await.unwrap();
    }
    // Three edits, each touching one field: the display name only, the email only, and the
    // email removed. Version 1 records both fields every time.
    let profile =
        |user: &roster_domain::user::CreateUser, name: &str, email: Option<&str>| UpdateProfile {
            user_id: user.user_id,
            display_name: DisplayName::parse(name).unwrap(),
            email: email.map(|e| Email::parse(e).unwrap()),
        };
    let edits = [
        profile(&bob, "Robert Example", Some("bob@example.org")),
        profile(&carol, "carol Example", Some("carol@example.net")),
        profile(&alice, "alice Example", None),
    ];
    for (minute, edit) in (10..).zip(&edits) {
        commands.execute(at(admin, minute), edit).await.unwrap();
    }
    commands
        .execute(
            at(admin, 20),
            &GrantAdmin {
                user_id: bob.user_id,
            },
        )
        .await
        .unwrap();
    let login = StartSession {
        session_id: SessionId(Uuid::now_v7()),
        user_id: bob.user_id,
        verified_against: Some(PasswordHash::from_phc(FIXED_HASH.to_owned())),
        token_hash: TokenHash::parse(&"ab".repeat(32)).unwrap(),
        expires_at: Utc.with_ymd_and_hms(2126, 3, 1, 9, 0, 0).unwrap(),
        user_agent: Some("fixture".to_owned()),
        ip: Some("127.0.0.1".to_owned()),
        remember_me: false,
    };
    commands
        .execute(at(Actor::User(bob.user_id.0), 30), &login)
        .await
        .unwrap();
    commands
        .execute(
            at(admin, 40),
            &DeleteUser {
                user_id: dave.user_id,
            },
        )
        .await
        .unwrap();
    drop(commands);
    // Dropping the last handle closes the file, which folds the WAL into it.
    drop(store);
    assert!(path.exists());
}
