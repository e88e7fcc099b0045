//! The events of `admins-active`.

use crate::event::EventFamily;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

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
