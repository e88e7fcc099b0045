//! The read models, driven by real domain decisions.
//!
//! One file for every read model on purpose: each case drives several models with one history
//! and checks them against each other.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure

mod world;

use chrono::Duration;
use roster_domain::challenge::{CompleteLoginChallenge, IssueLoginChallenge};
use roster_domain::ids::ApiKeyId;
use roster_domain::ids::{AnnotationId, OntologyId, SessionId, UserId};
use roster_domain::keyring::{AddApiKey, ApiKeyAdded, ApiKeyReplaced, RemoveApiKey, ReplaceApiKey};
use roster_domain::persona::{DeletePersona, RenamePersona, TransferPersona};
use roster_domain::resource::{CreateAnnotation, CreateOntology};
use roster_domain::session::{EndReason, EndSession, SessionStarted};
use roster_domain::store::{Actor, Metadata, Position, Recorded};
use roster_domain::stream::KeyringOwner;
use roster_domain::totp::{
    ConfirmTotp, RECOVERY_CODES, RemoveTotp, SealedSecret, SecondFactorProof, StartTotpEnrollment,
};
use roster_domain::user::{
    ChangePassword, DeleteUser, DisableUser, EnableUser, GrantAdmin, ResetPassword, RevokeAdmin,
    UpdateProfile,
};
use roster_domain::values::{DisplayName, Email, PasswordHash, Provider, ResourceName, TokenHash};
use roster_projections::models::{Applied, PRUNE_GRACE, UserStats};
use roster_projections::{PROJECTIONS, UserFilter, UserPage, projection_versions};
use std::collections::BTreeSet;
use uuid::Uuid;
use world::{HASH, World, sealed};

fn names(page: &UserPage) -> Vec<&str> {
    page.users.iter().map(|u| u.username.as_str()).collect()
}

fn all(first: usize) -> (UserFilter, usize) {
    (UserFilter::default(), first)
}

#[test]
fn it_should_list_users_newest_first_even_when_created_in_the_same_instant() {
    let mut world = World::new();
    for name in ["ann", "bob", "cat"] {
        world.user(name, false); // the clock does not move: same created_at for all
    }
    let (filter, first) = all(10);
    let page = world.models.users.page(&filter, first, None);
    assert_eq!(names(&page), ["cat", "bob", "ann", "root"]);
    assert_eq!(page.total_count, 4);
    assert!(!page.has_next_page);
}

/// The usernames a search for `text` lists, newest first.
fn found(world: &World, text: &str) -> Vec<String> {
    let filter = UserFilter {
        search: Some(text.into()),
        is_admin: None,
    };
    names(&world.models.users.page(&filter, 10, None))
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn it_should_search_username_display_name_and_email_ignoring_case() {
    let mut world = World::new();
    world.user("alice", false);
    let bob = world.user("bob", false);
    world.ok(
        world.admin(),
        UpdateProfile {
            user_id: bob,
            display_name: DisplayName::parse("Robert ÄLICEson").unwrap(),
            email: Some(Email::parse("rob@Corp.example").unwrap()),
        },
    );
    let search = |text: &str| found(&world, text);
    assert_eq!(search("ALICE"), ["alice"]);
    assert_eq!(search("äLICE"), ["bob"], "non-ASCII letters fold too");
    assert_eq!(search("robert"), ["bob"]);
    assert_eq!(search("corp.EXAMPLE"), ["bob"]);
    assert_eq!(search("nobody"), Vec::<String>::new());
    assert_eq!(
        search("  "),
        ["bob", "alice", "root"],
        "a blank search matches everyone"
    );
}

#[test]
fn it_should_fold_a_search_and_the_fields_alike_even_around_a_final_sigma() {
    let mut world = World::new();
    let odos = world.user("odos", false);
    let greek = |name: &str| UpdateProfile {
        user_id: odos,
        display_name: DisplayName::parse(name).unwrap(),
        email: None,
    };
    world.ok(world.admin(), greek("ΟΔΟΣ"));
    assert_eq!(found(&world, "ΟΔΟΣ"), ["odos"], "the name itself");
    assert_eq!(
        found(&world, "οδος"),
        ["odos"],
        "typed in lowercase, final sigma"
    );
    assert_eq!(found(&world, "ΟΔΟ"), ["odos"]);
    world.ok(world.admin(), greek("Ο ΟΔΟΣΤΡΩΤΗΡΑΣ"));
    assert_eq!(
        found(&world, "ΟΔΟΣ"),
        ["odos"],
        "a sigma that ends the search but not the word"
    );
    let view = world.models.users.get(odos).unwrap();
    assert!(view.matches("οδοσ") && view.matches("ΟΔΟΣ") && view.matches("οδος"));
}

#[test]
fn it_should_never_match_a_search_across_two_fields() {
    let mut world = World::new();
    world.user("ann", false); // display name "Ann Example", email ann@example.org
    assert_eq!(found(&world, "Ann Example"), ["ann"]);
    assert_eq!(found(&world, "ann\nann"), Vec::<String>::new());
    assert_eq!(found(&world, "ann\nAnn Example"), Vec::<String>::new());
    assert_eq!(found(&world, "example\nann@"), Vec::<String>::new());
    let view = world.models.users.by_username("ann").unwrap();
    assert!(!view.matches("ann\nann example\nann@example.org"));
}

#[test]
fn it_should_filter_by_admin_flag_and_count_matches() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    world.user("bob", false);
    world.ok(world.admin(), GrantAdmin { user_id: ann });
    let admins = UserFilter {
        search: None,
        is_admin: Some(true),
    };
    let page = world.models.users.page(&admins, 1, None);
    assert_eq!(names(&page), ["ann"]);
    assert!(page.has_next_page);
    assert_eq!(page.total_count, 2);
    assert_eq!(world.models.users.admin_count(), 2);
}

