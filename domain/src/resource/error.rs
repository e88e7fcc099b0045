use crate::error::ErrorKind;

/// Why a command on a persona, ontology or annotation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// Only the owner or an administrator may do this (FORBIDDEN).
    #[error("You can only change your own resources")]
    NotYours,
    /// Only an administrator may do this (FORBIDDEN).
    #[error("Admin access required")]
    AdminRequired,
    /// The id is taken (CONFLICT).
    #[error("Resource already exists")]
    AlreadyExists,
    /// No such resource, or it was deleted, or its owner was (NOT_FOUND).
    #[error("Resource not found")]
    NotFound,
    /// The user it would belong to does not exist or was deleted (NOT_FOUND).
    #[error("User not found")]
    OwnerNotFound,
}

impl ResourceError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ResourceError::NotYours | ResourceError::AdminRequired => ErrorKind::Forbidden,
            ResourceError::AlreadyExists => ErrorKind::Conflict,
            ResourceError::NotFound | ResourceError::OwnerNotFound => ErrorKind::NotFound,
        }
    }
}
