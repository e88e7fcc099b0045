//! The operator commands end to end: the real `roster` binary on real SQLite files in a
//! temporary folder (`replay`, `verify`, `migrate`, the version-1 fixture upcast).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should stop them loudly

mod damage;
mod fixture;
mod migrate;
mod support;

use support::*;

#[test]
fn replay_counts_every_event_type_and_the_live_users() {
    let dir = tempfile::tempdir().unwrap();
    let store = populated(&dir, 40);
    let replayed = roster(&["replay", "--store", &url(&store)]);
    assert_eq!(replayed.code, 0, "{replayed:?}");
    // 40 users with an email, and the administrator without one.
    assert_eq!(count_of(&replayed.stdout, "UserCreated"), 41);
    assert_eq!(count_of(&replayed.stdout, "UsernameReserved"), 41);
    assert_eq!(count_of(&replayed.stdout, "EmailReserved"), 40);
    assert_eq!(count_of(&replayed.stdout, "ActiveAdminAdded"), 1);
    let summary = replayed.stdout.lines().last().unwrap();
    assert!(
        summary.starts_with("replayed 123 events to position 123 in ")
            && summary.ends_with(": 41 users, 0 sessions; invariants hold"),
        "{summary}"
    );
}

#[test]
fn replay_stops_at_the_position_or_time_asked() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_copy(&dir);
    let at_position = roster(&["replay", "--store", &url(&store), "--to-position", "7"]);
    assert_eq!(at_position.code, 0, "{at_position:?}");
    let summary = at_position.stdout.lines().last().unwrap();
    assert!(
        summary.contains("replayed 7 events to position 7 "),
        "{summary}"
    );
    assert!(summary.contains(": 2 users, 0 sessions"), "{summary}");
    // The fixture's session started at 09:30, and the deletion came at 09:40.
    let at_time = roster(&[
        "replay",
        "--store",
        &url(&store),
        "--to",
        "2026-03-01T09:35:00Z",
    ]);
    let summary = at_time.stdout.lines().last().unwrap();
    assert!(
        summary.contains("replayed 22 events to position 22 "),
        "{summary}"
    );
    assert!(summary.contains(": 4 users, 1 sessions"), "{summary}");
}

#[test]
fn verify_passes_a_healthy_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = populated(&dir, 30);
    let verified = roster(&["verify", "--store", &url(&store)]);
    assert_eq!(verified.code, 0, "{verified:?}");
    assert!(
        verified
            .stdout
            .starts_with("verified 93 events in 93 streams up to position 93 in "),
        "{verified:?}"
    );
    assert!(verified.stdout.trim_end().ends_with("the log is sound"));
}

#[test]
fn a_command_on_a_store_that_is_not_there_exits_with_2_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    for command in ["replay", "verify"] {
        let ran = roster(&[command, "--store", &url(&missing)]);
        assert_eq!(ran.code, 2, "{ran:?}");
        assert!(ran.stderr.contains("there is no store at"), "{ran:?}");
    }
    assert!(!missing.exists());
}