#[test]
fn it_should_paginate_without_skipping_or_repeating_while_users_come_and_go() {
    let mut world = World::new();
    let ids = world.numbered_users(6);
    let filter = UserFilter::default();

    let first = world.models.users.page(&filter, 3, None);
    assert_eq!(names(&first), ["user5", "user4", "user3"]);
    let cursor = first.users.last().unwrap().created_position;

    // While the client reads page one: two users arrive, one already shown and one not yet
    // shown leave.
    world.user("late1", false);
    world.user("late2", false);
    world.ok(world.admin(), DeleteUser { user_id: ids[4] });
    world.ok(world.admin(), DeleteUser { user_id: ids[1] });

    let second = world.models.users.page(&filter, 3, Some(cursor));
    assert_eq!(names(&second), ["user2", "user0", "root"]);
    assert!(!second.has_next_page);
    let fresh = world.models.users.page(&filter, 3, None);
    assert_eq!(names(&fresh), ["late2", "late1", "user5"]);
}

/// Every page of `filter`, `first` at a time: each page's usernames and `has_next_page`.
fn pages(world: &World, filter: &UserFilter, first: usize) -> Vec<(Vec<String>, bool)> {
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = world.models.users.page(filter, first, after);
        let owned = names(&page).into_iter().map(str::to_owned).collect();
        pages.push((owned, page.has_next_page));
        if !page.has_next_page {
            return pages;
        }
        after = page.users.last().map(|u| u.created_position);
    }
}

#[test]
fn it_should_go_on_from_a_cursor_whose_own_user_was_deleted() {
    let mut world = World::new();
    let ids = world.numbered_users(5);
    let filter = UserFilter::default();
    let first = world.models.users.page(&filter, 2, None);
    assert_eq!(names(&first), ["user4", "user3"]);
    let cursor = first.users.last().unwrap().created_position;

    world.ok(world.admin(), DeleteUser { user_id: ids[3] });

    let second = world.models.users.page(&filter, 2, Some(cursor));
    assert_eq!(names(&second), ["user2", "user1"]);
    assert!(second.has_next_page);
    assert_eq!(second.total_count, 5);
}

