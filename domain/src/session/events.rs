//! The events of a session.

use crate::event::EventFamily;
use crate::ids::UserId;
use crate::values::TokenHash;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Everything that can happen to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum SessionEvent {
    /// A user logged in.
    #[serde(rename = "SessionStarted")]
    Started(SessionStarted),
    /// The session was used (recorded at a coarse interval, for the idle timeout).
    #[serde(rename = "SessionActivityRecorded")]
    ActivityRecorded {
        /// When.
        #[serde(deserialize_with = "crate::event::time::deserialize")]
        at: DateTime<Utc>,
    },
    /// The session ended.
    #[serde(rename = "SessionEnded")]
    Ended {
        /// Why.
        reason: EndReason,
    },
}

impl EventFamily for SessionEvent {
    const TYPES: &'static [&'static str] =
        &["SessionStarted", "SessionActivityRecorded", "SessionEnded"];

    fn event_type(&self) -> &'static str {
        match self {
            SessionEvent::Started(_) => "SessionStarted",
            SessionEvent::ActivityRecorded { .. } => "SessionActivityRecorded",
            SessionEvent::Ended { .. } => "SessionEnded",
        }
    }
}

/// `SessionStarted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionStarted {
    /// Whose session.
    pub user_id: UserId,
    /// SHA-256 of the token; never the token.
    pub token_hash: TokenHash,
    /// When it stops working, whatever happens.
    #[serde(deserialize_with = "crate::event::time::deserialize")]
    pub expires_at: DateTime<Utc>,
    /// Personal data: the browser or client.
    pub user_agent: Option<String>,
    /// Personal data: the client address.
    pub ip: Option<String>,
    /// Long-lived ("remember me").
    pub remember_me: bool,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The user logged out.
    Logout,
    /// The user or an administrator revoked it.
    Revoked,
    /// The user was deleted.
    UserDeleted,
    /// The user was disabled.
    UserDisabled,
    /// The user changed their password from another session.
    PasswordChanged,
    /// An administrator reset the password and asked for sessions to end.
    PasswordReset,
}
