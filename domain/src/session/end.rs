use super::{EndReason, SessionError, SessionEvent, live_owner};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::SessionId;
use crate::store::Actor;

/// End a session: the owner logs out or revokes one of their own, an administrator revokes
/// anyone's (a disabled user's too). Refused, for everyone, once the owner is deleted: the
/// deletion already ended it, and a deleted user accepts no further command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndSession {
    /// Which session.
    pub session_id: SessionId,
    /// Why.
    pub reason: EndReason,
}

impl Command for EndSession {
    type Error = SessionError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, SessionError> {
        let owner = live_owner(loaded, self.session_id)?;
        if !loaded.caller(actor).may_act_for(owner.id) {
            return Err(SessionError::NotYourSession);
        }
        Ok(vec![Event::Session(
            self.session_id,
            SessionEvent::Ended {
                reason: self.reason,
            },
        )])
    }
}
