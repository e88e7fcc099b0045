//! given/when/then for the administrator role and the seats among enabled administrators
//! (`admins-active`): granting and revoking the role, and how disabling, enabling and deleting
//! a user move their seat. The rule under test throughout: Roster never loses its last enabled
//! administrator, whoever asks.

mod common;

use common::*;
use roster_domain::admins::AdminsEvent;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::reservation::UsernameEvent;
use roster_domain::store::Actor;
use roster_domain::testing::given;
use roster_domain::user::{
    DeleteUser, DisableUser, EnableUser, GrantAdmin, RevokeAdmin, UserError, UserEvent,
};

fn seat_taken(id: UserId) -> Event {
    Event::Admins(AdminsEvent::Added { user_id: id })
}

fn seat_given_up(id: UserId) -> Event {
    Event::Admins(AdminsEvent::Removed { user_id: id })
}

/// `root` and `ada`, both enabled administrators, and the member `alice`.
fn two_admins() -> Vec<Event> {
    [root_and_alice(), admin_created(ADA, "ada")].concat()
}

mod grant_admin {
    use super::*;

    #[test]
    fn it_should_grant_the_admin_role_with_a_seat_among_the_active_admins() {
        given(root_and_alice())
            .when(as_user(ROOT), GrantAdmin { user_id: ALICE })
            .then(vec![
                Event::User(ALICE, UserEvent::AdminGranted {}),
                seat_taken(ALICE),
            ]);
    }

    #[test]
    fn it_should_change_nothing_when_granting_admin_to_an_admin() {
        given(two_admins())
            .when(as_user(ROOT), GrantAdmin { user_id: ADA })
            .then_nothing();
    }

    #[test]
    fn it_should_give_a_disabled_user_the_role_but_no_seat() {
        given([root_and_alice(), member_disabled(ALICE)].concat())
            .when(as_user(ROOT), GrantAdmin { user_id: ALICE })
            .then(vec![Event::User(ALICE, UserEvent::AdminGranted {})]);
    }

