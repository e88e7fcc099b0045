//! Where each user's personal-data keys are kept (crypto-shredding), chosen at start-up.
//!
//! A SQLite log keeps them in a file beside it (`<database>.personal-keys`, mode 0600, to be
//! backed up with the database); the memory store keeps them in memory. A log begun before
//! personal data was sealed keeps its readable reservation stream names (and says so) until it
//! is migrated; a sealed log whose key file is missing is refused, since nothing in it could be
//! read and its usernames could be taken twice.

use super::StartError;
use crate::config::{Config, StoreLocation};
use roster_domain::event::Event;
use roster_domain::store::{EventStore, Position};
use roster_domain::user::UserEvent;
use roster_store::shredding::{NameScheme, PersonalKeys, SEALED_PREFIX, key_file_beside};
use std::sync::Arc;
use tracing::{info, warn};

/// The personal-data keys for the store `config` names, whose log is `store`.
pub(super) async fn open_personal_keys(
    config: &Config,
    store: &Arc<dyn EventStore>,
) -> Result<Arc<PersonalKeys>, StartError> {
    let StoreLocation::Sqlite(database) = &config.store else {
        return Ok(Arc::new(PersonalKeys::in_memory()));
    };
    let path = key_file_beside(database);
    let names = if path.exists() {
        NameScheme::Keyed // as recorded in the file
    } else {
        match first_account_sealed(store).await? {
            None => NameScheme::Keyed,
            Some(false) => {
                warn!(
                    "this event log was begun before personal data was sealed: its older events and the names of its reservation streams stay readable until it is migrated with `roster migrate --transform seal`"
                );
                NameScheme::Plain
            }
            Some(true) => {
                return Err(StartError::Task(format!(
                    "the personal-data key file {} is missing: the log's personal data is sealed under it; restore it from the backup taken with the database",
                    path.display()
                )));
            }
        }
    };
    let opened = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || PersonalKeys::open_file(&path, names))
            .await
            .map_err(|e| StartError::Task(e.to_string()))??
    };
    info!(path = %path.display(), "personal data is sealed per user with the keys in this file; back it up with the database");
    Ok(Arc::new(opened))
}

/// Whether the log's first account was written sealed; `None` for a log with no account yet.
async fn first_account_sealed(store: &Arc<dyn EventStore>) -> Result<Option<bool>, StartError> {
    let mut after = Position::START;
    loop {
        let page = store.read_all(after, 256).await?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        after = last.position;
        for recorded in &page {
            if recorded.event_type != "UserCreated" {
                continue;
            }
            if let Ok(Event::User(_, UserEvent::Created(created))) =
                Event::decode(&recorded.stream, &recorded.event_type, &recorded.data)
            {
                return Ok(Some(created.username.as_str().starts_with(SEALED_PREFIX)));
            }
        }
    }
}
