//! The events of a user account. Personal data (username, display name, email) sits only in
//! the fields marked as such.

use super::CreatedVia;
use crate::event::EventFamily;
use crate::ids::SessionId;
use crate::values::{DisplayName, Email, PasswordHash, Username};
use serde::{Deserialize, Deserializer, Serialize};

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

    fn schema_version(&self) -> u32 {
        match self {
            UserEvent::ProfileUpdated(_) => PROFILE_UPDATED_VERSION,
            _ => 1,
        }
    }

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

/// The schema version of `ProfileUpdated` written today.
///
/// 1: both fields, every time. 2: only the fields that changed, so that history says what an
/// edit touched; [`profile_updated_v1_to_v2`] reads version 1 as version 2.
pub const PROFILE_UPDATED_VERSION: u32 = 2;

/// `ProfileUpdated` (version 2): the fields an edit changed, each absent when unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProfileUpdated {
    /// Personal data. The new display name; `None`: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<DisplayName>,
    /// Personal data. `None`: unchanged; `Some(None)`: removed (stored as `null`);
    /// `Some(Some(email))`: the new address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub email: Option<Option<Email>>,
}

impl ProfileUpdated {
    /// Whether the edit changes nothing (never decided: an edit without a change writes no
    /// event).
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none() && self.email.is_none()
    }
}

/// A field that is present, even as `null`: what tells "removed" from "unchanged".
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Upcasts `ProfileUpdated` version 1 to version 2. Version 1 set both fields, every time, so
/// in version 2 terms both are present: a missing email (which version 1 read as none) becomes
/// an explicit `null`, "removed". What an old edit really touched cannot be known from the
/// event alone; it says what the account became, as it always did.
pub fn profile_updated_v1_to_v2(mut data: serde_json::Value) -> serde_json::Value {
    if let Some(fields) = data.as_object_mut() {
        fields.entry("email").or_insert(serde_json::Value::Null);
    }
    data
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
