//! Personas (`persona-{uuid}`): owned by one user, renamed, handed to another user when
//! someone leaves (the guide's "transfer critical personas"), deleted with their owner.

use crate::decision::{Command, Loaded};
use crate::event::{Event, EventFamily};
use crate::ids::{PersonaId, UserId};
use crate::resource::{OwnershipChange, ResourceError, ResourceState, check_existing, check_new};
use crate::store::Actor;
use crate::values::ResourceName;
use serde::{Deserialize, Serialize};

/// A persona's state: who owns it, if it exists.
pub type PersonaState = ResourceState;

/// Everything that can happen to a persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum PersonaEvent {
    /// Created for `owner`.
    #[serde(rename = "PersonaCreated")]
    Created {
        /// The owner.
        owner: UserId,
        /// Its name.
        name: ResourceName,
    },
    /// Renamed.
    #[serde(rename = "PersonaRenamed")]
    Renamed {
        /// The new name.
        name: ResourceName,
    },
    /// Handed from one user to another.
    #[serde(rename = "PersonaTransferred")]
    Transferred {
        /// The previous owner.
        from: UserId,
        /// The new owner.
        to: UserId,
    },
    /// Deleted.
    #[serde(rename = "PersonaDeleted")]
    Deleted {},
}

impl EventFamily for PersonaEvent {
    const TYPES: &'static [&'static str] = &[
        "PersonaCreated",
        "PersonaRenamed",
        "PersonaTransferred",
        "PersonaDeleted",
    ];

    fn event_type(&self) -> &'static str {
        match self {
            PersonaEvent::Created { .. } => "PersonaCreated",
            PersonaEvent::Renamed { .. } => "PersonaRenamed",
            PersonaEvent::Transferred { .. } => "PersonaTransferred",
            PersonaEvent::Deleted {} => "PersonaDeleted",
        }
    }
}

impl From<&PersonaEvent> for OwnershipChange {
    fn from(event: &PersonaEvent) -> OwnershipChange {
        match event {
            PersonaEvent::Created { owner, .. } => OwnershipChange::Created(*owner),
            PersonaEvent::Transferred { to, .. } => OwnershipChange::Transferred(*to),
            PersonaEvent::Deleted {} => OwnershipChange::Deleted,
            PersonaEvent::Renamed { .. } => OwnershipChange::Unchanged,
        }
    }
}

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

/// Rename a persona (the owner or an administrator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenamePersona {
    /// Which.
    pub persona_id: PersonaId,
    /// The new name.
    pub name: ResourceName,
}

impl Command for RenamePersona {
    type Error = ResourceError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, ResourceError> {
        check_existing(
            loaded.caller(actor),
            loaded,
            loaded.persona(self.persona_id),
        )?;
        Ok(vec![Event::Persona(
            self.persona_id,
            PersonaEvent::Renamed {
                name: self.name.clone(),
            },
        )])
    }
}

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
