use super::IdempotentAnswer;
use crate::error::ErrorKind;

/// Why a request with an idempotency key does not run (again), or why its end is not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyError {
    /// The same request already ran and was answered: the answer goes back instead (CONFLICT,
    /// but the door replays the answer rather than report this).
    #[error("This request was already answered")]
    Answered(Box<IdempotentAnswer>),
    /// The same request is running right now (CONFLICT).
    #[error("A request with this Idempotency-Key is in progress")]
    InProgress,
    /// The key was used with another request (VALIDATION).
    #[error("Idempotency-Key was used with a different request")]
    KeyReused,
    /// The request being ended is not the one running under the key any more: it was taken
    /// over after it seemed dead, or already ended (CONFLICT).
    #[error("This request is no longer in progress")]
    NotInProgress,
}

impl IdempotencyError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IdempotencyError::KeyReused => ErrorKind::Validation,
            IdempotencyError::Answered(_)
            | IdempotencyError::InProgress
            | IdempotencyError::NotInProgress => ErrorKind::Conflict,
        }
    }
}
