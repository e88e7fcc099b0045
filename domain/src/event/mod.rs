//! How domain events cross into storage and back.
//!
//! Each aggregate has its own event enum whose variants carry an explicit `serde(rename)`:
//! that string is the stored type name, so renaming a Rust identifier never changes history.
//! [`Event`] gathers them with the stream each belongs to; it is what `decide` returns and what
//! projections read.

use crate::admins::AdminsEvent;
use crate::challenge::ChallengeEvent;
use crate::idempotency::IdempotencyEvent;
use crate::ids::{AnnotationId, OntologyId, PersonaId, SessionId, UserId};
use crate::keyring::KeyringEvent;
use crate::persona::PersonaEvent;
use crate::reservation::{EmailEvent, UsernameEvent};
use crate::resource::{AnnotationEvent, OntologyEvent};
use crate::session::SessionEvent;
use crate::store::EventData;
use crate::stream::{KeyringOwner, StreamId};
use crate::totp::TotpEvent;
use crate::user::UserEvent;
use crate::values::TokenHash;
use serde::Serialize;
use serde::de::DeserializeOwned;

mod personal;
mod tagged;
pub(crate) mod time;
mod versions;

pub use versions::upcasters;

pub use personal::{PERSONAL_FIELDS, PersonalFields, PersonalOwner, personal_fields};

/// The events of one aggregate kind, stored as `(type name, schema version, JSON data)`.
pub trait EventFamily: Serialize + DeserializeOwned + Sized {
    /// Every type name of the family, for documentation and the golden test.
    const TYPES: &'static [&'static str];

    /// The stable type name of this event.
    fn event_type(&self) -> &'static str;

    /// The schema version written today. Bump it (and register an upcaster) to change a shape.
    fn schema_version(&self) -> u32 {
        1
    }

    /// The event's fields as JSON text, without the type name.
    fn encode_data(&self) -> Result<String, serde_json::Error> {
        // Every family is `#[serde(tag = "type", content = "data")]`: keep only the data part.
        let mut tagged = serde_json::to_value(self)?;
        Ok(tagged["data"].take().to_string())
    }

    /// Rebuilds an event from its type name and JSON data.
    fn decode_data(event_type: &str, data: &str) -> Result<Self, serde_json::Error> {
        // Replay decodes every event of the log, so the data is parsed straight into the
        // variant named by `event_type`, without first splicing a tagged JSON document.
        let mut json = serde_json::Deserializer::from_str(data);
        let event = Self::deserialize(tagged::Tagged {
            tag: event_type,
            data: &mut json,
        })?;
        json.end()?;
        Ok(event)
    }
}

/// Any domain event, together with the stream it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// On `user-{id}`.
    User(UserId, UserEvent),
    /// On `username-{key}`.
    Username(String, UsernameEvent),
    /// On `email-{key}`, the key being [`Email::key`](crate::values::Email::key).
    Email(String, EmailEvent),
    /// On `admins-active`.
    Admins(AdminsEvent),
    /// On `session-{id}`.
    Session(SessionId, SessionEvent),
    /// On `persona-{id}`.
    Persona(PersonaId, PersonaEvent),
    /// On `keyring-{owner}`.
    Keyring(KeyringOwner, KeyringEvent),
    /// On `ontology-{id}`.
    Ontology(OntologyId, OntologyEvent),
    /// On `annotation-{id}`.
    Annotation(AnnotationId, AnnotationEvent),
    /// On `totp-{user id}`.
    Totp(UserId, TotpEvent),
    /// On `challenge-{sha256 hex}`.
    Challenge(TokenHash, ChallengeEvent),
    /// On `idempotency-{sha256 hex}`.
    Idempotency(TokenHash, IdempotencyEvent),
}

/// Why a stored event could not be turned back into a domain event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The stream name is not one Roster writes.
    #[error("unknown stream kind: {0}")]
    UnknownStream(String),
    /// The type name (or its data) does not belong to the stream's aggregate; newer code may
    /// have written it. Projections skip such events; aggregates refuse to decide over them.
    #[error("cannot decode {event_type} on {stream}: {reason}")]
    Unreadable {
        /// The stream.
        stream: String,
        /// The stored type name.
        event_type: String,
        /// What serde said.
        reason: String,
    },
}

impl Event {
    /// The stream this event is appended to.
    pub fn stream(&self) -> StreamId {
        match self {
            Event::User(id, _) => StreamId::User(*id),
            Event::Username(key, _) => StreamId::Username(key.clone()),
            Event::Email(key, _) => StreamId::Email(key.clone()),
            Event::Admins(_) => StreamId::Admins,
            Event::Session(id, _) => StreamId::Session(*id),
            Event::Persona(id, _) => StreamId::Persona(*id),
            Event::Keyring(owner, _) => StreamId::Keyring(*owner),
            Event::Ontology(id, _) => StreamId::Ontology(*id),
            Event::Annotation(id, _) => StreamId::Annotation(*id),
            Event::Totp(id, _) => StreamId::Totp(*id),
            Event::Challenge(hash, _) => StreamId::Challenge(hash.clone()),
            Event::Idempotency(hash, _) => StreamId::Idempotency(hash.clone()),
        }
    }

