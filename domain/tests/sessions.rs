//! given/when/then for login sessions: starting one (the password was verified outside the
//! domain, against the hash the command carries), ending one, and recording activity.

mod common;

use common::*;
use roster_domain::event::Event;
use roster_domain::ids::{SessionId, UserId};
use roster_domain::session::{
    EndReason, EndSession, MAX_IP, MAX_USER_AGENT, RecordSessionActivity, SessionError,
    SessionEvent, SessionStarted, StartSession,
};
use roster_domain::store::Actor;
use roster_domain::testing::given;
use roster_domain::user::{PasswordReset, UserEvent};
use roster_domain::values::PasswordHash;

fn start(session: SessionId, user: UserId, verified_against: Option<PasswordHash>) -> StartSession {
    StartSession {
        session_id: session,
        user_id: user,
        verified_against,
        token_hash: token_hash(),
        expires_at: next_week(),
        user_agent: Some("Mozilla/5.0".into()),
        ip: Some("192.0.2.7".into()),
        remember_me: false,
    }
}

/// What a login attempt as `user` sends; the actor is whoever the login claims to be.
fn login_as(user: UserId) -> Actor {
    as_user(user)
}

fn started(session: SessionId, data: SessionStarted) -> Vec<Event> {
    vec![Event::Session(session, SessionEvent::Started(data))]
}

fn ended(session: SessionId, reason: EndReason) -> Event {
    Event::Session(session, SessionEvent::Ended { reason })
}

fn alice_logged_in() -> Vec<Event> {
    [root_alice_and_bob(), vec![session_started(SESSION, ALICE)]].concat()
}

fn alice_logged_in_then_deleted() -> Vec<Event> {
    [alice_logged_in(), member_deleted(ALICE, "alice")].concat()
}

/// An administrator revoking [`SESSION`].
fn revoke() -> EndSession {
    EndSession {
        session_id: SESSION,
        reason: EndReason::Revoked,
    }
}

mod start_session {
    use super::*;

    #[test]
    fn it_should_start_a_session_for_a_user_whose_password_verified() {
        given(root_and_alice())
            .when(login_as(ALICE), start(SESSION, ALICE, Some(first_hash())))
            .then(vec![session_started(SESSION, ALICE)]);
    }

    #[test]
    fn it_should_keep_the_remember_me_choice() {
        let command = StartSession {
            remember_me: true,
            ..start(SESSION, ALICE, Some(first_hash()))
        };
        given(root_and_alice())
            .when(login_as(ALICE), command)
            .then(started(
                SESSION,
                SessionStarted {
                    remember_me: true,
                    ..session_started_data(ALICE)
                },
            ));
    }

    #[test]
    fn it_should_cut_a_user_agent_longer_than_512_characters() {
        let command = StartSession {
            user_agent: Some("é".repeat(MAX_USER_AGENT + 100)),
            ..start(SESSION, ALICE, Some(first_hash()))
        };
        given(root_and_alice())
            .when(login_as(ALICE), command)
            .then(started(
                SESSION,
                SessionStarted {
                    user_agent: Some("é".repeat(MAX_USER_AGENT)),
                    ..session_started_data(ALICE)
                },
            ));
    }

    #[test]
    fn it_should_remove_control_characters_from_the_user_agent() {
        let command = StartSession {
            user_agent: Some("Mozilla/5.0\r\nX-Forged: yes\u{1b}[2J\u{0}".into()),
            ..start(SESSION, ALICE, Some(first_hash()))
        };
        given(root_and_alice())
            .when(login_as(ALICE), command)
            .then(started(
                SESSION,
                SessionStarted {
                    user_agent: Some("Mozilla/5.0X-Forged: yes[2J".into()),
                    ..session_started_data(ALICE)
                },
            ));
    }

    #[test]
    fn it_should_cut_an_overlong_client_address() {
        let command = StartSession {
            ip: Some("1".repeat(MAX_IP * 2)),
            ..start(SESSION, ALICE, Some(first_hash()))
        };
        given(root_and_alice())
            .when(login_as(ALICE), command)
            .then(started(
                SESSION,
                SessionStarted {
                    ip: Some("1".repeat(MAX_IP)),
                    ..session_started_data(ALICE)
                },
            ));
    }

