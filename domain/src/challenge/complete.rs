use super::{ChallengeError, ChallengeEvent, LoginChallenge, password_fingerprint};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::SessionId;
use crate::session::{SessionStarted, open_session};
use crate::store::Actor;
use crate::totp::{SecondFactorProof, TotpError};
use crate::values::TokenHash;
use chrono::{DateTime, Utc};

/// A second factor completes a login challenge: the challenge is spent, the code's step (or
/// the recovery code) is spent, and the session starts, in one atomic append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteLoginChallenge {
    /// SHA-256 of the challenge token the client presented.
    pub challenge: TokenHash,
    /// The code or recovery code.
    pub proof: SecondFactorProof,
    /// When the client presented it (a challenge is accepted only before it expires).
    pub now: DateTime<Utc>,
    /// The new session's id.
    pub session_id: SessionId,
    /// The new session, for the user the challenge belongs to.
    pub session: SessionStarted,
}

impl Command for CompleteLoginChallenge {
    type Error = ChallengeError;

    fn decide(&self, _actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, ChallengeError> {
        let issued = match loaded.challenge(&self.challenge) {
            LoginChallenge::Issued(issued) => issued,
            LoginChallenge::Initial => return Err(ChallengeError::Invalid),
            LoginChallenge::Completed => return Err(ChallengeError::AlreadyUsed),
        };
        if self.now >= issued.expires_at {
            return Err(ChallengeError::Expired);
        }
        let user_id = issued.user_id;
        if self.session.user_id != user_id || self.session.remember_me != issued.remember_me {
            return Err(ChallengeError::Invalid);
        }
        let user = loaded.live_user(user_id).ok_or(ChallengeError::Invalid)?;
        if password_fingerprint(&user.password_hash) != issued.password_fingerprint {
            return Err(ChallengeError::Invalid);
        }
        let Some(active) = &loaded.totp(user_id).active else {
            return Err(ChallengeError::Invalid);
        };
        let spent = self.proof.spend(user_id, active).map_err(|e| match e {
            TotpError::CodeReused => ChallengeError::CodeReused,
            _ => ChallengeError::InvalidCode,
        })?;
        let started = open_session(loaded, user, self.session_id, &self.session)?;
        Ok(vec![
            Event::Challenge(
                self.challenge.clone(),
                ChallengeEvent::Completed {
                    user_id,
                    session_id: self.session_id,
                },
            ),
            spent,
            started,
        ])
    }
}
