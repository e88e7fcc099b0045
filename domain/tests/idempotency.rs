//! given/when/then for idempotent requests: a key runs its request once, a repeat gets the
//! kept answer (or "in progress"), another request under the same key is refused, a server
//! error frees the key, a request that died with its server frees it after the longest a
//! request may run, and after a day the key starts afresh.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use roster_domain::event::Event;
use roster_domain::idempotency::{
    AbandonIdempotentRequest, CompleteIdempotentRequest, IdempotencyError, IdempotencyEvent,
    IdempotentAnswer, RETENTION, RequestStarted, StartIdempotentRequest,
};
use roster_domain::testing::given;

const RUNS_AT_MOST: TimeDelta = TimeDelta::seconds(40);

fn fingerprint(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn start(n: u8, now: DateTime<Utc>) -> StartIdempotentRequest {
    StartIdempotentRequest {
        key: idempotency_key(),
        fingerprint: fingerprint(n),
        now,
        runs_at_most: RUNS_AT_MOST,
    }
}

fn started(n: u8, at: DateTime<Utc>) -> Event {
    Event::Idempotency(
        idempotency_key(),
        IdempotencyEvent::Started(RequestStarted {
            fingerprint: fingerprint(n),
            at,
        }),
    )
}

fn answer(at: DateTime<Utc>) -> IdempotentAnswer {
    IdempotentAnswer {
        status: 201,
        content_type: Some("application/json".into()),
        etag: None,
        body: r#"{"id":"1"}"#.into(),
        at,
    }
}

fn completed(at: DateTime<Utc>) -> Event {
    Event::Idempotency(idempotency_key(), IdempotencyEvent::Completed(answer(at)))
}

fn abandoned(at: DateTime<Utc>) -> Event {
    Event::Idempotency(idempotency_key(), IdempotencyEvent::Abandoned { at })
}

fn seconds(n: i64) -> DateTime<Utc> {
    noon() + TimeDelta::seconds(n)
}

mod starting {
    use super::*;

    #[test]
    fn it_should_start_a_request_under_a_new_key() {
        given([])
            .when(as_user(ROOT), start(1, noon()))
            .then(vec![started(1, noon())]);
    }

    #[test]
    fn it_should_answer_a_repeat_with_the_kept_answer() {
        given([started(1, noon()), completed(seconds(1))])
            .when(as_user(ROOT), start(1, seconds(60)))
            .then_error(IdempotencyError::Answered(Box::new(answer(seconds(1)))));
    }

    #[test]
    fn it_should_answer_a_repeat_just_before_a_day_has_passed() {
        given([started(1, noon()), completed(seconds(1))])
            .when(
                as_user(ROOT),
                start(1, noon() + RETENTION - TimeDelta::seconds(1)),
            )
            .then_error(IdempotencyError::Answered(Box::new(answer(seconds(1)))));
    }

    #[test]
    fn it_should_refuse_another_request_under_an_answered_key() {
        given([started(1, noon()), completed(seconds(1))])
            .when(as_user(ROOT), start(2, seconds(60)))
            .then_error(IdempotencyError::KeyReused);
    }

    #[test]
    fn it_should_refuse_another_request_under_a_running_key() {
        given([started(1, noon())])
            .when(as_user(ROOT), start(2, seconds(1)))
            .then_error(IdempotencyError::KeyReused);
    }

    #[test]
    fn it_should_say_in_progress_while_the_same_request_runs() {
        given([started(1, noon())])
            .when(as_user(ROOT), start(1, seconds(39)))
            .then_error(IdempotencyError::InProgress);
    }

    #[test]
    fn it_should_run_again_when_the_first_died_without_an_end() {
        given([started(1, noon())])
            .when(as_user(ROOT), start(1, seconds(40)))
            .then(vec![started(1, seconds(40))]);
    }

    #[test]
    fn it_should_run_again_after_a_server_error_freed_the_key() {
        given([started(1, noon()), abandoned(seconds(1))])
            .when(as_user(ROOT), start(1, seconds(2)))
            .then(vec![started(1, seconds(2))]);
    }

    #[test]
    fn it_should_take_another_request_after_a_server_error_freed_the_key() {
        given([started(1, noon()), abandoned(seconds(1))])
            .when(as_user(ROOT), start(2, seconds(2)))
            .then(vec![started(2, seconds(2))]);
    }

    #[test]
    fn it_should_start_afresh_a_day_after_the_first_request() {
        let later = noon() + RETENTION;
        given([started(1, noon()), completed(seconds(1))])
            .when(as_user(ROOT), start(2, later))
            .then(vec![started(2, later)]);
        given([started(1, noon()), completed(seconds(1))])
            .when(as_user(ROOT), start(1, later))
            .then(vec![started(1, later)]);
    }

    #[test]
    fn it_should_keep_a_fresh_start_after_a_day_as_the_one_to_answer() {
        let later = noon() + RETENTION;
        let history = [started(1, noon()), completed(seconds(1)), started(2, later)];
        given(history.clone())
            .when(as_user(ROOT), start(2, later + TimeDelta::seconds(1)))
            .then_error(IdempotencyError::InProgress);
        given(history)
            .when(as_user(ROOT), start(1, later + TimeDelta::seconds(1)))
            .then_error(IdempotencyError::KeyReused);
    }
}

mod ending {
    use super::*;

    fn complete(started_at: DateTime<Utc>) -> CompleteIdempotentRequest {
        CompleteIdempotentRequest {
            key: idempotency_key(),
            started_at,
            answer: answer(seconds(1)),
        }
    }

    fn abandon(started_at: DateTime<Utc>) -> AbandonIdempotentRequest {
        AbandonIdempotentRequest {
            key: idempotency_key(),
            started_at,
            at: seconds(1),
        }
    }

    #[test]
    fn it_should_keep_the_answer_of_the_running_request() {
        given([started(1, noon())])
            .when(as_user(ROOT), complete(noon()))
            .then(vec![completed(seconds(1))]);
    }

    #[test]
    fn it_should_free_the_key_of_the_running_request() {
        given([started(1, noon())])
            .when(as_user(ROOT), abandon(noon()))
            .then(vec![abandoned(seconds(1))]);
    }

    #[test]
    fn it_should_refuse_to_end_a_request_that_was_taken_over() {
        let history = [started(1, noon()), started(1, seconds(40))];
        given(history.clone())
            .when(as_user(ROOT), complete(noon()))
            .then_error(IdempotencyError::NotInProgress);
        given(history)
            .when(as_user(ROOT), abandon(noon()))
            .then_error(IdempotencyError::NotInProgress);
    }

    #[test]
    fn it_should_refuse_to_end_a_request_twice_or_one_never_started() {
        given([started(1, noon()), completed(seconds(1))])
            .when(as_user(ROOT), complete(noon()))
            .then_error(IdempotencyError::NotInProgress);
        given([started(1, noon()), abandoned(seconds(1))])
            .when(as_user(ROOT), abandon(noon()))
            .then_error(IdempotencyError::NotInProgress);
        given([])
            .when(as_user(ROOT), complete(noon()))
            .then_error(IdempotencyError::NotInProgress);
    }
}
