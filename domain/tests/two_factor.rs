//! given/when/then for two-factor authentication: enrolling and confirming a TOTP secret,
//! spending codes and recovery codes, turning it off, an administrator removing it, and the
//! login challenge a second factor completes (a password alone starts no session).
//!
//! One file on purpose: the totp and challenge aggregates decide together, so their cases
//! share one arrangement.

mod common;

use chrono::TimeDelta;
use common::*;
use roster_domain::challenge::{
    ChallengeError, ChallengeEvent, CompleteLoginChallenge, IssueLoginChallenge,
};
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::session::{SessionError, SessionEvent, StartSession};
use roster_domain::store::Actor;
use roster_domain::testing::given;
use roster_domain::totp::{
    ConfirmTotp, DisableTotp, RemoveTotp, SecondFactorProof, StartTotpEnrollment, TotpError,
    TotpEvent,
};
use roster_domain::user::{PasswordReset, UserEvent};

fn enrol(user: UserId, n: u8) -> StartTotpEnrollment {
    StartTotpEnrollment {
        user_id: user,
        secret: sealed_secret(n),
    }
}

fn confirm(user: UserId, against: u8, step: Option<u64>) -> ConfirmTotp {
    ConfirmTotp {
        user_id: user,
        verified_against: sealed_secret(against),
        step,
        recovery_codes: recovery_code_hashes(),
    }
}

/// A code checked against secret 1 that matched `step`.
fn code(step: u64) -> SecondFactorProof {
    SecondFactorProof::Code {
        verified_against: sealed_secret(1),
        step: Some(step),
    }
}

fn alice_has_totp() -> Vec<Event> {
    [root_and_alice(), totp_on(ALICE)].concat()
}

mod enrolment {
    use super::*;

    #[test]
    fn it_should_keep_a_new_secret_pending_until_a_code_confirms_it() {
        given(root_and_alice())
            .when(as_user(ALICE), enrol(ALICE, 1))
            .then(vec![totp_enrollment_started(ALICE, 1)]);
    }

    #[test]
    fn it_should_replace_a_pending_enrolment_when_enrolling_again() {
        let history = [root_and_alice(), vec![totp_enrollment_started(ALICE, 1)]].concat();
        given(history.clone())
            .when(as_user(ALICE), enrol(ALICE, 2))
            .then(vec![totp_enrollment_started(ALICE, 2)]);
        let replaced = [history, vec![totp_enrollment_started(ALICE, 2)]].concat();
        given(replaced)
            .when(as_user(ALICE), confirm(ALICE, 1, Some(STEP)))
            .then_error(TotpError::InvalidCode);
    }

    #[test]
    fn it_should_let_only_the_user_themself_enrol() {
        given(root_and_alice())
            .when(as_user(ROOT), enrol(ALICE, 1))
            .then_error(TotpError::NotYourAccount);
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ALICE), enrol(ALICE, 1))
            .then_error(TotpError::NotYourAccount);
    }

    #[test]
    fn it_should_refuse_to_enrol_while_two_factor_authentication_is_on() {
        given(alice_has_totp())
            .when(as_user(ALICE), enrol(ALICE, 2))
            .then_error(TotpError::AlreadyOn);
    }
}

mod confirmation {
    use super::*;

    #[test]
    fn it_should_turn_two_factor_authentication_on_with_a_code_from_the_pending_secret() {
        given([root_and_alice(), vec![totp_enrollment_started(ALICE, 1)]].concat())
            .when(as_user(ALICE), confirm(ALICE, 1, Some(STEP)))
            .then(vec![totp_enabled(ALICE, STEP)]);
    }

    #[test]
    fn it_should_refuse_a_wrong_code() {
        given([root_and_alice(), vec![totp_enrollment_started(ALICE, 1)]].concat())
            .when(as_user(ALICE), confirm(ALICE, 1, None))
            .then_error(TotpError::InvalidCode);
    }

    #[test]
    fn it_should_refuse_to_confirm_without_a_pending_enrolment() {
        given(root_and_alice())
            .when(as_user(ALICE), confirm(ALICE, 1, Some(STEP)))
            .then_error(TotpError::NothingToConfirm);
    }

    #[test]
    fn it_should_need_ten_distinct_recovery_codes() {
        let history = [root_and_alice(), vec![totp_enrollment_started(ALICE, 1)]].concat();
        let mut nine = confirm(ALICE, 1, Some(STEP));
        nine.recovery_codes.pop();
        given(history.clone())
            .when(as_user(ALICE), nine)
            .then_error(TotpError::RecoveryCodes);
        let mut repeated = confirm(ALICE, 1, Some(STEP));
        repeated.recovery_codes[9] = recovery_code_hash(0);
        given(history)
            .when(as_user(ALICE), repeated)
            .then_error(TotpError::RecoveryCodes);
    }
}

mod disabling {
    use super::*;

    fn disable(proof: SecondFactorProof) -> DisableTotp {
        DisableTotp {
            user_id: ALICE,
            proof,
        }
    }

