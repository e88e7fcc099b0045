//! given/when/then for the user account: creation (by an administrator, by registration, by
//! first-run bootstrap), profile, passwords, disabling, enabling and deletion. The rules about
//! administrator seats and the last active administrator are in `admins_last_admin.rs`.
//!
//! One file for the whole account life cycle on purpose: its cases share one arrangement
//! (`common`) and read as the guide's chapters in order; split by chapter if it grows more.

mod common;

use common::*;
use roster_domain::admins::AdminsEvent;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::reservation::{EmailEvent, UsernameEvent};
use roster_domain::store::Actor;
use roster_domain::testing::given;
use roster_domain::user::{
    ChangePassword, CreateUser, CreatedVia, DeleteUser, DisableUser, EnableUser, GrantAdmin,
    PasswordChanged, PasswordReset, ProfileUpdated, ResetPassword, RevokeAdmin, UpdateProfile,
    UserCreated, UserError, UserEvent,
};
use uuid::Uuid;

/// The account a test tries to create.
const NEW: UserId = UserId(Uuid::from_u128(0x777));

/// What the Admin Panel's "create user" form sends.
fn create_user(id: UserId, name: &str, mail: Option<&str>, is_admin: bool) -> CreateUser {
    CreateUser {
        user_id: id,
        username: username(name),
        display_name: display_name(&capitalised(name)),
        email: mail.map(email),
        password_hash: first_hash(),
        is_admin,
        must_change_password: false,
        via: CreatedVia::Admin,
    }
}

/// The same form, sent through another way of creating accounts.
fn create_via(via: CreatedVia, id: UserId, name: &str, is_admin: bool) -> CreateUser {
    CreateUser {
        via,
        ..create_user(id, name, None, is_admin)
    }
}

fn update_profile(id: UserId, name: &str, mail: Option<&str>) -> UpdateProfile {
    UpdateProfile {
        user_id: id,
        display_name: display_name(name),
        email: mail.map(email),
    }
}

/// A `ProfileUpdated` that changed the display name only.
fn name_changed(id: UserId, name: &str) -> Event {
    Event::User(
        id,
        UserEvent::ProfileUpdated(ProfileUpdated {
            display_name: Some(display_name(name)),
            email: None,
        }),
    )
}

/// A `ProfileUpdated` that changed (or, with `None`, removed) the email only.
fn email_changed(id: UserId, mail: Option<&str>) -> Event {
    Event::User(
        id,
        UserEvent::ProfileUpdated(ProfileUpdated {
            display_name: None,
            email: Some(mail.map(email)),
        }),
    )
}

fn email_reserved(address: &str, id: UserId) -> Event {
    Event::Email(email(address).key(), EmailEvent::Reserved { user_id: id })
}

fn email_released(address: &str, id: UserId) -> Event {
    Event::Email(email(address).key(), EmailEvent::Released { user_id: id })
}

mod create_user {
    use super::*;

    #[test]
    fn it_should_create_a_user_and_reserve_the_username_and_email() {
        given(admin_created(ROOT, "root"))
            .when(
                as_user(ROOT),
                create_user(NEW, "alice", Some("alice@example.com"), false),
            )
            .then(vec![
                Event::User(
                    NEW,
                    UserEvent::Created(UserCreated {
                        username: username("alice"),
                        display_name: display_name("Alice"),
                        email: Some(email("alice@example.com")),
                        password_hash: first_hash(),
                        is_admin: false,
                        via: CreatedVia::Admin,
                        must_change_password: false,
                    }),
                ),
                Event::Username("alice".into(), UsernameEvent::Reserved { user_id: NEW }),
                email_reserved("alice@example.com", NEW),
            ]);
    }

    #[test]
    fn it_should_reserve_only_the_username_of_a_user_without_email() {
        given(admin_created(ROOT, "root"))
            .when(as_user(ROOT), create_user(NEW, "alice", None, false))
            .then(member_created(NEW, "alice"));
    }

