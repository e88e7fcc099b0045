//! The union of every aggregate's refusal, and the category each maps to at the API edge.

use crate::challenge::ChallengeError;
use crate::idempotency::IdempotencyError;
use crate::keyring::KeyringError;
use crate::resource::ResourceError;
use crate::session::SessionError;
use crate::totp::TotpError;
use crate::user::UserError;

/// How a refusal is reported to a client (GraphQL `extensions.code`, REST status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400 / `VALIDATION`.
    Validation,
    /// 401 / `UNAUTHENTICATED`.
    Unauthenticated,
    /// 403 / `FORBIDDEN`.
    Forbidden,
    /// 404 / `NOT_FOUND`.
    NotFound,
    /// 409 / `CONFLICT`.
    Conflict,
}

/// Any command's refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A user-account rule.
    #[error(transparent)]
    User(#[from] UserError),
    /// A session rule.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// An API-key rule.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// A persona, ontology or annotation rule.
    #[error(transparent)]
    Resource(#[from] ResourceError),
    /// A second-factor rule.
    #[error(transparent)]
    Totp(#[from] TotpError),
    /// A login-challenge rule.
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
    /// An idempotency-key rule.
    #[error(transparent)]
    Idempotency(#[from] IdempotencyError),
}

impl DomainError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DomainError::User(e) => e.kind(),
            DomainError::Session(e) => e.kind(),
            DomainError::Keyring(e) => e.kind(),
            DomainError::Resource(e) => e.kind(),
            DomainError::Totp(e) => e.kind(),
            DomainError::Challenge(e) => e.kind(),
            DomainError::Idempotency(e) => e.kind(),
        }
    }
}