    #[test]
    fn it_should_turn_it_off_with_a_fresh_code() {
        given(alice_has_totp())
            .when(as_user(ALICE), disable(code(STEP + 1)))
            .then(vec![Event::Totp(ALICE, TotpEvent::Disabled {})]);
    }

    #[test]
    fn it_should_turn_it_off_with_a_recovery_code() {
        given(alice_has_totp())
            .when(
                as_user(ALICE),
                disable(SecondFactorProof::RecoveryCode(recovery_code_hash(3))),
            )
            .then(vec![Event::Totp(ALICE, TotpEvent::Disabled {})]);
    }

    #[test]
    fn it_should_refuse_a_wrong_or_replayed_code() {
        given(alice_has_totp())
            .when(as_user(ALICE), disable(code(STEP)))
            .then_error(TotpError::CodeReused);
        given(alice_has_totp())
            .when(
                as_user(ALICE),
                disable(SecondFactorProof::Code {
                    verified_against: sealed_secret(1),
                    step: None,
                }),
            )
            .then_error(TotpError::InvalidCode);
        given(alice_has_totp())
            .when(
                as_user(ALICE),
                disable(SecondFactorProof::RecoveryCode(token_hash())),
            )
            .then_error(TotpError::InvalidCode);
    }

    #[test]
    fn it_should_refuse_when_it_is_not_on() {
        given(root_and_alice())
            .when(as_user(ALICE), disable(code(STEP)))
            .then_error(TotpError::NotOn);
    }
}

mod removal {
    use super::*;

    #[test]
    fn it_should_let_an_administrator_remove_a_users_second_factor() {
        given(alice_has_totp())
            .when(as_user(ROOT), RemoveTotp { user_id: ALICE })
            .then(vec![Event::Totp(ALICE, TotpEvent::Removed {})]);
    }

    #[test]
    fn it_should_let_the_user_log_in_with_the_password_alone_after_the_removal() {
        let history = [
            alice_has_totp(),
            vec![Event::Totp(ALICE, TotpEvent::Removed {})],
        ]
        .concat();
        given(history)
            .when(as_user(ALICE), login(Some(first_hash())))
            .then(vec![session_started(SESSION, ALICE)]);
    }

    #[test]
    fn it_should_refuse_members_even_on_their_own_account() {
        given(alice_has_totp())
            .when(as_user(ALICE), RemoveTotp { user_id: ALICE })
            .then_error(TotpError::AdminRequired);
    }

    #[test]
    fn it_should_change_nothing_when_there_is_nothing_to_remove() {
        given(root_and_alice())
            .when(as_user(ROOT), RemoveTotp { user_id: ALICE })
            .then_nothing();
        given(root_and_alice())
            .when(as_user(ROOT), RemoveTotp { user_id: NOBODY })
            .then_error(TotpError::UserNotFound);
    }
}

fn login(verified_against: Option<roster_domain::values::PasswordHash>) -> StartSession {
    let started = session_started_data(ALICE);
    StartSession {
        session_id: SESSION,
        user_id: ALICE,
        verified_against,
        token_hash: started.token_hash,
        expires_at: started.expires_at,
        user_agent: started.user_agent,
        ip: started.ip,
        remember_me: started.remember_me,
    }
}

fn issue() -> IssueLoginChallenge {
    IssueLoginChallenge {
        challenge: challenge_hash(),
        user_id: ALICE,
        verified_against: Some(first_hash()),
        expires_at: challenge_expiry(),
        remember_me: false,
    }
}

fn complete(proof: SecondFactorProof) -> CompleteLoginChallenge {
    CompleteLoginChallenge {
        challenge: challenge_hash(),
        proof,
        now: noon() + TimeDelta::minutes(1),
        session_id: SESSION,
        session: session_started_data(ALICE),
    }
}

fn completed(spent: TotpEvent) -> Vec<Event> {
    vec![
        Event::Challenge(
            challenge_hash(),
            ChallengeEvent::Completed {
                user_id: ALICE,
                session_id: SESSION,
            },
        ),
        Event::Totp(ALICE, spent),
        session_started(SESSION, ALICE),
    ]
}

fn alice_challenged() -> Vec<Event> {
    [alice_has_totp(), vec![challenge_issued(ALICE)]].concat()
}

/// Who sends a login: whoever the login claims to be.
fn anyone() -> Actor {
    as_user(ALICE)
}

mod login_challenge {
    use super::*;

    #[test]
    fn it_should_start_no_session_from_the_password_alone_once_two_factor_is_on() {
        given(alice_has_totp())
            .when(anyone(), login(Some(first_hash())))
            .then_error(SessionError::SecondFactorRequired);
    }

    #[test]
    fn it_should_issue_a_challenge_for_the_right_password() {
        given(alice_has_totp())
            .when(anyone(), issue())
            .then(vec![challenge_issued(ALICE)]);
    }