    #[test]
    fn it_should_give_a_user_created_as_admin_a_seat_among_the_active_admins() {
        given(admin_created(ROOT, "root"))
            .when(as_user(ROOT), create_user(NEW, "ada", None, true))
            .then(vec![
                Event::User(NEW, UserEvent::Created(user_created("ada", None, true))),
                Event::Username("ada".into(), UsernameEvent::Reserved { user_id: NEW }),
                Event::Admins(AdminsEvent::Added { user_id: NEW }),
            ]);
    }

    #[test]
    fn it_should_carry_the_request_to_change_the_password_at_first_login() {
        let command = CreateUser {
            must_change_password: true,
            ..create_user(NEW, "alice", None, false)
        };
        given(admin_created(ROOT, "root"))
            .when(as_user(ROOT), command)
            .then(created(
                NEW,
                UserCreated {
                    must_change_password: true,
                    ..user_created("alice", None, false)
                },
            ));
    }

    #[test]
    fn it_should_keep_the_username_as_typed_and_reserve_it_in_lower_case() {
        let events = given(admin_created(ROOT, "root"))
            .when(as_user(ROOT), create_user(NEW, "Alice.Smith", None, false))
            .outcome()
            .expect("the user is created");
        let Event::User(_, UserEvent::Created(created)) = &events[0] else {
            panic!("expected UserCreated first, got {events:?}");
        };
        assert_eq!(created.username.as_str(), "Alice.Smith");
        assert_eq!(
            events[1],
            Event::Username(
                "alice.smith".into(),
                UsernameEvent::Reserved { user_id: NEW }
            )
        );
    }

    #[test]
    fn it_should_let_the_system_create_a_user_like_an_admin() {
        given(admin_created(ROOT, "root"))
            .when(Actor::System, create_user(NEW, "alice", None, false))
            .then(member_created(NEW, "alice"));
    }

