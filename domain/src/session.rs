//! Login sessions (`session-{uuid}`). A session stores only the SHA-256 of its token. Its
//! expiry is a time, not an event: the read side compares it with the clock. A session of a
//! user who is disabled or deleted stops working through the read side at once. Commands on
//! it then follow its owner: a deleted owner's sessions went with them (`UserDeleted` is their
//! end), so nothing more is recorded on them; a disabled owner's sessions record no activity,
//! but an administrator may still end them.

use crate::decision::{Command, Loaded};
use crate::error::ErrorKind;
use crate::event::{Event, EventFamily};
use crate::ids::{SessionId, UserId};
use crate::store::Actor;
use crate::user::User;
use crate::values::{PasswordHash, TokenHash};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest user agent kept, in characters (longer ones are cut, not refused: a browser's
/// header is not the user's fault).
pub const MAX_USER_AGENT: usize = 512;
/// Longest client address kept.
pub const MAX_IP: usize = 64;

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

/// A session as the decider sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// No such session.
    Initial,
    /// Started and not ended (it may still have expired by the clock).
    Active {
        /// Whose.
        user_id: UserId,
    },
    /// Ended.
    Ended {
        /// Whose.
        user_id: UserId,
        /// Why.
        reason: EndReason,
    },
}

impl SessionState {
    /// Folds one event in.
    pub fn evolve(&mut self, event: &SessionEvent) {
        match (&*self, event) {
            (_, SessionEvent::Started(e)) => *self = SessionState::Active { user_id: e.user_id },
            (SessionState::Active { user_id }, SessionEvent::Ended { reason }) => {
                *self = SessionState::Ended {
                    user_id: *user_id,
                    reason: *reason,
                }
            }
            _ => {}
        }
    }
}

/// Why a session command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Unknown user or wrong password: one message for both, so neither is revealed (UNAUTHENTICATED).
    #[error("Invalid username or password")]
    InvalidCredentials,
    /// The password was right but the account is disabled (FORBIDDEN).
    #[error("Account is disabled")]
    AccountDisabled,
    /// The session id is already in use (CONFLICT).
    #[error("Session already exists")]
    AlreadyExists,
    /// No such session (NOT_FOUND).
    #[error("Session not found")]
    NotFound,
    /// The session has already ended (NOT_FOUND).
    #[error("Session has already ended")]
    AlreadyEnded,
    /// Only the owner or an administrator may end a session (FORBIDDEN).
    #[error("Cannot revoke another user's session")]
    NotYourSession,
    /// The session's owner was deleted, and the session with them (NOT_FOUND). The message is
    /// the one a client gets for any session that is gone, since the read side no longer
    /// lists it either.
    #[error("Session not found")]
    OwnerDeleted,
}

impl SessionError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SessionError::InvalidCredentials => ErrorKind::Unauthenticated,
            SessionError::AccountDisabled | SessionError::NotYourSession => ErrorKind::Forbidden,
            SessionError::AlreadyExists => ErrorKind::Conflict,
            SessionError::NotFound | SessionError::AlreadyEnded | SessionError::OwnerDeleted => {
                ErrorKind::NotFound
            }
        }
    }
}

/// Log a user in. The password was verified outside the domain (argon2 is slow and not pure);
/// the command carries the hash it was verified against, so a password reset that lands in
/// between makes the login fail instead of slipping through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartSession {
    /// New id.
    pub session_id: SessionId,
    /// Who logs in.
    pub user_id: UserId,
    /// The stored hash the password matched, or `None` if it did not match.
    pub verified_against: Option<PasswordHash>,
    /// SHA-256 of the new token.
    pub token_hash: TokenHash,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The client's address.
    pub ip: Option<String>,
    /// Long-lived session.
    pub remember_me: bool,
}

impl Command for StartSession {
    type Error = SessionError;

    fn decide(&self, _actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, SessionError> {
        let user = loaded
            .live_user(self.user_id)
            .ok_or(SessionError::InvalidCredentials)?;
        if self.verified_against.as_ref() != Some(&user.password_hash) {
            return Err(SessionError::InvalidCredentials);
        }
        if user.disabled {
            return Err(SessionError::AccountDisabled);
        }
        if *loaded.session(self.session_id) != SessionState::Initial {
            return Err(SessionError::AlreadyExists);
        }
        Ok(vec![Event::Session(
            self.session_id,
            SessionEvent::Started(SessionStarted {
                user_id: self.user_id,
                token_hash: self.token_hash.clone(),
                expires_at: self.expires_at,
                user_agent: cut(self.user_agent.as_deref(), MAX_USER_AGENT),
                ip: cut(self.ip.as_deref(), MAX_IP),
                remember_me: self.remember_me,
            }),
        )])
    }
}

fn cut(text: Option<&str>, max: usize) -> Option<String> {
    text.map(|t| t.chars().filter(|c| !c.is_control()).take(max).collect())
}

/// Record that a session was used, for the idle timeout. Refused once its owner is deleted
/// or disabled: such a session no longer authenticates, so it cannot have been used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSessionActivity {
    /// Which session.
    pub session_id: SessionId,
    /// When it was used.
    pub at: DateTime<Utc>,
}

impl Command for RecordSessionActivity {
    type Error = SessionError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, SessionError> {
        let owner = live_owner(loaded, self.session_id)?;
        if owner.disabled {
            return Err(SessionError::AccountDisabled);
        }
        if !loaded.caller(actor).may_act_for(owner.id) {
            return Err(SessionError::NotYourSession);
        }
        Ok(vec![Event::Session(
            self.session_id,
            SessionEvent::ActivityRecorded { at: self.at },
        )])
    }
}

/// End a session: the owner logs out or revokes one of their own, an administrator revokes
/// anyone's (a disabled user's too). Refused, for everyone, once the owner is deleted: the
/// deletion already ended it, and a deleted user accepts no further command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndSession {
    /// Which session.
    pub session_id: SessionId,
    /// Why.
    pub reason: EndReason,
}

impl Command for EndSession {
    type Error = SessionError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, SessionError> {
        let owner = live_owner(loaded, self.session_id)?;
        if !loaded.caller(actor).may_act_for(owner.id) {
            return Err(SessionError::NotYourSession);
        }
        Ok(vec![Event::Session(
            self.session_id,
            SessionEvent::Ended {
                reason: self.reason,
            },
        )])
    }
}

/// The owner of an active session, as long as the owner is not deleted. Reading the owner's
/// stream also guards the append with it, so a deletion that lands in between is noticed.
fn live_owner(loaded: &Loaded, id: SessionId) -> Result<&User, SessionError> {
    let user_id = match loaded.session(id) {
        SessionState::Active { user_id } => *user_id,
        SessionState::Initial => return Err(SessionError::NotFound),
        SessionState::Ended { .. } => return Err(SessionError::AlreadyEnded),
    };
    // `None` also covers an owner that never existed, which a started session cannot have.
    loaded.live_user(user_id).ok_or(SessionError::OwnerDeleted)
}
