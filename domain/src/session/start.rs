use super::{SessionError, SessionEvent, SessionStarted, SessionState};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::{SessionId, UserId};
use crate::store::Actor;
use crate::user::User;
use crate::values::{PasswordHash, TokenHash};
use chrono::{DateTime, Utc};

/// Longest user agent kept, in characters (longer ones are cut, not refused: a browser's
/// header is not the user's fault).
pub const MAX_USER_AGENT: usize = 512;
/// Longest client address kept.
pub const MAX_IP: usize = 64;

/// Log a user in. The password was verified outside the domain (argon2 is slow and not pure);
/// the command carries the hash it was verified against, so a password reset that lands in
/// between makes the login fail instead of slipping through. A user with two-factor
/// authentication on gets no session from a password alone: their login is a challenge
/// ([`crate::challenge`]) that a second factor completes.
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
        if loaded.totp(user.id).is_on() {
            return Err(SessionError::SecondFactorRequired);
        }
        let started = SessionStarted {
            user_id: self.user_id,
            token_hash: self.token_hash.clone(),
            expires_at: self.expires_at,
            user_agent: self.user_agent.clone(),
            ip: self.ip.clone(),
            remember_me: self.remember_me,
        };
        Ok(vec![open_session(loaded, user, self.session_id, &started)?])
    }
}

/// The `SessionStarted` of a new session `session_id` for `user`, whose credentials the
/// caller has checked: refused for a disabled account or a session id in use. The user agent
/// and address are cut to their bounds.
pub(crate) fn open_session(
    loaded: &Loaded,
    user: &User,
    session_id: SessionId,
    started: &SessionStarted,
) -> Result<Event, SessionError> {
    if user.disabled {
        return Err(SessionError::AccountDisabled);
    }
    if *loaded.session(session_id) != SessionState::Initial {
        return Err(SessionError::AlreadyExists);
    }
    Ok(Event::Session(
        session_id,
        SessionEvent::Started(SessionStarted {
            user_id: user.id,
            token_hash: started.token_hash.clone(),
            expires_at: started.expires_at,
            user_agent: cut(started.user_agent.as_deref(), MAX_USER_AGENT),
            ip: cut(started.ip.as_deref(), MAX_IP),
            remember_me: started.remember_me,
        }),
    ))
}

fn cut(text: Option<&str>, max: usize) -> Option<String> {
    text.map(|t| t.chars().filter(|c| !c.is_control()).take(max).collect())
}