    #[test]
    fn it_should_not_let_a_member_create_a_user() {
        given(root_and_alice())
            .when(as_user(ALICE), create_user(NEW, "mallory", None, false))
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_an_unknown_actor_create_a_user() {
        given(root_and_alice())
            .when(as_user(NOBODY), create_user(NEW, "mallory", None, false))
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_a_disabled_admin_create_a_user() {
        given(
            [
                root_and_alice(),
                admin_created(ADA, "ada"),
                admin_disabled(ADA),
            ]
            .concat(),
        )
        .when(as_user(ADA), create_user(NEW, "mallory", None, false))
        .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_a_deleted_admin_create_a_user() {
        let ada_deleted = vec![
            Event::User(ADA, UserEvent::Deleted {}),
            Event::Username("ada".into(), UsernameEvent::Released { user_id: ADA }),
            Event::Admins(AdminsEvent::Removed { user_id: ADA }),
        ];
        given([root_and_alice(), admin_created(ADA, "ada"), ada_deleted].concat())
            .when(as_user(ADA), create_user(NEW, "mallory", None, false))
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_create_a_user_whose_name_is_taken() {
        given(root_and_alice())
            .when(as_user(ROOT), create_user(NEW, "alice", None, false))
            .then_error(UserError::UsernameTaken);
    }

    #[test]
    fn it_should_not_create_a_user_whose_name_is_taken_in_another_case() {
        given(root_and_alice())
            .when(as_user(ROOT), create_user(NEW, "ALIce", None, false))
            .then_error(UserError::UsernameTaken);
    }

    #[test]
    fn it_should_give_the_username_of_a_deleted_user_to_someone_new() {
        given([root_and_alice(), member_deleted(ALICE, "alice")].concat())
            .when(as_user(ROOT), create_user(NEW, "Alice", None, false))
            .then(member_created(NEW, "Alice"));
    }

    #[test]
    fn it_should_not_create_a_user_whose_email_is_taken() {
        given(
            [
                admin_created(ROOT, "root"),
                member_with_email(ALICE, "alice", "alice@example.com"),
            ]
            .concat(),
        )
        .when(
            as_user(ROOT),
            create_user(NEW, "alice2", Some("alice@example.com"), false),
        )
        .then_error(UserError::EmailTaken);
    }

    #[test]
    fn it_should_not_create_a_user_whose_email_is_taken_in_another_case() {
        given(
            [
                admin_created(ROOT, "root"),
                member_with_email(ALICE, "alice", "alice@example.com"),
            ]
            .concat(),
        )
        .when(
            as_user(ROOT),
            create_user(NEW, "alice2", Some("Alice@Example.COM"), false),
        )
        .then_error(UserError::EmailTaken);
    }

    #[test]
    fn it_should_give_the_email_of_a_deleted_user_to_someone_new() {
        let alice_deleted = [
            member_deleted(ALICE, "alice"),
            vec![email_released("alice@example.com", ALICE)],
        ]
        .concat();
        given(
            [
                admin_created(ROOT, "root"),
                member_with_email(ALICE, "alice", "alice@example.com"),
                alice_deleted,
            ]
            .concat(),
        )
        .when(
            as_user(ROOT),
            create_user(NEW, "alice2", Some("alice@example.com"), false),
        )
        .then(member_with_email(NEW, "alice2", "alice@example.com"));
    }

    #[test]
    fn it_should_not_create_a_user_under_an_id_already_in_use() {
        given(root_and_alice())
            .when(as_user(ROOT), create_user(ALICE, "someone", None, false))
            .then_error(UserError::AlreadyExists);
    }

    #[test]
    fn it_should_not_reuse_the_id_of_a_deleted_user() {
        given([root_and_alice(), member_deleted(ALICE, "alice")].concat())
            .when(as_user(ROOT), create_user(ALICE, "alice", None, false))
            .then_error(UserError::AlreadyExists);
    }
}

mod registration {
    use super::*;

    #[test]
    fn it_should_register_a_member() {
        given(admin_created(ROOT, "root"))
            .when(
                as_user(NEW),
                create_via(CreatedVia::Registration, NEW, "alice", false),
            )
            .then(created(
                NEW,
                UserCreated {
                    via: CreatedVia::Registration,
                    ..user_created("alice", None, false)
                },
            ));
    }

    #[test]
    fn it_should_not_let_registration_create_an_administrator() {
        given(admin_created(ROOT, "root"))
            .when(
                as_user(NEW),
                create_via(CreatedVia::Registration, NEW, "alice", true),
            )
            .then_error(UserError::RegistrationCannotGrantAdmin);
    }

    #[test]
    fn it_should_not_register_a_username_taken_in_another_case() {
        given(root_and_alice())
            .when(
                as_user(NEW),
                create_via(CreatedVia::Registration, NEW, "Alice", false),
            )
            .then_error(UserError::UsernameTaken);
    }
}

mod bootstrap {
    use super::*;

    fn bootstrapped_root() -> Vec<Event> {
        created(
            NEW,
            UserCreated {
                via: CreatedVia::Bootstrap,
                ..user_created("root", None, true)
            },
        )
    }

    #[test]
    fn it_should_bootstrap_the_first_administrator_on_an_empty_history() {
        given([])
            .when(
                Actor::System,
                create_via(CreatedVia::Bootstrap, NEW, "root", true),
            )
            .then(bootstrapped_root());
    }

    #[test]
    fn it_should_make_the_bootstrapped_user_an_administrator_whatever_the_command_says() {
        given([])
            .when(
                Actor::System,
                create_via(CreatedVia::Bootstrap, NEW, "root", false),
            )
            .then(bootstrapped_root());
    }

    #[test]
    fn it_should_bootstrap_when_members_exist_but_no_administrator_ever_did() {
        given(member_created(ALICE, "alice"))
            .when(
                Actor::System,
                create_via(CreatedVia::Bootstrap, NEW, "root", true),
            )
            .then(bootstrapped_root());
    }

    #[test]
    fn it_should_not_bootstrap_when_an_administrator_exists() {
        given(admin_created(ROOT, "root"))
            .when(
                Actor::System,
                create_via(CreatedVia::Bootstrap, NEW, "root2", true),
            )
            .then_error(UserError::AlreadyBootstrapped);
    }

    #[test]
    fn it_should_not_bootstrap_once_an_administrator_ever_existed() {
        // No active administrator is left (only possible through history Roster no longer
        // writes, e.g. an imported log), yet bootstrap stays closed: it is first-run only.
        given(vec![
            Event::Admins(AdminsEvent::Added { user_id: ROOT }),
            Event::Admins(AdminsEvent::Removed { user_id: ROOT }),
        ])
        .when(
            Actor::System,
            create_via(CreatedVia::Bootstrap, NEW, "root2", true),
        )
        .then_error(UserError::AlreadyBootstrapped);
    }

    #[test]
    fn it_should_not_let_a_user_bootstrap_an_administrator() {
        given([])
            .when(
                as_user(NEW),
                create_via(CreatedVia::Bootstrap, NEW, "root", true),
            )
            .then_error(UserError::AdminRequired);
    }
}

mod update_profile {
    use super::*;

    fn alice_with_email() -> Vec<Event> {
        [
            admin_created(ROOT, "root"),
            member_with_email(ALICE, "alice", "alice@example.com"),
        ]
        .concat()
    }

    #[test]
    fn it_should_let_a_user_update_their_own_profile() {
        given(alice_with_email())
            .when(
                as_user(ALICE),
                update_profile(ALICE, "Alice Liddell", Some("alice@example.com")),
            )
            .then(vec![name_changed(ALICE, "Alice Liddell")]);
    }

    #[test]
    fn it_should_let_an_admin_update_another_users_profile() {
        given(alice_with_email())
            .when(
                as_user(ROOT),
                update_profile(ALICE, "Alice Liddell", Some("alice@example.com")),
            )
            .then(vec![name_changed(ALICE, "Alice Liddell")]);
    }

    #[test]
    fn it_should_not_let_a_member_update_another_members_profile() {
        given([alice_with_email(), member_created(BOB, "bob")].concat())
            .when(
                as_user(BOB),
                update_profile(ALICE, "Hacked", Some("alice@example.com")),
            )
            .then_error(UserError::NotYourAccount);
    }

    #[test]
    fn it_should_change_nothing_when_the_values_are_unchanged() {
        given(alice_with_email())
            .when(
                as_user(ALICE),
                update_profile(ALICE, "Alice", Some("alice@example.com")),
            )
            .then_nothing();
    }

    #[test]
    fn it_should_reserve_the_new_email_and_release_the_old_one() {
        given(alice_with_email())
            .when(
                as_user(ALICE),
                update_profile(ALICE, "Alice", Some("alice@work.example")),
            )
            .then(vec![
                email_changed(ALICE, Some("alice@work.example")),
                email_reserved("alice@work.example", ALICE),
                email_released("alice@example.com", ALICE),
            ]);
    }

    #[test]
    fn it_should_reserve_an_email_for_a_user_who_had_none() {
        given(root_and_alice())
            .when(
                as_user(ALICE),
                update_profile(ALICE, "Alice", Some("Alice@Example.com")),
            )
            .then(vec![
                email_changed(ALICE, Some("Alice@Example.com")),
                email_reserved("alice@example.com", ALICE),
            ]);
    }

    #[test]
    fn it_should_not_change_the_email_to_one_another_user_holds_in_another_case() {
        given(
            [
                alice_with_email(),
                member_with_email(BOB, "bob", "bob@example.com"),
            ]
            .concat(),
        )
        .when(
            as_user(ALICE),
            update_profile(ALICE, "Alice", Some("BOB@example.com")),
        )
        .then_error(UserError::EmailTaken);
    }

    #[test]
    fn it_should_not_move_the_reservation_when_only_the_letter_case_of_the_email_changes() {
        given(alice_with_email())
            .when(
                as_user(ALICE),
                update_profile(ALICE, "Alice", Some("Alice@Example.com")),
            )
            .then(vec![email_changed(ALICE, Some("Alice@Example.com"))]);
    }

    #[test]
    fn it_should_release_the_email_when_it_is_removed() {
        given(alice_with_email())
            .when(as_user(ALICE), update_profile(ALICE, "Alice", None))
            .then(vec![
                email_changed(ALICE, None),
                email_released("alice@example.com", ALICE),
            ]);
    }

    #[test]
    fn it_should_accept_an_email_another_user_gave_up() {
        let bob_changed_email = vec![
            email_changed(BOB, Some("bob@work.example")),
            email_reserved("bob@work.example", BOB),
            email_released("bob@example.com", BOB),
        ];
        given(
            [
                alice_with_email(),
                member_with_email(BOB, "bob", "bob@example.com"),
                bob_changed_email,
            ]
            .concat(),
        )
        .when(
            as_user(ALICE),
            update_profile(ALICE, "Alice", Some("bob@example.com")),
        )
        .then(vec![
            email_changed(ALICE, Some("bob@example.com")),
            email_reserved("bob@example.com", ALICE),
            email_released("alice@example.com", ALICE),
        ]);
    }

    #[test]
    fn it_should_not_update_the_profile_of_an_unknown_user() {
        given(root_and_alice())
            .when(as_user(ROOT), update_profile(NOBODY, "Ghost", None))
            .then_error(UserError::NotFound);
    }

    #[test]
    fn it_should_not_let_a_disabled_user_update_their_profile() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ALICE), update_profile(ALICE, "Still Here", None))
            .then_error(UserError::AccountDisabled);
    }
}

mod reset_password {
    use super::*;

