//! Stream names: one stream per aggregate instance, named `<kind>-<id>`.

use crate::ids::{AnnotationId, OntologyId, PersonaId, SessionId, UserId};
use crate::values::TokenHash;
use std::fmt;
use uuid::Uuid;

/// Whose model-service keys a keyring holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyringOwner {
    /// A user's own keys, which override the system's.
    User(UserId),
    /// The system-wide keys an admin manages.
    System,
}

/// The aggregate instance a stream belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StreamId {
    /// `user-{uuid}`: a user account.
    User(UserId),
    /// `username-{lowercased}`: who holds a username.
    Username(String),
    /// `email-{sha256 hex}`: who holds an email address, keyed by [`Email::key`] so that no
    /// address appears in a stream name.
    ///
    /// [`Email::key`]: crate::values::Email::key
    Email(String),
    /// `admins-active`: the set of enabled administrators (guards against lock-out).
    Admins,
    /// `session-{uuid}`: one login session.
    Session(SessionId),
    /// `persona-{uuid}`.
    Persona(PersonaId),
    /// `keyring-{user uuid}` or `keyring-system`: one owner's model-service API keys.
    Keyring(KeyringOwner),
    /// `ontology-{uuid}`.
    Ontology(OntologyId),
    /// `annotation-{uuid}`.
    Annotation(AnnotationId),
    /// `totp-{user uuid}`: one user's second factor (time-based one-time codes).
    Totp(UserId),
    /// `challenge-{sha256 hex}`: one login waiting for its second factor, named after the
    /// SHA-256 of its challenge token (the token itself is never stored).
    Challenge(TokenHash),
    /// `idempotency-{sha256 hex}`: one request sent with an `Idempotency-Key`, named after the
    /// SHA-256 of the caller's scope and the key (neither appears in the name).
    Idempotency(TokenHash),
}

impl StreamId {
    /// Parses a stream name back into its aggregate. Unknown kinds give `None`.
    pub fn parse(name: &str) -> Option<StreamId> {
        let (kind, id) = name.split_once('-')?;
        let uuid = || Uuid::parse_str(id).ok();
        Some(match kind {
            "user" => StreamId::User(UserId(uuid()?)),
            "username" => StreamId::Username(id.to_owned()),
            "email" => StreamId::Email(id.to_owned()),
            "admins" if id == "active" => StreamId::Admins,
            "session" => StreamId::Session(SessionId(uuid()?)),
            "persona" => StreamId::Persona(PersonaId(uuid()?)),
            "keyring" if id == "system" => StreamId::Keyring(KeyringOwner::System),
            "keyring" => StreamId::Keyring(KeyringOwner::User(UserId(uuid()?))),
            "ontology" => StreamId::Ontology(OntologyId(uuid()?)),
            "annotation" => StreamId::Annotation(AnnotationId(uuid()?)),
            "totp" => StreamId::Totp(UserId(uuid()?)),
            "challenge" => StreamId::Challenge(TokenHash::parse(id).ok()?),
            "idempotency" => StreamId::Idempotency(TokenHash::parse(id).ok()?),
            _ => return None,
        })
    }

    /// The user this stream is about, if it is about one user (used for audit and cascades).
    pub fn user(&self) -> Option<UserId> {
        match self {
            StreamId::User(id) | StreamId::Keyring(KeyringOwner::User(id)) | StreamId::Totp(id) => {
                Some(*id)
            }
            _ => None,
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamId::User(id) => write!(f, "user-{id}"),
            StreamId::Username(key) => write!(f, "username-{key}"),
            StreamId::Email(key) => write!(f, "email-{key}"),
            StreamId::Admins => f.write_str("admins-active"),
            StreamId::Session(id) => write!(f, "session-{id}"),
            StreamId::Persona(id) => write!(f, "persona-{id}"),
            StreamId::Keyring(KeyringOwner::User(id)) => write!(f, "keyring-{id}"),
            StreamId::Keyring(KeyringOwner::System) => f.write_str("keyring-system"),
            StreamId::Ontology(id) => write!(f, "ontology-{id}"),
            StreamId::Annotation(id) => write!(f, "annotation-{id}"),
            StreamId::Totp(id) => write!(f, "totp-{id}"),
            StreamId::Challenge(hash) => write!(f, "challenge-{hash}"),
            StreamId::Idempotency(hash) => write!(f, "idempotency-{hash}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_parse_every_stream_name_it_writes() {
        let id = Uuid::now_v7();
        let streams = [
            StreamId::User(UserId(id)),
            StreamId::Username("alice".into()),
            StreamId::Email("ab".repeat(32)),
            StreamId::Admins,
            StreamId::Session(SessionId(id)),
            StreamId::Persona(PersonaId(id)),
            StreamId::Keyring(KeyringOwner::User(UserId(id))),
            StreamId::Keyring(KeyringOwner::System),
            StreamId::Ontology(OntologyId(id)),
            StreamId::Annotation(AnnotationId(id)),
            StreamId::Totp(UserId(id)),
            StreamId::Challenge(TokenHash::parse(&"ab".repeat(32)).unwrap()),
            StreamId::Idempotency(TokenHash::parse(&"cd".repeat(32)).unwrap()),
        ];
        for stream in streams {
            assert_eq!(StreamId::parse(&stream.to_string()), Some(stream));
        }
    }

    #[test]
    fn it_should_name_an_email_reservation_without_the_address() {
        let email = crate::values::Email::parse("Someone@Example.org").unwrap();
        let name = StreamId::Email(email.key()).to_string();
        assert!(name.starts_with("email-"));
        assert_eq!(name.len(), "email-".len() + 64);
        assert!(!name.to_lowercase().contains("someone"));
    }

    #[test]
    fn it_should_keep_dashes_inside_usernames() {
        assert_eq!(
            StreamId::parse("username-john-doe"),
            Some(StreamId::Username("john-doe".into()))
        );
        assert_eq!(StreamId::parse("nonsense-1"), None);
        assert_eq!(StreamId::parse("user-not-a-uuid"), None);
    }
}
