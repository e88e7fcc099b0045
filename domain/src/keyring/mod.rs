//! Model-service API keys (`keyring-{user uuid}` for a user's own, `keyring-system` for the
//! system's). One owner's keys form one aggregate so that "one key per provider" is decided
//! against a single stream. The key itself is sealed with an AEAD before the command is built,
//! under a key that never enters the log; only its last four characters are kept in clear.
//!
//! Laid out like `user`: the state, `evolve` and the checks every decision makes here, the
//! events in `events.rs`, the refusals in `error.rs`, one file per decision (`add.rs`,
//! `replace.rs`, `remove.rs`). The provider name a key is for is a value:
//! [`crate::values::Provider`].

mod add;
mod error;
mod events;
mod remove;
mod replace;

pub use add::AddApiKey;
pub use error::KeyringError;
pub use events::{ApiKeyAdded, ApiKeyReplaced, KeyringEvent, SealedKey};
pub use remove::RemoveApiKey;
pub use replace::ReplaceApiKey;

use crate::decision::Loaded;
use crate::ids::ApiKeyId;
use crate::store::Actor;
use crate::stream::KeyringOwner;
use crate::values::Provider;
use std::collections::BTreeMap;

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