    fn reset(id: UserId, revoke_sessions: bool, require_change: bool) -> ResetPassword {
        ResetPassword {
            user_id: id,
            password_hash: second_hash(),
            revoke_sessions,
            require_change,
        }
    }

    fn password_reset(id: UserId, revoke_sessions: bool, require_change: bool) -> Event {
        Event::User(
            id,
            UserEvent::PasswordReset(PasswordReset {
                password_hash: second_hash(),
                revoke_sessions,
                require_change,
            }),
        )
    }

    #[test]
    fn it_should_let_an_admin_reset_a_password_and_carry_both_flags() {
        given(root_and_alice())
            .when(as_user(ROOT), reset(ALICE, true, true))
            .then(vec![password_reset(ALICE, true, true)]);
    }

    #[test]
    fn it_should_leave_sessions_alone_unless_asked_as_the_guide_says() {
        given(root_and_alice())
            .when(as_user(ROOT), reset(ALICE, false, false))
            .then(vec![password_reset(ALICE, false, false)]);
    }

    #[test]
    fn it_should_reset_the_password_of_a_disabled_user() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ROOT), reset(ALICE, true, false))
            .then(vec![password_reset(ALICE, true, false)]);
    }

    #[test]
    fn it_should_not_let_a_member_reset_another_users_password() {
        given(root_alice_and_bob())
            .when(as_user(BOB), reset(ALICE, false, false))
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_a_member_reset_their_own_password_without_the_current_one() {
        given(root_and_alice())
            .when(as_user(ALICE), reset(ALICE, false, false))
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_reset_the_password_of_an_unknown_user() {
        given(root_and_alice())
            .when(as_user(ROOT), reset(NOBODY, false, false))
            .then_error(UserError::NotFound);
    }
}

mod change_password {
    use super::*;
    use roster_domain::values::PasswordHash;

    fn change(id: UserId, verified_against: Option<PasswordHash>) -> ChangePassword {
        ChangePassword {
            user_id: id,
            verified_against,
            new_password_hash: second_hash(),
            current_session: Some(SESSION),
        }
    }

    fn password_changed(id: UserId) -> Event {
        Event::User(
            id,
            UserEvent::PasswordChanged(PasswordChanged {
                password_hash: second_hash(),
                kept_session: Some(SESSION),
            }),
        )
    }

    #[test]
    fn it_should_let_a_user_change_their_password_keeping_the_current_session() {
        given(root_and_alice())
            .when(as_user(ALICE), change(ALICE, Some(first_hash())))
            .then(vec![password_changed(ALICE)]);
    }

    #[test]
    fn it_should_not_change_the_password_when_the_current_one_did_not_verify() {
        given(root_and_alice())
            .when(as_user(ALICE), change(ALICE, None))
            .then_error(UserError::WrongCurrentPassword);
    }

    #[test]
    fn it_should_not_change_the_password_when_it_was_verified_against_a_stale_hash() {
        let reset_in_between = Event::User(
            ALICE,
            UserEvent::PasswordReset(PasswordReset {
                password_hash: third_hash(),
                revoke_sessions: false,
                require_change: false,
            }),
        );
        given([root_and_alice(), vec![reset_in_between]].concat())
            .when(as_user(ALICE), change(ALICE, Some(first_hash())))
            .then_error(UserError::WrongCurrentPassword);
    }

    #[test]
    fn it_should_verify_against_the_hash_of_the_latest_change() {
        let changed_before = Event::User(
            ALICE,
            UserEvent::PasswordChanged(PasswordChanged {
                password_hash: third_hash(),
                kept_session: None,
            }),
        );
        given([root_and_alice(), vec![changed_before]].concat())
            .when(as_user(ALICE), change(ALICE, Some(third_hash())))
            .then(vec![password_changed(ALICE)]);
    }

    #[test]
    fn it_should_not_let_a_user_change_another_users_password() {
        given(root_alice_and_bob())
            .when(as_user(BOB), change(ALICE, Some(first_hash())))
            .then_error(UserError::NotYourAccount);
    }

    #[test]
    fn it_should_not_let_a_disabled_user_change_their_password() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ALICE), change(ALICE, Some(first_hash())))
            .then_error(UserError::AccountDisabled);
    }

    #[test]
    fn it_should_not_tell_another_user_that_an_account_is_disabled() {
        given([root_alice_and_bob(), member_disabled(ALICE)].concat())
            .when(as_user(BOB), change(ALICE, Some(first_hash())))
            .then_error(UserError::NotYourAccount);
    }

    #[test]
    fn it_should_not_let_an_admin_change_another_users_password_instead_of_resetting_it() {
        given(root_and_alice())
            .when(as_user(ROOT), change(ALICE, Some(first_hash())))
            .then_error(UserError::NotYourAccount);
    }
}

