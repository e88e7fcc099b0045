//! Reservations make a value unique across aggregates: `username-{lowercased}` and
//! `email-{sha256 hex of the lowercased address}` each record which user holds the value. Creating a user appends the
//! reservation with the stream's exact revision in the same atomic append as `UserCreated`, so
//! two concurrent creations of `Alice` and `alice` cannot both succeed; deletion releases it.
//!
//! Laid out like `user`: the state and `evolve` here, the events in `events.rs`. The user
//! commands decide every reservation and refuse with a `UserError` (`UsernameTaken`,
//! `EmailTaken`), so there are no decision files and no `error.rs` here.

mod events;

pub use events::{EmailEvent, UsernameEvent};

use crate::ids::UserId;

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
