//! given/when/then for personas: created, renamed and deleted by their owner or an
//! administrator, handed to another user by an administrator, and gone with their owner.

mod common;

use common::*;
use roster_domain::event::Event;
use roster_domain::ids::{PersonaId, UserId};
use roster_domain::persona::{
    CreatePersona, DeletePersona, PersonaEvent, RenamePersona, TransferPersona,
};
use roster_domain::resource::ResourceError;
use roster_domain::store::Actor;
use roster_domain::testing::given;

fn create(owner: UserId, name: &str) -> CreatePersona {
    CreatePersona {
        persona_id: PERSONA,
        owner,
        name: resource_name(name),
    }
}

fn rename(name: &str) -> RenamePersona {
    RenamePersona {
        persona_id: PERSONA,
        name: resource_name(name),
    }
}

fn renamed(persona: PersonaId, name: &str) -> Event {
    Event::Persona(
        persona,
        PersonaEvent::Renamed {
            name: resource_name(name),
        },
    )
}

fn transfer_to(to: UserId) -> TransferPersona {
    TransferPersona {
        persona_id: PERSONA,
        to,
    }
}

fn transferred(from: UserId, to: UserId) -> Event {
    Event::Persona(PERSONA, PersonaEvent::Transferred { from, to })
}

fn delete() -> DeletePersona {
    DeletePersona {
        persona_id: PERSONA,
    }
}

fn persona_deleted() -> Event {
    Event::Persona(PERSONA, PersonaEvent::Deleted {})
}

/// `root`, `alice` and `bob`, and alice's persona "Research bot".
fn alice_has_a_persona() -> Vec<Event> {
    [
        root_alice_and_bob(),
        vec![persona_created(PERSONA, ALICE, "Research bot")],
    ]
    .concat()
}

mod create_persona {
    use super::*;

    #[test]
    fn it_should_let_a_member_create_a_persona_for_themself() {
        given(root_and_alice())
            .when(as_user(ALICE), create(ALICE, "Research bot"))
            .then(vec![persona_created(PERSONA, ALICE, "Research bot")]);
    }

    #[test]
    fn it_should_let_an_admin_create_a_persona_for_someone_else() {
        given(root_and_alice())
            .when(as_user(ROOT), create(ALICE, "Research bot"))
            .then(vec![persona_created(PERSONA, ALICE, "Research bot")]);
    }

    #[test]
    fn it_should_not_let_a_member_create_a_persona_for_another_member() {
        given(root_alice_and_bob())
            .when(as_user(BOB), create(ALICE, "Research bot"))
            .then_error(ResourceError::NotYours);
    }

    #[test]
    fn it_should_not_create_a_persona_for_an_unknown_owner() {
        given(root_and_alice())
            .when(as_user(ROOT), create(NOBODY, "Research bot"))
            .then_error(ResourceError::OwnerNotFound);
    }

    #[test]
    fn it_should_not_create_a_persona_for_a_deleted_owner() {
        given([root_and_alice(), member_deleted(ALICE, "alice")].concat())
            .when(as_user(ROOT), create(ALICE, "Research bot"))
            .then_error(ResourceError::OwnerNotFound);
    }

    #[test]
    fn it_should_not_reuse_a_persona_id() {
        given(alice_has_a_persona())
            .when(as_user(BOB), create(BOB, "Another bot"))
            .then_error(ResourceError::AlreadyExists);
    }

    #[test]
    fn it_should_not_reuse_the_id_of_a_deleted_persona() {
        given([alice_has_a_persona(), vec![persona_deleted()]].concat())
            .when(as_user(ALICE), create(ALICE, "Research bot"))
            .then_error(ResourceError::AlreadyExists);
    }
}

mod rename_persona {
    use super::*;

    #[test]
    fn it_should_let_the_owner_rename_a_persona() {
        given(alice_has_a_persona())
            .when(as_user(ALICE), rename("Archivist"))
            .then(vec![renamed(PERSONA, "Archivist")]);
    }

    #[test]
    fn it_should_let_an_admin_rename_someone_elses_persona() {
        given(alice_has_a_persona())
            .when(as_user(ROOT), rename("Archivist"))
            .then(vec![renamed(PERSONA, "Archivist")]);
    }

    #[test]
    fn it_should_not_let_another_member_rename_a_persona() {
        given(alice_has_a_persona())
            .when(as_user(BOB), rename("Mine now"))
            .then_error(ResourceError::NotYours);
    }

    #[test]
    fn it_should_not_rename_an_unknown_persona() {
        given(root_and_alice())
            .when(as_user(ALICE), rename("Archivist"))
            .then_error(ResourceError::NotFound);
    }

    #[test]
    fn it_should_not_rename_a_deleted_persona() {
        given([alice_has_a_persona(), vec![persona_deleted()]].concat())
            .when(as_user(ALICE), rename("Archivist"))
            .then_error(ResourceError::NotFound);
    }
}

