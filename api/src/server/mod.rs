//! Starting and running the server: open the store and the vault key, catch the read models
//! up, bootstrap the first administrator, then serve on a listener the caller binds until the
//! shutdown future completes (so tests bind `127.0.0.1:0` and stop it when they like).
//!
//! - `router`: every route, and the layers every request passes through.
//! - `identify`: the middleware that attaches each request's caller.
//! - `idempotency`: requests sent with an `Idempotency-Key` run once and are answered again.
//! - `headers`: the security headers on every response.
//! - `origin`: the middleware that refuses cross-site requests acting with the cookie.
//! - `ops`: `/healthz`, `/readyz`, `/metrics`.
//! - `personal_data`: where each user's personal-data keys are kept (crypto-shredding).
//! - `offline`: the store opened only to read, for `roster events` and `roster export`.

mod headers;
mod idempotency;
mod identify;
mod offline;
pub mod ops;
mod origin;
mod personal_data;
mod router;

pub use offline::{OfflineStore, open_offline};
pub use router::app;

use crate::config::{Config, StoreLocation};
use crate::error::ApiError;
use crate::secrets::key_file::{self, KeyFileError, KeyFileOutcome};
use crate::secrets::{KeyVault, KeyVaultError, PasswordHasher};
use crate::service::AppState;
use crate::service::bootstrap::{Bootstrapped, bootstrap};
use roster_domain::store::{EventStore, Position, StoreError};
use roster_projections::Projections;
use roster_store::shredding::ShreddingStore;
use roster_store::{MemoryStore, SqliteStore};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store could not be opened or read.
    #[error("event store: {0}")]
    Store(#[from] StoreError),
    /// `ROSTER_SECRET_KEY` is malformed.
    #[error(transparent)]
    Vault(#[from] KeyVaultError),
    /// The key file beside the database cannot be read, parsed or created.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The first administrator could not be created.
    #[error("first-run bootstrap failed: {0:?}")]
    Bootstrap(ApiError),
    /// A start-up task failed.
    #[error("start-up task failed: {0}")]
    Task(String),
}

enum StoreHandle {
    Sqlite(Arc<SqliteStore>),
    Memory(Arc<MemoryStore>),
}

impl StoreHandle {
    fn as_dyn(&self) -> Arc<dyn EventStore> {
        match self {
            StoreHandle::Sqlite(store) => store.clone(),
            StoreHandle::Memory(store) => store.clone(),
        }
    }

    async fn close(&self) {
        if let StoreHandle::Sqlite(store) = self {
            store.close().await;
        }
    }
}

/// A started server: store open, read models following it, first administrator in place.
pub struct Server {
    state: AppState,
    store: StoreHandle,
    follower: JoinHandle<()>,
    pruner: JoinHandle<()>,
}

/// How often sessions that expired long ago leave the read models.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// Drops expired sessions from the read models every [`PRUNE_EVERY`], for ever.
fn prune_expired_sessions(projections: Projections) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PRUNE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let pruned = projections.prune_expired(chrono::Utc::now());
            if pruned > 0 {
                tracing::debug!(pruned, "expired sessions left the read models");
            }
        }
    })
}

impl Server {
    /// The shared state (for tests and tools that call the use cases directly).
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

/// Opens the store, replays it into the read models, and bootstraps the first administrator.
/// `hasher` is OWASP argon2id in the binary; tests pass a fast one.
pub async fn start(
    config: Config,
    hasher: PasswordHasher,
) -> Result<(Server, Bootstrapped), StartError> {
    let store = match &config.store {
        StoreLocation::Sqlite(path) => {
            let path = path.clone();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(path))
                .await
                .map_err(|e| StartError::Task(e.to_string()))??;
            StoreHandle::Sqlite(Arc::new(store))
        }
        StoreLocation::Memory => StoreHandle::Memory(Arc::new(MemoryStore::new())),
    };
    if config.service_token.is_none() {
        info!("ROSTER_SERVICE_TOKEN is not set: the key service endpoint is disabled");
    }
    let projections = Projections::new(config.idle_timeout);
    let keys = personal_data::open_personal_keys(&config, &store.as_dyn()).await?;
    let dyn_store: Arc<dyn EventStore> = Arc::new(ShreddingStore::new(store.as_dyn(), keys));
    let head = dyn_store.head().await?;
    let vault = open_vault(&config, head).await?;
    let follower = projections.follow(dyn_store.clone());
    projections
        .wait_for(head, std::time::Duration::MAX)
        .await
        .map_err(|e| StartError::Task(e.to_string()))?;
    info!(position = %head, "read models caught up");
    let pruner = prune_expired_sessions(projections.clone());
    let state = AppState::new(config, dyn_store, projections, hasher, vault);
    let bootstrapped = bootstrap(&state).await.map_err(StartError::Bootstrap)?;
    Ok((
        Server {
            state,
            store,
            follower,
            pruner,
        },
        bootstrapped,
    ))
}

/// The vault key: `ROSTER_SECRET_KEY` when set; otherwise the key file beside the SQLite
/// database (created on first use), or an ephemeral key for a store that keeps nothing.
async fn open_vault(config: &Config, head: Position) -> Result<KeyVault, StartError> {
    if let Some(key) = &config.secret_key {
        return Ok(KeyVault::from_config(key.expose())?);
    }
    let StoreLocation::Sqlite(database) = &config.store else {
        info!(
            "ROSTER_SECRET_KEY is not set: API keys are sealed with a key that ends with the process, like the memory store"
        );
        return Ok(KeyVault::generate());
    };
    let path = key_file::key_file_beside(database);
    let opened = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || key_file::load_or_create(&path))
            .await
            .map_err(|e| StartError::Task(e.to_string()))??
    };
    let (vault, outcome) = opened;
    let shown = path.display();
    match outcome {
        KeyFileOutcome::Created if head > Position::START => warn!(
            path = %shown,
            "ROSTER_SECRET_KEY is not set: created a new secret key file for a store that already has events; API keys sealed under an earlier ROSTER_SECRET_KEY need that key"
        ),
        KeyFileOutcome::Created => info!(
            path = %shown,
            "ROSTER_SECRET_KEY is not set: created a secret key file that seals stored API keys; back it up with the database"
        ),
        KeyFileOutcome::Loaded => info!(
            path = %shown,
            "ROSTER_SECRET_KEY is not set: stored API keys are sealed with the secret key file; back it up with the database"
        ),
    }
    if key_file::readable_by_others(&path) {
        warn!(path = %shown, "the secret key file is readable by other users; make it mode 0600");
    }
    Ok(vault)
}

/// Serves `server` on `listener` until `shutdown` completes, then finishes the requests in
/// flight, stops following the log and closes the store.
pub async fn run(
    listener: TcpListener,
    server: Server,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Server {
        state,
        store,
        follower,
        pruner,
    } = server;
    let router = app(state);
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    pruner.abort();
    follower.abort();
    // Waiting for the aborted task drops the follower's handle on the store.
    let _ = follower.await;
    store.close().await;
    info!("server stopped");
    served
}
