//! Model-service API keys: a user's own and the system's, sealed with the vault, shown only
//! by their last four characters. The key that applies to a user for a provider is their own,
//! else the system's, else the environment's; its plaintext leaves Roster only through
//! [`resolve`], behind the service token.

use super::AppState;
use super::policy::{self, KeyringScope, ModelServiceCaller};
use crate::auth::RequestContext;
use crate::config::Secret;
use crate::error::ApiError;
use crate::secrets::last4;
use chrono::{DateTime, Utc};
use dashmap::DashMap;
use roster_domain::ids::ApiKeyId;
use roster_domain::keyring::{AddApiKey, ApiKeyAdded, ApiKeyReplaced, RemoveApiKey, ReplaceApiKey};
use roster_domain::stream::KeyringOwner;
use roster_domain::values::{Provider, ResourceName};
use roster_projections::models::ApiKeyView;
use std::collections::BTreeMap;
use tracing::instrument;
use uuid::Uuid;

/// Longest key accepted, in characters.
const MAX_KEY_LEN: usize = 1024;

/// When each key was last handed to the model service, and how often. Kept in memory: it is
/// operational telemetry, not history, and starts again from zero after a restart. A sharded
/// map, so resolutions of different keys do not contend.
#[derive(Debug, Default)]
pub struct KeyUsage {
    uses: DashMap<ApiKeyId, (DateTime<Utc>, u64)>,
}

impl KeyUsage {
    fn record(&self, id: ApiKeyId, at: DateTime<Utc>) {
        let mut entry = self.uses.entry(id).or_insert((at, 0));
        entry.0 = at;
        entry.1 += 1;
    }

    fn get(&self, id: ApiKeyId) -> (Option<DateTime<Utc>>, u64) {
        self.uses
            .get(&id)
            .map_or((None, 0), |entry| (Some(entry.0), entry.1))
    }
}

/// A stored key as shown to people: everything but the key.
#[derive(Clone)]
pub struct ApiKeyRecord {
    /// Its id.
    pub id: ApiKeyId,
    /// A user's or the system's.
    pub owner: KeyringOwner,
    /// Provider, label, last four characters, times.
    pub view: ApiKeyView,
    /// Last handed to the model service.
    pub last_used: Option<DateTime<Utc>>,
    /// How often it was handed out.
    pub usage_count: u64,
}

/// Where the key that applies comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The user's own.
    User,
    /// The system's (an administrator's).
    System,
    /// The server's environment (`<PROVIDER>_API_KEY`).
    Environment,
}

impl KeySource {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeySource::User => "user",
            KeySource::System => "system",
            KeySource::Environment => "env",
        }
    }
}

/// Which source applies to a user for one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveKey {
    /// The provider.
    pub provider: String,
    /// Where its key comes from.
    pub source: KeySource,
    /// The last four characters of the stored key (not shown for environment keys).
    pub last4: Option<String>,
}

/// A key resolved for the model service, in plaintext.
pub struct ResolvedKey {
    /// The key.
    pub api_key: Secret,
    /// The stored key's id, or `env`.
    pub key_id: String,
    /// Where it came from.
    pub source: KeySource,
}

fn records(state: &AppState, owner: KeyringOwner) -> Vec<ApiKeyRecord> {
    let mut keys: Vec<(ApiKeyId, ApiKeyView)> = state.projections.read(|models| {
        models
            .owned
            .api_keys
            .of_owner(owner)
            .map(|(id, view)| (id, view.clone()))
            .collect()
    });
    keys.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then(b.0.cmp(&a.0)));
    keys.into_iter()
        .map(|(id, view)| {
            let (last_used, usage_count) = state.key_usage.get(id);
            ApiKeyRecord {
                id,
                owner,
                view,
                last_used,
                usage_count,
            }
        })
        .collect()
}

/// The keys of the caller's or the system's keyring, newest first.
pub fn list(
    state: &AppState,
    ctx: &RequestContext,
    scope: KeyringScope,
) -> Result<Vec<ApiKeyRecord>, ApiError> {
    Ok(records(state, policy::keyring(ctx, scope)?))
}

/// One key of the caller's or the system's keyring.
pub fn read(
    state: &AppState,
    ctx: &RequestContext,
    scope: KeyringScope,
    id: &str,
) -> Result<ApiKeyRecord, ApiError> {
    find(state, policy::keyring(ctx, scope)?, parse_key_id(id)?)
}

fn find(state: &AppState, owner: KeyringOwner, id: ApiKeyId) -> Result<ApiKeyRecord, ApiError> {
    records(state, owner)
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::NotFound("API key not found".into()))
}

/// Parses a key id given by a client.
fn parse_key_id(text: &str) -> Result<ApiKeyId, ApiError> {
    ApiKeyId::parse(text.trim()).ok_or_else(|| ApiError::NotFound("API key not found".into()))
}

fn parse_secret(plaintext: &str) -> Result<&str, ApiError> {
    let key = plaintext.trim();
    if key.is_empty() {
        return Err(ApiError::Validation("API key is required".into()));
    }
    if key.chars().count() > MAX_KEY_LEN || key.chars().any(char::is_control) {
        return Err(ApiError::Validation(
            "API key must be at most 1024 printable characters".into(),
        ));
    }
    Ok(key)
}