    #[test]
    fn it_should_not_let_a_member_grant_the_admin_role() {
        given(root_alice_and_bob())
            .when(as_user(ALICE), GrantAdmin { user_id: BOB })
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_let_a_member_grant_themself_the_admin_role() {
        given(root_and_alice())
            .when(as_user(ALICE), GrantAdmin { user_id: ALICE })
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_grant_the_admin_role_to_an_unknown_user() {
        given(root_and_alice())
            .when(as_user(ROOT), GrantAdmin { user_id: NOBODY })
            .then_error(UserError::NotFound);
    }

    #[test]
    fn it_should_not_grant_the_admin_role_to_a_deleted_user() {
        given([root_and_alice(), member_deleted(ALICE, "alice")].concat())
            .when(as_user(ROOT), GrantAdmin { user_id: ALICE })
            .then_error(UserError::Deleted);
    }

    #[test]
    fn it_should_let_a_newly_granted_admin_act_as_one_on_the_next_command() {
        let alice_granted = vec![
            Event::User(ALICE, UserEvent::AdminGranted {}),
            seat_taken(ALICE),
        ];
        given([root_alice_and_bob(), alice_granted].concat())
            .when(as_user(ALICE), DisableUser { user_id: BOB })
            .then(member_disabled(BOB));
    }
}

mod revoke_admin {
    use super::*;

    #[test]
    fn it_should_revoke_the_admin_role_and_its_seat() {
        given(two_admins())
            .when(as_user(ROOT), RevokeAdmin { user_id: ADA })
            .then(vec![
                Event::User(ADA, UserEvent::AdminRevoked {}),
                seat_given_up(ADA),
            ]);
    }

    #[test]
    fn it_should_not_let_the_last_active_admin_revoke_themself() {
        given(root_and_alice())
            .when(as_user(ROOT), RevokeAdmin { user_id: ROOT })
            .then_error(UserError::LastActiveAdmin);
    }

    #[test]
    fn it_should_not_let_the_system_revoke_the_last_active_admin() {
        given(root_and_alice())
            .when(Actor::System, RevokeAdmin { user_id: ROOT })
            .then_error(UserError::LastActiveAdmin);
    }

    #[test]
    fn it_should_let_an_admin_step_down_while_another_admin_remains() {
        given(two_admins())
            .when(as_user(ROOT), RevokeAdmin { user_id: ROOT })
            .then(vec![
                Event::User(ROOT, UserEvent::AdminRevoked {}),
                seat_given_up(ROOT),
            ]);
    }

    #[test]
    fn it_should_let_either_of_two_admins_demote_the_other() {
        given(two_admins())
            .when(as_user(ADA), RevokeAdmin { user_id: ROOT })
            .then(vec![
                Event::User(ROOT, UserEvent::AdminRevoked {}),
                seat_given_up(ROOT),
            ]);
    }

    #[test]
    fn it_should_not_let_the_remaining_admin_step_down_once_the_other_was_demoted() {
        let ada_demoted = vec![
            Event::User(ADA, UserEvent::AdminRevoked {}),
            seat_given_up(ADA),
        ];
        given([two_admins(), ada_demoted].concat())
            .when(as_user(ROOT), RevokeAdmin { user_id: ROOT })
            .then_error(UserError::LastActiveAdmin);
    }

    #[test]
    fn it_should_not_count_a_disabled_admin_as_the_one_who_remains() {
        given([two_admins(), admin_disabled(ADA)].concat())
            .when(as_user(ROOT), RevokeAdmin { user_id: ROOT })
            .then_error(UserError::LastActiveAdmin);
    }

    #[test]
    fn it_should_revoke_the_role_of_a_disabled_admin_without_touching_the_seats() {
        given([two_admins(), admin_disabled(ADA)].concat())
            .when(as_user(ROOT), RevokeAdmin { user_id: ADA })
            .then(vec![Event::User(ADA, UserEvent::AdminRevoked {})]);
    }

    #[test]
    fn it_should_change_nothing_when_revoking_admin_from_a_member() {
        given(root_and_alice())
            .when(as_user(ROOT), RevokeAdmin { user_id: ALICE })
            .then_nothing();
    }

    #[test]
    fn it_should_not_let_a_member_revoke_the_admin_role() {
        given(root_and_alice())
            .when(as_user(ALICE), RevokeAdmin { user_id: ROOT })
            .then_error(UserError::AdminRequired);
    }

    #[test]
    fn it_should_not_revoke_the_admin_role_of_an_unknown_user() {
        given(root_and_alice())
            .when(as_user(ROOT), RevokeAdmin { user_id: NOBODY })
            .then_error(UserError::NotFound);
    }
}

mod disable_an_admin {
    use super::*;

    #[test]
    fn it_should_take_the_seat_of_a_disabled_admin() {
        given(two_admins())
            .when(as_user(ROOT), DisableUser { user_id: ADA })
            .then(admin_disabled(ADA));
    }

    #[test]
    fn it_should_not_let_the_last_active_admin_disable_themself() {
        given(root_and_alice())
            .when(as_user(ROOT), DisableUser { user_id: ROOT })
            .then_error(UserError::LastActiveAdmin);
    }

    #[test]
    fn it_should_not_let_the_system_disable_the_last_active_admin() {
        given(root_and_alice())
            .when(Actor::System, DisableUser { user_id: ROOT })
            .then_error(UserError::LastActiveAdmin);
    }

    #[test]
    fn it_should_not_disable_the_last_admin_left_enabled() {
        given([two_admins(), admin_disabled(ADA)].concat())
            .when(as_user(ROOT), DisableUser { user_id: ROOT })
            .then_error(UserError::LastActiveAdmin);
    }

    #[test]
    fn it_should_change_nothing_when_disabling_a_disabled_admin() {
        given([two_admins(), admin_disabled(ADA)].concat())
            .when(as_user(ROOT), DisableUser { user_id: ADA })
            .then_nothing();
    }
}

mod enable_an_admin {
    use super::*;

    #[test]
    fn it_should_give_a_re_enabled_admin_their_seat_back() {
        given([two_admins(), admin_disabled(ADA)].concat())
            .when(as_user(ROOT), EnableUser { user_id: ADA })
            .then(vec![
                Event::User(ADA, UserEvent::Enabled {}),
                seat_taken(ADA),
            ]);
    }

    #[test]
    fn it_should_let_the_last_admin_step_down_once_another_is_enabled_again() {
        let ada_enabled = vec![Event::User(ADA, UserEvent::Enabled {}), seat_taken(ADA)];
        given([two_admins(), admin_disabled(ADA), ada_enabled].concat())
            .when(as_user(ROOT), DisableUser { user_id: ROOT })
            .then(admin_disabled(ROOT));
    }

    #[test]
    fn it_should_seat_a_user_granted_the_role_while_disabled_when_enabled() {
        let alice_granted_while_disabled = vec![Event::User(ALICE, UserEvent::AdminGranted {})];
        given(
            [
                root_and_alice(),
                member_disabled(ALICE),
                alice_granted_while_disabled,
            ]
            .concat(),
        )
        .when(as_user(ROOT), EnableUser { user_id: ALICE })
        .then(vec![
            Event::User(ALICE, UserEvent::Enabled {}),
            seat_taken(ALICE),
        ]);
    }
}

mod delete_an_admin {
    use super::*;

    #[test]
    fn it_should_release_the_seat_of_a_deleted_admin() {
        given(two_admins())
            .when(as_user(ROOT), DeleteUser { user_id: ADA })
            .then(vec![
                Event::User(ADA, UserEvent::Deleted {}),
                Event::Username("ada".into(), UsernameEvent::Released { user_id: ADA }),
                seat_given_up(ADA),
            ]);
    }

    #[test]
    fn it_should_not_let_the_system_delete_the_last_active_admin() {
        given(root_and_alice())
            .when(Actor::System, DeleteUser { user_id: ROOT })
            .then_error(UserError::LastActiveAdmin);
    }

    #[test]
    fn it_should_delete_a_disabled_admin_without_a_seat_to_give_up() {
        given([two_admins(), admin_disabled(ADA)].concat())
            .when(as_user(ROOT), DeleteUser { user_id: ADA })
            .then(vec![
                Event::User(ADA, UserEvent::Deleted {}),
                Event::Username("ada".into(), UsernameEvent::Released { user_id: ADA }),
            ]);
    }
}
