//! Model-service API keys (`keyring-{user uuid}` for a user's own, `keyring-system` for the
//! system's). One owner's keys form one aggregate so that "one key per provider" is decided
//! against a single stream. The key itself is sealed with an AEAD before the command is built,
//! under a key that never enters the log; only its last four characters are kept in clear.

use crate::decision::{Command, Loaded};
use crate::error::ErrorKind;
use crate::event::{Event, EventFamily};
use crate::ids::ApiKeyId;
use crate::store::Actor;
use crate::stream::KeyringOwner;
use crate::values::ResourceName;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A model-service provider name, e.g. `anthropic` or `openai`: 1–32 of `a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Provider(String);

impl Provider {
    /// Validates and lowercases a provider name.
    pub fn parse(raw: &str) -> Result<Provider, KeyringError> {
        let name = raw.trim().to_ascii_lowercase();
        let valid = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if valid {
            Ok(Provider(name))
        } else {
            Err(KeyringError::InvalidProvider)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The environment variable holding this provider's fallback key (`OPENAI_API_KEY`).
    pub fn env_var(&self) -> String {
        format!("{}_API_KEY", self.0.to_ascii_uppercase().replace('-', "_"))
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An API key sealed with an AEAD. Opaque to the domain.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    /// Which sealing scheme and key version, e.g. `xchacha20poly1305:v1`.
    pub scheme: String,
    /// Nonce, base64.
    pub nonce: String,
    /// Ciphertext with tag, base64.
    pub ciphertext: String,
}

impl fmt::Debug for SealedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedKey")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

/// Everything that can happen to an owner's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum KeyringEvent {
    /// A key was added.
    #[serde(rename = "ApiKeyAdded")]
    Added(ApiKeyAdded),
    /// A key's name and secret were replaced.
    #[serde(rename = "ApiKeyReplaced")]
    Replaced(ApiKeyReplaced),
    /// A key was removed.
    #[serde(rename = "ApiKeyRemoved")]
    Removed {
        /// Which.
        key_id: ApiKeyId,
    },
}

impl EventFamily for KeyringEvent {
    const TYPES: &'static [&'static str] = &["ApiKeyAdded", "ApiKeyReplaced", "ApiKeyRemoved"];

    fn event_type(&self) -> &'static str {
        match self {
            KeyringEvent::Added(_) => "ApiKeyAdded",
            KeyringEvent::Replaced(_) => "ApiKeyReplaced",
            KeyringEvent::Removed { .. } => "ApiKeyRemoved",
        }
    }
}

/// `ApiKeyAdded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyAdded {
    /// Its id.
    pub key_id: ApiKeyId,
    /// Which model service it is for.
    pub provider: Provider,
    /// A label the owner chose.
    pub name: ResourceName,
    /// The key, sealed.
    pub sealed: SealedKey,
    /// Its last four characters, the only part ever shown.
    pub last4: String,
}

/// `ApiKeyReplaced`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyReplaced {
    /// Which key.
    pub key_id: ApiKeyId,
    /// The new label.
    pub name: ResourceName,
    /// The new key, sealed.
    pub sealed: SealedKey,
    /// Its last four characters.
    pub last4: String,
}

/// One owner's keys: which provider each is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring {
    /// Key id to provider.
    pub keys: BTreeMap<ApiKeyId, Provider>,
}

impl Keyring {
    /// No keys.
    pub const EMPTY: Keyring = Keyring {
        keys: BTreeMap::new(),
    };

    /// Folds one event in.
    pub fn evolve(&mut self, event: &KeyringEvent) {
        match event {
            KeyringEvent::Added(e) => {
                self.keys.insert(e.key_id, e.provider.clone());
            }
            KeyringEvent::Removed { key_id } => {
                self.keys.remove(key_id);
            }
            KeyringEvent::Replaced(_) => {}
        }
    }
}

