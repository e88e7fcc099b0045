//! What watchers are told: activity derived from real domain decisions, and the runner
//! publishing it only once the models hold it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure

mod world;

use chrono::{Duration, TimeZone, Utc};
use roster_domain::command_path::{CommandMeta, CommandPath};
use roster_domain::decision::Command;
use roster_domain::ids::UserId;
use roster_domain::session::{EndReason, EndSession};
use roster_domain::store::{Actor, EventStore, Metadata, Position};
use roster_domain::testing::decide;
use roster_domain::user::{
    ChangePassword, CreateUser, CreatedVia, DeleteUser, DisableUser, EnableUser, GrantAdmin,
    ResetPassword,
};
use roster_domain::values::{DisplayName, PasswordHash, Username};
use roster_projections::activity::{self, Activity, SessionActivityKind, UserChangeKind};
use roster_projections::{Projections, SessionActivity, UserChange};
use roster_store::MemoryStore;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use uuid::Uuid;
use world::{HASH, World};

/// Runs `command` in `world` like the runner does: each event's activity is derived against
/// the models just before the event applies.
#[track_caller]
fn watched<C: Command>(world: &mut World, actor: Actor, command: C) -> Vec<Activity> {
    let events = decide(&world.history, actor, &command)
        .unwrap_or_else(|e| panic!("command refused: {e:?}"));
    let mut out = Vec::new();
    for event in events {
        world.position += 1;
        let position = Position(world.position);
        let metadata = Metadata {
            actor,
            correlation_id: Uuid::nil(),
            causation_id: Uuid::nil(),
            occurred_at: world.now,
        };
        activity::derive(&world.models, position, &metadata, &event, &mut out);
        world
            .models
            .apply_decoded(position, &metadata, Some(event.clone()));
        world.history.push(event);
    }
    out.into_iter().map(|item| item.activity).collect()
}

fn ended(activities: &[Activity]) -> Vec<(SessionActivityKind, String)> {
    activities
        .iter()
        .filter_map(|a| match a {
            Activity::Session(s) => Some((s.kind, s.username.clone())),
            Activity::User(_) => None,
        })
        .collect()
}

fn user_changes(activities: &[Activity]) -> Vec<(UserChangeKind, UserId, Actor)> {
    activities
        .iter()
        .filter_map(|a| match a {
            Activity::User(c) => Some((c.kind, c.user_id, c.actor)),
            Activity::Session(_) => None,
        })
        .collect()
}

#[test]
fn it_should_report_a_login_and_a_logout_with_the_username() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let (session, _) = world.login(ann, Duration::days(1));
    world.tick(Duration::minutes(5));
    let logout = watched(
        &mut world,
        Actor::User(ann.0),
        EndSession {
            session_id: session,
            reason: EndReason::Logout,
        },
    );
    assert_eq!(
        logout,
        [Activity::Session(SessionActivity {
            kind: SessionActivityKind::Ended(EndReason::Logout),
            session_id: session,
            user_id: ann,
            username: "ann".into(),
            at: world.now,
        })]
    );
}

#[test]
fn it_should_end_the_working_sessions_of_a_deleted_user_though_the_log_has_no_session_event() {
    let mut world = World::new();
    let admin = world.admin();
    let ann = world.user("ann", false);
    world.login(ann, Duration::minutes(10));
    world.login(ann, Duration::days(1));
    world.login(ann, Duration::days(1));
    world.tick(Duration::minutes(30));
    let deleted = watched(&mut world, admin, DeleteUser { user_id: ann });
    assert_eq!(
        ended(&deleted),
        [
            (
                SessionActivityKind::Ended(EndReason::UserDeleted),
                "ann".into()
            ),
            (
                SessionActivityKind::Ended(EndReason::UserDeleted),
                "ann".into()
            ),
        ],
        "the session that had expired by the clock did not end by the deletion"
    );
    assert_eq!(
        user_changes(&deleted),
        [(UserChangeKind::Deleted, ann, world.admin())]
    );
}

