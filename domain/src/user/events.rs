//! The events of a user account. Personal data (username, display name, email) sits only in
//! the fields marked as such.

use super::CreatedVia;
use crate::event::EventFamily;
use crate::ids::SessionId;
use crate::values::{DisplayName, Email, PasswordHash, Username};
use serde::{Deserialize, Serialize};

/// Everything that can happen to a user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum UserEvent {
    /// The account was created.
    #[serde(rename = "UserCreated")]
    Created(UserCreated),
    /// Display name and/or email changed.
    #[serde(rename = "ProfileUpdated")]
    ProfileUpdated(ProfileUpdated),
    /// The user became an administrator.
    #[serde(rename = "AdminGranted")]
    AdminGranted {},
    /// The user is no longer an administrator.
    #[serde(rename = "AdminRevoked")]
    AdminRevoked {},
    /// An administrator set a new password.
    #[serde(rename = "PasswordReset")]
    PasswordReset(PasswordReset),
    /// The user changed their own password.
    #[serde(rename = "PasswordChanged")]
    PasswordChanged(PasswordChanged),
    /// The account can no longer log in; its sessions stop working.
    #[serde(rename = "UserDisabled")]
    Disabled {},
    /// The account can log in again.
    #[serde(rename = "UserEnabled")]
    Enabled {},
    /// The account and everything it owns are gone, for good.
    #[serde(rename = "UserDeleted")]
    Deleted {},
}

impl EventFamily for UserEvent {
    const TYPES: &'static [&'static str] = &[
        "UserCreated",
        "ProfileUpdated",
        "AdminGranted",
        "AdminRevoked",
        "PasswordReset",
        "PasswordChanged",
        "UserDisabled",
        "UserEnabled",
        "UserDeleted",
    ];

    fn event_type(&self) -> &'static str {
        match self {
            UserEvent::Created(_) => "UserCreated",
            UserEvent::ProfileUpdated(_) => "ProfileUpdated",
            UserEvent::AdminGranted {} => "AdminGranted",
            UserEvent::AdminRevoked {} => "AdminRevoked",
            UserEvent::PasswordReset(_) => "PasswordReset",
            UserEvent::PasswordChanged(_) => "PasswordChanged",
            UserEvent::Disabled {} => "UserDisabled",
            UserEvent::Enabled {} => "UserEnabled",
            UserEvent::Deleted {} => "UserDeleted",
        }
    }
}

/// `UserCreated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreated {
    /// Personal data.
    pub username: Username,
    /// Personal data.
    pub display_name: DisplayName,
    /// Personal data.
    pub email: Option<Email>,
    /// argon2id PHC string; never the password.
    pub password_hash: PasswordHash,
    /// Created with the admin role.
    pub is_admin: bool,
    /// How the account came to be.
    pub via: CreatedVia,
    /// The user must choose a new password at first login.
    pub must_change_password: bool,
}

/// `ProfileUpdated`: the new values of both fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdated {
    /// Personal data.
    pub display_name: DisplayName,
    /// Personal data.
    pub email: Option<Email>,
}

/// `PasswordReset` (by an administrator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordReset {
    /// argon2id PHC string; never the password.
    pub password_hash: PasswordHash,
    /// All of the user's sessions end (the guide leaves them valid unless asked).
    pub revoke_sessions: bool,
    /// The user must choose a new password at next login.
    pub require_change: bool,
}

/// `PasswordChanged` (by the user, who proved the current password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChanged {
    /// argon2id PHC string; never the password.
    pub password_hash: PasswordHash,
    /// The session the change was made from survives; every other one ends.
    pub kept_session: Option<SessionId>,
}