#[test]
fn it_should_page_through_a_search_and_the_admin_filter_with_a_cursor() {
    let mut world = World::new();
    for i in 0..7 {
        let name = if i % 2 == 0 { "team" } else { "solo" };
        world.user(&format!("{name}{i}"), i % 3 == 0);
    }
    let search = UserFilter {
        search: Some("TEAM".into()),
        is_admin: None,
    };
    let strings = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        pages(&world, &search, 2),
        [
            (strings(&["team6", "team4"]), true),
            (strings(&["team2", "team0"]), false)
        ]
    );
    let page = world.models.users.page(&search, 2, None);
    assert_eq!(page.total_count, 4);
    let after = page.users.last().map(|u| u.created_position);
    assert_eq!(
        world.models.users.page(&search, 2, after).total_count,
        4,
        "every match counts, not only those after the cursor"
    );

    let admins = UserFilter {
        search: None,
        is_admin: Some(true),
    };
    assert_eq!(
        pages(&world, &admins, 2),
        [
            (strings(&["team6", "solo3"]), true),
            (strings(&["team0", "root"]), false)
        ]
    );
    let both = UserFilter {
        search: Some("team".into()),
        is_admin: Some(false),
    };
    assert_eq!(
        pages(&world, &both, 1),
        [(strings(&["team4"]), true), (strings(&["team2"]), false)]
    );
}

#[test]
fn it_should_say_whether_a_next_page_exists_on_the_first_page_and_on_the_last() {
    let mut world = World::new();
    world.numbered_users(3);
    let filter = UserFilter::default();
    let by = |first| {
        pages(&world, &filter, first)
            .into_iter()
            .map(|(names, next)| (names.len(), next))
            .collect::<Vec<_>>()
    };
    assert_eq!(by(5), [(4, false)], "one page holds everyone");
    assert_eq!(by(4), [(4, false)], "exactly full: no next page");
    assert_eq!(by(3), [(3, true), (1, false)]);
    assert_eq!(by(2), [(2, true), (2, false)], "the last page exactly full");
    assert_eq!(by(1), [(1, true), (1, true), (1, true), (1, false)]);
}

#[test]
fn it_should_give_an_empty_page_when_nothing_matches_or_nothing_is_left() {
    let mut world = World::new();
    world.user("ann", false);
    let nobody = UserFilter {
        search: Some("nobody".into()),
        is_admin: None,
    };
    let page = world.models.users.page(&nobody, 10, None);
    assert!(page.users.is_empty());
    assert!(!page.has_next_page);
    assert_eq!(page.total_count, 0);

    let filter = UserFilter::default();
    let oldest = world.models.users.get(world.root).unwrap().created_position;
    let past_the_end = world.models.users.page(&filter, 10, Some(oldest));
    assert!(past_the_end.users.is_empty());
    assert!(!past_the_end.has_next_page);
    assert_eq!(past_the_end.total_count, 2);
    let none = world.models.users.page(&filter, 0, None);
    assert!(none.users.is_empty());
    assert!(
        none.has_next_page,
        "asking for none still tells there are more"
    );
}

#[test]
fn it_should_count_personas_sessions_and_api_keys_per_user_after_each_event() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let bob = world.user("bob", false);
    let stats = |world: &World, user| world.models.stats(user, world.now);
    assert_eq!(stats(&world, ann), UserStats::default());

    let p1 = world.persona(ann, "Researcher");
    world.persona(ann, "Writer");
    let (s1, _) = world.login(ann, Duration::days(7));
    world.login(ann, Duration::days(7));
    let key = world.api_key(ann, "openai");
    world.api_key(ann, "anthropic");
    assert_eq!(
        stats(&world, ann),
        UserStats {
            personas: 2,
            active_sessions: 2,
            api_keys: 2
        }
    );

    world.ok(
        world.admin(),
        TransferPersona {
            persona_id: p1,
            to: bob,
        },
    );
    world.ok(
        Actor::User(ann.0),
        EndSession {
            session_id: s1,
            reason: EndReason::Logout,
        },
    );
    world.ok(
        Actor::User(ann.0),
        RemoveApiKey {
            owner: KeyringOwner::User(ann),
            key_id: key,
        },
    );
    assert_eq!(
        stats(&world, ann),
        UserStats {
            personas: 1,
            active_sessions: 1,
            api_keys: 1
        }
    );
    assert_eq!(stats(&world, bob).personas, 1);
    world.ok(world.admin(), DeletePersona { persona_id: p1 });
    assert_eq!(stats(&world, bob).personas, 0);

    let totals = world.models.totals(world.now);
    assert_eq!(
        (totals.users, totals.admins, totals.active_sessions),
        (3, 1, 1)
    );
}

