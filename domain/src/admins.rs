//! The set of enabled administrators (`admins-active`).
//!
//! "The last active admin cannot be demoted, disabled or deleted" is a rule across user
//! accounts, so it gets its own small aggregate: every change that adds or removes an enabled
//! administrator writes here in the same atomic append as the user's own event, and a removal
//! is decided against this stream's exact revision. Two admins demoting each other at the same
//! moment therefore cannot both succeed.

use crate::decision::Loaded;
use crate::event::{Event, EventFamily};
use crate::ids::UserId;
use crate::user::{User, UserError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Changes to the set of enabled administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum AdminsEvent {
    /// A user became an enabled administrator (created as admin, granted, or re-enabled).
    #[serde(rename = "ActiveAdminAdded")]
    Added {
        /// Who.
        user_id: UserId,
    },
    /// A user stopped being an enabled administrator (revoked, disabled or deleted).
    #[serde(rename = "ActiveAdminRemoved")]
    Removed {
        /// Who.
        user_id: UserId,
    },
}

impl EventFamily for AdminsEvent {
    const TYPES: &'static [&'static str] = &["ActiveAdminAdded", "ActiveAdminRemoved"];

    fn event_type(&self) -> &'static str {
        match self {
            AdminsEvent::Added { .. } => "ActiveAdminAdded",
            AdminsEvent::Removed { .. } => "ActiveAdminRemoved",
        }
    }
}

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

/// The event that takes `user`'s seat among the enabled administrators, if they hold one;
/// refused when they are the last.
pub(crate) fn give_up_seat(loaded: &Loaded, user: &User) -> Result<Option<Event>, UserError> {
    if !user.is_active_admin() {
        return Ok(None);
    }
    let admins = loaded.admins();
    let others = admins.ids.iter().filter(|id| **id != user.id).count();
    if others == 0 {
        return Err(UserError::LastActiveAdmin);
    }
    Ok(Some(Event::Admins(AdminsEvent::Removed {
        user_id: user.id,
    })))
}
