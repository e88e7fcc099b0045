//! The user account aggregate (`user-{uuid}`). Personal data (username, display name, email)
//! sits only in the fields marked as such, so it can later be encrypted per user and shredded
//! on deletion.
//!
//! Layout, the same in every aggregate's folder: this file holds the state, `evolve`, the
//! helpers the decisions share, and re-exports everything public, so paths such as
//! `roster_domain::user::CreateUser` do not depend on the files; `events.rs` holds the events,
//! `error.rs` the typed refusals, and each decision (or a few small related ones) has a file.

mod admin_role;
mod create;
mod edit;
mod error;
mod events;
mod password;
mod profile;
mod status;
mod version;

pub use admin_role::{GrantAdmin, RevokeAdmin};
pub use create::{CreateUser, CreatedVia};
pub use edit::{AccountChange, EditAccount};
pub use error::UserError;
pub use events::{
    PROFILE_UPDATED_VERSION, PasswordChanged, PasswordReset, ProfileUpdated, UserCreated,
    UserEvent, profile_updated_v1_to_v2,
};
pub use password::{ChangePassword, ResetPassword};
pub use profile::UpdateProfile;
pub use status::{DeleteUser, DisableUser, EnableUser};
pub use version::{CurrentAccount, IfUnchanged};

use crate::decision::{Caller, Loaded};
use crate::ids::UserId;
use crate::store::Actor;
use crate::values::{DisplayName, Email, PasswordHash, Username};

/// A user account as the decider sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Username as typed.
    pub username: Username,
    /// Display name.
    pub display_name: DisplayName,
    /// Email, if given.
    pub email: Option<Email>,
    /// Current password hash.
    pub password_hash: PasswordHash,
    /// Has the admin role.
    pub is_admin: bool,
    /// Cannot log in.
    pub disabled: bool,
    /// Must choose a new password at next login.
    pub must_change_password: bool,
}

impl User {
    /// An enabled administrator: one of the accounts that keep Roster administrable.
    pub fn is_active_admin(&self) -> bool {
        self.is_admin && !self.disabled
    }
}

/// The life of a user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserState {
    /// No such account (yet).
    Initial,
    /// The account exists.
    Live(Box<User>),
    /// The account was deleted; nothing can happen to it any more.
    Deleted,
}

impl UserState {
    /// The account, unless it never existed or was deleted.
    pub fn live(&self) -> Option<&User> {
        match self {
            UserState::Live(user) => Some(user),
            UserState::Initial | UserState::Deleted => None,
        }
    }

    /// Folds one event in.
    pub fn evolve(&mut self, id: UserId, event: &UserEvent) {
        if let UserEvent::Created(e) = event {
            *self = UserState::Live(Box::new(User {
                id,
                username: e.username.clone(),
                display_name: e.display_name.clone(),
                email: e.email.clone(),
                password_hash: e.password_hash.clone(),
                is_admin: e.is_admin,
                disabled: false,
                must_change_password: e.must_change_password,
            }));
            return;
        }
        if matches!(event, UserEvent::Deleted {}) {
            *self = UserState::Deleted;
            return;
        }
        let UserState::Live(user) = self else {
            return;
        };
        match event {
            UserEvent::ProfileUpdated(e) => {
                if let Some(name) = &e.display_name {
                    user.display_name = name.clone();
                }
                if let Some(email) = &e.email {
                    user.email = email.clone();
                }
            }
            UserEvent::AdminGranted {} => user.is_admin = true,
            UserEvent::AdminRevoked {} => user.is_admin = false,
            UserEvent::PasswordReset(e) => {
                user.password_hash = e.password_hash.clone();
                user.must_change_password = e.require_change;
            }
            UserEvent::PasswordChanged(e) => {
                user.password_hash = e.password_hash.clone();
                user.must_change_password = false;
            }
            UserEvent::Disabled {} => user.disabled = true,
            UserEvent::Enabled {} => user.disabled = false,
            UserEvent::Created(_) | UserEvent::Deleted {} => {}
        }
    }
}

/// The live account `id`, or why there is none.
fn target(loaded: &Loaded, id: UserId) -> Result<&User, UserError> {
    match loaded.user(id) {
        UserState::Live(user) => Ok(user),
        UserState::Initial => Err(UserError::NotFound),
        UserState::Deleted => Err(UserError::Deleted),
    }
}

/// Why `actor` may not act on account `id`: a disabled user acting on their own account is
/// told that it is disabled rather than treated as a stranger to it.
fn not_yours(actor: Actor, loaded: &Loaded, id: UserId) -> UserError {
    match loaded.live_user(id) {
        Some(user) if user.disabled && actor == Actor::User(id.0) => UserError::AccountDisabled,
        _ => UserError::NotYourAccount,
    }
}

fn require_admin(caller: Caller) -> Result<(), UserError> {
    if caller.is_admin_or_system() {
        Ok(())
    } else {
        Err(UserError::AdminRequired)
    }
}
