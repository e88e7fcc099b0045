use super::{SessionError, SessionEvent, live_owner};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::SessionId;
use crate::store::Actor;
use chrono::{DateTime, Utc};

/// Record that a session was used, for the idle timeout. Refused once its owner is deleted
/// or disabled: such a session no longer authenticates, so it cannot have been used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSessionActivity {
    /// Which session.
    pub session_id: SessionId,
    /// When it was used.
    pub at: DateTime<Utc>,
}

impl Command for RecordSessionActivity {
    type Error = SessionError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, SessionError> {
        let owner = live_owner(loaded, self.session_id)?;
        if owner.disabled {
            return Err(SessionError::AccountDisabled);
        }
        if !loaded.caller(actor).may_act_for(owner.id) {
            return Err(SessionError::NotYourSession);
        }
        Ok(vec![Event::Session(
            self.session_id,
            SessionEvent::ActivityRecorded { at: self.at },
        )])
    }
}
