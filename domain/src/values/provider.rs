use crate::keyring::KeyringError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A model-service provider name, e.g. `anthropic` or `openai`: 1–32 of `a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Provider(String);

impl Provider {
    /// Validates and lowercases a provider name.
    ///
    /// Refused as [`KeyringError::InvalidProvider`] rather than with an error of its own, as
    /// the other values are: a provider is parsed only to add, replace or resolve a key, and
    /// the keyring's error is what callers already report ("Provider must be 1-32 characters
    /// of a-z, 0-9, '_' and '-'", a validation error).
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