    #[test]
    fn it_should_refuse_a_login_whose_password_did_not_verify() {
        given(root_and_alice())
            .when(login_as(ALICE), start(SESSION, ALICE, None))
            .then_error(SessionError::InvalidCredentials);
    }

    #[test]
    fn it_should_refuse_a_login_verified_against_a_hash_the_user_does_not_have() {
        given(root_and_alice())
            .when(login_as(ALICE), start(SESSION, ALICE, Some(third_hash())))
            .then_error(SessionError::InvalidCredentials);
    }

    #[test]
    fn it_should_refuse_a_login_for_an_unknown_user_like_a_wrong_password() {
        given(root_and_alice())
            .when(login_as(NOBODY), start(SESSION, NOBODY, Some(first_hash())))
            .then_error(SessionError::InvalidCredentials);
    }

    #[test]
    fn it_should_refuse_a_login_for_a_deleted_user() {
        given([root_and_alice(), member_deleted(ALICE, "alice")].concat())
            .when(login_as(ALICE), start(SESSION, ALICE, Some(first_hash())))
            .then_error(SessionError::InvalidCredentials);
    }

    #[test]
    fn it_should_refuse_a_login_for_a_disabled_user_with_the_right_password() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(login_as(ALICE), start(SESSION, ALICE, Some(first_hash())))
            .then_error(SessionError::AccountDisabled);
    }

    #[test]
    fn it_should_not_tell_a_wrong_password_that_the_account_is_disabled() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(login_as(ALICE), start(SESSION, ALICE, None))
            .then_error(SessionError::InvalidCredentials);
    }

    #[test]
    fn it_should_not_reuse_a_session_id() {
        given(alice_logged_in())
            .when(login_as(BOB), start(SESSION, BOB, Some(first_hash())))
            .then_error(SessionError::AlreadyExists);
    }

    #[test]
    fn it_should_not_reuse_the_id_of_an_ended_session() {
        given([alice_logged_in(), vec![ended(SESSION, EndReason::Logout)]].concat())
            .when(login_as(ALICE), start(SESSION, ALICE, Some(first_hash())))
            .then_error(SessionError::AlreadyExists);
    }

    #[test]
    fn it_should_refuse_a_login_verified_before_a_password_reset() {
        // The password was checked against the old hash; an administrator reset it before the
        // decision. The old password must not open a session.
        let reset = Event::User(
            ALICE,
            UserEvent::PasswordReset(PasswordReset {
                password_hash: second_hash(),
                revoke_sessions: true,
                require_change: false,
            }),
        );
        given([root_and_alice(), vec![reset]].concat())
            .when(login_as(ALICE), start(SESSION, ALICE, Some(first_hash())))
            .then_error(SessionError::InvalidCredentials);
    }

    #[test]
    fn it_should_accept_a_login_verified_against_the_hash_set_by_a_reset() {
        let reset = Event::User(
            ALICE,
            UserEvent::PasswordReset(PasswordReset {
                password_hash: second_hash(),
                revoke_sessions: false,
                require_change: true,
            }),
        );
        given([root_and_alice(), vec![reset]].concat())
            .when(login_as(ALICE), start(SESSION, ALICE, Some(second_hash())))
            .then(vec![session_started(SESSION, ALICE)]);
    }
}

mod end_session {
    use super::*;

    #[test]
    fn it_should_let_the_owner_log_out() {
        given(alice_logged_in())
            .when(
                as_user(ALICE),
                EndSession {
                    session_id: SESSION,
                    reason: EndReason::Logout,
                },
            )
            .then(vec![ended(SESSION, EndReason::Logout)]);
    }

    #[test]
    fn it_should_let_an_admin_revoke_another_users_session() {
        given(alice_logged_in())
            .when(as_user(ROOT), revoke())
            .then(vec![ended(SESSION, EndReason::Revoked)]);
    }

    #[test]
    fn it_should_let_an_admin_revoke_the_session_of_a_disabled_user() {
        given([alice_logged_in(), member_disabled(ALICE)].concat())
            .when(as_user(ROOT), revoke())
            .then(vec![ended(SESSION, EndReason::Revoked)]);
    }

