use crate::error::ErrorKind;

/// Why a command on a user's second factor was refused. Never contains a secret or a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// Only the user themself enrols, confirms or disables their second factor (FORBIDDEN).
    #[error("You can only change your own account")]
    NotYourAccount,
    /// Removing someone's second factor is for administrators (FORBIDDEN).
    #[error("Admin access required")]
    AdminRequired,
    /// No such user, or the user was deleted (NOT_FOUND).
    #[error("User not found")]
    UserNotFound,
    /// Two-factor authentication is on already: disable it before enrolling again (CONFLICT).
    #[error("Two-factor authentication is already on")]
    AlreadyOn,
    /// Two-factor authentication is not on (CONFLICT).
    #[error("Two-factor authentication is not on")]
    NotOn,
    /// There is no pending enrolment to confirm (CONFLICT).
    #[error("No two-factor enrolment to confirm: enrol first")]
    NothingToConfirm,
    /// The code (or recovery code) is wrong, or was checked against a secret no longer in
    /// force (VALIDATION).
    #[error("Invalid two-factor code")]
    InvalidCode,
    /// The code's time step was already spent (the same message: a replayed code says
    /// nothing more than a wrong one) (VALIDATION).
    #[error("Invalid two-factor code")]
    CodeReused,
    /// Enabling needs exactly [`RECOVERY_CODES`](super::RECOVERY_CODES) distinct recovery
    /// codes (VALIDATION).
    #[error("Two-factor authentication needs ten distinct recovery codes")]
    RecoveryCodes,
}

impl TotpError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TotpError::NotYourAccount | TotpError::AdminRequired => ErrorKind::Forbidden,
            TotpError::UserNotFound => ErrorKind::NotFound,
            TotpError::AlreadyOn | TotpError::NotOn | TotpError::NothingToConfirm => {
                ErrorKind::Conflict
            }
            TotpError::InvalidCode | TotpError::CodeReused | TotpError::RecoveryCodes => {
                ErrorKind::Validation
            }
        }
    }
}
