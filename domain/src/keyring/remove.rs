use super::{KeyringError, KeyringEvent, check_owner};
use crate::decision::{Command, Loaded};
use crate::event::Event;
use crate::ids::ApiKeyId;
use crate::store::Actor;
use crate::stream::KeyringOwner;

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