    #[test]
    fn it_should_not_let_an_admin_revoke_the_session_of_a_deleted_user() {
        given(alice_logged_in_then_deleted())
            .when(as_user(ROOT), revoke())
            .then_error(SessionError::OwnerDeleted);
    }

    #[test]
    fn it_should_not_let_the_system_end_the_session_of_a_deleted_user_again() {
        // The deletion itself ended every session of the user; nothing is added after it.
        given(alice_logged_in_then_deleted())
            .when(
                Actor::System,
                EndSession {
                    session_id: SESSION,
                    reason: EndReason::UserDeleted,
                },
            )
            .then_error(SessionError::OwnerDeleted);
    }

    #[test]
    fn it_should_not_let_a_member_end_another_members_session() {
        given(alice_logged_in())
            .when(
                as_user(BOB),
                EndSession {
                    session_id: SESSION,
                    reason: EndReason::Revoked,
                },
            )
            .then_error(SessionError::NotYourSession);
    }

    #[test]
    fn it_should_not_end_an_unknown_session() {
        given(alice_logged_in())
            .when(
                as_user(ALICE),
                EndSession {
                    session_id: OTHER_SESSION,
                    reason: EndReason::Logout,
                },
            )
            .then_error(SessionError::NotFound);
    }

    #[test]
    fn it_should_not_end_a_session_twice() {
        given([alice_logged_in(), vec![ended(SESSION, EndReason::Logout)]].concat())
            .when(
                as_user(ROOT),
                EndSession {
                    session_id: SESSION,
                    reason: EndReason::Revoked,
                },
            )
            .then_error(SessionError::AlreadyEnded);
    }
}

mod record_session_activity {
    use super::*;

    fn activity() -> RecordSessionActivity {
        RecordSessionActivity {
            session_id: SESSION,
            at: noon(),
        }
    }

    #[test]
    fn it_should_record_activity_on_an_active_session() {
        given(alice_logged_in())
            .when(as_user(ALICE), activity())
            .then(vec![Event::Session(
                SESSION,
                SessionEvent::ActivityRecorded { at: noon() },
            )]);
    }

    #[test]
    fn it_should_keep_the_session_active_after_recording_activity() {
        let used = Event::Session(SESSION, SessionEvent::ActivityRecorded { at: noon() });
        given([alice_logged_in(), vec![used]].concat())
            .when(
                as_user(ALICE),
                EndSession {
                    session_id: SESSION,
                    reason: EndReason::Logout,
                },
            )
            .then(vec![ended(SESSION, EndReason::Logout)]);
    }

    #[test]
    fn it_should_not_record_activity_on_an_ended_session() {
        given([alice_logged_in(), vec![ended(SESSION, EndReason::Revoked)]].concat())
            .when(as_user(ALICE), activity())
            .then_error(SessionError::AlreadyEnded);
    }

    #[test]
    fn it_should_not_record_activity_on_an_unknown_session() {
        given(root_and_alice())
            .when(as_user(ALICE), activity())
            .then_error(SessionError::NotFound);
    }

    #[test]
    fn it_should_not_record_activity_on_another_members_session() {
        given(alice_logged_in())
            .when(as_user(BOB), activity())
            .then_error(SessionError::NotYourSession);
    }

    #[test]
    fn it_should_not_record_activity_on_a_session_of_a_deleted_user() {
        given(alice_logged_in_then_deleted())
            .when(Actor::System, activity())
            .then_error(SessionError::OwnerDeleted);
    }

    #[test]
    fn it_should_not_record_activity_on_a_session_of_a_disabled_user() {
        given([alice_logged_in(), member_disabled(ALICE)].concat())
            .when(Actor::System, activity())
            .then_error(SessionError::AccountDisabled);
    }

    #[test]
    fn it_should_not_let_a_disabled_user_record_activity_on_their_own_session() {
        given([alice_logged_in(), member_disabled(ALICE)].concat())
            .when(as_user(ALICE), activity())
            .then_error(SessionError::AccountDisabled);
    }
}
