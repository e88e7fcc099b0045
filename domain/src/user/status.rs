use super::{UserError, UserEvent, require_admin, target};
use crate::admins::{AdminsEvent, give_up_seat};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::UserId;
use crate::reservation::{EmailEvent, UsernameEvent};
use crate::store::Actor;
use crate::values::Email;

/// Stop a user from logging in, keeping their data. Their sessions stop working at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisableUser {
    /// Who.
    pub user_id: UserId,
}

impl Command for DisableUser {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        require_admin(loaded.caller(actor))?;
        let user = target(loaded, self.user_id)?;
        if user.disabled {
            return Ok(vec![]);
        }
        let mut events = vec![Event::User(user.id, UserEvent::Disabled {})];
        events.extend(give_up_seat(loaded, user)?);
        Ok(events)
    }
}

/// Let a disabled user log in again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnableUser {
    /// Who.
    pub user_id: UserId,
}

impl Command for EnableUser {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        require_admin(loaded.caller(actor))?;
        let user = target(loaded, self.user_id)?;
        if !user.disabled {
            return Ok(vec![]);
        }
        let mut events = vec![Event::User(user.id, UserEvent::Enabled {})];
        if user.is_admin {
            events.push(Event::Admins(AdminsEvent::Added { user_id: user.id }));
        }
        Ok(events)
    }
}

/// Delete a user for good: their sessions, personas, API keys, ontologies and annotations go
/// with them (the read side cascades from `UserDeleted`), and their username is released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteUser {
    /// Who.
    pub user_id: UserId,
}

impl Command for DeleteUser {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        let caller = loaded.caller(actor);
        require_admin(caller)?;
        if caller.user_id() == Some(self.user_id) {
            return Err(UserError::CannotDeleteSelf);
        }
        let user = target(loaded, self.user_id)?;
        let mut events = vec![
            Event::User(user.id, UserEvent::Deleted {}),
            Event::Username(
                user.username.key(),
                UsernameEvent::Released { user_id: user.id },
            ),
        ];
        if let Some(key) = user.email.as_ref().map(Email::key) {
            events.push(Event::Email(key, EmailEvent::Released { user_id: user.id }));
        }
        events.extend(give_up_seat(loaded, user)?);
        Ok(events)
    }
}