/// Seals and stores a key for a provider the keyring has none for yet.
#[instrument(skip_all, fields(scope = ?scope))]
pub async fn add(
    state: &AppState,
    ctx: &RequestContext,
    scope: KeyringScope,
    provider: &str,
    name: Option<&str>,
    plaintext: &str,
) -> Result<ApiKeyRecord, ApiError> {
    let owner = policy::keyring(ctx, scope)?;
    let provider = Provider::parse(provider)?;
    let name = ResourceName::parse(
        name.filter(|n| !n.trim().is_empty())
            .unwrap_or(provider.as_str()),
    )?;
    let plaintext = parse_secret(plaintext)?;
    let key_id = ApiKeyId(Uuid::now_v7());
    let sealed = state
        .vault
        .seal(plaintext, owner, &provider, key_id)
        .map_err(ApiError::internal)?;
    let command = AddApiKey {
        owner,
        key: ApiKeyAdded {
            key_id,
            provider,
            name,
            sealed,
            last4: last4(plaintext),
        },
    };
    state.execute(ctx, &command).await?;
    find(state, owner, key_id)
}

/// Renames a key and/or replaces its secret (after rotating it at the provider).
#[instrument(skip_all, fields(scope = ?scope, key = %key_id))]
pub async fn replace(
    state: &AppState,
    ctx: &RequestContext,
    scope: KeyringScope,
    key_id: &str,
    name: Option<&str>,
    plaintext: Option<&str>,
) -> Result<ApiKeyRecord, ApiError> {
    let owner = policy::keyring(ctx, scope)?;
    let key_id = parse_key_id(key_id)?;
    let current = find(state, owner, key_id)?;
    let name = ResourceName::parse(name.unwrap_or(&current.view.name))?;
    let (sealed, tail) = match plaintext.filter(|p| !p.trim().is_empty()) {
        Some(plaintext) => {
            let plaintext = parse_secret(plaintext)?;
            let sealed = state
                .vault
                .seal(plaintext, owner, &current.view.provider, key_id)
                .map_err(ApiError::internal)?;
            (sealed, last4(plaintext))
        }
        None => (current.view.sealed.clone(), current.view.last4.clone()),
    };
    let command = ReplaceApiKey {
        owner,
        key: ApiKeyReplaced {
            key_id,
            name,
            sealed,
            last4: tail,
        },
    };
    state.execute(ctx, &command).await?;
    find(state, owner, key_id)
}

/// Removes a key.
#[instrument(skip_all, fields(scope = ?scope, key = %key_id))]
pub async fn remove(
    state: &AppState,
    ctx: &RequestContext,
    scope: KeyringScope,
    key_id: &str,
) -> Result<(), ApiError> {
    let owner = policy::keyring(ctx, scope)?;
    let key_id = parse_key_id(key_id)?;
    find(state, owner, key_id)?;
    state.execute(ctx, &RemoveApiKey { owner, key_id }).await?;
    Ok(())
}

/// For each provider anyone configured, which source applies to the caller.
pub fn effective(state: &AppState, ctx: &RequestContext) -> Result<Vec<EffectiveKey>, ApiError> {
    let user = policy::signed_in(ctx)?.user_id;
    let mut by_provider: BTreeMap<String, EffectiveKey> = BTreeMap::new();
    for provider in state.config.env_api_keys.providers() {
        by_provider.insert(
            provider.clone(),
            EffectiveKey {
                provider,
                source: KeySource::Environment,
                last4: None,
            },
        );
    }
    for (owner, source) in [
        (KeyringOwner::System, KeySource::System),
        (KeyringOwner::User(user), KeySource::User),
    ] {
        for record in records(state, owner) {
            let provider = record.view.provider.as_str().to_owned();
            by_provider.insert(
                provider.clone(),
                EffectiveKey {
                    provider,
                    source,
                    last4: Some(record.view.last4.clone()),
                },
            );
        }
    }
    Ok(by_provider.into_values().collect())
}

/// Resolves the key that applies to the user `user_id` for `provider`, in plaintext, for the
/// model service (see [`policy::model_service`]).
#[instrument(skip_all, fields(user = user_id, provider))]
pub fn resolve(
    state: &AppState,
    caller: ModelServiceCaller<'_>,
    user_id: &str,
    provider: &str,
) -> Result<ResolvedKey, ApiError> {
    policy::model_service(state.config.service_token.as_ref(), caller)?;
    let user = super::parse_user_id(user_id)?;
    let provider = Provider::parse(provider)?;
    let live = state
        .projections
        .read(|m| m.users.get(user).is_some_and(|u| !u.disabled));
    if !live {
        return Err(ApiError::NotFound("User not found".into()));
    }
    for (owner, source) in [
        (KeyringOwner::User(user), KeySource::User),
        (KeyringOwner::System, KeySource::System),
    ] {
        if let Some(record) = records(state, owner)
            .into_iter()
            .find(|r| r.view.provider == provider)
        {
            let plaintext = state
                .vault
                .open(&record.view.sealed, owner, &provider, record.id)
                .map_err(ApiError::internal)?;
            state.key_usage.record(record.id, Utc::now());
            return Ok(ResolvedKey {
                api_key: Secret::new(plaintext),
                key_id: record.id.to_string(),
                source,
            });
        }
    }
    match state.config.env_api_keys.get(&provider.env_var()) {
        Some(key) => Ok(ResolvedKey {
            api_key: key.clone(),
            key_id: "env".to_owned(),
            source: KeySource::Environment,
        }),
        None => Err(ApiError::NotFound(format!(
            "No API key found for provider {provider}"
        ))),
    }
}