    #[test]
    fn it_should_issue_no_challenge_for_a_wrong_password_or_without_two_factor() {
        given(alice_has_totp())
            .when(
                anyone(),
                IssueLoginChallenge {
                    verified_against: Some(second_hash()),
                    ..issue()
                },
            )
            .then_error(ChallengeError::Session(SessionError::InvalidCredentials));
        given(root_and_alice())
            .when(anyone(), issue())
            .then_error(ChallengeError::SecondFactorNotOn);
    }

    #[test]
    fn it_should_complete_with_a_fresh_code_spending_its_step() {
        given(alice_challenged())
            .when(anyone(), complete(code(STEP + 1)))
            .then(completed(TotpEvent::CodeUsed { step: STEP + 1 }));
    }

    #[test]
    fn it_should_refuse_a_replayed_step_and_any_earlier_one() {
        let used = [
            alice_challenged(),
            vec![Event::Totp(ALICE, TotpEvent::CodeUsed { step: STEP + 1 })],
        ]
        .concat();
        for step in [STEP - 1, STEP, STEP + 1] {
            given(used.clone())
                .when(anyone(), complete(code(step)))
                .then_error(ChallengeError::CodeReused);
        }
        given(used)
            .when(anyone(), complete(code(STEP + 2)))
            .then(completed(TotpEvent::CodeUsed { step: STEP + 2 }));
    }

    #[test]
    fn it_should_refuse_a_code_checked_against_another_secret() {
        let proof = SecondFactorProof::Code {
            verified_against: sealed_secret(2),
            step: Some(STEP + 1),
        };
        given(alice_challenged())
            .when(anyone(), complete(proof))
            .then_error(ChallengeError::InvalidCode);
    }

    #[test]
    fn it_should_accept_each_recovery_code_once() {
        let recovery = SecondFactorProof::RecoveryCode(recovery_code_hash(7));
        let spent = TotpEvent::RecoveryCodeUsed {
            code_hash: recovery_code_hash(7),
        };
        given(alice_challenged())
            .when(anyone(), complete(recovery.clone()))
            .then(completed(spent.clone()));
        let again = [
            alice_has_totp(),
            vec![Event::Totp(ALICE, spent), challenge_issued(ALICE)],
        ]
        .concat();
        given(again)
            .when(anyone(), complete(recovery))
            .then_error(ChallengeError::InvalidCode);
    }

    #[test]
    fn it_should_complete_a_challenge_only_once() {
        let done = [
            alice_challenged(),
            completed(TotpEvent::CodeUsed { step: STEP + 1 }),
        ]
        .concat();
        given(done)
            .when(
                anyone(),
                CompleteLoginChallenge {
                    session_id: OTHER_SESSION,
                    ..complete(code(STEP + 2))
                },
            )
            .then_error(ChallengeError::AlreadyUsed);
    }

    #[test]
    fn it_should_refuse_an_unknown_or_expired_challenge() {
        given(alice_has_totp())
            .when(anyone(), complete(code(STEP + 1)))
            .then_error(ChallengeError::Invalid);
        given(alice_challenged())
            .when(
                anyone(),
                CompleteLoginChallenge {
                    now: challenge_expiry(),
                    ..complete(code(STEP + 1))
                },
            )
            .then_error(ChallengeError::Expired);
    }

    #[test]
    fn it_should_refuse_the_challenge_after_a_password_reset() {
        let reset = Event::User(
            ALICE,
            UserEvent::PasswordReset(PasswordReset {
                password_hash: second_hash(),
                revoke_sessions: false,
                require_change: false,
            }),
        );
        given([alice_challenged(), vec![reset]].concat())
            .when(anyone(), complete(code(STEP + 1)))
            .then_error(ChallengeError::Invalid);
    }

    #[test]
    fn it_should_refuse_the_challenge_for_another_user_or_once_two_factor_was_removed() {
        let history = [alice_challenged(), member_created(BOB, "bob"), totp_on(BOB)].concat();
        let mut for_bob = complete(code(STEP + 1));
        for_bob.session.user_id = BOB;
        given(history)
            .when(as_user(BOB), for_bob)
            .then_error(ChallengeError::Invalid);
        let removed = [
            alice_challenged(),
            vec![Event::Totp(ALICE, TotpEvent::Removed {})],
        ]
        .concat();
        given(removed)
            .when(anyone(), complete(code(STEP + 1)))
            .then_error(ChallengeError::Invalid);
    }

    #[test]
    fn it_should_refuse_a_disabled_account() {
        given([alice_challenged(), member_disabled(ALICE)].concat())
            .when(anyone(), complete(code(STEP + 1)))
            .then_error(ChallengeError::Session(SessionError::AccountDisabled));
    }

    #[test]
    fn it_should_say_nothing_about_a_code_in_its_errors_or_events() {
        let outcome = given(alice_challenged())
            .when(anyone(), complete(code(STEP + 1)))
            .outcome();
        let printed = format!("{outcome:?}");
        assert!(!printed.contains("U0VBTEVEU0VDUkVU"), "{printed}");
        assert!(matches!(
            outcome.as_deref(),
            Ok([_, _, Event::Session(_, SessionEvent::Started(_))])
        ));
    }
}
