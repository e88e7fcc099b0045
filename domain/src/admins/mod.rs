//! The set of enabled administrators (`admins-active`).
//!
//! "The last active admin cannot be demoted, disabled or deleted" is a rule across user
//! accounts, so it gets its own small aggregate: every change that adds or removes an enabled
//! administrator writes here in the same atomic append as the user's own event, and a removal
//! is decided against this stream's exact revision. Two admins demoting each other at the same
//! moment therefore cannot both succeed.
//!
//! Laid out like `user`: the state and `evolve` here, the events in `events.rs`. It has no
//! commands of its own: the user commands write to it, and the one decision they share is in
//! `seat.rs`. Its refusal (the last active administrator) is a `UserError`, so there is no
//! `error.rs`.

mod events;
mod seat;

pub use events::AdminsEvent;
pub(crate) use seat::give_up_seat;

use crate::ids::UserId;
use std::collections::BTreeSet;

/// The enabled administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAdmins {
    /// Who they are.
    pub ids: BTreeSet<UserId>,
    /// Whether there has ever been one (first-run bootstrap is allowed only before that).
    pub ever_had_admin: bool,
}

impl ActiveAdmins {
    /// No administrator, ever.
    pub const NONE: ActiveAdmins = ActiveAdmins {
        ids: BTreeSet::new(),
        ever_had_admin: false,
    };

    /// Folds one event in.
    pub fn evolve(&mut self, event: &AdminsEvent) {
        match event {
            AdminsEvent::Added { user_id } => {
                self.ids.insert(*user_id);
                self.ever_had_admin = true;
            }
            AdminsEvent::Removed { user_id } => {
                self.ids.remove(user_id);
            }
        }
    }
}
