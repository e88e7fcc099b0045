//! Idempotent requests (`idempotency-{sha256 hex}`): what a request sent with an
//! `Idempotency-Key` did, so that its repeats get the same answer and change nothing more.
//!
//! The stream is named after the SHA-256 of the caller's scope (who, method, path) and the
//! key, so neither the key nor anything personal appears in a stream name. A request starts
//! the stream (`IdempotentRequestStarted`, with the SHA-256 of its method, path and body);
//! the append is guarded by the stream's revision, so of two identical requests at once only
//! one runs. Its answer is then kept (`IdempotentRequestCompleted`), or the key freed again
//! (`IdempotentRequestAbandoned`) when the answer was a server error.
//!
//! A repeat within [`RETENTION`] of the start, with the same fingerprint, gets the kept
//! answer, or "in progress" while the first still runs; with another fingerprint it is
//! refused. A start older than the longest a request may run, never ended, died with its
//! server: the key is free. After [`RETENTION`] the key starts a new request.
//!
//! Laid out like `challenge`: the state and `evolve` here, the events in `events.rs`, the
//! refusals in `error.rs`, one file per decision (`start.rs`, `end.rs`).

mod end;
mod error;
mod events;
mod start;

pub use end::{AbandonIdempotentRequest, CompleteIdempotentRequest};
pub use error::IdempotencyError;
pub use events::{IdempotencyEvent, IdempotentAnswer, RequestStarted};
pub use start::StartIdempotentRequest;

use chrono::TimeDelta;

/// How long a key is remembered after its request started.
pub const RETENTION: TimeDelta = TimeDelta::hours(24);

/// The request an idempotency key names, as the decider sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotentRequest {
    /// Never used, or freed by an abandoned request.
    Free,
    /// Started and not ended (it may have died with its server: see its time).
    Running(RequestStarted),
    /// Answered.
    Answered {
        /// The start.
        started: RequestStarted,
        /// The answer.
        answer: IdempotentAnswer,
    },
}

impl IdempotentRequest {
    /// Folds one event in.
    pub fn evolve(&mut self, event: &IdempotencyEvent) {
        *self = match (std::mem::replace(self, IdempotentRequest::Free), event) {
            (_, IdempotencyEvent::Started(started)) => IdempotentRequest::Running(started.clone()),
            (IdempotentRequest::Running(started), IdempotencyEvent::Completed(answer)) => {
                IdempotentRequest::Answered {
                    started,
                    answer: answer.clone(),
                }
            }
            // A completion without a start cannot be written (the decision refuses it).
            (state, IdempotencyEvent::Completed(_)) => state,
            (_, IdempotencyEvent::Abandoned { .. }) => IdempotentRequest::Free,
        };
    }
}
