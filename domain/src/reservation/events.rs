//! The events of `username-{lowercased}` and `email-{sha256 hex}`: the same two for both
//! values, so one macro states them.

use crate::event::EventFamily;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

macro_rules! reservation_events {
    ($(#[$doc:meta])* $name:ident, $reserved:literal, $released:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum $name {
            /// The value now belongs to `user_id`.
            #[serde(rename = $reserved)]
            Reserved {
                /// The holder.
                user_id: UserId,
            },
            /// `user_id` gave the value up (deleted, or changed it).
            #[serde(rename = $released)]
            Released {
                /// The former holder.
                user_id: UserId,
            },
        }

        impl EventFamily for $name {
            const TYPES: &'static [&'static str] = &[$reserved, $released];

            fn event_type(&self) -> &'static str {
                match self {
                    $name::Reserved { .. } => $reserved,
                    $name::Released { .. } => $released,
                }
            }
        }

        impl $name {
            /// The user the event is about (the new or the former holder).
            pub fn user_id(&self) -> UserId {
                match self {
                    $name::Reserved { user_id } | $name::Released { user_id } => *user_id,
                }
            }

            /// The holder once this event is applied.
            pub fn holder_after(&self) -> Option<UserId> {
                match self {
                    $name::Reserved { user_id } => Some(*user_id),
                    $name::Released { .. } => None,
                }
            }
        }
    };
}

reservation_events!(
    /// Events of `username-{lowercased}`.
    UsernameEvent,
    "UsernameReserved",
    "UsernameReleased"
);
reservation_events!(
    /// Events of `email-{sha256 hex}` (see `Email::key`).
    EmailEvent,
    "EmailReserved",
    "EmailReleased"
);
