use super::{ProfileUpdated, UserError, UserEvent, not_yours, target};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::UserId;
use crate::reservation::EmailEvent;
use crate::store::Actor;
use crate::values::{DisplayName, Email};

/// Set a user's display name and email (by an administrator, or the user themself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateProfile {
    /// Whose profile.
    pub user_id: UserId,
    /// The new display name.
    pub display_name: DisplayName,
    /// The new email; `None` removes it.
    pub email: Option<Email>,
}

impl Command for UpdateProfile {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        if !loaded.caller(actor).may_act_for(self.user_id) {
            return Err(not_yours(actor, loaded, self.user_id));
        }
        let user = target(loaded, self.user_id)?;
        if user.display_name == self.display_name && user.email == self.email {
            return Ok(vec![]);
        }
        let old_key = user.email.as_ref().map(Email::key);
        let new_key = self.email.as_ref().map(Email::key);
        let mut events = vec![Event::User(
            self.user_id,
            // Only what changes is recorded (a change of letter case in the email included).
            UserEvent::ProfileUpdated(ProfileUpdated {
                display_name: (user.display_name != self.display_name)
                    .then(|| self.display_name.clone()),
                email: (user.email != self.email).then(|| self.email.clone()),
            }),
        )];
        // Only a change of address moves the reservation; a change of letter case does not.
        if old_key != new_key {
            if let Some(key) = new_key {
                if loaded.email(&key).holder.is_some() {
                    return Err(UserError::EmailTaken);
                }
                events.push(Event::Email(key, EmailEvent::Reserved { user_id: user.id }));
            }
            if let Some(key) = old_key {
                events.push(Event::Email(key, EmailEvent::Released { user_id: user.id }));
            }
        }
        Ok(events)
    }
}