/// Why an API-key command was refused. Never contains the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// System keys are for administrators (FORBIDDEN).
    #[error("Admin access required")]
    AdminRequired,
    /// A user manages only their own keys (FORBIDDEN).
    #[error("You can only manage your own API keys")]
    NotYours,
    /// The owner does not exist or was deleted (NOT_FOUND).
    #[error("User not found")]
    OwnerNotFound,
    /// One key per provider and owner (CONFLICT).
    #[error("API key for this provider already exists")]
    ProviderTaken,
    /// The key id is taken (CONFLICT).
    #[error("API key already exists")]
    AlreadyExists,
    /// No such key (NOT_FOUND).
    #[error("API key not found")]
    NotFound,
    /// Not a valid provider name (VALIDATION).
    #[error("Provider must be 1-32 characters of a-z, 0-9, '_' and '-'")]
    InvalidProvider,
    /// The visible tail must be at most four characters (VALIDATION).
    #[error("Only the last 4 characters of a key may be kept in clear")]
    TailTooLong,
}

impl KeyringError {
    /// How the API reports this refusal.
    pub fn kind(&self) -> ErrorKind {
        match self {
            KeyringError::AdminRequired | KeyringError::NotYours => ErrorKind::Forbidden,
            KeyringError::OwnerNotFound | KeyringError::NotFound => ErrorKind::NotFound,
            KeyringError::ProviderTaken | KeyringError::AlreadyExists => ErrorKind::Conflict,
            KeyringError::InvalidProvider | KeyringError::TailTooLong => ErrorKind::Validation,
        }
    }
}

fn check_owner(actor: Actor, loaded: &Loaded, owner: KeyringOwner) -> Result<(), KeyringError> {
    let caller = loaded.caller(actor);
    match owner {
        KeyringOwner::System if caller.is_admin_or_system() => Ok(()),
        KeyringOwner::System => Err(KeyringError::AdminRequired),
        KeyringOwner::User(id) => {
            if !caller.may_act_for(id) {
                return Err(KeyringError::NotYours);
            }
            loaded
                .live_user(id)
                .map(|_| ())
                .ok_or(KeyringError::OwnerNotFound)
        }
    }
}

fn check_tail(last4: &str) -> Result<(), KeyringError> {
    if last4.chars().count() > 4 {
        Err(KeyringError::TailTooLong)
    } else {
        Ok(())
    }
}

/// Add a key for a provider the owner has no key for yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddApiKey {
    /// Whose keyring.
    pub owner: KeyringOwner,
    /// The new key's id and contents.
    pub key: ApiKeyAdded,
}

impl Command for AddApiKey {
    type Error = KeyringError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, KeyringError> {
        check_owner(actor, loaded, self.owner)?;
        check_tail(&self.key.last4)?;
        let keyring = loaded.keyring(self.owner);
        if keyring.keys.contains_key(&self.key.key_id) {
            return Err(KeyringError::AlreadyExists);
        }
        if keyring.keys.values().any(|p| *p == self.key.provider) {
            return Err(KeyringError::ProviderTaken);
        }
        Ok(vec![Event::Keyring(
            self.owner,
            KeyringEvent::Added(self.key.clone()),
        )])
    }
}

/// Replace a key's label and secret (e.g. after rotating it at the provider).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaceApiKey {
    /// Whose keyring.
    pub owner: KeyringOwner,
    /// The key's id and new contents.
    pub key: ApiKeyReplaced,
}

impl Command for ReplaceApiKey {
    type Error = KeyringError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, KeyringError> {
        check_owner(actor, loaded, self.owner)?;
        check_tail(&self.key.last4)?;
        if !loaded
            .keyring(self.owner)
            .keys
            .contains_key(&self.key.key_id)
        {
            return Err(KeyringError::NotFound);
        }
        Ok(vec![Event::Keyring(
            self.owner,
            KeyringEvent::Replaced(self.key.clone()),
        )])
    }
}

/// Remove a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveApiKey {
    /// Whose keyring.
    pub owner: KeyringOwner,
    /// Which key.
    pub key_id: ApiKeyId,
}

impl Command for RemoveApiKey {
    type Error = KeyringError;

    fn decide(&self, actor: Actor, loaded: &Loaded) -> Result<Vec<Event>, KeyringError> {
        check_owner(actor, loaded, self.owner)?;
        if !loaded.keyring(self.owner).keys.contains_key(&self.key_id) {
            return Err(KeyringError::NotFound);
        }
        Ok(vec![Event::Keyring(
            self.owner,
            KeyringEvent::Removed {
                key_id: self.key_id,
            },
        )])
    }
}
