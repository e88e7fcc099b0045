//! Stale-edit protection: a change to an account that rests on the version of it a client read.
//!
//! The version of an account is the revision of its `user-{uuid}` stream: the 0-based index of
//! its last event (`UserCreated` is version 0; every later event of the account adds one). An
//! administrator's form sends back the version it showed; [`IfUnchanged`] decides the change
//! only while the account is still at that version, and otherwise refuses with
//! [`UserError::Stale`] and the account as it is now.
//!
//! The check cannot race: the version is read from the loaded stream like its state, so the
//! command path guards `user-{uuid}` in the same atomic append at exactly the revision that was
//! checked. A change that lands in between makes the append conflict, the command is decided
//! again on the fresh stream, and this time it is refused as stale.

use super::{UserError, UserState};
use crate::decision::{Command, Loaded};
use crate::error::ErrorKind;
use crate::event::Event;
use crate::ids::UserId;
use crate::store::{Actor, Revision};
use crate::values::{DisplayName, Email};

/// `command` on account `user_id`, decided only while the account is at `expected_version`
/// (with `None`, exactly as `command` alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfUnchanged<C> {
    /// The account the client read.
    pub user_id: UserId,
    /// The version it read (`None`: no check).
    pub expected_version: Option<Revision>,
    /// The change.
    pub command: C,
}

/// An account as it is at one version: what a client whose edit was stale is shown instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentAccount {
    /// The revision of the account's stream.
    pub version: Revision,
    /// Display name.
    pub display_name: DisplayName,
    /// Email, if given.
    pub email: Option<Email>,
    /// Has the admin role.
    pub is_admin: bool,
    /// Cannot log in.
    pub disabled: bool,
}

impl<C: Command<Error = UserError>> Command for IfUnchanged<C> {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        let decided = self.command.decide(actor, loaded);
        let Some(expected) = self.expected_version else {
            return decided;
        };
        // Who may act and whether the account is there come first: a caller who may not act
        // learns nothing of the account's version, and a deleted account is gone whatever
        // version was read. Every other refusal may rest on what the client did not see, so
        // staleness comes before it.
        if let Err(refusal) = &decided
            && matches!(refusal.kind(), ErrorKind::Forbidden | ErrorKind::NotFound)
        {
            return decided;
        }
        let version = loaded.user_revision(self.user_id);
        let (UserState::Live(user), Some(version)) = (loaded.user(self.user_id), version) else {
            return decided;
        };
        if version != expected {
            return Err(UserError::Stale {
                current: Box::new(CurrentAccount {
                    version,
                    display_name: user.display_name.clone(),
                    email: user.email.clone(),
                    is_admin: user.is_admin,
                    disabled: user.disabled,
                }),
            });
        }
        decided
    }
}
