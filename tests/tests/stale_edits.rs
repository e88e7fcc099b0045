//! Stale-edit protection through the command path over the real SQLite store: the version
//! check of [`IfUnchanged`] rides on the append's guard of the account's stream, so of edits
//! racing from the same version exactly one lands, and a cached state, behind or ahead of the
//! client, never decides a stale edit.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure

mod support;

use roster_domain::command_path::ExecuteError;
use roster_domain::error::DomainError;
use roster_domain::store::Actor;
use roster_domain::stream::StreamId;
use roster_domain::user::{CreateUser, IfUnchanged, UpdateProfile, UserError};
use roster_domain::values::DisplayName;
use support::*;

fn rename_at(user: &CreateUser, version: u64, name: &str) -> IfUnchanged<UpdateProfile> {
    IfUnchanged {
        user_id: user.user_id,
        expected_version: Some(version),
        command: UpdateProfile {
            user_id: user.user_id,
            display_name: DisplayName::parse(name).unwrap(),
            email: user.email.clone(),
        },
    }
}

/// The version a stale refusal reports, or `None` for any other outcome.
fn stale_version<T>(outcome: &Result<T, ExecuteError>) -> Option<u64> {
    match outcome {
        Err(ExecuteError::Rejected(DomainError::User(UserError::Stale { current }))) => {
            Some(current.version)
        }
        _ => None,
    }
}

#[tokio::test]
async fn it_should_let_exactly_one_of_twenty_racing_edits_from_the_same_version_land() {
    let (_dir, store) = sqlite_store();
    let user = create_user("racing.rita", false);
    command_path(store.clone())
        .execute(meta(Actor::System), &user)
        .await
        .unwrap();

    // Twenty administrators' forms, each on its own command path (its own cache), all read
    // version 0.
    let edits = (0..20).map(|n| {
        let path = command_path(store.clone());
        let edit = rename_at(&user, 0, &format!("Rita {n}"));
        async move { path.execute(meta(Actor::System), &edit).await }
    });
    let outcomes = futures::future::join_all(edits).await;

    let landed: Vec<_> = outcomes.iter().filter(|o| o.is_ok()).collect();
    assert_eq!(landed.len(), 1, "exactly one edit lands");
    let refused = outcomes
        .iter()
        .filter_map(stale_version)
        .collect::<Vec<_>>();
    assert_eq!(refused, vec![1; 19], "every other one is told version 1");
    assert_eq!(count(store.as_ref(), "ProfileUpdated").await, 1);
}

#[tokio::test]
async fn it_should_accept_a_version_newer_than_its_cached_state() {
    let (_dir, store) = sqlite_store();
    let (here, elsewhere) = (command_path(store.clone()), command_path(store.clone()));
    let user = create_user("cached.cleo", false);
    here.execute(meta(Actor::System), &user).await.unwrap();
    // Another process renames her: version 1, which this path's cache has not seen.
    elsewhere
        .execute(meta(Actor::System), &rename_at(&user, 0, "Cleo One"))
        .await
        .unwrap();

    let executed = here
        .execute(meta(Actor::System), &rename_at(&user, 1, "Cleo Two"))
        .await
        .unwrap();

    assert_eq!(
        executed.revision(&StreamId::User(user.user_id)),
        Some(2),
        "the command reports the account's version after it"
    );
    assert_eq!(count(store.as_ref(), "ProfileUpdated").await, 2);
}

#[tokio::test]
async fn it_should_refuse_a_stale_edit_that_its_cached_state_would_have_let_through() {
    let (_dir, store) = sqlite_store();
    let (here, elsewhere) = (command_path(store.clone()), command_path(store.clone()));
    let user = create_user("cached.cato", false);
    here.execute(meta(Actor::System), &user).await.unwrap();
    elsewhere
        .execute(meta(Actor::System), &rename_at(&user, 0, "Cato One"))
        .await
        .unwrap();

    // This path's cache still holds version 0, as does the client: the append's guard finds
    // the stream moved on, and the edit decided again on the fresh stream is stale.
    let outcome = here
        .execute(meta(Actor::System), &rename_at(&user, 0, "Cato Stale"))
        .await;

    assert_eq!(stale_version(&outcome), Some(1));
    assert_eq!(count(store.as_ref(), "ProfileUpdated").await, 1);
}
