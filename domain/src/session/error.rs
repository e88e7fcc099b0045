use crate::error::ErrorKind;

/// Why a session command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Unknown user or wrong password: one message for both, so neither is revealed (UNAUTHENTICATED).
    #[error("Invalid username or password")]
    InvalidCredentials,
    /// The password was right, but two-factor authentication is on: a password alone starts
    /// no session (UNAUTHENTICATED).
    #[error("A two-factor code is required")]
    SecondFactorRequired,
    /// The password was right but the account is disabled (FORBIDDEN).
    #[error("Account is disabled")]
    AccountDisabled,
    /// The session id is already in use (CONFLICT).
    #[error("Session already exists")]
    AlreadyExists,
    /// No such session (NOT_FOUND).
    #[error("Session not found")]
    NotFound,
    /// The session has already ended (NOT_FOUND).
    #[error("Session has already ended")]
    AlreadyEnded,
    /// Only the owner or an administrator may end a session (FORBIDDEN).
    #[error("Cannot revoke another user's session")]
    NotYourSession,
    /// The session's owner was deleted, and the session with them (NOT_FOUND). The message is
    /// the one a client gets for any session that is gone, since the read side no longer
    /// lists it either.
    #[error("Session not found")]
    OwnerDeleted,
}

impl SessionError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SessionError::InvalidCredentials | SessionError::SecondFactorRequired => {
                ErrorKind::Unauthenticated
            }
            SessionError::AccountDisabled | SessionError::NotYourSession => ErrorKind::Forbidden,
            SessionError::AlreadyExists => ErrorKind::Conflict,
            SessionError::NotFound | SessionError::AlreadyEnded | SessionError::OwnerDeleted => {
                ErrorKind::NotFound
            }
        }
    }
}
