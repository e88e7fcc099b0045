//! The foundation end to end: the real command path over the real SQLite store.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure
mod support;

use futures::future::join_all;
use roster_api::secrets::{KeyVault, PasswordHasher, SessionToken, last4};
use roster_domain::command_path::ExecuteError;
use roster_domain::error::DomainError;
use roster_domain::ids::{ApiKeyId, SessionId, UserId};
use roster_domain::keyring::{AddApiKey, ApiKeyAdded};
use roster_domain::session::StartSession;
use roster_domain::store::{Actor, EventStore, Revision};
use roster_domain::stream::{KeyringOwner, StreamId};
use roster_domain::user::{RevokeAdmin, UserError};
use roster_domain::values::{Password, Provider, ResourceName};
use roster_store::SqliteStore;
use std::sync::Arc;
use support::*;
use uuid::Uuid;

/// `n` distinct letter-case spellings of `name` (which must have enough letters).
fn case_mixes(name: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|mask| {
            name.chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask >> i & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn it_should_let_exactly_one_of_fifty_concurrent_creates_of_one_username_succeed() {
    let (_dir, store) = sqlite_store();
    let path = command_path(store.clone());
    let spellings = case_mixes("alicesmith", 50);
    assert_eq!(spellings.len(), 50);

    let attempts = spellings.into_iter().map(|name| {
        let path = path.clone();
        tokio::spawn(async move {
            path.execute(meta(Actor::System), &create_user(&name, false))
                .await
        })
    });
    let outcomes: Vec<_> = join_all(attempts)
        .await
        .into_iter()
        .map(|joined| joined.expect("task finished"))
        .collect();

    let succeeded = outcomes.iter().filter(|o| o.is_ok()).count();
    let taken = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o,
                Err(ExecuteError::Rejected(DomainError::User(
                    UserError::UsernameTaken
                )))
            )
        })
        .count();
    assert_eq!(succeeded, 1, "outcomes: {outcomes:?}");
    assert_eq!(taken, 49, "outcomes: {outcomes:?}");
    let refusal = outcomes
        .iter()
        .find_map(|o| o.as_ref().err())
        .expect("a refusal");
    assert_eq!(refusal.to_string(), "Username already exists");
    assert_eq!(count(store.as_ref(), "UserCreated").await, 1);
    assert_eq!(count(store.as_ref(), "UsernameReserved").await, 1);
}

