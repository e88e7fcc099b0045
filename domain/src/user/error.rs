use super::CurrentAccount;
use crate::error::ErrorKind;

/// Why a command on a user account was refused. Messages are the administrator guide's
/// where it has one; none of them contains a password or a hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// The caller is not an enabled administrator (FORBIDDEN).
    #[error("Admin access required")]
    AdminRequired,
    /// The caller may only act on their own account (FORBIDDEN).
    #[error("You can only change your own account")]
    NotYourAccount,
    /// The caller's own account is disabled, so it can change nothing, not even itself
    /// (FORBIDDEN).
    #[error("Account is disabled")]
    AccountDisabled,
    /// No such user (NOT_FOUND).
    #[error("User not found")]
    NotFound,
    /// The user was deleted; deletion is permanent (NOT_FOUND).
    #[error("User has been deleted")]
    Deleted,
    /// The id is already taken by another account (CONFLICT).
    #[error("User already exists")]
    AlreadyExists,
    /// Another live account holds this username, in any letter case (CONFLICT).
    #[error("Username already exists")]
    UsernameTaken,
    /// Another live account holds this email address (CONFLICT).
    #[error("Email already exists")]
    EmailTaken,
    /// Users cannot delete themselves (FORBIDDEN).
    #[error("Cannot delete yourself")]
    CannotDeleteSelf,
    /// The change would leave no enabled administrator (CONFLICT).
    #[error("Cannot remove the last active administrator")]
    LastActiveAdmin,
    /// Self-registration never creates an administrator (FORBIDDEN).
    #[error("Registration cannot create an administrator")]
    RegistrationCannotGrantAdmin,
    /// First-run bootstrap is only possible while there has never been an administrator (CONFLICT).
    #[error("An administrator already exists")]
    AlreadyBootstrapped,
    /// The current password given was wrong (VALIDATION).
    #[error("Current password is incorrect")]
    WrongCurrentPassword,
    /// Someone else changed the account since the version the change rests on (CONFLICT).
    #[error("The account was changed by someone else; reload and try again")]
    Stale {
        /// The account as it is now.
        current: Box<CurrentAccount>,
    },
}

impl UserError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            UserError::AdminRequired
            | UserError::NotYourAccount
            | UserError::AccountDisabled
            | UserError::CannotDeleteSelf
            | UserError::RegistrationCannotGrantAdmin => ErrorKind::Forbidden,
            UserError::NotFound | UserError::Deleted => ErrorKind::NotFound,
            UserError::AlreadyExists
            | UserError::UsernameTaken
            | UserError::EmailTaken
            | UserError::LastActiveAdmin
            | UserError::AlreadyBootstrapped
            | UserError::Stale { .. } => ErrorKind::Conflict,
            UserError::WrongCurrentPassword => ErrorKind::Validation,
        }
    }
}
