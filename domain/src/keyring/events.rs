//! The events of a keyring, and the sealed key they carry.

use crate::event::EventFamily;
use crate::ids::ApiKeyId;
use crate::values::{Provider, ResourceName};
use serde::{Deserialize, Serialize};
use std::fmt;

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
