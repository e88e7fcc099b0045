//! The command path's stream cache over the real SQLite store: a stream it just wrote is not
//! read back, and a cached state that another process made stale never leads to a wrong
//! decision, a wrong refusal or a lost write.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure

mod support;

use roster_domain::store::Actor;
use roster_domain::user::{DisableUser, EnableUser, GrantAdmin, UpdateProfile};
use roster_domain::values::DisplayName;
use std::sync::atomic::Ordering;
use support::decorated::decorated;
use support::*;

fn rename(user: &roster_domain::user::CreateUser, name: &str) -> UpdateProfile {
    UpdateProfile {
        user_id: user.user_id,
        display_name: DisplayName::parse(name).unwrap(),
        email: user.email.clone(),
    }
}

#[tokio::test]
async fn it_should_decide_on_a_stream_it_just_wrote_without_reading_it_back() {
    let (_dir, store) = sqlite_store();
    let counting = decorated(store.clone(), None, false, false);
    let path = command_path(counting.clone());
    let user = create_user("cached.carla", false);
    path.execute(meta(Actor::System), &user).await.unwrap();
    let reads_to_create = counting.reads.swap(0, Ordering::SeqCst);
    assert!(reads_to_create > 0, "a new user's streams are read once");

    path.execute(meta(Actor::System), &rename(&user, "Carla Cached"))
        .await
        .unwrap();
    path.execute(
        meta(Actor::System),
        &GrantAdmin {
            user_id: user.user_id,
        },
    )
    .await
    .unwrap();

    assert_eq!(counting.reads.load(Ordering::SeqCst), 0);
    assert_eq!(count(store.as_ref(), "ProfileUpdated").await, 1);
    assert_eq!(count(store.as_ref(), "AdminGranted").await, 1);
}

#[tokio::test]
async fn it_should_decide_again_when_another_process_changed_a_cached_stream() {
    let (_dir, store) = sqlite_store();
    let (here, elsewhere) = (command_path(store.clone()), command_path(store.clone()));
    let user = create_user("stale.stan", false);
    here.execute(meta(Actor::System), &user).await.unwrap();

    // The other process promotes him; here the cache still says he is a member.
    let grant = GrantAdmin {
        user_id: user.user_id,
    };
    elsewhere
        .execute(meta(Actor::System), &grant)
        .await
        .unwrap();
    let executed = here.execute(meta(Actor::System), &grant).await.unwrap();

    assert!(executed.events.is_empty(), "he is an admin already");
    assert_eq!(count(store.as_ref(), "AdminGranted").await, 1);

    // And the refreshed state is what the next command here decides on.
    here.execute(meta(Actor::System), &rename(&user, "Stan Fresh"))
        .await
        .unwrap();
    assert_eq!(count(store.as_ref(), "ProfileUpdated").await, 1);
}

#[tokio::test]
async fn it_should_not_refuse_on_a_cached_state_that_is_out_of_date() {
    let (_dir, store) = sqlite_store();
    let (here, elsewhere) = (command_path(store.clone()), command_path(store.clone()));
    let user = create_user("paused.paula", false);
    here.execute(meta(Actor::System), &user).await.unwrap();
    here.execute(
        meta(Actor::System),
        &DisableUser {
            user_id: user.user_id,
        },
    )
    .await
    .unwrap();

    // Enabled elsewhere: the cache here still holds her as disabled.
    elsewhere
        .execute(
            meta(Actor::System),
            &EnableUser {
                user_id: user.user_id,
            },
        )
        .await
        .unwrap();
    let outcome = here
        .execute(meta(as_user(user.user_id)), &rename(&user, "Paula Back"))
        .await;

    assert!(outcome.is_ok(), "refused on a stale state: {outcome:?}");
    assert_eq!(count(store.as_ref(), "ProfileUpdated").await, 1);
}

#[tokio::test]
async fn it_should_not_call_a_change_done_on_a_cached_state_that_is_out_of_date() {
    let (_dir, store) = sqlite_store();
    let (here, elsewhere) = (command_path(store.clone()), command_path(store.clone()));
    let (first, second) = (
        create_user("first.admin", true),
        create_user("second.admin", true),
    );
    here.execute(meta(Actor::System), &first).await.unwrap();
    here.execute(meta(Actor::System), &second).await.unwrap();

    // Demoted elsewhere: the cache here still holds him as an admin.
    elsewhere
        .execute(
            meta(Actor::System),
            &roster_domain::user::RevokeAdmin {
                user_id: second.user_id,
            },
        )
        .await
        .unwrap();
    let executed = here
        .execute(
            meta(Actor::System),
            &GrantAdmin {
                user_id: second.user_id,
            },
        )
        .await
        .unwrap();

    assert!(!executed.events.is_empty(), "the grant is not a no-op");
    assert_eq!(count(store.as_ref(), "AdminGranted").await, 1);
}

#[tokio::test]
async fn it_should_read_a_stream_again_when_its_cached_state_is_ahead_of_the_store() {
    let (_dir, store) = sqlite_store();
    let switchable = decorated(store.clone(), None, false, false);
    let path = command_path(switchable.clone());
    let user = create_user("restored.rosa", false);
    path.execute(meta(Actor::System), &user).await.unwrap();

    // A copy of the store as it is now, as a backup would keep it...
    let (_backup_dir, backup) = sqlite_store();
    for recorded in whole_log(store.as_ref()).await {
        let event = roster_domain::store::NewEvent {
            event_id: recorded.event_id,
            event_type: recorded.event_type,
            schema_version: recorded.schema_version,
            data: recorded.data,
            metadata: recorded.metadata,
        };
        backup
            .append(vec![roster_domain::store::StreamAppend {
                stream: recorded.stream,
                expected: roster_domain::store::Expected::Any,
                events: vec![event],
            }])
            .await
            .unwrap();
    }
    // ...then one more change, and the backup restored: the cache is ahead of the store.
    path.execute(meta(Actor::System), &rename(&user, "Rosa Lost"))
        .await
        .unwrap();
    switchable.switch_to(backup.clone());

    let outcome = path
        .execute(meta(Actor::System), &rename(&user, "Rosa Restored"))
        .await;

    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(count(backup.as_ref(), "ProfileUpdated").await, 1);
}
