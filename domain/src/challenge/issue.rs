use super::{
    ChallengeError, ChallengeEvent, ChallengeIssued, LoginChallenge, password_fingerprint,
};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::UserId;
use crate::session::SessionError;
use crate::store::Actor;
use crate::values::{PasswordHash, TokenHash};
use chrono::{DateTime, Utc};

/// The password of a user with two-factor authentication on was right: issue a challenge
/// that a second factor completes. Like a login, the command carries the hash the password
/// was verified against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueLoginChallenge {
    /// SHA-256 of the new challenge token: the challenge's stream.
    pub challenge: TokenHash,
    /// Who logs in.
    pub user_id: UserId,
    /// The stored hash the password matched, or `None` if it did not match.
    pub verified_against: Option<PasswordHash>,
    /// When the challenge stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// The session it starts will be long-lived.
    pub remember_me: bool,
}

impl Command for IssueLoginChallenge {
    type Error = ChallengeError;

    fn decide(&self, _actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, ChallengeError> {
        let user = loaded
            .live_user(self.user_id)
            .ok_or(SessionError::InvalidCredentials)?;
        let Some(hash) = self
            .verified_against
            .as_ref()
            .filter(|hash| **hash == user.password_hash)
        else {
            return Err(SessionError::InvalidCredentials.into());
        };
        if user.disabled {
            return Err(SessionError::AccountDisabled.into());
        }
        if !loaded.totp(user.id).is_on() {
            return Err(ChallengeError::SecondFactorNotOn);
        }
        if *loaded.challenge(&self.challenge) != LoginChallenge::Initial {
            return Err(ChallengeError::AlreadyExists);
        }
        Ok(vec![Event::Challenge(
            self.challenge.clone(),
            ChallengeEvent::Issued(ChallengeIssued {
                user_id: user.id,
                expires_at: self.expires_at,
                password_fingerprint: password_fingerprint(hash),
                remember_me: self.remember_me,
            }),
        )])
    }
}
