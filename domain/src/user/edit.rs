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

use super::{ChangePassword, GrantAdmin, ResetPassword, RevokeAdmin, UpdateProfile, UserError};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::store::Actor;

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
