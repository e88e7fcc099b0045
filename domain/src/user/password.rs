use super::{
    PasswordChanged, PasswordReset, UserError, UserEvent, not_yours, require_admin, target,
};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::{SessionId, UserId};
use crate::store::Actor;
use crate::values::PasswordHash;

/// An administrator sets a new password. Sessions survive unless `revoke_sessions` is set,
/// as the guide says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetPassword {
    /// Whose password.
    pub user_id: UserId,
    /// The new password, hashed.
    pub password_hash: PasswordHash,
    /// End all of the user's sessions too.
    pub revoke_sessions: bool,
    /// Make the user choose a new password at next login.
    pub require_change: bool,
}

impl Command for ResetPassword {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        require_admin(loaded.caller(actor))?;
        let user = target(loaded, self.user_id)?;
        Ok(vec![Event::User(
            user.id,
            UserEvent::PasswordReset(PasswordReset {
                password_hash: self.password_hash.clone(),
                revoke_sessions: self.revoke_sessions,
                require_change: self.require_change,
            }),
        )])
    }
}

/// A user changes their own password, proving the current one. Their other sessions end.
/// A disabled user cannot: the account is frozen until an administrator enables it (or
/// resets the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePassword {
    /// The user (must be the caller).
    pub user_id: UserId,
    /// The stored hash the current password was verified against, or `None` if it did not
    /// verify. Carrying the hash (not a flag) means a concurrent change is noticed too.
    pub verified_against: Option<PasswordHash>,
    /// The new password, hashed.
    pub new_password_hash: PasswordHash,
    /// The session the change is made from, which stays signed in.
    pub current_session: Option<SessionId>,
}

impl Command for ChangePassword {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        if loaded.caller(actor).user_id() != Some(self.user_id) {
            return Err(not_yours(actor, loaded, self.user_id));
        }
        let user = target(loaded, self.user_id)?;
        if self.verified_against.as_ref() != Some(&user.password_hash) {
            return Err(UserError::WrongCurrentPassword);
        }
        Ok(vec![Event::User(
            user.id,
            UserEvent::PasswordChanged(PasswordChanged {
                password_hash: self.new_password_hash.clone(),
                kept_session: self.current_session,
            }),
        )])
    }
}
