//! Requests sent with an `Idempotency-Key`: the key names a stream of its own for the caller,
//! method and path (`idempotency-{sha256 hex}`); the first request under it runs and its
//! answer is kept, a repeat with the same method, path and body gets that answer, and
//! another request under the key is refused. The HTTP side (which requests, buffering,
//! replaying) is `server::idempotency`; the rules are the domain's
//! ([`roster_domain::idempotency`]).

use super::AppState;
use crate::auth::RequestContext;
use crate::error::ApiError;
use chrono::{DateTime, TimeDelta, Utc};
use roster_domain::command_path::{CommandMeta, ExecuteError, Executed};
use roster_domain::decision::Command;
use roster_domain::error::DomainError;
use roster_domain::idempotency::{
    AbandonIdempotentRequest, CompleteIdempotentRequest, IdempotencyError, IdempotentAnswer,
    StartIdempotentRequest,
};
use roster_domain::values::TokenHash;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What beyond the request timeout a request's start may be before it counts as dead: the
/// time to buffer and record its answer.
const RECORDING_MARGIN: TimeDelta = TimeDelta::seconds(10);

/// A request that runs under its key; ending it records its answer or frees the key.
#[derive(Debug, Clone)]
pub struct Running {
    key: TokenHash,
    started_at: DateTime<Utc>,
}

/// What to do with a request sent with a key.
#[derive(Debug)]
pub enum Begun {
    /// Run it, then [`complete`] or [`abandon`] it.
    Run(Running),
    /// It ran already: send this answer again.
    Replay(Box<IdempotentAnswer>),
}

/// The key's stream: SHA-256 of the caller (user id, or "anonymous"), the method, the path and
/// the key, each length-prefixed. Two callers, or two endpoints, never share a key.
pub fn key_stream(ctx: &RequestContext, method: &str, path: &str, key: &str) -> TokenHash {
    let caller = ctx
        .identity
        .as_ref()
        .map_or_else(|| "anonymous".to_owned(), |i| i.user_id.to_string());
    digest(&[
        b"idempotency-key",
        caller.as_bytes(),
        method.as_bytes(),
        path.as_bytes(),
        key.as_bytes(),
    ])
}

/// The request's fingerprint: SHA-256 of its method, path (with query) and body.
pub fn fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> String {
    digest(&[
        b"idempotent-request",
        method.as_bytes(),
        path_and_query.as_bytes(),
        body,
    ])
    .to_string()
}

fn digest(parts: &[&[u8]]) -> TokenHash {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    let hex = hex::encode(hasher.finalize());
    TokenHash::parse(&hex).unwrap_or_else(|_| unreachable!("a SHA-256 digest in lowercase hex"))
}

/// Starts the request under `key`, or tells what the key already holds: its answer (same
/// request), 409 while the same request runs, 422 for another request under the key.
pub async fn begin(
    state: &AppState,
    ctx: &RequestContext,
    key: TokenHash,
    fingerprint: String,
) -> Result<Begun, ApiError> {
    let now = Utc::now();
    let runs_at_most = TimeDelta::from_std(state.config.request_timeout)
        .ok()
        .and_then(|timeout| timeout.checked_add(&RECORDING_MARGIN))
        .unwrap_or(TimeDelta::MAX);
    let command = StartIdempotentRequest {
        key: key.clone(),
        fingerprint,
        now,
        runs_at_most,
    };
    match execute(ctx, state, &command).await {
        Ok(_) => Ok(Begun::Run(Running {
            key,
            started_at: now,
        })),
        Err(ExecuteError::Rejected(DomainError::Idempotency(refusal))) => match refusal {
            IdempotencyError::Answered(answer) => Ok(Begun::Replay(answer)),
            IdempotencyError::KeyReused => Err(ApiError::Unprocessable(refusal.to_string())),
            other => Err(ApiError::Conflict(other.to_string())),
        },
        Err(error) => Err(error.into()),
    }
}

/// Keeps the answer of `running` for its repeats.
pub async fn complete(
    state: &AppState,
    ctx: &RequestContext,
    running: Running,
    answer: IdempotentAnswer,
) -> Result<(), ApiError> {
    let command = CompleteIdempotentRequest {
        key: running.key,
        started_at: running.started_at,
        answer,
    };
    execute(ctx, state, &command).await?;
    Ok(())
}

/// Frees the key of `running`, which ended without an answer worth keeping.
pub async fn abandon(
    state: &AppState,
    ctx: &RequestContext,
    running: Running,
) -> Result<(), ApiError> {
    let command = AbandonIdempotentRequest {
        key: running.key,
        started_at: running.started_at,
        at: Utc::now(),
    };
    execute(ctx, state, &command).await?;
    Ok(())
}

/// Runs `command` for the caller, keeping the domain's typed refusal; no read model shows
/// these events, so nothing waits for the projections.
async fn execute<C: Command>(
    ctx: &RequestContext,
    state: &AppState,
    command: &C,
) -> Result<Executed, ExecuteError> {
    let meta = CommandMeta {
        actor: ctx.actor(),
        command_id: Uuid::now_v7(),
        correlation_id: ctx.correlation_id,
        occurred_at: Utc::now(),
    };
    state.commands.execute(meta, command).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_scope_a_key_by_caller_method_and_path() {
        let anonymous = RequestContext::anonymous();
        let a = key_stream(&anonymous, "POST", "/api/admin/users", "k");
        assert_eq!(a, key_stream(&anonymous, "POST", "/api/admin/users", "k"));
        assert_ne!(a, key_stream(&anonymous, "PUT", "/api/admin/users", "k"));
        assert_ne!(a, key_stream(&anonymous, "POST", "/api/admin/user", "sk"));
        assert_ne!(a, key_stream(&anonymous, "POST", "/api/admin/users", "k2"));
        assert_ne!(
            fingerprint("POST", "/graphql", b"{}"),
            fingerprint("POST", "/graphql", b"{ }")
        );
    }
}
