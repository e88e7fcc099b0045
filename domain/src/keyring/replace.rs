use super::{ApiKeyReplaced, KeyringError, KeyringEvent, check_owner, check_tail};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::store::Actor;
use crate::stream::KeyringOwner;

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
