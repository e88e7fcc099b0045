use super::PersonaEvent;
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::PersonaId;
use crate::resource::{ResourceError, check_existing};
use crate::store::Actor;

/// Delete a persona (the owner or an administrator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePersona {
    /// Which.
    pub persona_id: PersonaId,
}

impl Command for DeletePersona {
    type Error = ResourceError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, ResourceError> {
        check_existing(
            loaded.caller(actor),
            loaded,
            loaded.persona(self.persona_id),
        )?;
        Ok(vec![Event::Persona(
            self.persona_id,
            PersonaEvent::Deleted {},
        )])
    }
}
