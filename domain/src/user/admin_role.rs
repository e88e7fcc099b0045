use super::{UserError, UserEvent, require_admin, target};
use crate::admins::{AdminsEvent, give_up_seat};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::UserId;
use crate::store::Actor;

/// Promote a user to administrator. Takes effect on their next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantAdmin {
    /// Who.
    pub user_id: UserId,
}

impl Command for GrantAdmin {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        require_admin(loaded.caller(actor))?;
        let user = target(loaded, self.user_id)?;
        if user.is_admin {
            return Ok(vec![]);
        }
        let mut events = vec![Event::User(user.id, UserEvent::AdminGranted {})];
        if !user.disabled {
            events.push(Event::Admins(AdminsEvent::Added { user_id: user.id }));
        }
        Ok(events)
    }
}

/// Take the admin role away. Refused when it would leave no enabled administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeAdmin {
    /// Who.
    pub user_id: UserId,
}

impl Command for RevokeAdmin {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        require_admin(loaded.caller(actor))?;
        let user = target(loaded, self.user_id)?;
        if !user.is_admin {
            return Ok(vec![]);
        }
        let mut events = vec![Event::User(user.id, UserEvent::AdminRevoked {})];
        events.extend(give_up_seat(loaded, user)?);
        Ok(events)
    }
}