mod transfer_persona {
    use super::*;

    #[test]
    fn it_should_let_an_admin_transfer_a_persona() {
        given(alice_has_a_persona())
            .when(as_user(ROOT), transfer_to(BOB))
            .then(vec![transferred(ALICE, BOB)]);
    }

    #[test]
    fn it_should_let_an_admin_transfer_a_persona_away_from_a_disabled_owner() {
        given([alice_has_a_persona(), member_disabled(ALICE)].concat())
            .when(as_user(ROOT), transfer_to(BOB))
            .then(vec![transferred(ALICE, BOB)]);
    }

    #[test]
    fn it_should_let_the_system_transfer_a_persona() {
        given(alice_has_a_persona())
            .when(Actor::System, transfer_to(BOB))
            .then(vec![transferred(ALICE, BOB)]);
    }

    #[test]
    fn it_should_not_let_a_member_transfer_their_own_persona() {
        given(alice_has_a_persona())
            .when(as_user(ALICE), transfer_to(BOB))
            .then_error(ResourceError::AdminRequired);
    }

    #[test]
    fn it_should_not_transfer_a_persona_to_a_deleted_user() {
        given([alice_has_a_persona(), member_deleted(BOB, "bob")].concat())
            .when(as_user(ROOT), transfer_to(BOB))
            .then_error(ResourceError::OwnerNotFound);
    }

    #[test]
    fn it_should_not_transfer_a_persona_to_an_unknown_user() {
        given(alice_has_a_persona())
            .when(as_user(ROOT), transfer_to(NOBODY))
            .then_error(ResourceError::OwnerNotFound);
    }

    #[test]
    fn it_should_change_nothing_when_transferring_a_persona_to_its_owner() {
        given(alice_has_a_persona())
            .when(as_user(ROOT), transfer_to(ALICE))
            .then_nothing();
    }

    #[test]
    fn it_should_not_transfer_an_unknown_persona() {
        given(root_alice_and_bob())
            .when(as_user(ROOT), transfer_to(BOB))
            .then_error(ResourceError::NotFound);
    }

    #[test]
    fn it_should_not_transfer_a_deleted_persona() {
        given([alice_has_a_persona(), vec![persona_deleted()]].concat())
            .when(as_user(ROOT), transfer_to(BOB))
            .then_error(ResourceError::NotFound);
    }

    #[test]
    fn it_should_let_the_new_owner_rename_a_transferred_persona() {
        given([alice_has_a_persona(), vec![transferred(ALICE, BOB)]].concat())
            .when(as_user(BOB), rename("Bob's bot"))
            .then(vec![renamed(PERSONA, "Bob's bot")]);
    }

    #[test]
    fn it_should_not_let_the_former_owner_rename_a_transferred_persona() {
        given([alice_has_a_persona(), vec![transferred(ALICE, BOB)]].concat())
            .when(as_user(ALICE), rename("Still mine"))
            .then_error(ResourceError::NotYours);
    }
}

mod delete_persona {
    use super::*;

    #[test]
    fn it_should_let_the_owner_delete_a_persona() {
        given(alice_has_a_persona())
            .when(as_user(ALICE), delete())
            .then(vec![persona_deleted()]);
    }

    #[test]
    fn it_should_let_an_admin_delete_someone_elses_persona() {
        given(alice_has_a_persona())
            .when(as_user(ROOT), delete())
            .then(vec![persona_deleted()]);
    }

    #[test]
    fn it_should_not_let_another_member_delete_a_persona() {
        given(alice_has_a_persona())
            .when(as_user(BOB), delete())
            .then_error(ResourceError::NotYours);
    }

    #[test]
    fn it_should_not_delete_an_unknown_persona() {
        given(root_alice_and_bob())
            .when(as_user(ROOT), delete())
            .then_error(ResourceError::NotFound);
    }

    #[test]
    fn it_should_not_delete_a_persona_twice() {
        given([alice_has_a_persona(), vec![persona_deleted()]].concat())
            .when(as_user(ALICE), delete())
            .then_error(ResourceError::NotFound);
    }
}

mod a_persona_whose_owner_was_deleted {
    use super::*;

    fn alice_deleted() -> Vec<Event> {
        [alice_has_a_persona(), member_deleted(ALICE, "alice")].concat()
    }

    #[test]
    fn it_should_not_be_renamed() {
        given(alice_deleted())
            .when(as_user(ROOT), rename("Rescued"))
            .then_error(ResourceError::NotFound);
    }

    #[test]
    fn it_should_not_be_transferred() {
        given(alice_deleted())
            .when(as_user(ROOT), transfer_to(BOB))
            .then_error(ResourceError::NotFound);
    }

    #[test]
    fn it_should_not_be_deleted_separately() {
        given(alice_deleted())
            .when(as_user(ROOT), delete())
            .then_error(ResourceError::NotFound);
    }
}
