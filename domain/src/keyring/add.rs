use super::{ApiKeyAdded, KeyringError, KeyringEvent, check_owner, check_tail};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::store::Actor;
use crate::stream::KeyringOwner;

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
