//! given/when/then for an account edit: several changes to one account, decided together and
//! appended atomically, so a refusal of any of them writes nothing.

#![allow(clippy::unwrap_used)] // test arrangement: a failure is a test failure

use roster_domain::decision::Command;
use roster_domain::decision::Loaded;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::store::Actor;
use roster_domain::testing::given;
use roster_domain::user::{
    AccountChange, EditAccount, GrantAdmin, ResetPassword, RevokeAdmin, UpdateProfile, UserError,
};
use roster_domain::user::{CreateUser, CreatedVia, UserEvent};
use roster_domain::values::{DisplayName, PasswordHash, Username};
use uuid::Uuid;

fn first_admin() -> (UserId, Vec<Event>) {
    let id = UserId(Uuid::now_v7());
    let create = CreateUser {
        user_id: id,
        username: Username::parse("admin").unwrap(),
        display_name: DisplayName::parse("Administrator").unwrap(),
        email: None,
        password_hash: PasswordHash::from_phc("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA".into()),
        is_admin: true,
        must_change_password: false,
        via: CreatedVia::Bootstrap,
    };
    let events = create.decide(Actor::System, &Loaded::new()).unwrap();
    (id, events)
}

fn rename(id: UserId) -> AccountChange {
    AccountChange::Profile(UpdateProfile {
        user_id: id,
        display_name: DisplayName::parse("Renamed").unwrap(),
        email: None,
    })
}

#[test]
fn it_should_refuse_the_whole_edit_when_one_change_is_refused() {
    let (id, history) = first_admin();
    given(history)
        .when(
            Actor::User(id.0),
            EditAccount {
                changes: vec![
                    rename(id),
                    AccountChange::RevokeAdmin(RevokeAdmin { user_id: id }),
                ],
            },
        )
        .then_error(UserError::LastActiveAdmin);
}

#[test]
fn it_should_append_the_events_of_every_change_together() {
    let (id, history) = first_admin();
    let hash = PasswordHash::from_phc("$argon2id$v=19$m=8,t=1,p=1$c2FsdDI$aGFzaDI".into());
    let outcome = EditAccount {
        changes: vec![
            rename(id),
            AccountChange::ResetPassword(ResetPassword {
                user_id: id,
                password_hash: hash,
                revoke_sessions: false,
                require_change: false,
            }),
            AccountChange::GrantAdmin(GrantAdmin { user_id: id }),
        ],
    }
    .decide(Actor::User(id.0), &Loaded::from_events(&history))
    .unwrap();
    let kinds: Vec<&str> = outcome
        .iter()
        .map(|event| match event {
            Event::User(_, UserEvent::ProfileUpdated(_)) => "ProfileUpdated",
            Event::User(_, UserEvent::PasswordReset(_)) => "PasswordReset",
            _ => "other",
        })
        .collect();
    // Granting admin to an admin changes nothing.
    assert_eq!(kinds, ["ProfileUpdated", "PasswordReset"]);
}
