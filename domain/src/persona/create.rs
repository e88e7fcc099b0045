use super::PersonaEvent;
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::{PersonaId, UserId};
use crate::resource::{ResourceError, check_new};
use crate::store::Actor;
use crate::values::ResourceName;

/// Create a persona for `owner` (the owner themself or an administrator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePersona {
    /// New id.
    pub persona_id: PersonaId,
    /// The owner.
    pub owner: UserId,
    /// Its name.
    pub name: ResourceName,
}

impl Command for CreatePersona {
    type Error = ResourceError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, ResourceError> {
        let current = loaded.persona(self.persona_id);
        check_new(loaded.caller(actor), loaded, self.owner, current)?;
        Ok(vec![Event::Persona(
            self.persona_id,
            PersonaEvent::Created {
                owner: self.owner,
                name: self.name.clone(),
            },
        )])
    }
}
