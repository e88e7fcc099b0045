//! The events of a persona, and what each does to its ownership.

use crate::event::EventFamily;
use crate::ids::UserId;
use crate::resource::OwnershipChange;
use crate::values::ResourceName;
use serde::{Deserialize, Serialize};

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
