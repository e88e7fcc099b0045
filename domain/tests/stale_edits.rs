//! given/when/then for stale-edit protection: a change that rests on the version of the
//! account a client read ([`IfUnchanged`]) is decided only while the account is still at that
//! version (the revision of its `user-{uuid}` stream, `UserCreated` being version 0), and is
//! otherwise refused with the account as it is now.

mod common;

use common::*;
use roster_domain::admins::AdminsEvent;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::testing::given;
use roster_domain::user::{
    AccountChange, CurrentAccount, DeleteUser, DisableUser, EditAccount, EnableUser, GrantAdmin,
    IfUnchanged, ProfileUpdated, ResetPassword, RevokeAdmin, UpdateProfile, UserError, UserEvent,
};

fn rename(id: UserId, name: &str) -> UpdateProfile {
    UpdateProfile {
        user_id: id,
        display_name: display_name(name),
        email: None,
    }
}

fn renamed(id: UserId, name: &str) -> Event {
    Event::User(
        id,
        UserEvent::ProfileUpdated(ProfileUpdated {
            display_name: Some(display_name(name)),
            email: None,
        }),
    )
}

fn at<C>(version: Option<u64>, id: UserId, command: C) -> IfUnchanged<C> {
    IfUnchanged {
        user_id: id,
        expected_version: version,
        command,
    }
}

/// `root`, and `alice` renamed once by another administrator: alice is at version 1.
fn alice_renamed_once() -> Vec<Event> {
    [root_and_alice(), vec![renamed(ALICE, "Alice A.")]].concat()
}

fn stale(version: u64, name: &str, is_admin: bool, disabled: bool) -> UserError {
    UserError::Stale {
        current: Box::new(CurrentAccount {
            version,
            display_name: display_name(name),
            email: None,
            is_admin,
            disabled,
        }),
    }
}

#[test]
fn it_should_refuse_an_edit_resting_on_an_older_version_with_the_account_as_it_is_now() {
    given(alice_renamed_once())
        .when(
            as_user(ROOT),
            at(Some(0), ALICE, rename(ALICE, "Alice Stale")),
        )
        .then_error(stale(1, "Alice A.", false, false));
}

#[test]
fn it_should_decide_the_edit_when_the_account_is_still_at_the_version_read() {
    given(alice_renamed_once())
        .when(as_user(ROOT), at(Some(1), ALICE, rename(ALICE, "Alice B.")))
        .then(vec![renamed(ALICE, "Alice B.")]);
}

#[test]
fn it_should_count_the_version_from_zero_at_creation() {
    given(root_and_alice())
        .when(as_user(ROOT), at(Some(0), ALICE, rename(ALICE, "Alice B.")))
        .then(vec![renamed(ALICE, "Alice B.")]);
}

#[test]
fn it_should_decide_as_the_change_alone_without_an_expected_version() {
    given(alice_renamed_once())
        .when(as_user(ROOT), at(None, ALICE, rename(ALICE, "Alice B.")))
        .then(vec![renamed(ALICE, "Alice B.")]);
}

#[test]
fn it_should_refuse_a_version_the_account_has_not_reached_yet() {
    given(alice_renamed_once())
        .when(as_user(ROOT), at(Some(7), ALICE, rename(ALICE, "Alice B.")))
        .then_error(stale(1, "Alice A.", false, false));
}

#[test]
fn it_should_refuse_a_stale_change_even_when_it_would_change_nothing() {
    given([alice_renamed_once(), member_disabled(ALICE)].concat())
        .when(
            as_user(ROOT),
            at(Some(1), ALICE, DisableUser { user_id: ALICE }),
        )
        .then_error(stale(2, "Alice A.", false, true));
}

#[test]
fn it_should_refuse_as_stale_before_a_rule_the_client_may_not_have_seen() {
    // root is the last active administrator now, but the client read the version before
    // that: it is told that the account changed, not that the rule refuses.
    let history = [admin_created(ROOT, "root"), vec![renamed(ROOT, "Root R.")]].concat();
    given(history)
        .when(
            as_user(ROOT),
            at(Some(0), ROOT, RevokeAdmin { user_id: ROOT }),
        )
        .then_error(stale(1, "Root R.", true, false));
}

#[test]
fn it_should_tell_a_caller_who_may_not_act_so_without_telling_the_version() {
    given(alice_renamed_once())
        .when(
            as_user(BOB),
            at(Some(0), ALICE, rename(ALICE, "Alice Stale")),
        )
        .then_error(UserError::NotYourAccount);
    given(root_alice_and_bob())
        .when(
            as_user(BOB),
            at(Some(5), ALICE, DisableUser { user_id: ALICE }),
        )
        .then_error(UserError::AdminRequired);
}

#[test]
fn it_should_answer_a_deleted_account_as_deleted_whatever_the_version() {
    given([root_and_alice(), member_deleted(ALICE, "alice")].concat())
        .when(
            as_user(ROOT),
            at(Some(0), ALICE, EnableUser { user_id: ALICE }),
        )
        .then_error(UserError::Deleted);
    given(root_and_alice())
        .when(
            as_user(ROOT),
            at(Some(0), NOBODY, DeleteUser { user_id: NOBODY }),
        )
        .then_error(UserError::NotFound);
}

#[test]
fn it_should_guard_every_admin_change_the_same_way() {
    let reset = ResetPassword {
        user_id: ALICE,
        password_hash: second_hash(),
        revoke_sessions: false,
        require_change: false,
    };
    let expected = stale(1, "Alice A.", false, false);
    let history = alice_renamed_once;
    let refusals = [
        given(history())
            .when(
                as_user(ROOT),
                at(Some(0), ALICE, GrantAdmin { user_id: ALICE }),
            )
            .outcome(),
        given(history())
            .when(as_user(ROOT), at(Some(0), ALICE, reset))
            .outcome(),
        given(history())
            .when(
                as_user(ROOT),
                at(Some(0), ALICE, DisableUser { user_id: ALICE }),
            )
            .outcome(),
        given(history())
            .when(
                as_user(ROOT),
                at(Some(0), ALICE, DeleteUser { user_id: ALICE }),
            )
            .outcome(),
    ];
    for refusal in refusals {
        assert_eq!(refusal, Err(expected.clone()));
    }
}

#[test]
fn it_should_decide_a_whole_edit_at_the_version_read_or_refuse_all_of_it() {
    let edit = || EditAccount {
        changes: vec![
            AccountChange::Profile(rename(ALICE, "Alice Admin")),
            AccountChange::GrantAdmin(GrantAdmin { user_id: ALICE }),
        ],
    };
    given(alice_renamed_once())
        .when(as_user(ROOT), at(Some(1), ALICE, edit()))
        .then(vec![
            renamed(ALICE, "Alice Admin"),
            Event::User(ALICE, UserEvent::AdminGranted {}),
            Event::Admins(AdminsEvent::Added { user_id: ALICE }),
        ]);
    given(alice_renamed_once())
        .when(as_user(ROOT), at(Some(0), ALICE, edit()))
        .then_error(stale(1, "Alice A.", false, false));
}

#[test]
fn it_should_report_a_stale_edit_as_a_conflict() {
    assert_eq!(
        stale(1, "Alice A.", false, false).kind(),
        roster_domain::error::ErrorKind::Conflict
    );
    assert_eq!(
        stale(1, "Alice A.", false, false).to_string(),
        "The account was changed by someone else; reload and try again"
    );
}
