//! The events of an idempotent request.

use crate::event::EventFamily;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Everything that can happen to the request an idempotency key names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum IdempotencyEvent {
    /// A request with this key started running.
    #[serde(rename = "IdempotentRequestStarted")]
    Started(RequestStarted),
    /// It was answered; a repeat within the retention gets this answer.
    #[serde(rename = "IdempotentRequestCompleted")]
    Completed(IdempotentAnswer),
    /// It ended without an answer worth keeping (a server error, a timeout): the key may be
    /// used again.
    #[serde(rename = "IdempotentRequestAbandoned")]
    Abandoned {
        /// When.
        #[serde(deserialize_with = "crate::event::time::deserialize")]
        at: DateTime<Utc>,
    },
}

impl EventFamily for IdempotencyEvent {
    const TYPES: &'static [&'static str] = &[
        "IdempotentRequestStarted",
        "IdempotentRequestCompleted",
        "IdempotentRequestAbandoned",
    ];

    fn event_type(&self) -> &'static str {
        match self {
            IdempotencyEvent::Started(_) => "IdempotentRequestStarted",
            IdempotencyEvent::Completed(_) => "IdempotentRequestCompleted",
            IdempotencyEvent::Abandoned { .. } => "IdempotentRequestAbandoned",
        }
    }
}

/// `IdempotentRequestStarted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStarted {
    /// SHA-256 (hex) of the request's method, path and body: a repeat must match it.
    pub fingerprint: String,
    /// When it started.
    #[serde(deserialize_with = "crate::event::time::deserialize")]
    pub at: DateTime<Utc>,
}

/// `IdempotentRequestCompleted`: the answer, as it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotentAnswer {
    /// The HTTP status.
    pub status: u16,
    /// Its `Content-Type`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Its `ETag`, if any (the version of an account an edit answers with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The body (Roster answers in JSON).
    pub body: String,
    /// When it was answered.
    #[serde(deserialize_with = "crate::event::time::deserialize")]
    pub at: DateTime<Utc>,
}
