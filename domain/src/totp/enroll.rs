use super::{SealedSecret, TotpError, TotpEvent, require_self};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::UserId;
use crate::store::Actor;

/// A user begins enrolling a new TOTP secret (generated and sealed before the command is
/// built). It stays pending until [`ConfirmTotp`](super::ConfirmTotp); enrolling again
/// replaces a pending secret. Refused while two-factor authentication is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTotpEnrollment {
    /// Whose (must be the caller).
    pub user_id: UserId,
    /// The new secret, sealed.
    pub secret: SealedSecret,
}

impl Command for StartTotpEnrollment {
    type Error = TotpError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, TotpError> {
        require_self(actor, loaded, self.user_id)?;
        if loaded.totp(self.user_id).is_on() {
            return Err(TotpError::AlreadyOn);
        }
        Ok(vec![Event::Totp(
            self.user_id,
            TotpEvent::EnrollmentStarted {
                secret: self.secret.clone(),
            },
        )])
    }
}