/// A user, ann, logged in for 30 minutes, then twice for 7 days: sessions and token hashes.
fn three_logins(world: &mut World) -> (UserId, [(SessionId, String); 3]) {
    let ann = world.user("ann", false);
    let logins = [
        world.login(ann, Duration::minutes(30)),
        world.login(ann, Duration::days(7)),
        world.login(ann, Duration::days(7)),
    ];
    (ann, logins)
}

/// Users, admins and active sessions in all, now.
fn totals(world: &World) -> (usize, usize, usize) {
    let totals = world.models.totals(world.now);
    (totals.users, totals.admins, totals.active_sessions)
}

#[test]
fn it_should_count_admins_after_a_grant_a_revoke_and_the_deletion_of_an_admin() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let bob = world.user("bob", true);
    assert_eq!(totals(&world), (3, 2, 0));
    world.ok(world.admin(), GrantAdmin { user_id: ann });
    assert_eq!(totals(&world), (3, 3, 0));
    world.ok(world.admin(), RevokeAdmin { user_id: ann });
    assert_eq!(totals(&world), (3, 2, 0));
    world.ok(world.admin(), DeleteUser { user_id: bob });
    assert_eq!(totals(&world), (2, 1, 0));
    world.ok(world.admin(), DeleteUser { user_id: ann });
    assert_eq!(
        totals(&world),
        (1, 1, 0),
        "deleting a non-admin leaves the admins"
    );
}

#[test]
fn it_should_count_active_sessions_after_expiry_disable_and_deletion() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let bob = world.user("bob", false);
    world.login(ann, Duration::minutes(30));
    world.login(ann, Duration::days(1));
    world.login(bob, Duration::days(1));
    world.login(bob, Duration::days(1));
    assert_eq!(totals(&world), (3, 1, 4));

    world.tick(Duration::minutes(31));
    assert_eq!(totals(&world), (3, 1, 3), "the 30-minute session expired");
    assert_eq!(world.models.stats(ann, world.now).active_sessions, 1);
    world.ok(world.admin(), DisableUser { user_id: bob });
    assert_eq!(totals(&world), (3, 1, 1));
    assert_eq!(world.models.stats(bob, world.now).active_sessions, 0);
    world.ok(world.admin(), DeleteUser { user_id: ann });
    assert_eq!(totals(&world), (2, 1, 0));
}

#[test]
fn it_should_count_keys_and_personas_only_for_their_owner_whatever_changes_them() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let bob = world.user("bob", false);
    let persona = world.persona(ann, "Researcher");
    let key = world.api_key(ann, "openai");
    let system_key = ApiKeyId(Uuid::now_v7());
    world.ok(
        world.admin(),
        AddApiKey {
            owner: KeyringOwner::System,
            key: ApiKeyAdded {
                key_id: system_key,
                provider: Provider::parse("openai").unwrap(),
                name: ResourceName::parse("Shared").unwrap(),
                sealed: sealed("system"),
                last4: "sys1".into(),
            },
        },
    );
    let counts = |world: &World| {
        let (ann, bob, root) = (ann, bob, world.root);
        [ann, bob, root].map(|user| world.models.stats(user, world.now))
    };
    let mine = UserStats {
        personas: 1,
        active_sessions: 0,
        api_keys: 1,
    };
    assert_eq!(
        counts(&world),
        [mine, UserStats::default(), UserStats::default()]
    );
    assert_eq!(
        world.models.owned.api_keys.count_of(KeyringOwner::System),
        1,
        "the system's key is the system's, not the admin's who added it"
    );

    world.ok(
        Actor::User(ann.0),
        ReplaceApiKey {
            owner: KeyringOwner::User(ann),
            key: ApiKeyReplaced {
                key_id: key,
                name: ResourceName::parse("Rotated").unwrap(),
                sealed: sealed("rotated"),
                last4: "new4".into(),
            },
        },
    );
    world.ok(
        Actor::User(ann.0),
        RenamePersona {
            persona_id: persona,
            name: ResourceName::parse("Writer").unwrap(),
        },
    );
    assert_eq!(
        counts(&world),
        [mine, UserStats::default(), UserStats::default()]
    );
    let (_, replaced) = world.models.owned.api_keys.get(key).unwrap();
    assert_eq!(
        (replaced.name.as_str(), replaced.last4.as_str()),
        ("Rotated", "new4")
    );

    world.ok(
        world.admin(),
        TransferPersona {
            persona_id: persona,
            to: bob,
        },
    );
    let moved = |personas| UserStats {
        personas,
        ..UserStats::default()
    };
    assert_eq!(
        counts(&world),
        [
            UserStats {
                personas: 0,
                ..mine
            },
            moved(1),
            moved(0)
        ]
    );
}

