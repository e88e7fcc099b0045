use crate::error::ErrorKind;
use crate::session::SessionError;

/// Why a login challenge could not be issued or completed. Never contains a token or a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// The user, password, account state or session refused the login.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// Two-factor authentication is not on: the password alone logs in (CONFLICT).
    #[error("Two-factor authentication is not on")]
    SecondFactorNotOn,
    /// The challenge id is already in use (CONFLICT).
    #[error("Login challenge already exists")]
    AlreadyExists,
    /// No such challenge, or it belongs to another user, or the password or second factor
    /// changed since it was issued (UNAUTHENTICATED).
    #[error("Invalid or expired login challenge")]
    Invalid,
    /// The challenge is older than its lifetime (UNAUTHENTICATED).
    #[error("Invalid or expired login challenge")]
    Expired,
    /// The challenge was already completed once (UNAUTHENTICATED).
    #[error("Invalid or expired login challenge")]
    AlreadyUsed,
    /// The code or recovery code is wrong (UNAUTHENTICATED).
    #[error("Invalid two-factor code")]
    InvalidCode,
    /// The code's time step was already spent (UNAUTHENTICATED, the same message).
    #[error("Invalid two-factor code")]
    CodeReused,
}

impl ChallengeError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ChallengeError::Session(e) => e.kind(),
            ChallengeError::SecondFactorNotOn | ChallengeError::AlreadyExists => {
                ErrorKind::Conflict
            }
            ChallengeError::Invalid
            | ChallengeError::Expired
            | ChallengeError::AlreadyUsed
            | ChallengeError::InvalidCode
            | ChallengeError::CodeReused => ErrorKind::Unauthenticated,
        }
    }
}