#[tokio::test]
async fn it_should_keep_an_acknowledged_command_after_the_store_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data").join("events.db");
    let command = create_user("durable.dora", false);
    {
        let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(&file).unwrap());
        let executed = command_path(store)
            .execute(meta(Actor::System), &command)
            .await
            .unwrap();
        assert!(executed.position.is_some());
    }

    let reopened: Arc<dyn EventStore> = Arc::new(SqliteStore::open(&file).unwrap());
    let stream = StreamId::User(command.user_id).to_string();
    let events = reopened.read_stream(&stream, 0).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, "UserCreated");
    let again = command_path(reopened)
        .execute(meta(Actor::System), &create_user("Durable.Dora", false))
        .await;
    assert_eq!(
        again.unwrap_err(),
        ExecuteError::Rejected(UserError::UsernameTaken.into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_should_never_let_two_admins_demote_each_other_into_having_no_admin() {
    for _ in 0..10 {
        let (_dir, store) = sqlite_store();
        let path = command_path(store.clone());
        let ann = create_user("ann", true);
        let bob = create_user("bob", true);
        path.execute(meta(Actor::System), &ann).await.unwrap();
        path.execute(meta(Actor::System), &bob).await.unwrap();

        let ann_demotes_bob = {
            let path = path.clone();
            let command = RevokeAdmin {
                user_id: bob.user_id,
            };
            tokio::spawn(async move { path.execute(meta(as_user(ann.user_id)), &command).await })
        };
        let bob_demotes_ann = {
            let path = path.clone();
            let command = RevokeAdmin {
                user_id: ann.user_id,
            };
            tokio::spawn(async move { path.execute(meta(as_user(bob.user_id)), &command).await })
        };
        let outcomes = [
            ann_demotes_bob.await.unwrap(),
            bob_demotes_ann.await.unwrap(),
        ];

        assert_eq!(
            outcomes.iter().filter(|o| o.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        // The loser is refused either as the last admin or, having just been demoted, as a
        // caller who is no longer an admin: never both demotions.
        let refusal = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
        assert!(
            matches!(
                refusal,
                ExecuteError::Rejected(DomainError::User(
                    UserError::LastActiveAdmin | UserError::AdminRequired
                ))
            ),
            "{refusal:?}"
        );
        assert_eq!(count(store.as_ref(), "AdminRevoked").await, 1);
    }
}

#[tokio::test]
async fn it_should_record_who_why_and_when_on_every_event_of_a_command() {
    let (_dir, store) = sqlite_store();
    let path = command_path(store.clone());
    let command_meta = meta(Actor::System);
    path.execute(command_meta, &create_user("meta.mia", true))
        .await
        .unwrap();

    let log = whole_log(store.as_ref()).await;
    let types: Vec<_> = log.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "UserCreated",
            "UsernameReserved",
            "EmailReserved",
            "ActiveAdminAdded"
        ]
    );
    for event in &log {
        assert_eq!(event.metadata.actor, Actor::System);
        assert_eq!(event.metadata.correlation_id, command_meta.correlation_id);
        assert_eq!(event.metadata.causation_id, command_meta.command_id);
        assert_eq!(event.schema_version, 1);
        assert_eq!(event.event_id.get_version_num(), 7, "event ids are UUID v7");
    }
    let positions: Vec<_> = log.iter().map(|e| e.position.0).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
async fn it_should_store_no_password_token_or_api_key_in_clear() {
    let (_dir, store) = sqlite_store();
    let path = command_path(store.clone());
    let hasher = PasswordHasher::insecure_fast_for_tests().unwrap();
    let vault = KeyVault::generate();

    let password = "pw-hunter22-plain";
    let mut command = create_user("secret.sam", false);
    command.password_hash = hasher
        .hash(&Password::parse(password).unwrap())
        .await
        .unwrap();
    let user_id = command.user_id;
    path.execute(meta(Actor::System), &command).await.unwrap();

    let token = SessionToken::generate().unwrap();
    let hash = command.password_hash.clone();
    assert!(hasher.verify(password, Some(&hash)).await);
    let login = StartSession {
        session_id: SessionId(Uuid::now_v7()),
        user_id,
        verified_against: Some(hash),
        token_hash: token.hash(),
        expires_at: chrono::Utc::now() + chrono::Duration::days(7),
        user_agent: Some("test-agent".into()),
        ip: Some("127.0.0.1".into()),
        remember_me: false,
    };
    path.execute(meta(as_user(user_id)), &login).await.unwrap();

    let api_key = "sk-plaintext-model-key-9876";
    let owner = KeyringOwner::User(user_id);
    let provider = Provider::parse("openai").unwrap();
    let key_id = ApiKeyId(Uuid::now_v7());
    let add = AddApiKey {
        owner,
        key: ApiKeyAdded {
            key_id,
            provider: provider.clone(),
            name: ResourceName::parse("work").unwrap(),
            sealed: vault.seal(api_key, owner, &provider, key_id).unwrap(),
            last4: last4(api_key),
        },
    };
    path.execute(meta(as_user(user_id)), &add).await.unwrap();

    for event in whole_log(store.as_ref()).await {
        for secret in [password, token.expose(), api_key] {
            assert!(
                !event.data.contains(secret),
                "{} holds a secret",
                event.event_type
            );
        }
    }
    assert_eq!(count(store.as_ref(), "SessionStarted").await, 1);
    assert_eq!(count(store.as_ref(), "ApiKeyAdded").await, 1);
}

#[tokio::test]
async fn it_should_refuse_bad_commands_without_writing_anything() {
    let (_dir, store) = sqlite_store();
    let path = command_path(store.clone());
    let member = create_user("member.max", false);
    path.execute(meta(Actor::System), &member).await.unwrap();
    let before = whole_log(store.as_ref()).await.len();

    let refused = path
        .execute(meta(as_user(member.user_id)), &create_user("sneaky", true))
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), "Admin access required");
    let refused = path
        .execute(
            meta(Actor::System),
            &RevokeAdmin {
                user_id: UserId(Uuid::now_v7()),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused, ExecuteError::Rejected(UserError::NotFound.into()));
    assert_eq!(whole_log(store.as_ref()).await.len(), before);
}

/// Streams revisions are what optimistic concurrency is built on: check they are dense.
#[tokio::test]
async fn it_should_number_each_stream_from_zero_without_gaps() {
    let (_dir, store) = sqlite_store();
    let path = command_path(store.clone());
    let user = create_user("dense.dan", false);
    path.execute(meta(Actor::System), &user).await.unwrap();
    for name in ["One", "Two", "Three"] {
        let update = roster_domain::user::UpdateProfile {
            user_id: user.user_id,
            display_name: roster_domain::values::DisplayName::parse(name).unwrap(),
            email: None,
        };
        path.execute(meta(Actor::System), &update).await.unwrap();
    }
    let stream = StreamId::User(user.user_id).to_string();
    let revisions: Vec<Revision> = store
        .read_stream(&stream, 0)
        .await
        .unwrap()
        .iter()
        .map(|e| e.revision)
        .collect();
    assert_eq!(revisions, [0, 1, 2, 3]);
}