mod disable_and_enable {
    use super::*;

    #[test]
    fn it_should_disable_a_member() {
        given(root_and_alice())
            .when(as_user(ROOT), DisableUser { user_id: ALICE })
            .then(member_disabled(ALICE));
    }

    #[test]
    fn it_should_change_nothing_when_disabling_a_disabled_user() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ROOT), DisableUser { user_id: ALICE })
            .then_nothing();
    }

    #[test]
    fn it_should_not_let_a_member_disable_a_user() {
        given(root_alice_and_bob())
            .when(as_user(BOB), DisableUser { user_id: ALICE })
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_disable_an_unknown_user() {
        given(root_and_alice())
            .when(as_user(ROOT), DisableUser { user_id: NOBODY })
            .then_error(UserError::NotFound);
    }

    #[test]
    fn it_should_refuse_further_admin_actions_from_a_disabled_admin() {
        given(
            [
                root_and_alice(),
                admin_created(ADA, "ada"),
                admin_disabled(ADA),
            ]
            .concat(),
        )
        .when(as_user(ADA), DisableUser { user_id: ALICE })
        .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_a_disabled_admin_grant_the_admin_role() {
        given(
            [
                root_and_alice(),
                admin_created(ADA, "ada"),
                admin_disabled(ADA),
            ]
            .concat(),
        )
        .when(as_user(ADA), GrantAdmin { user_id: ALICE })
        .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_enable_a_disabled_member() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ROOT), EnableUser { user_id: ALICE })
            .then(vec![Event::User(ALICE, UserEvent::Enabled {})]);
    }

    #[test]
    fn it_should_change_nothing_when_enabling_an_enabled_user() {
        given(root_and_alice())
            .when(as_user(ROOT), EnableUser { user_id: ALICE })
            .then_nothing();
    }

    #[test]
    fn it_should_not_let_a_member_enable_a_user() {
        given([root_alice_and_bob(), member_disabled(ALICE)].concat())
            .when(as_user(BOB), EnableUser { user_id: ALICE })
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_enable_an_unknown_user() {
        given(root_and_alice())
            .when(as_user(ROOT), EnableUser { user_id: NOBODY })
            .then_error(UserError::NotFound);
    }

    #[test]
    fn it_should_not_let_a_disabled_user_enable_themself() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ALICE), EnableUser { user_id: ALICE })
            .then_error(UserError::AdminRequired);
    }
}

