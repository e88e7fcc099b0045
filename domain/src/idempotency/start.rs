use super::{IdempotencyError, IdempotencyEvent, IdempotentRequest, RETENTION, RequestStarted};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::store::Actor;
use crate::values::TokenHash;
use chrono::{DateTime, TimeDelta, Utc};

/// A request arrives with an idempotency key: it runs if the key is new (or free again), and
/// otherwise is answered from what the key already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartIdempotentRequest {
    /// The key's stream: SHA-256 of the caller's scope and the key.
    pub key: TokenHash,
    /// SHA-256 (hex) of the request's method, path and body.
    pub fingerprint: String,
    /// When the request arrived.
    pub now: DateTime<Utc>,
    /// How long a request may run: one started longer ago and never ended died with its
    /// server, and the key is free again.
    pub runs_at_most: TimeDelta,
}

impl Command for StartIdempotentRequest {
    type Error = IdempotencyError;

    fn decide(&self, _actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, IdempotencyError> {
        let remembered = |started: &RequestStarted| self.now < started.at + RETENTION;
        match loaded.idempotent_request(&self.key) {
            IdempotentRequest::Running(started) if remembered(started) => {
                if started.fingerprint != self.fingerprint {
                    return Err(IdempotencyError::KeyReused);
                }
                if self.now < started.at + self.runs_at_most {
                    return Err(IdempotencyError::InProgress);
                }
            }
            IdempotentRequest::Answered { started, answer } if remembered(started) => {
                if started.fingerprint != self.fingerprint {
                    return Err(IdempotencyError::KeyReused);
                }
                return Err(IdempotencyError::Answered(Box::new(answer.clone())));
            }
            _ => {}
        }
        Ok(vec![Event::Idempotency(
            self.key.clone(),
            IdempotencyEvent::Started(RequestStarted {
                fingerprint: self.fingerprint.clone(),
                at: self.now,
            }),
        )])
    }
}
