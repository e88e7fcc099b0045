//! The events of a login challenge.

use crate::event::EventFamily;
use crate::ids::{SessionId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Everything that can happen to a login challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ChallengeEvent {
    /// A user with two-factor authentication on gave the right password: a second factor
    /// completes the login.
    #[serde(rename = "LoginChallengeIssued")]
    Issued(ChallengeIssued),
    /// A second factor completed the login and started the session; the challenge is spent.
    #[serde(rename = "LoginChallengeCompleted")]
    Completed {
        /// Whose login.
        user_id: UserId,
        /// The session it started.
        session_id: SessionId,
    },
}

impl EventFamily for ChallengeEvent {
    const TYPES: &'static [&'static str] = &["LoginChallengeIssued", "LoginChallengeCompleted"];

    fn event_type(&self) -> &'static str {
        match self {
            ChallengeEvent::Issued(_) => "LoginChallengeIssued",
            ChallengeEvent::Completed { .. } => "LoginChallengeCompleted",
        }
    }
}

/// `LoginChallengeIssued`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeIssued {
    /// Whose login.
    pub user_id: UserId,
    /// When it stops being accepted.
    #[serde(deserialize_with = "crate::event::time::deserialize")]
    pub expires_at: DateTime<Utc>,
    /// SHA-256 (hex) of the password hash the password was verified against: a password
    /// reset or change before the challenge is completed makes it fail.
    pub password_fingerprint: String,
    /// The session it starts is long-lived ("remember me"), as the login asked.
    pub remember_me: bool,
}