#[test]
fn it_should_end_sessions_on_disable_on_reset_when_asked_and_all_but_the_current_on_change() {
    let mut world = World::new();
    let admin = world.admin();
    let ann = world.user("ann", false);
    world.login(ann, Duration::days(1));
    let disabled = watched(&mut world, admin, DisableUser { user_id: ann });
    assert_eq!(
        ended(&disabled),
        [(
            SessionActivityKind::Ended(EndReason::UserDisabled),
            "ann".into()
        )]
    );
    world.ok(world.admin(), EnableUser { user_id: ann });

    world.login(ann, Duration::days(1));
    let reset = |revoke_sessions| ResetPassword {
        user_id: ann,
        password_hash: PasswordHash::from_phc(HASH.into()),
        revoke_sessions,
        require_change: false,
    };
    let kept = watched(&mut world, admin, reset(false));
    assert_eq!(ended(&kept), []);
    assert_eq!(
        user_changes(&kept),
        [(UserChangeKind::PasswordReset, ann, world.admin())]
    );
    let revoked = watched(&mut world, admin, reset(true));
    assert_eq!(
        ended(&revoked),
        [(
            SessionActivityKind::Ended(EndReason::PasswordReset),
            "ann".into()
        )]
    );

    let (current, _) = world.login(ann, Duration::days(1));
    let (other, _) = world.login(ann, Duration::days(1));
    let changed = watched(
        &mut world,
        Actor::User(ann.0),
        ChangePassword {
            user_id: ann,
            verified_against: Some(PasswordHash::from_phc(HASH.into())),
            new_password_hash: PasswordHash::from_phc("$argon2id$new".into()),
            current_session: Some(current),
        },
    );
    let ended_ids: Vec<_> = changed
        .iter()
        .filter_map(|a| match a {
            Activity::Session(s) => Some((s.session_id, s.kind)),
            Activity::User(_) => None,
        })
        .collect();
    assert_eq!(
        ended_ids,
        [(
            other,
            SessionActivityKind::Ended(EndReason::PasswordChanged)
        )]
    );
}

#[tokio::test]
async fn it_should_publish_activity_only_once_the_models_hold_it() {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let projections = Projections::new(Duration::hours(2));
    let follower = projections.follow(store.clone());
    let mut activity = projections.watch_activity();
    let path = CommandPath::new(store, Arc::new(Uuid::now_v7));
    let bob = UserId(Uuid::now_v7());
    let meta = CommandMeta {
        actor: Actor::System,
        command_id: Uuid::now_v7(),
        correlation_id: Uuid::now_v7(),
        occurred_at: Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap(),
    };
    let create = CreateUser {
        user_id: bob,
        username: Username::parse("bob").unwrap(),
        display_name: DisplayName::parse("Bob").unwrap(),
        email: None,
        password_hash: PasswordHash::from_phc(HASH.into()),
        is_admin: false,
        must_change_password: false,
        via: CreatedVia::Admin,
    };
    path.execute(meta, &create).await.unwrap();
    let grant = CommandMeta {
        command_id: Uuid::now_v7(),
        ..meta
    };
    path.execute(grant, &GrantAdmin { user_id: bob })
        .await
        .unwrap();

    let mut seen = Vec::new();
    while seen.len() < 2 {
        let item = tokio::time::timeout(StdDuration::from_secs(10), activity.recv())
            .await
            .expect("activity within the failure guard")
            .unwrap();
        let held = projections.read(|models| {
            (
                models.position() >= item.position,
                models.users.get(bob).map(|u| u.is_admin),
            )
        });
        assert!(held.0, "an item is published after its event applied");
        if let Activity::User(UserChange { kind, .. }) = item.activity {
            seen.push((kind, held.1));
        }
    }
    assert_eq!(seen[0].0, UserChangeKind::Created);
    assert_eq!(seen[1], (UserChangeKind::AdminGranted, Some(true)));
    follower.abort();
}

#[tokio::test]
async fn it_should_not_wait_for_a_watcher_that_does_not_read() {
    let store: Arc<dyn EventStore> = Arc::new(MemoryStore::new());
    let projections = Projections::new(Duration::hours(2));
    let follower = projections.follow(store.clone());
    let mut idle_watcher = projections.watch_activity();
    let path = CommandPath::new(store.clone(), Arc::new(Uuid::now_v7));
    for n in 0..1100 {
        let meta = CommandMeta {
            actor: Actor::System,
            command_id: Uuid::now_v7(),
            correlation_id: Uuid::now_v7(),
            occurred_at: Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap(),
        };
        let create = CreateUser {
            user_id: UserId(Uuid::now_v7()),
            username: Username::parse(&format!("user-{n}")).unwrap(),
            display_name: DisplayName::parse("User").unwrap(),
            email: None,
            password_hash: PasswordHash::from_phc(HASH.into()),
            is_admin: false,
            must_change_password: false,
            via: CreatedVia::Admin,
        };
        path.execute(meta, &create).await.unwrap();
    }
    let head = store.head().await.unwrap();
    projections
        .wait_for(head, StdDuration::from_secs(10))
        .await
        .expect("the runner went on though nobody read");
    assert!(matches!(
        idle_watcher.recv().await,
        Err(tokio::sync::broadcast::error::RecvError::Lagged(_))
    ));
    let oldest_kept = idle_watcher.recv().await.unwrap();
    assert!(matches!(oldest_kept.activity, Activity::User(_)));
    follower.abort();
}
