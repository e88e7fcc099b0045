use crate::error::ErrorKind;

/// Why an API-key command was refused. Never contains the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// System keys are for administrators (FORBIDDEN).
    #[error("Admin access required")]
    AdminRequired,
    /// A user manages only their own keys (FORBIDDEN).
    #[error("You can only manage your own API keys")]
    NotYours,
    /// The owner does not exist or was deleted (NOT_FOUND).
    #[error("User not found")]
    OwnerNotFound,
    /// One key per provider and owner (CONFLICT).
    #[error("API key for this provider already exists")]
    ProviderTaken,
    /// The key id is taken (CONFLICT).
    #[error("API key already exists")]
    AlreadyExists,
    /// No such key (NOT_FOUND).
    #[error("API key not found")]
    NotFound,
    /// Not a valid provider name (VALIDATION).
    #[error("Provider must be 1-32 characters of a-z, 0-9, '_' and '-'")]
    InvalidProvider,
    /// The visible tail must be at most four characters (VALIDATION).
    #[error("Only the last 4 characters of a key may be kept in clear")]
    TailTooLong,
}

impl KeyringError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            KeyringError::AdminRequired | KeyringError::NotYours => ErrorKind::Forbidden,
            KeyringError::OwnerNotFound | KeyringError::NotFound => ErrorKind::NotFound,
            KeyringError::ProviderTaken | KeyringError::AlreadyExists => ErrorKind::Conflict,
            KeyringError::InvalidProvider | KeyringError::TailTooLong => ErrorKind::Validation,
        }
    }
}