#[test]
fn it_should_expire_sessions_by_the_clock_and_by_idle_time() {
    let mut world = World::new();
    let (ann, [(short, short_hash), (busy, busy_hash), (idle, _)]) = three_logins(&mut world);
    let sessions = |world: &World| world.models.sessions.count_of_user(ann, world.now);
    assert_eq!(sessions(&world), 3);
    assert!(
        world
            .models
            .sessions
            .by_token_hash(&short_hash, world.now)
            .is_some()
    );

    world.tick(Duration::minutes(45));
    world.use_session(ann, busy);
    // 45 minutes in: the 30-minute session has expired; the others are within the idle hour.
    assert_eq!(sessions(&world), 2);
    assert!(
        world
            .models
            .sessions
            .by_token_hash(&short_hash, world.now)
            .is_none()
    );
    assert!(world.models.sessions.get(short, world.now).is_none());

    world.tick(Duration::minutes(30));
    // 75 minutes in: `idle` was never used after its start an hour and a quarter ago.
    assert!(world.models.sessions.get(idle, world.now).is_none());
    assert!(world.models.sessions.get(busy, world.now).is_some());
    assert!(
        world
            .models
            .sessions
            .by_token_hash(&busy_hash, world.now)
            .is_some()
    );
    assert_eq!(sessions(&world), 1);
}

#[test]
fn it_should_prune_sessions_only_once_they_stopped_working_longer_ago_than_the_grace() {
    let mut world = World::new();
    let (ann, [(short, short_hash), (long, _), (idle, _)]) = three_logins(&mut world);
    let all = |world: &World| world.models.sessions.all(world.now).len();

    world.tick(Duration::minutes(45));
    world.use_session(ann, long);
    assert_eq!(world.models.prune_expired(world.now), 0, "within the grace");
    assert_eq!(world.models.totals(world.now).active_sessions, 2);
    let before = world.models.clone();
    assert_eq!(PRUNE_GRACE, Duration::hours(1), "the times below assume it");

    // 95 minutes in: `short` ended 65 minutes ago, `idle` idled out 35 minutes ago.
    world.tick(Duration::minutes(50));
    world.use_session(ann, long);
    assert_eq!(world.models.prune_expired(world.now), 1);
    assert!(
        world.models.sessions.owner_of(short).is_none(),
        "gone from memory"
    );
    assert!(
        world.models.sessions.owner_of(idle).is_some(),
        "still within the grace"
    );
    assert_eq!(all(&world), 1);
    assert_eq!(world.models.totals(world.now).active_sessions, 1);
    assert_eq!(world.models.stats(ann, world.now).active_sessions, 1);
    assert_eq!(
        world.models.sessions.by_token_hash(&short_hash, world.now),
        before.sessions.by_token_hash(&short_hash, world.now),
        "no query at this time sees a difference"
    );

    world.tick(Duration::minutes(30));
    assert_eq!(world.models.prune_expired(world.now), 1, "idle went too");
    assert_eq!(
        world.models.prune_expired(world.now),
        0,
        "nothing left to drop"
    );
    assert_eq!(world.session_ids(ann), [long]);
    assert_eq!(world.models.totals(world.now).active_sessions, 1);
}

#[test]
fn it_should_count_active_sessions_after_a_prune_as_a_scan_does() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    // Six logins a minute for two hours, each for 45 minutes: more sessions still to end
    // than the count keeps in order, so some answers come from it and some from a scan.
    for _ in 0..120 {
        for _ in 0..6 {
            world.login(ann, Duration::minutes(45));
        }
        world.tick(Duration::minutes(1));
    }
    let pruned = world.models.prune_expired(world.now);
    assert_eq!(pruned, 16 * 6, "those that ended over an hour ago");
    let start = world.now - Duration::minutes(70);
    for minutes in (0..120).step_by(3) {
        let now = start + Duration::minutes(minutes);
        let scanned = world.models.sessions.all(now).len();
        assert_eq!(
            world.models.totals(now).active_sessions,
            scanned,
            "{minutes}"
        );
        assert_eq!(world.models.stats(ann, now).active_sessions, scanned);
    }
}

