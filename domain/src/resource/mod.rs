//! Things a user owns: ontologies (`ontology-{uuid}`) and annotations (`annotation-{uuid}`),
//! and the ownership rules personas share. Each records its owner when created; commands on
//! them check that the owner is still live, so nothing can be added to a deleted user's data,
//! and the read side drops them all when the owner is deleted.
//!
//! Naming: a "resource" here (`ResourceState`, `ResourceError`, `ResourceName`) is what the
//! read side and the API call an "owned" thing (`roster_projections::models::Owned` and
//! `OwnedIndex`, the API's `service::owned`): the same personas, ontologies and annotations
//! under another name. The read side's `Owned` also holds API keys, which the domain keeps in
//! keyrings (`crate::keyring`), not here.
//!
//! Laid out like `user`: the state, `evolve` and the ownership checks the decisions share
//! (personas' too) here, the events in `events.rs`, the refusals in `error.rs`, and one file
//! per decision (`create.rs`, `delete.rs`), each stating it once for ontologies and
//! annotations, whose rules are the same.

mod create;
mod delete;
mod error;
mod events;

pub use create::{CreateAnnotation, CreateOntology};
pub use delete::{DeleteAnnotation, DeleteOntology};
pub use error::ResourceError;
pub use events::{AnnotationEvent, OntologyEvent};

use crate::decision::{Caller, Loaded};
use crate::ids::UserId;
use crate::user::UserState;

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
