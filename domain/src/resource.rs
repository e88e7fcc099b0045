//! Things a user owns: ontologies (`ontology-{uuid}`) and annotations (`annotation-{uuid}`),
//! and the ownership rules personas share. Each records its owner when created; commands on
//! them check that the owner is still live, so nothing can be added to a deleted user's data,
//! and the read side drops them all when the owner is deleted.

use crate::decision::{Caller, Command, Loaded};
use crate::error::ErrorKind;
use crate::event::{Event, EventFamily};
use crate::ids::{AnnotationId, OntologyId, UserId};
use crate::store::Actor;
use crate::user::UserState;
use crate::values::ResourceName;
use serde::{Deserialize, Serialize};

/// The life of an owned resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceState {
    /// Does not exist.
    Initial,
    /// Exists, owned by `owner`.
    Live {
        /// The owner.
        owner: UserId,
    },
    /// Deleted.
    Deleted,
}

/// What an owned resource's event does to its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnershipChange {
    /// Created for `owner`.
    Created(UserId),
    /// Now owned by another user.
    Transferred(UserId),
    /// Gone.
    Deleted,
    /// Something else (a rename): ownership unchanged.
    Unchanged,
}

impl ResourceState {
    /// Folds one event in.
    pub fn evolve(&mut self, change: OwnershipChange) {
        match change {
            OwnershipChange::Created(owner) => *self = ResourceState::Live { owner },
            OwnershipChange::Transferred(owner) => {
                if let ResourceState::Live { .. } = self {
                    *self = ResourceState::Live { owner };
                }
            }
            OwnershipChange::Deleted => *self = ResourceState::Deleted,
            OwnershipChange::Unchanged => {}
        }
    }
}

/// Why a command on a persona, ontology or annotation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// Only the owner or an administrator may do this (FORBIDDEN).
    #[error("You can only change your own resources")]
    NotYours,
    /// Only an administrator may do this (FORBIDDEN).
    #[error("Admin access required")]
    AdminRequired,
    /// The id is taken (CONFLICT).
    #[error("Resource already exists")]
    AlreadyExists,
    /// No such resource, or it was deleted, or its owner was (NOT_FOUND).
    #[error("Resource not found")]
    NotFound,
    /// The user it would belong to does not exist or was deleted (NOT_FOUND).
    #[error("User not found")]
    OwnerNotFound,
}

impl ResourceError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ResourceError::NotYours | ResourceError::AdminRequired => ErrorKind::Forbidden,
            ResourceError::AlreadyExists => ErrorKind::Conflict,
            ResourceError::NotFound | ResourceError::OwnerNotFound => ErrorKind::NotFound,
        }
    }
}

/// Checks that a new resource may be created for `owner` by `caller`.
pub(crate) fn check_new(
    caller: Caller,
    loaded: &Loaded,
    owner: UserId,
    current: &ResourceState,
) -> Result<(), ResourceError> {
    if !caller.may_act_for(owner) {
        return Err(ResourceError::NotYours);
    }
    if !matches!(loaded.user(owner), UserState::Live(_)) {
        return Err(ResourceError::OwnerNotFound);
    }
    if *current != ResourceState::Initial {
        return Err(ResourceError::AlreadyExists);
    }
    Ok(())
}

/// The owner of a live resource whose owner is live and may be acted for by `caller`.
pub(crate) fn check_existing(
    caller: Caller,
    loaded: &Loaded,
    current: &ResourceState,
) -> Result<UserId, ResourceError> {
    let ResourceState::Live { owner } = *current else {
        return Err(ResourceError::NotFound);
    };
    // A deleted owner's resources are gone with them, whatever their own stream says.
    if loaded.live_user(owner).is_none() {
        return Err(ResourceError::NotFound);
    }
    if !caller.may_act_for(owner) {
        return Err(ResourceError::NotYours);
    }
    Ok(owner)
}

macro_rules! owned_document {
    (
        $(#[$doc:meta])* $events:ident, $id:ident, $variant:ident, $accessor:ident,
        $created:literal, $deleted:literal,
        $create:ident, $delete:ident
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum $events {
            /// Created for `owner`.
            #[serde(rename = $created)]
            Created {
                /// The owner.
                owner: UserId,
                /// Its name.
                name: ResourceName,
            },
            /// Deleted.
            #[serde(rename = $deleted)]
            Deleted {},
        }

        impl EventFamily for $events {
            const TYPES: &'static [&'static str] = &[$created, $deleted];

            fn event_type(&self) -> &'static str {
                match self {
                    $events::Created { .. } => $created,
                    $events::Deleted {} => $deleted,
                }
            }
        }

        impl From<&$events> for OwnershipChange {
            fn from(event: &$events) -> OwnershipChange {
                match event {
                    $events::Created { owner, .. } => OwnershipChange::Created(*owner),
                    $events::Deleted {} => OwnershipChange::Deleted,
                }
            }
        }

        /// Create one for `owner` (the owner themself or an administrator).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $create {
            /// New id.
            pub id: $id,
            /// The owner.
            pub owner: UserId,
            /// Its name.
            pub name: ResourceName,
        }

        impl Command for $create {
            type Error = ResourceError;

            fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, ResourceError> {
                check_new(loaded.caller(actor), loaded, self.owner, loaded.$accessor(self.id))?;
                Ok(vec![Event::$variant(
                    self.id,
                    $events::Created {
                        owner: self.owner,
                        name: self.name.clone(),
                    },
                )])
            }
        }

        /// Delete one (the owner or an administrator).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $delete {
            /// Which.
            pub id: $id,
        }

        impl Command for $delete {
            type Error = ResourceError;

            fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, ResourceError> {
                check_existing(loaded.caller(actor), loaded, loaded.$accessor(self.id))?;
                Ok(vec![Event::$variant(self.id, $events::Deleted {})])
            }
        }
    };
}

owned_document!(
    /// Events of `ontology-{uuid}`.
    OntologyEvent, OntologyId, Ontology, ontology,
    "OntologyCreated", "OntologyDeleted",
    CreateOntology, DeleteOntology
);
owned_document!(
    /// Events of `annotation-{uuid}`.
    AnnotationEvent, AnnotationId, Annotation, annotation,
    "AnnotationCreated", "AnnotationDeleted",
    CreateAnnotation, DeleteAnnotation
);