    /// The stable type name.
    pub fn event_type(&self) -> &'static str {
        self.with_family(|family| family.event_type())
    }

    /// Serialises the event for the store.
    pub fn encode(&self) -> Result<EventData, serde_json::Error> {
        self.with_family(|family| {
            Ok(EventData {
                event_type: family.event_type(),
                schema_version: family.schema_version(),
                data: family.encode_data()?,
            })
        })
    }

    /// Reads a stored event back, using its stream name to pick the aggregate.
    pub fn decode(stream: &str, event_type: &str, data: &str) -> Result<Event, DecodeError> {
        let id =
            StreamId::parse(stream).ok_or_else(|| DecodeError::UnknownStream(stream.into()))?;
        Event::decode_in(id, event_type, data).map_err(|e| DecodeError::Unreadable {
            stream: stream.to_owned(),
            event_type: event_type.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Like [`Event::decode`], for a stream already parsed.
    pub fn decode_in(
        stream: StreamId,
        event_type: &str,
        data: &str,
    ) -> Result<Event, serde_json::Error> {
        Ok(match stream {
            StreamId::User(id) => Event::User(id, UserEvent::decode_data(event_type, data)?),
            StreamId::Username(key) => {
                Event::Username(key, UsernameEvent::decode_data(event_type, data)?)
            }
            StreamId::Email(key) => Event::Email(key, EmailEvent::decode_data(event_type, data)?),
            StreamId::Admins => Event::Admins(AdminsEvent::decode_data(event_type, data)?),
            StreamId::Session(id) => {
                Event::Session(id, SessionEvent::decode_data(event_type, data)?)
            }
            StreamId::Persona(id) => {
                Event::Persona(id, PersonaEvent::decode_data(event_type, data)?)
            }
            StreamId::Keyring(owner) => {
                Event::Keyring(owner, KeyringEvent::decode_data(event_type, data)?)
            }
            StreamId::Ontology(id) => {
                Event::Ontology(id, OntologyEvent::decode_data(event_type, data)?)
            }
            StreamId::Annotation(id) => {
                Event::Annotation(id, AnnotationEvent::decode_data(event_type, data)?)
            }
            StreamId::Totp(id) => Event::Totp(id, TotpEvent::decode_data(event_type, data)?),
            StreamId::Challenge(hash) => {
                Event::Challenge(hash, ChallengeEvent::decode_data(event_type, data)?)
            }
            StreamId::Idempotency(hash) => {
                Event::Idempotency(hash, IdempotencyEvent::decode_data(event_type, data)?)
            }
        })
    }

    fn with_family<T>(&self, f: impl FnOnce(&dyn FamilyRef) -> T) -> T {
        match self {
            Event::User(_, e) => f(e),
            Event::Username(_, e) => f(e),
            Event::Email(_, e) => f(e),
            Event::Admins(e) => f(e),
            Event::Session(_, e) => f(e),
            Event::Persona(_, e) => f(e),
            Event::Keyring(_, e) => f(e),
            Event::Ontology(_, e) => f(e),
            Event::Annotation(_, e) => f(e),
            Event::Totp(_, e) => f(e),
            Event::Challenge(_, e) => f(e),
            Event::Idempotency(_, e) => f(e),
        }
    }
}

/// The object-safe part of [`EventFamily`], so [`Event`] can treat every family alike.
trait FamilyRef {
    fn event_type(&self) -> &'static str;
    fn schema_version(&self) -> u32;
    fn encode_data(&self) -> Result<String, serde_json::Error>;
}

impl<F: EventFamily> FamilyRef for F {
    fn event_type(&self) -> &'static str {
        EventFamily::event_type(self)
    }
    fn schema_version(&self) -> u32 {
        EventFamily::schema_version(self)
    }
    fn encode_data(&self) -> Result<String, serde_json::Error> {
        EventFamily::encode_data(self)
    }
}

/// Every stored type name Roster writes, by family: the list an auditor can rely on.
pub fn all_event_types() -> Vec<&'static str> {
    [
        UserEvent::TYPES,
        UsernameEvent::TYPES,
        EmailEvent::TYPES,
        AdminsEvent::TYPES,
        SessionEvent::TYPES,
        PersonaEvent::TYPES,
        KeyringEvent::TYPES,
        OntologyEvent::TYPES,
        AnnotationEvent::TYPES,
        TotpEvent::TYPES,
        ChallengeEvent::TYPES,
        IdempotencyEvent::TYPES,
    ]
    .concat()
}
