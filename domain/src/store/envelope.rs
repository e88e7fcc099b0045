//! The envelope of a stored event and the request/response types of an append.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// A stream revision: the 0-based index of an event within its stream.
pub type Revision = u64;

/// A global position in the log. Positions start at 1 and grow in commit order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Position(pub u64);

impl Position {
    /// Before the first event: reading after it reads the whole log.
    pub const START: Position = Position(0);
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Who caused an event: a user, or Roster itself (bootstrap, expiry sweeps, migrations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// A signed-in user (or a user registering themself).
    User(Uuid),
    /// Roster itself.
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => id.fmt(f),
            Actor::System => f.write_str("system"),
        }
    }
}

impl Actor {
    /// Parses the text form written by [`fmt::Display`].
    pub fn parse(text: &str) -> Option<Actor> {
        if text == "system" {
            Some(Actor::System)
        } else {
            Uuid::parse_str(text).ok().map(Actor::User)
        }
    }
}

/// What every event carries besides its data: who, why, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// Who issued the command that produced the event.
    pub actor: Actor,
    /// Shared by every event of one request, so an auditor can group them.
    pub correlation_id: Uuid,
    /// The event or command id that caused this one.
    pub causation_id: Uuid,
    /// When the command was decided (taken from the caller, never from a clock in the domain).
    pub occurred_at: DateTime<Utc>,
}

/// The serialised form of a domain event, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventData {
    /// Stable type name, e.g. `UserCreated`. Never derived from a Rust identifier.
    pub event_type: &'static str,
    /// Schema version of `data`; older versions are upcast on read.
    pub schema_version: u32,
    /// The event's fields as JSON text.
    pub data: String,
}

/// An event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// UUID v7, chosen by the caller so that a retried append is recognised.
    pub event_id: Uuid,
    /// Stable type name.
    pub event_type: String,
    /// Schema version of `data`.
    pub schema_version: u32,
    /// The event's fields as JSON text.
    pub data: String,
    /// Actor, correlation, causation and time.
    pub metadata: Metadata,
}

/// A stored event, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The id it was appended with.
    pub event_id: Uuid,
    /// The stream it belongs to.
    pub stream: String,
    /// Its 0-based index in the stream.
    pub revision: Revision,
    /// Its place in the whole log.
    pub position: Position,
    /// Stable type name.
    pub event_type: String,
    /// Schema version of `data` (after upcasting, the current one).
    pub schema_version: u32,
    /// The event's fields as JSON text.
    pub data: String,
    /// Actor, correlation, causation and time.
    pub metadata: Metadata,
}

/// The revision a stream must be at for an append to go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must have this revision.
    Exact(Revision),
    /// No check.
    Any,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::NoStream => f.write_str("no stream"),
            Expected::Exact(revision) => write!(f, "revision {revision}"),
            Expected::Any => f.write_str("any"),
        }
    }
}

impl Expected {
    /// The expectation that matches a stream whose last revision is `current`.
    pub fn from_current(current: Option<Revision>) -> Expected {
        match current {
            None => Expected::NoStream,
            Some(revision) => Expected::Exact(revision),
        }
    }

    /// Whether a stream at `current` satisfies this expectation.
    pub fn is_met_by(self, current: Option<Revision>) -> bool {
        match (self, current) {
            (Expected::Any, _) => true,
            (Expected::NoStream, None) => true,
            (Expected::Exact(expected), Some(actual)) => expected == actual,
            _ => false,
        }
    }
}

/// One stream's part of an atomic append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamAppend {
    /// The stream, `<kind>-<id>`.
    pub stream: String,
    /// Where the stream must be for the append to go through.
    pub expected: Expected,
    /// The events to add, in order. Empty means "check only".
    pub events: Vec<NewEvent>,
}

/// The outcome of a successful append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Position of the last event written (or, for a pure check, the head at that moment).
    pub last_position: Position,
    /// Each stream's revision after the append, in the order of the request.
    pub revisions: Vec<(String, Option<Revision>)>,
}

/// Why an append did not go through.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppendError {
    /// A stream was not where the caller expected (maps to CONFLICT when it reaches a user).
    #[error("stream {stream} expected at {expected}, but it is at {}", describe(*.actual))]
    Conflict {
        /// The stream whose expectation failed.
        stream: String,
        /// What the caller expected.
        expected: Expected,
        /// Its actual last revision (`None`: it does not exist).
        actual: Option<Revision>,
    },
    /// The request itself is malformed (e.g. the same stream twice, or a partly re-sent batch).
    #[error("invalid append: {0}")]
    Invalid(String),
    /// The store failed (maps to INTERNAL).
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe(actual: Option<Revision>) -> String {
    match actual {
        None => "no stream".to_owned(),
        Some(revision) => format!("revision {revision}"),
    }
}

/// A failure of the storage backend itself (maps to INTERNAL).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The backend reported an error.
    #[error("event store failure: {0}")]
    Backend(String),
    /// A stored event could not be read back as written.
    #[error("stored event {position} is corrupt: {reason}")]
    Corrupt {
        /// Where.
        position: Position,
        /// What is wrong.
        reason: String,
    },
    /// The store has been shut down.
    #[error("event store is closed")]
    Closed,
}
