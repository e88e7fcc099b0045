use super::PersonaEvent;
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::{PersonaId, UserId};
use crate::resource::{ResourceError, check_existing};
use crate::store::Actor;

/// Hand a persona to another live user (administrators only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferPersona {
    /// Which.
    pub persona_id: PersonaId,
    /// The new owner.
    pub to: UserId,
}

impl Command for TransferPersona {
    type Error = ResourceError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, ResourceError> {
        let caller = loaded.caller(actor);
        if !caller.is_admin_or_system() {
            return Err(ResourceError::AdminRequired);
        }
        let from = check_existing(caller, loaded, loaded.persona(self.persona_id))?;
        if loaded.live_user(self.to).is_none() {
            return Err(ResourceError::OwnerNotFound);
        }
        if from == self.to {
            return Ok(vec![]);
        }
        Ok(vec![Event::Persona(
            self.persona_id,
            PersonaEvent::Transferred { from, to: self.to },
        )])
    }
}
