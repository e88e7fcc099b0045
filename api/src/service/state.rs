//! What every handler shares: configuration, the command path, the read models, the secrets
//! helpers and the in-memory counters. Cheap to clone.

use super::api_keys::KeyUsage;
use crate::auth::{GuessBudget, LoginThrottle, RequestContext};
use crate::config::Config;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::secrets::{KeyVault, PasswordHasher};
use chrono::Utc;
use roster_domain::command_path::{CommandMeta, CommandPath, Executed};
use roster_domain::decision::Command;
use roster_domain::store::{Actor, EventStore, Position};
use roster_projections::Projections;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How long a mutation waits for the projections to apply its events before it gives up
/// (read-your-writes). Far above the usual milliseconds; reaching it means something is wrong.
const WAIT_FOR_PROJECTIONS: Duration = Duration::from_secs(10);

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    /// Settings, read once.
    pub config: Arc<Config>,
    /// Sends commands.
    pub commands: CommandPath,
    /// Answers queries.
    pub projections: Projections,
    /// argon2id, off the runtime.
    pub hasher: PasswordHasher,
    /// Seals model-service API keys (key from `ROSTER_SECRET_KEY`, or the key file).
    pub vault: KeyVault,
    /// Per-account slowdown of failed logins.
    pub throttle: Arc<LoginThrottle>,
    /// Budgets of wrong guesses per address and for the server.
    pub guesses: Arc<GuessBudget>,
    /// Prometheus counters.
    pub metrics: Arc<Metrics>,
    /// When each API key was last resolved by the model service.
    pub key_usage: Arc<KeyUsage>,
}

impl AppState {
    /// The state over `store`, whose events `projections` apply (or are to apply).
    pub fn new(
        config: Config,
        store: Arc<dyn EventStore>,
        projections: Projections,
        hasher: PasswordHasher,
        vault: KeyVault,
    ) -> AppState {
        AppState {
            throttle: Arc::new(LoginThrottle::new(config.login_throttle)),
            guesses: Arc::new(GuessBudget::new(config.guess_budget)),
            config: Arc::new(config),
            commands: CommandPath::new(store, Arc::new(Uuid::now_v7)),
            projections,
            hasher,
            vault,
            metrics: Arc::new(Metrics::default()),
            key_usage: Arc::new(KeyUsage::default()),
        }
    }

    /// Runs `command` for the request's caller and waits until the read models include its
    /// events, so the very next query sees them.
    pub async fn execute<C: Command>(
        &self,
        ctx: &RequestContext,
        command: &C,
    ) -> Result<Executed, ApiError> {
        self.execute_as(ctx.actor(), ctx.correlation_id, command)
            .await
    }

    /// Runs `command` as `actor` and waits for the read models.
    pub async fn execute_as<C: Command>(
        &self,
        actor: Actor,
        correlation_id: Uuid,
        command: &C,
    ) -> Result<Executed, ApiError> {
        let executed = self.execute_no_wait(actor, correlation_id, command).await?;
        if let Some(position) = executed.position {
            self.wait_for(position).await?;
        }
        Ok(executed)
    }

    /// Runs `command` as `actor` without waiting for the read models (for batches that wait
    /// once for their last position).
    pub async fn execute_no_wait<C: Command>(
        &self,
        actor: Actor,
        correlation_id: Uuid,
        command: &C,
    ) -> Result<Executed, ApiError> {
        let meta = CommandMeta {
            actor,
            command_id: Uuid::now_v7(),
            correlation_id,
            occurred_at: Utc::now(),
        };
        match self.commands.execute(meta, command).await {
            Ok(executed) => {
                self.metrics.command_succeeded();
                Ok(executed)
            }
            Err(error) => {
                self.metrics.command_failed();
                Err(error.into())
            }
        }
    }

    /// Waits until the read models have applied `position`.
    pub async fn wait_for(&self, position: Position) -> Result<(), ApiError> {
        Ok(self
            .projections
            .wait_for(position, WAIT_FOR_PROJECTIONS)
            .await?)
    }
}

#[cfg(test)]
impl AppState {
    /// A state over a fresh memory store whose events the read models follow, with a fast
    /// hasher: for the unit tests of the doors.
    pub(crate) async fn in_memory_for_tests() -> AppState {
        let config = Config::defaults(crate::config::StoreLocation::Memory);
        let store: Arc<dyn EventStore> = Arc::new(roster_store::MemoryStore::new());
        let projections = Projections::new(config.idle_timeout);
        // The follower runs for the rest of the test process.
        drop(projections.follow(store.clone()));
        let hasher = PasswordHasher::insecure_fast_for_tests().unwrap();
        AppState::new(config, store, projections, hasher, KeyVault::generate())
    }
}
