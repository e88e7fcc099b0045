//! The events of ontologies and annotations, and what each does to ownership. Both kinds have
//! the same two events, so one macro states them.

use super::OwnershipChange;
use crate::event::EventFamily;
use crate::ids::UserId;
use crate::values::ResourceName;
use serde::{Deserialize, Serialize};

macro_rules! owned_document_events {
    ($(#[$doc:meta])* $events:ident, $created:literal, $deleted:literal) => {
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
    };
}

owned_document_events!(
    /// Events of `ontology-{uuid}`.
    OntologyEvent,
    "OntologyCreated",
    "OntologyDeleted"
);
owned_document_events!(
    /// Events of `annotation-{uuid}`.
    AnnotationEvent,
    "AnnotationCreated",
    "AnnotationDeleted"
);
