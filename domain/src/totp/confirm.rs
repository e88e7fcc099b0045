use super::{RECOVERY_CODES, SealedSecret, TotpEnabled, TotpError, TotpEvent, require_self};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::UserId;
use crate::store::Actor;
use crate::values::TokenHash;
use std::collections::BTreeSet;

/// A user confirms their pending enrolment with a code from it: two-factor authentication is
/// on, and the recovery codes (generated, shown once and hashed before the command is built)
/// are stored as hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmTotp {
    /// Whose (must be the caller).
    pub user_id: UserId,
    /// The pending secret the code was checked against; a newer enrolment makes it stale.
    pub verified_against: SealedSecret,
    /// The time step the code matched, or `None` if it matched none.
    pub step: Option<u64>,
    /// SHA-256 of each of the [`RECOVERY_CODES`] recovery codes.
    pub recovery_codes: Vec<TokenHash>,
}

impl Command for ConfirmTotp {
    type Error = TotpError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, TotpError> {
        require_self(actor, loaded, self.user_id)?;
        let factor = loaded.totp(self.user_id);
        if factor.is_on() {
            return Err(TotpError::AlreadyOn);
        }
        let Some(pending) = &factor.pending else {
            return Err(TotpError::NothingToConfirm);
        };
        let step = self
            .step
            .filter(|_| *pending == self.verified_against)
            .ok_or(TotpError::InvalidCode)?;
        let distinct: BTreeSet<&TokenHash> = self.recovery_codes.iter().collect();
        if self.recovery_codes.len() != RECOVERY_CODES || distinct.len() != RECOVERY_CODES {
            return Err(TotpError::RecoveryCodes);
        }
        Ok(vec![Event::Totp(
            self.user_id,
            TotpEvent::Enabled(TotpEnabled {
                step,
                recovery_codes: self.recovery_codes.clone(),
            }),
        )])
    }
}
