//! `roster verify` on stores damaged on purpose, with plain SQL: the first failure is named
//! by position, stream and reason, and the exit code is 1.

use crate::support::*;

/// Bob's account in the fixture: created at position 5, edited at 14, promoted at 20.
const BOB: &str = "user-01a237e1-b8fd-7506-b760-bd914d975906";

#[test]
fn verify_passes_the_fixture_as_committed() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_copy(&dir);
    let verified = roster(&["verify", "--store", &url(&store)]);
    assert_eq!(verified.code, 0, "{verified:?}");
}

#[test]
fn verify_names_a_row_whose_data_was_edited() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_copy(&dir);
    damage(
        &store,
        "UPDATE events SET data = '{\"display_name\": 7}' WHERE position = 14",
    );
    let verified = roster(&["verify", "--store", &url(&store)]);
    assert_eq!(verified.code, 1, "{verified:?}");
    assert_eq!(
        verified.stderr.trim_end(),
        format!(
            "roster verify: position 14, stream {BOB}: ProfileUpdated version 1 does not decode"
        )
    );
    assert_eq!(verified.stdout, "", "no summary of a sound log");
}

#[test]
fn verify_names_the_gap_a_deleted_row_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_copy(&dir);
    damage(&store, "DELETE FROM events WHERE position = 5");
    let verified = roster(&["verify", "--store", &url(&store)]);
    assert_eq!(verified.code, 1, "{verified:?}");
    assert_eq!(
        verified.stderr.trim_end(),
        format!(
            "roster verify: position 14, stream {BOB}: revision 1 where the stream's next is 0"
        )
    );
}

#[test]
fn verify_names_an_envelope_without_correlation() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_copy(&dir);
    damage(
        &store,
        "UPDATE events SET correlation_id = zeroblob(16) WHERE position = 9",
    );
    let verified = roster(&["verify", "--store", &url(&store)]);
    assert_eq!(verified.code, 1, "{verified:?}");
    assert_eq!(
        verified.stderr.trim_end(),
        "roster verify: position 9, stream username-carol: the envelope has no correlation id"
    );
}

#[test]
fn replay_reports_a_session_whose_owner_never_existed() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_copy(&dir);
    damage(
        &store,
        "UPDATE events SET data = replace(data, '01a237e1-b8fd-7506-b760-bd914d975906', \
         '00000000-0000-4000-8000-000000000001') WHERE position = 22",
    );
    let replayed = roster(&["replay", "--store", &url(&store)]);
    assert_eq!(replayed.code, 1, "{replayed:?}");
    assert!(
        replayed.stdout.contains(
            "invariant broken: session 01a237e1-b916-7531-80a4-8042d9e1dcaa belongs to user \
             00000000-0000-4000-8000-000000000001, who never existed"
        ),
        "{replayed:?}"
    );
    assert!(
        replayed
            .stdout
            .trim_end()
            .ends_with("; 1 invariants broken")
    );
}
