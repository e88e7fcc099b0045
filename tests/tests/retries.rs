//! How the command path behaves when the store misbehaves or another writer gets there first.
//! Each test wraps the real SQLite store in a decorator that injects one mishap.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure

mod support;

use roster_domain::command_path::{ExecuteError, MAX_DECISIONS};
use roster_domain::store::Actor;
use roster_domain::store::EventStore;
use roster_domain::stream::StreamId;
use roster_domain::user::UpdateProfile;
use roster_domain::values::DisplayName;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use support::decorated::*;
use support::*;

fn rename(user: &roster_domain::user::CreateUser, name: &str) -> UpdateProfile {
    UpdateProfile {
        user_id: user.user_id,
        display_name: DisplayName::parse(name).unwrap(),
        email: None,
    }
}

/// A fresh store holding one member, created through the command path.
async fn store_with_user(
    name: &str,
) -> (
    tempfile::TempDir,
    Arc<dyn EventStore>,
    roster_domain::user::CreateUser,
) {
    let (dir, store) = sqlite_store();
    let user = create_user(name, false);
    command_path(store.clone())
        .execute(meta(Actor::System), &user)
        .await
        .unwrap();
    (dir, store, user)
}

#[tokio::test]
async fn it_should_decide_again_when_another_writer_changed_the_stream_in_between() {
    let (_dir, store, user) = store_with_user("racy.rita").await;

    // Between our load and our append, someone else renames the user.
    let rival = rename(&user, "Rival Name");
    let hook: Hook = Box::new(move |inner| {
        Box::pin(async move {
            command_path(inner)
                .execute(meta(Actor::System), &rival)
                .await
                .unwrap();
        })
    });
    let racing = decorate(store.clone(), Some(hook), false);
    let executed = command_path(racing)
        .execute(meta(Actor::System), &rename(&user, "Final Name"))
        .await
        .unwrap();
    assert_eq!(executed.events.len(), 1);

    let stream = StreamId::User(user.user_id).to_string();
    let history = store.read_stream(&stream, 0).await.unwrap();
    let types: Vec<_> = history.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["UserCreated", "ProfileUpdated", "ProfileUpdated"]);
    assert!(
        history[2].data.contains("Final Name"),
        "ours lands after the rival's"
    );
}

#[tokio::test]
async fn it_should_not_write_twice_when_a_written_append_is_resent_after_a_lost_answer() {
    let (_dir, store) = sqlite_store();
    let flaky = decorate(store.clone(), None, true);
    let user = create_user("once.only", false);

    let executed = command_path(flaky)
        .execute(meta(Actor::System), &user)
        .await
        .unwrap();

    assert!(executed.position.is_some());
    assert_eq!(count(store.as_ref(), "UserCreated").await, 1);
    assert_eq!(count(store.as_ref(), "UsernameReserved").await, 1);
}

#[tokio::test]
async fn it_should_give_up_as_contended_after_a_bounded_number_of_lost_races() {
    let (_dir, store, user) = store_with_user("unlucky.ulla").await;
    let before = whole_log(store.as_ref()).await;

    let conflicting = always_conflicting(store.clone());
    let outcome = command_path(conflicting.clone())
        .execute(meta(Actor::System), &rename(&user, "Never Lands"))
        .await;

    assert_eq!(
        outcome,
        Err(ExecuteError::Contended {
            stream: StreamId::User(user.user_id).to_string()
        })
    );
    assert_eq!(
        conflicting.appends.load(Ordering::SeqCst),
        MAX_DECISIONS,
        "one append per decision, and no more decisions than the bound"
    );
    assert_eq!(
        whole_log(store.as_ref()).await,
        before,
        "nothing was appended"
    );
}
