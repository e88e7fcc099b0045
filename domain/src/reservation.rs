//! Reservations make a value unique across aggregates: `username-{lowercased}` and
//! `email-{sha256 hex of the lowercased address}` each record which user holds the value. Creating a user appends the
//! reservation with the stream's exact revision in the same atomic append as `UserCreated`, so
//! two concurrent creations of `Alice` and `alice` cannot both succeed; deletion releases it.

use crate::event::EventFamily;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// Who holds a reserved value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    /// The holder, or `None` when free (never taken, or released).
    pub holder: Option<UserId>,
}

impl Reservation {
    /// Nobody holds it.
    pub const FREE: Reservation = Reservation { holder: None };

    /// Folds one event in, given the holder it leaves behind.
    pub fn evolve(&mut self, holder_after: Option<UserId>) {
        self.holder = holder_after;
    }
}

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
