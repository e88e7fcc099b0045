use super::{IdempotencyError, IdempotencyEvent, IdempotentAnswer, IdempotentRequest};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::store::Actor;
use crate::values::TokenHash;
use chrono::{DateTime, Utc};

/// The request started under a key was answered: keep the answer for its repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteIdempotentRequest {
    /// The key's stream.
    pub key: TokenHash,
    /// When the request this completes started (which run of the key it was).
    pub started_at: DateTime<Utc>,
    /// The answer.
    pub answer: IdempotentAnswer,
}

impl Command for CompleteIdempotentRequest {
    type Error = IdempotencyError;

    fn decide(&self, _actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, IdempotencyError> {
        running(loaded, &self.key, self.started_at)?;
        Ok(vec![Event::Idempotency(
            self.key.clone(),
            IdempotencyEvent::Completed(self.answer.clone()),
        )])
    }
}

/// The request started under a key ended without an answer worth keeping (a server error, a
/// timeout): the key is free for a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbandonIdempotentRequest {
    /// The key's stream.
    pub key: TokenHash,
    /// When the request this abandons started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub at: DateTime<Utc>,
}

impl Command for AbandonIdempotentRequest {
    type Error = IdempotencyError;

    fn decide(&self, _actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, IdempotencyError> {
        running(loaded, &self.key, self.started_at)?;
        Ok(vec![Event::Idempotency(
            self.key.clone(),
            IdempotencyEvent::Abandoned { at: self.at },
        )])
    }
}

/// Only the run that started at `started_at`, still running, may be ended.
fn running(
    loaded: &Loaded,
    key: &TokenHash,
    started_at: DateTime<Utc>,
) -> Result<(), IdempotencyError> {
    match loaded.idempotent_request(key) {
        IdempotentRequest::Running(started) if started.at == started_at => Ok(()),
        _ => Err(IdempotencyError::NotInProgress),
    }
}