#[test]
fn it_should_end_sessions_on_disable_on_reset_when_asked_and_on_own_password_change() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let count = |world: &World| world.models.sessions.count_of_user(ann, world.now);
    world.login(ann, Duration::days(1));
    world.ok(world.admin(), DisableUser { user_id: ann });
    assert_eq!(count(&world), 0);
    world.ok(world.admin(), EnableUser { user_id: ann });

    world.login(ann, Duration::days(1));
    let reset = |revoke_sessions| ResetPassword {
        user_id: ann,
        password_hash: PasswordHash::from_phc(HASH.into()),
        revoke_sessions,
        require_change: false,
    };
    world.ok(world.admin(), reset(false));
    assert_eq!(
        count(&world),
        1,
        "the guide: a reset does not revoke sessions by itself"
    );
    world.ok(world.admin(), reset(true));
    assert_eq!(count(&world), 0);

    let (kept, _) = world.login(ann, Duration::days(1));
    world.login(ann, Duration::days(1));
    world.ok(
        Actor::User(ann.0),
        ChangePassword {
            user_id: ann,
            verified_against: Some(PasswordHash::from_phc(HASH.into())),
            new_password_hash: PasswordHash::from_phc("$argon2id$new".into()),
            current_session: Some(kept),
        },
    );
    assert_eq!(world.session_ids(ann), [kept]);
    assert_eq!(
        world.models.users.get(ann).unwrap().password_hash.as_phc(),
        "$argon2id$new"
    );
}

#[test]
fn it_should_remove_everything_a_deleted_user_owned_from_every_view() {
    let mut world = World::new();
    let ann = world.user("ann", true);
    let bob = world.user("bob", false);
    let (_, token) = world.login(ann, Duration::days(1));
    world.login(bob, Duration::days(1));
    world.persona(ann, "Mine");
    world.api_key(ann, "openai");
    let ontology = OntologyId(Uuid::now_v7());
    let annotation = AnnotationId(Uuid::now_v7());
    world.ok(
        Actor::User(ann.0),
        CreateOntology {
            id: ontology,
            owner: ann,
            name: ResourceName::parse("Birds").unwrap(),
        },
    );
    world.ok(
        Actor::User(ann.0),
        CreateAnnotation {
            id: annotation,
            owner: ann,
            name: ResourceName::parse("Robin").unwrap(),
        },
    );
    world.persona(bob, "Bob's");
    assert_eq!(totals(&world), (3, 2, 2));

    world.ok(world.admin(), DeleteUser { user_id: ann });

    let models = &world.models;
    assert!(models.users.get(ann).is_none());
    assert!(models.users.by_username("ANN").is_none());
    assert!(models.sessions.by_token_hash(&token, world.now).is_none());
    assert_eq!(models.sessions.count_of_user(ann, world.now), 0);
    assert_eq!(models.stats(ann, world.now), UserStats::default());
    assert!(models.owned.ontologies.get(ontology).is_none());
    assert!(models.owned.annotations.get(annotation).is_none());
    assert_eq!(models.owned.personas.len(), 1, "bob's persona stays");
    assert_eq!(models.owned.api_keys.len(), 0);
    assert_eq!(
        totals(&world),
        (2, 1, 1),
        "bob's session stays, ann's admin role goes"
    );
}

#[test]
fn it_should_ignore_an_event_applied_twice_and_skip_unknown_ones() {
    let mut world = World::new();
    world.user("ann", false);
    let before = world.models.clone();
    assert_eq!(PRUNE_GRACE, Duration::hours(1), "the times below assume it");
    let metadata = Metadata {
        actor: Actor::System,
        correlation_id: Uuid::nil(),
        causation_id: Uuid::nil(),
        occurred_at: world.now,
    };
    let replayed = world.history.last().cloned().unwrap();
    assert_eq!(
        world
            .models
            .apply_decoded(Position(world.position), &metadata, Some(replayed)),
        Applied::AlreadyApplied
    );
    assert_eq!(world.models, before);

    let from_the_future = Recorded {
        event_id: Uuid::now_v7(),
        stream: "user-00000000-0000-0000-0000-000000000001".into(),
        revision: 0,
        position: Position(world.position + 1),
        event_type: "UserTeleported".into(),
        schema_version: 1,
        data: "{}".into(),
        metadata,
    };
    assert_eq!(world.models.apply(&from_the_future), Applied::Skipped);
    assert_eq!(world.models.position(), Position(world.position + 1));
    assert_eq!(world.models.skipped(), 1);
    assert_eq!(world.models.users, before.users);
}

