//! One edit of an account, decided as one command: all of it applies, or none of it.
//!
//! An edit form changes several facets of an account at once: profile, password, admin role.
//! Sent as separate commands, a refusal of a later one (the last administrator cannot be
//! demoted) left the earlier ones applied. [`EditAccount`] decides every change against the
//! same loaded state and appends all their events in one atomic append, guarded by the
//! revisions of every stream any of them read, so a refusal of any change writes nothing and
//! a concurrent change to any of those streams makes the whole edit decide again.
//!
//! It reuses the domain's own decisions instead of restating their rules. Deciding them all
//! against the state before the edit is sound because each touches a different facet (the
//! profile and email reservation; the password; the admin flag and the set of administrators),
//! so none depends on what another decides. The admin-role change goes last, so every
//! earlier change is authorized by the role the caller had before the edit, as it would be
//! if the changes were sent one by one.

use roster_domain::decision::{Command, Loaded};
use roster_domain::event::Event;
use roster_domain::store::Actor;
use roster_domain::user::{
    ChangePassword, GrantAdmin, ResetPassword, RevokeAdmin, UpdateProfile, UserError,
};

/// One facet of an account edit.
#[derive(Debug)]
pub enum AccountChange {
    /// Display name and email.
    Profile(UpdateProfile),
    /// A new password set by an administrator.
    ResetPassword(ResetPassword),
    /// A new password set by the user, with the current one verified.
    ChangePassword(ChangePassword),
    /// Make the user an administrator.
    GrantAdmin(GrantAdmin),
    /// Take the admin role away.
    RevokeAdmin(RevokeAdmin),
}

/// Changes to one account, decided together and appended atomically. Each facet at most
/// once; an admin-role change last.
#[derive(Debug)]
pub struct EditAccount {
    /// The changes, in the order their events are appended.
    pub changes: Vec<AccountChange>,
}

impl Command for EditAccount {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        let mut events = Vec::new();
        for change in &self.changes {
            let decided = match change {
                AccountChange::Profile(c) => c.decide(actor, loaded),
                AccountChange::ResetPassword(c) => c.decide(actor, loaded),
                AccountChange::ChangePassword(c) => c.decide(actor, loaded),
                AccountChange::GrantAdmin(c) => c.decide(actor, loaded),
                AccountChange::RevokeAdmin(c) => c.decide(actor, loaded),
            };
            events.extend(decided?);
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::decision::Loaded;
    use roster_domain::ids::UserId;
    use roster_domain::testing::given;
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
            password_hash: PasswordHash::from_phc(
                "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA".into(),
            ),
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
}
