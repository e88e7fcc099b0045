//! Which fields of which events hold personal data, and whose it is.
//!
//! The store boundary seals these fields under their owner's own key and destroys the key when
//! the owner is deleted (crypto-shredding), so every copy of the log loses them at once. The
//! domain never sees a key: it only names the fields, here, in one place.

use super::Event;
use crate::ids::UserId;
use crate::session::SessionEvent;
use crate::user::UserEvent;

/// Where the owner of an event's personal data is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalOwner {
    /// The event's stream is the owner's (`user-{id}`).
    Stream,
    /// A field of the event's data holds the owner's id.
    Field(&'static str),
}

/// The personal fields of one stored event type, by their names in its JSON data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalFields {
    /// The stored type name.
    pub event_type: &'static str,
    /// The top-level fields that hold personal data (each a string, or null).
    pub fields: &'static [&'static str],
    /// Whose data it is.
    pub owner: PersonalOwner,
}

/// Every event type that carries personal data; the same fields
/// [`Event::personal_data_mut`] yields (a test holds the two together).
pub const PERSONAL_FIELDS: &[PersonalFields] = &[
    PersonalFields {
        event_type: "UserCreated",
        fields: &["username", "display_name", "email", "password_hash"],
        owner: PersonalOwner::Stream,
    },
    PersonalFields {
        event_type: "ProfileUpdated",
        fields: &["display_name", "email"],
        owner: PersonalOwner::Stream,
    },
    PersonalFields {
        event_type: "PasswordReset",
        fields: &["password_hash"],
        owner: PersonalOwner::Stream,
    },
    PersonalFields {
        event_type: "PasswordChanged",
        fields: &["password_hash"],
        owner: PersonalOwner::Stream,
    },
    PersonalFields {
        event_type: "SessionStarted",
        fields: &["user_agent", "ip"],
        owner: PersonalOwner::Field("user_id"),
    },
];

/// The personal fields of `event_type`, if it has any: a reader skips every other event
/// without parsing it.
pub fn personal_fields(event_type: &str) -> Option<&'static PersonalFields> {
    PERSONAL_FIELDS.iter().find(|p| p.event_type == event_type)
}

impl Event {
    /// The user whose personal data this event carries, and that data's fields (username,
    /// display name, email, password hash, a session's user agent and address), to seal or open
    /// in place. `None` for an event that carries none.
    pub fn personal_data_mut(&mut self) -> Option<(UserId, Vec<&mut String>)> {
        match self {
            Event::User(id, event) => {
                let fields = match event {
                    UserEvent::Created(created) => {
                        let mut fields =
                            vec![created.username.text_mut(), created.display_name.text_mut()];
                        fields.extend(created.email.as_mut().map(|e| e.text_mut()));
                        fields.push(created.password_hash.text_mut());
                        fields
                    }
                    UserEvent::ProfileUpdated(updated) => {
                        let mut fields: Vec<&mut String> = updated
                            .display_name
                            .iter_mut()
                            .map(|d| d.text_mut())
                            .collect();
                        fields.extend(updated.email.iter_mut().flatten().map(|e| e.text_mut()));
                        fields
                    }
                    UserEvent::PasswordReset(reset) => vec![reset.password_hash.text_mut()],
                    UserEvent::PasswordChanged(changed) => vec![changed.password_hash.text_mut()],
                    _ => return None,
                };
                Some((*id, fields))
            }
            Event::Session(_, SessionEvent::Started(started)) => {
                let fields = started
                    .user_agent
                    .iter_mut()
                    .chain(started.ip.iter_mut())
                    .collect();
                Some((started.user_id, fields))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SessionId;
    use crate::session::SessionStarted;
    use crate::user::{CreatedVia, PasswordChanged, PasswordReset, ProfileUpdated, UserCreated};
    use crate::values::{DisplayName, Email, PasswordHash, Username};
    use chrono::Utc;
    use uuid::Uuid;

    fn one_of_each() -> Vec<Event> {
        let user = UserId(Uuid::now_v7());
        let hash = || PasswordHash::from_phc("phc".into());
        let email = || Some(Email::parse("a@example.org").unwrap());
        vec![
            Event::User(
                user,
                UserEvent::Created(UserCreated {
                    username: Username::parse("alice").unwrap(),
                    display_name: DisplayName::parse("Alice").unwrap(),
                    email: email(),
                    password_hash: hash(),
                    is_admin: false,
                    via: CreatedVia::Admin,
                    must_change_password: false,
                }),
            ),
            Event::User(
                user,
                UserEvent::ProfileUpdated(ProfileUpdated {
                    display_name: Some(DisplayName::parse("Alice B").unwrap()),
                    email: Some(email()),
                }),
            ),
            Event::User(
                user,
                UserEvent::PasswordReset(PasswordReset {
                    password_hash: hash(),
                    revoke_sessions: false,
                    require_change: false,
                }),
            ),
            Event::User(
                user,
                UserEvent::PasswordChanged(PasswordChanged {
                    password_hash: hash(),
                    kept_session: None,
                }),
            ),
            Event::Session(
                SessionId(Uuid::now_v7()),
                SessionEvent::Started(SessionStarted {
                    user_id: user,
                    token_hash: crate::values::TokenHash::parse(&"ab".repeat(32)).unwrap(),
                    expires_at: Utc::now(),
                    user_agent: Some("Agent/1".into()),
                    ip: Some("192.0.2.1".into()),
                    remember_me: false,
                }),
            ),
        ]
    }

    #[test]
    fn it_should_name_the_same_fields_by_type_and_by_value() {
        let events = one_of_each();
        assert_eq!(events.len(), PERSONAL_FIELDS.len());
        for mut event in events {
            let encoded = event.encode().unwrap();
            let fields = personal_fields(encoded.event_type).expect("listed by type");
            let json: serde_json::Value = serde_json::from_str(&encoded.data).unwrap();
            let by_name: Vec<String> = fields
                .fields
                .iter()
                .filter_map(|f| json[*f].as_str().map(str::to_owned))
                .collect();
            let (owner, by_value) = event.personal_data_mut().expect("has personal data");
            let by_value: Vec<String> = by_value.into_iter().map(|f| f.clone()).collect();
            assert_eq!(by_name, by_value, "{}", encoded.event_type);
            if let PersonalOwner::Field(field) = fields.owner {
                assert_eq!(json[field], serde_json::json!(owner.0.to_string()));
            }
        }
    }
}
