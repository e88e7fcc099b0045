//! Login sessions (`session-{uuid}`). A session stores only the SHA-256 of its token. Its
//! expiry is a time, not an event: the read side compares it with the clock. A session of a
//! user who is disabled or deleted stops working through the read side at once. Commands on
//! it then follow its owner: a deleted owner's sessions went with them (`UserDeleted` is their
//! end), so nothing more is recorded on them; a disabled owner's sessions record no activity,
//! but an administrator may still end them.
//!
//! Laid out like `user`: the state and `evolve` here, the events in `events.rs`, the refusals
//! in `error.rs`, one file per decision (`start.rs`, `activity.rs`, `end.rs`).

mod activity;
mod end;
mod error;
mod events;
mod start;

pub use activity::RecordSessionActivity;
pub use end::EndSession;
pub use error::SessionError;
pub use events::{EndReason, SessionEvent, SessionStarted};
pub(crate) use start::open_session;
pub use start::{MAX_IP, MAX_USER_AGENT, StartSession};

use crate::decision::Loaded;
use crate::ids::{SessionId, UserId};
use crate::user::User;

/// A session as the decider sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// No such session.
    Initial,
    /// Started and not ended (it may still have expired by the clock).
    Active {
        /// Whose.
        user_id: UserId,
    },
    /// Ended.
    Ended {
        /// Whose.
        user_id: UserId,
        /// Why.
        reason: EndReason,
    },
}

impl SessionState {
    /// Folds one event in.
    pub fn evolve(&mut self, event: &SessionEvent) {
        match (&*self, event) {
            (_, SessionEvent::Started(e)) => *self = SessionState::Active { user_id: e.user_id },
            (SessionState::Active { user_id }, SessionEvent::Ended { reason }) => {
                *self = SessionState::Ended {
                    user_id: *user_id,
                    reason: *reason,
                }
            }
            _ => {}
        }
    }
}

/// The owner of an active session, as long as the owner is not deleted. Reading the owner's
/// stream also guards the append with it, so a deletion that lands in between is noticed.
fn live_owner(loaded: &Loaded, id: SessionId) -> Result<&User, SessionError> {
    let user_id = match loaded.session(id) {
        SessionState::Active { user_id } => *user_id,
        SessionState::Initial => return Err(SessionError::NotFound),
        SessionState::Ended { .. } => return Err(SessionError::AlreadyEnded),
    };
    // `None` also covers an owner that never existed, which a started session cannot have.
    loaded.live_user(user_id).ok_or(SessionError::OwnerDeleted)
}
