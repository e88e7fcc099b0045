//! Creating an ontology or an annotation: one rule for both kinds, stated once by a macro.

use super::{AnnotationEvent, OntologyEvent, ResourceError, check_new};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::{AnnotationId, OntologyId, UserId};
use crate::store::Actor;
use crate::values::ResourceName;

macro_rules! create_owned_document {
    ($events:ident, $id:ident, $variant:ident, $accessor:ident, $create:ident) => {
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
                check_new(
                    loaded.caller(actor),
                    loaded,
                    self.owner,
                    loaded.$accessor(self.id),
                )?;
                Ok(vec![Event::$variant(
                    self.id,
                    $events::Created {
                        owner: self.owner,
                        name: self.name.clone(),
                    },
                )])
            }
        }
    };
}

create_owned_document!(
    OntologyEvent,
    OntologyId,
    Ontology,
    ontology,
    CreateOntology
);
create_owned_document!(
    AnnotationEvent,
    AnnotationId,
    Annotation,
    annotation,
    CreateAnnotation
);