#[test]
fn it_should_index_history_by_subject_and_by_actor() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let (session, _) = world.login(ann, Duration::days(1));
    world.persona(ann, "Mine");
    world.ok(world.admin(), GrantAdmin { user_id: ann });
    world.ok(
        Actor::User(ann.0),
        EndSession {
            session_id: session,
            reason: EndReason::Logout,
        },
    );
    // ann: created (UserCreated, UsernameReserved, EmailReserved), session started, persona,
    // admin granted (AdminGranted, ActiveAdminAdded), session ended.
    assert_eq!(world.models.audit.by_subject(ann).len(), 8);
    // Of those, ann herself caused the login, the persona and the logout.
    assert_eq!(world.models.audit.by_actor(Actor::User(ann.0)).len(), 3);
    assert_eq!(world.models.audit.by_actor(world.admin()).len(), 2);
    let positions = world.models.audit.by_subject(ann);
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn it_should_index_a_persona_transfer_under_its_old_and_its_new_owner() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let bob = world.user("bob", false);
    let persona = world.persona(ann, "Researcher");
    world.ok(
        world.admin(),
        TransferPersona {
            persona_id: persona,
            to: bob,
        },
    );
    let transfer = Position(world.position);
    assert_eq!(world.models.audit.by_subject(ann).last(), Some(&transfer));
    assert_eq!(world.models.audit.by_subject(bob).last(), Some(&transfer));
    assert_eq!(
        world.models.audit.by_actor(world.admin()).last(),
        Some(&transfer),
        "once for its actor"
    );
}

#[test]
fn it_should_keep_the_end_and_use_of_a_dropped_session_in_its_owners_history() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    let history = |world: &World| world.models.audit.by_subject(ann);
    let end = |world: &mut World, session_id, actor| {
        world.ok(
            actor,
            EndSession {
                session_id,
                reason: EndReason::Revoked,
            },
        );
        Position(world.position)
    };

    // Disabling ann ends her session here; the log may still end it.
    let (session, _) = world.login(ann, Duration::days(1));
    world.ok(world.admin(), DisableUser { user_id: ann });
    assert!(world.models.sessions.owner_of(session).is_none());
    let admin = world.admin();
    let ended = end(&mut world, session, admin);
    assert_eq!(history(&world).last(), Some(&ended));
    assert_eq!(
        world.models.sessions.owner_of_any(session),
        None,
        "nothing follows its own end"
    );
    world.ok(world.admin(), EnableUser { user_id: ann });

    // A reset that revokes sessions: the log may still use the session, then end it.
    let (session, _) = world.login(ann, Duration::days(1));
    world.ok(
        world.admin(),
        ResetPassword {
            user_id: ann,
            password_hash: PasswordHash::from_phc(HASH.into()),
            revoke_sessions: true,
            require_change: false,
        },
    );
    world.use_session(ann, session);
    assert_eq!(history(&world).last(), Some(&Position(world.position)));
    let ended = end(&mut world, session, Actor::User(ann.0));
    assert_eq!(history(&world).last(), Some(&ended));

    // Pruned for having idled out long ago.
    let (session, _) = world.login(ann, Duration::days(1));
    world.tick(Duration::hours(3));
    assert_eq!(world.models.prune_expired(world.now), 1);
    let ended = end(&mut world, session, Actor::User(ann.0));
    assert_eq!(history(&world).last(), Some(&ended));
    assert_eq!(world.models.sessions.owner_of_any(session), None);
}

#[test]
fn it_should_name_every_projection_once_with_a_version() {
    let versions = projection_versions();
    let names: BTreeSet<&str> = versions.iter().map(|(name, _)| *name).collect();
    assert_eq!(names.len(), versions.len(), "names are unique");
    assert_eq!(
        names,
        BTreeSet::from(["audit", "second_factors", "sessions", "stats", "users"])
    );
    assert!(versions.iter().all(|(_, version)| *version >= 1));
    let listed: Vec<(&str, u32)> = PROJECTIONS.iter().map(|p| (p.name, p.version)).collect();
    assert_eq!(versions.to_vec(), listed);
}

