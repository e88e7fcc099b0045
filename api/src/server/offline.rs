//! The store opened offline, only to read: what `roster events` and `roster export` work on,
//! beside a server that may be writing the same file. The read models are replayed from the
//! log and then follow it; nothing is ever written (the store has no writer, the key file is
//! opened only to read), and personal data opens as it does in the server.

use super::StartError;
use crate::config::{Config, StoreLocation};
use crate::secrets::{KeyVault, PasswordHasher};
use crate::service::AppState;
use roster_domain::store::{EventStore, Position};
use roster_projections::Projections;
use roster_store::SqliteStore;
use roster_store::shredding::{PersonalKeys, ShreddingStore, key_file_beside};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// A read-only store with read models that follow it.
pub struct OfflineStore {
    state: AppState,
    follower: JoinHandle<()>,
}

impl OfflineStore {
    /// The state the use cases take (with a throwaway vault key: offline commands never open a
    /// sealed key).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The last position the read models have applied.
    pub fn position(&self) -> Position {
        self.state.projections.position()
    }
}

impl Drop for OfflineStore {
    fn drop(&mut self) {
        self.follower.abort();
    }
}

/// Opens the SQLite store at `location` to read and catches the read models up with it.
/// A missing file is an error (nothing is created); `memory://` has nothing to read.
pub async fn open_offline(location: &StoreLocation) -> Result<OfflineStore, StartError> {
    let StoreLocation::Sqlite(path) = location else {
        return Err(StartError::Task(
            "an offline command reads a sqlite:// store (memory:// keeps nothing)".to_owned(),
        ));
    };
    let path = path.clone();
    let database = path.clone();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open_read_only(database))
        .await
        .map_err(|e| StartError::Task(e.to_string()))??;
    let keys_file = key_file_beside(&path);
    let keys = tokio::task::spawn_blocking(move || {
        if keys_file.exists() {
            PersonalKeys::open_read_only(&keys_file)
        } else {
            // A log begun before personal data was sealed: nothing to open.
            Ok(PersonalKeys::in_memory())
        }
    })
    .await
    .map_err(|e| StartError::Task(e.to_string()))??;
    let store: Arc<dyn EventStore> = Arc::new(ShreddingStore::new(Arc::new(store), Arc::new(keys)));
    let config = Config::defaults(location.clone());
    let projections = Projections::new(config.idle_timeout);
    let head = store.head().await?;
    let follower = projections.follow(store.clone());
    projections
        .wait_for(head, std::time::Duration::MAX)
        .await
        .map_err(|e| StartError::Task(e.to_string()))?;
    let hasher = PasswordHasher::owasp().map_err(|e| StartError::Task(e.to_string()))?;
    let state = AppState::new(config, store, projections, hasher, KeyVault::generate());
    Ok(OfflineStore { state, follower })
}
