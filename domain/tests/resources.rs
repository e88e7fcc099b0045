//! given/when/then for ontologies and annotations. Both follow the same ownership rules, so
//! one suite is written once and instantiated for each.

mod common;

use common::*;
use roster_domain::event::Event;
use roster_domain::resource::ResourceError;
use roster_domain::testing::given;

macro_rules! owned_document_suite {
    ($module:ident, $id:ident, $event:ident, $variant:ident, $create:ident, $delete:ident) => {
        mod $module {
            use super::*;
            use roster_domain::ids::UserId;
            use roster_domain::ids::$id;
            use roster_domain::resource::{ResourceState, $create, $delete, $event};
            use roster_domain::store::Actor;
            use uuid::Uuid;

            const DOC: $id = $id(Uuid::from_u128(0x600));

            fn create(owner: UserId) -> $create {
                $create {
                    id: DOC,
                    owner,
                    name: resource_name("Birds of Europe"),
                }
            }

            fn created(owner: UserId) -> Event {
                Event::$variant(
                    DOC,
                    $event::Created {
                        owner,
                        name: resource_name("Birds of Europe"),
                    },
                )
            }

            fn delete() -> $delete {
                $delete { id: DOC }
            }

            fn deleted() -> Event {
                Event::$variant(DOC, $event::Deleted {})
            }

            fn alice_has_one() -> Vec<Event> {
                [root_alice_and_bob(), vec![created(ALICE)]].concat()
            }

            #[test]
            fn it_should_let_the_owner_create_one() {
                given(root_and_alice())
                    .when(as_user(ALICE), create(ALICE))
                    .then(vec![created(ALICE)]);
            }

            #[test]
            fn it_should_let_an_admin_create_one_for_a_member() {
                given(root_and_alice())
                    .when(as_user(ROOT), create(ALICE))
                    .then(vec![created(ALICE)]);
            }

            #[test]
            fn it_should_not_let_a_member_create_one_for_another_member() {
                given(root_alice_and_bob())
                    .when(as_user(BOB), create(ALICE))
                    .then_error(ResourceError::NotYours);
            }

            #[test]
            fn it_should_not_create_one_for_an_unknown_owner() {
                given(root_and_alice())
                    .when(as_user(ROOT), create(NOBODY))
                    .then_error(ResourceError::OwnerNotFound);
            }

            #[test]
            fn it_should_not_create_one_for_a_deleted_owner() {
                given([root_and_alice(), member_deleted(ALICE, "alice")].concat())
                    .when(Actor::System, create(ALICE))
                    .then_error(ResourceError::OwnerNotFound);
            }

            #[test]
            fn it_should_not_reuse_an_id() {
                given(alice_has_one())
                    .when(as_user(BOB), create(BOB))
                    .then_error(ResourceError::AlreadyExists);
            }

            #[test]
            fn it_should_not_reuse_the_id_of_a_deleted_one() {
                given([alice_has_one(), vec![deleted()]].concat())
                    .when(as_user(ALICE), create(ALICE))
                    .then_error(ResourceError::AlreadyExists);
            }

            #[test]
            fn it_should_let_the_owner_delete_one() {
                given(alice_has_one())
                    .when(as_user(ALICE), delete())
                    .then(vec![deleted()]);
            }

            #[test]
            fn it_should_let_an_admin_delete_someone_elses() {
                given(alice_has_one())
                    .when(as_user(ROOT), delete())
                    .then(vec![deleted()]);
            }

            #[test]
            fn it_should_not_let_another_member_delete_one() {
                given(alice_has_one())
                    .when(as_user(BOB), delete())
                    .then_error(ResourceError::NotYours);
            }

            #[test]
            fn it_should_not_delete_an_unknown_one() {
                given(root_and_alice())
                    .when(as_user(ALICE), delete())
                    .then_error(ResourceError::NotFound);
            }

            #[test]
            fn it_should_not_delete_one_twice() {
                given([alice_has_one(), vec![deleted()]].concat())
                    .when(as_user(ALICE), delete())
                    .then_error(ResourceError::NotFound);
            }

            #[test]
            fn it_should_treat_one_whose_owner_was_deleted_as_gone() {
                given([alice_has_one(), member_deleted(ALICE, "alice")].concat())
                    .when(as_user(ROOT), delete())
                    .then_error(ResourceError::NotFound);
            }

            #[test]
            fn it_should_fold_the_owner_and_deletion_into_its_state() {
                // The state every rule above rests on, checked directly.
                let mut state = ResourceState::Initial;
                state.evolve(
                    (&$event::Created {
                        owner: ALICE,
                        name: resource_name("x"),
                    })
                        .into(),
                );
                assert_eq!(state, ResourceState::Live { owner: ALICE });
                state.evolve((&$event::Deleted {}).into());
                assert_eq!(state, ResourceState::Deleted);
            }
        }
    };
}

owned_document_suite!(
    ontologies,
    OntologyId,
    OntologyEvent,
    Ontology,
    CreateOntology,
    DeleteOntology
);
owned_document_suite!(
    annotations,
    AnnotationId,
    AnnotationEvent,
    Annotation,
    CreateAnnotation,
    DeleteAnnotation
);
