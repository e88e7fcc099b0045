use super::{SecondFactorProof, TotpError, TotpEvent, require_self};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::UserId;
use crate::store::Actor;

/// A user turns two-factor authentication off, proving a code or a recovery code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisableTotp {
    /// Whose (must be the caller).
    pub user_id: UserId,
    /// A code or a recovery code.
    pub proof: SecondFactorProof,
}

impl Command for DisableTotp {
    type Error = TotpError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, TotpError> {
        require_self(actor, loaded, self.user_id)?;
        let Some(active) = &loaded.totp(self.user_id).active else {
            return Err(TotpError::NotOn);
        };
        self.proof.spend(self.user_id, active)?;
        Ok(vec![Event::Totp(self.user_id, TotpEvent::Disabled {})])
    }
}

/// An administrator removes a user's second factor (a lost phone and no recovery code left),
/// pending enrolment included; the user logs in with the password alone again. Nothing to
/// do when there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveTotp {
    /// Whose.
    pub user_id: UserId,
}

impl Command for RemoveTotp {
    type Error = TotpError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, TotpError> {
        if !loaded.caller(actor).is_admin_or_system() {
            return Err(TotpError::AdminRequired);
        }
        if loaded.live_user(self.user_id).is_none() {
            return Err(TotpError::UserNotFound);
        }
        let factor = loaded.totp(self.user_id);
        if factor.pending.is_none() && factor.active.is_none() {
            return Ok(vec![]);
        }
        Ok(vec![Event::Totp(self.user_id, TotpEvent::Removed {})])
    }
}
