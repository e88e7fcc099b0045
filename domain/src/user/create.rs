use super::{UserCreated, UserError, UserEvent, UserState, require_admin};
use crate::admins::AdminsEvent;
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::UserId;
use crate::reservation::{EmailEvent, UsernameEvent};
use crate::store::Actor;
use crate::values::{DisplayName, Email, PasswordHash, Username};
use serde::{Deserialize, Serialize};

/// How an account came to be; each way has its own authorization rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreatedVia {
    /// An administrator created it in the Admin Panel or the API.
    Admin,
    /// Someone registered themself (only when registration is enabled).
    Registration,
    /// Roster created the first administrator on an empty store.
    Bootstrap,
}

/// Create a user account, reserving its username (and email) in the same atomic append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUser {
    /// New id, chosen by the caller.
    pub user_id: UserId,
    /// Unique, case-insensitively, among live users.
    pub username: Username,
    /// Required.
    pub display_name: DisplayName,
    /// Optional; unique when given.
    pub email: Option<Email>,
    /// Hashed before the command is built.
    pub password_hash: PasswordHash,
    /// Grant the admin role at once (never through registration; always through bootstrap).
    pub is_admin: bool,
    /// Ask for a new password at first login (the guide's onboarding practice).
    pub must_change_password: bool,
    /// Admin panel, registration, or first-run bootstrap.
    pub via: CreatedVia,
}

impl Command for CreateUser {
    type Error = UserError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, UserError> {
        let is_admin = match self.via {
            CreatedVia::Admin => {
                require_admin(loaded.caller(actor))?;
                self.is_admin
            }
            CreatedVia::Registration if self.is_admin => {
                return Err(UserError::RegistrationCannotGrantAdmin);
            }
            CreatedVia::Registration => false,
            CreatedVia::Bootstrap => {
                if actor != Actor::System {
                    return Err(UserError::AdminRequired);
                }
                if loaded.admins().ever_had_admin {
                    return Err(UserError::AlreadyBootstrapped);
                }
                true
            }
        };
        if *loaded.user(self.user_id) != UserState::Initial {
            return Err(UserError::AlreadyExists);
        }
        let username_key = self.username.key();
        if loaded.username(&username_key).holder.is_some() {
            return Err(UserError::UsernameTaken);
        }
        let email_key = self.email.as_ref().map(Email::key);
        if let Some(key) = &email_key
            && loaded.email(key).holder.is_some()
        {
            return Err(UserError::EmailTaken);
        }

        let id = self.user_id;
        let mut events = vec![
            Event::User(
                id,
                UserEvent::Created(UserCreated {
                    username: self.username.clone(),
                    display_name: self.display_name.clone(),
                    email: self.email.clone(),
                    password_hash: self.password_hash.clone(),
                    is_admin,
                    via: self.via,
                    must_change_password: self.must_change_password,
                }),
            ),
            Event::Username(username_key, UsernameEvent::Reserved { user_id: id }),
        ];
        if let Some(key) = email_key {
            events.push(Event::Email(key, EmailEvent::Reserved { user_id: id }));
        }
        if is_admin {
            events.push(Event::Admins(AdminsEvent::Added { user_id: id }));
        }
        Ok(events)
    }
}