fn secret(n: u8) -> SealedSecret {
    SealedSecret {
        scheme: "test".into(),
        nonce: "n".into(),
        ciphertext: format!("s{n}"),
    }
}

fn sha(n: u64) -> TokenHash {
    TokenHash::parse(&format!("{n:064x}")).unwrap()
}

/// `user` enrols and confirms secret 1 with a code of step 100; recovery codes `sha(1..=10)`.
fn turn_totp_on(world: &mut World, user: UserId) {
    let actor = Actor::User(user.0);
    let enrol = StartTotpEnrollment {
        user_id: user,
        secret: secret(1),
    };
    world.ok(actor, enrol);
    let recovery_codes = (1..=RECOVERY_CODES as u64).map(sha).collect();
    let confirm = ConfirmTotp {
        user_id: user,
        verified_against: secret(1),
        step: Some(100),
        recovery_codes,
    };
    world.ok(actor, confirm);
}

fn issue(world: &mut World, user: UserId, challenge: u64) {
    let command = IssueLoginChallenge {
        challenge: sha(challenge),
        user_id: user,
        verified_against: Some(PasswordHash::from_phc(HASH.into())),
        expires_at: world.now + Duration::minutes(5),
        remember_me: false,
    };
    world.ok(Actor::User(user.0), command);
}

#[test]
fn it_should_keep_each_second_factor_as_the_domain_folds_it() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    assert!(world.models.second_factors.get(ann).is_none());
    turn_totp_on(&mut world, ann);
    assert!(world.models.second_factors.is_on(ann));
    let active = world
        .models
        .second_factors
        .get(ann)
        .unwrap()
        .active
        .clone()
        .unwrap();
    assert_eq!((active.secret, active.last_step), (secret(1), 100));
    assert_eq!(active.recovery_codes.len(), RECOVERY_CODES);

    issue(&mut world, ann, 500);
    let found = world
        .models
        .second_factors
        .challenge(&sha(500))
        .cloned()
        .unwrap();
    assert_eq!(found.user_id, ann);
    let session_id = SessionId(Uuid::now_v7());
    world.ok(
        Actor::User(ann.0),
        CompleteLoginChallenge {
            challenge: sha(500),
            proof: SecondFactorProof::RecoveryCode(sha(4)),
            now: world.now,
            session_id,
            session: SessionStarted {
                user_id: ann,
                token_hash: sha(900),
                expires_at: world.now + Duration::days(1),
                user_agent: None,
                ip: None,
                remember_me: false,
            },
        },
    );
    assert!(
        world.models.second_factors.challenge(&sha(500)).is_none(),
        "spent"
    );
    let active = world
        .models
        .second_factors
        .get(ann)
        .unwrap()
        .active
        .clone()
        .unwrap();
    assert!(!active.recovery_codes.contains(&sha(4)));
    assert_eq!(world.session_ids(ann), vec![session_id]);

    world.ok(world.admin(), RemoveTotp { user_id: ann });
    assert!(world.models.second_factors.get(ann).is_none());
    let removal = Position(world.position);
    assert_eq!(world.models.audit.by_subject(ann).last(), Some(&removal));
    assert_eq!(
        world.models.audit.by_actor(world.admin()).last(),
        Some(&removal)
    );
}

#[test]
fn it_should_drop_expired_challenges_and_a_deleted_users_second_factor() {
    let mut world = World::new();
    let ann = world.user("ann", false);
    turn_totp_on(&mut world, ann);
    issue(&mut world, ann, 1);
    issue(&mut world, ann, 2);
    world.tick(Duration::minutes(6));
    issue(&mut world, ann, 3);
    assert!(world.models.second_factors.challenge(&sha(1)).is_none());
    assert!(world.models.second_factors.challenge(&sha(2)).is_none());
    assert!(world.models.second_factors.challenge(&sha(3)).is_some());
    assert_eq!(world.models.second_factors.challenges_len(), 1);
    world.ok(world.admin(), DeleteUser { user_id: ann });
    assert!(world.models.second_factors.get(ann).is_none());
}