mod delete_user {
    use super::*;

    #[test]
    fn it_should_delete_a_user_and_release_the_username_and_email() {
        given(
            [
                admin_created(ROOT, "root"),
                member_with_email(ALICE, "Alice", "Alice@Example.com"),
            ]
            .concat(),
        )
        .when(as_user(ROOT), DeleteUser { user_id: ALICE })
        .then(vec![
            Event::User(ALICE, UserEvent::Deleted {}),
            Event::Username("alice".into(), UsernameEvent::Released { user_id: ALICE }),
            email_released("alice@example.com", ALICE),
        ]);
    }

    #[test]
    fn it_should_delete_a_disabled_user() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ROOT), DeleteUser { user_id: ALICE })
            .then(member_deleted(ALICE, "alice"));
    }

    #[test]
    fn it_should_not_let_an_admin_delete_themself() {
        given([root_and_alice(), admin_created(ADA, "ada")].concat())
            .when(as_user(ROOT), DeleteUser { user_id: ROOT })
            .then_error(UserError::CannotDeleteSelf);
    }

    #[test]
    fn it_should_not_let_a_member_delete_a_user() {
        given(root_alice_and_bob())
            .when(as_user(BOB), DeleteUser { user_id: ALICE })
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_a_member_delete_themself() {
        given(root_and_alice())
            .when(as_user(ALICE), DeleteUser { user_id: ALICE })
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_delete_an_unknown_user() {
        given(root_and_alice())
            .when(as_user(ROOT), DeleteUser { user_id: NOBODY })
            .then_error(UserError::NotFound);
    }
}

mod a_deleted_user {
    use super::*;

    fn alice_deleted() -> Vec<Event> {
        [root_and_alice(), member_deleted(ALICE, "alice")].concat()
    }

    #[test]
    fn it_should_not_be_granted_the_admin_role() {
        given(alice_deleted())
            .when(as_user(ROOT), GrantAdmin { user_id: ALICE })
            .then_error(UserError::Deleted);
    }

    #[test]
    fn it_should_not_lose_an_admin_role_it_no_longer_has() {
        given(alice_deleted())
            .when(as_user(ROOT), RevokeAdmin { user_id: ALICE })
            .then_error(UserError::Deleted);
    }

    #[test]
    fn it_should_not_have_its_password_reset() {
        given(alice_deleted())
            .when(
                as_user(ROOT),
                ResetPassword {
                    user_id: ALICE,
                    password_hash: second_hash(),
                    revoke_sessions: true,
                    require_change: true,
                },
            )
            .then_error(UserError::Deleted);
    }

    #[test]
    fn it_should_not_have_its_profile_updated() {
        given(alice_deleted())
            .when(as_user(ROOT), update_profile(ALICE, "Alice", None))
            .then_error(UserError::Deleted);
    }

    #[test]
    fn it_should_not_be_disabled() {
        given(alice_deleted())
            .when(as_user(ROOT), DisableUser { user_id: ALICE })
            .then_error(UserError::Deleted);
    }

    #[test]
    fn it_should_not_be_enabled() {
        given(alice_deleted())
            .when(as_user(ROOT), EnableUser { user_id: ALICE })
            .then_error(UserError::Deleted);
    }

    #[test]
    fn it_should_not_be_deleted_again() {
        given(alice_deleted())
            .when(as_user(ROOT), DeleteUser { user_id: ALICE })
            .then_error(UserError::Deleted);
    }

    #[test]
    fn it_should_not_change_its_own_password() {
        given(alice_deleted())
            .when(
                as_user(ALICE),
                ChangePassword {
                    user_id: ALICE,
                    verified_against: Some(first_hash()),
                    new_password_hash: second_hash(),
                    current_session: None,
                },
            )
            .then_error(UserError::NotYourAccount);
    }
}
