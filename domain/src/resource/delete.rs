//! Deleting an ontology or an annotation: one rule for both kinds, stated once by a macro.

use super::{AnnotationEvent, OntologyEvent, ResourceError, check_existing};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::{AnnotationId, OntologyId};
use crate::store::Actor;

macro_rules! delete_owned_document {
    ($events:ident, $id:ident, $variant:ident, $accessor:ident, $delete:ident) => {
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

delete_owned_document!(
    OntologyEvent,
    OntologyId,
    Ontology,
    ontology,
    DeleteOntology
);
delete_owned_document!(
    AnnotationEvent,
    AnnotationId,
    Annotation,
    annotation,
    DeleteAnnotation
);
