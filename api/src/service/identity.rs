//! Who a presented session token belongs to, right now: the read models are asked on every
//! request (and for every operation on a long-lived socket), so a revoked session, a disabled
//! or deleted user, or a changed admin role applies at once.

use super::AppState;
use crate::auth::{Credential, Identity, RequestContext, bearer_token};
use crate::secrets::SessionToken;
use chrono::{DateTime, Duration, Utc};
use roster_domain::ids::SessionId;
use roster_domain::session::RecordSessionActivity;
use roster_domain::store::Actor;
use roster_projections::ReadModels;
use roster_projections::models::SessionView;
use std::time::Duration as StdDuration;
use tracing::debug;
use uuid::Uuid;

/// What the read models say about a presented token right now: the identity, and when the
/// session was last seen (for the idle timeout).
pub fn resolve_identity(
    state: &AppState,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Option<(Identity, DateTime<Utc>)> {
    let hash = token.hash();
    state.projections.read(|models| {
        let session = models.sessions.by_token_hash(hash.as_str(), now)?;
        Some((identity_of(models, session)?, session.last_seen_at))
    })
}

/// The identity of a working session: `None` when its user is disabled or deleted.
fn identity_of(models: &ReadModels, session: &SessionView) -> Option<Identity> {
    let user = models.users.get(session.user_id).filter(|u| !u.disabled)?;
    Some(Identity {
        user_id: user.id,
        username: user.username.clone(),
        is_admin: user.is_admin,
        must_change_password: user.must_change_password,
        session_id: session.id,
    })
}

/// The identity behind a session id right now: `None` once the session has ended, expired or
/// idled out, or its user is disabled or deleted. For connections that outlive one request.
pub fn current_identity(
    state: &AppState,
    session_id: SessionId,
    now: DateTime<Utc>,
) -> Option<Identity> {
    state
        .projections
        .read(|models| identity_of(models, models.sessions.get(session_id, now)?))
}

/// Who presented `token` (if anyone did), recording the session's use.
pub fn identify_token(state: &AppState, token: Option<&str>) -> (Option<Identity>, Credential) {
    let Some(token) = token else {
        return (None, Credential::None);
    };
    let now = Utc::now();
    match resolve_identity(state, &SessionToken::presented(token), now) {
        Some((identity, last_seen)) => {
            record_activity(state, &identity, last_seen, now);
            (Some(identity), Credential::Valid)
        }
        None => (None, Credential::Rejected),
    }
}

/// The context of a subscription socket: the upgrading request's, unless the
/// graphql-transport-ws `connection_init` payload carries `{"authorization": "Bearer …"}`
/// (browsers cannot set headers on a WebSocket), which then decides alone.
pub fn socket_context(
    state: &AppState,
    upgrade: RequestContext,
    init_payload: &serde_json::Value,
) -> RequestContext {
    let authorization = init_payload.as_object().and_then(|fields| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| value.as_str().unwrap_or_default())
    });
    match authorization {
        None => upgrade,
        Some(value) => {
            let (identity, credential) = match bearer_token(value) {
                Some(token) => identify_token(state, Some(token)),
                None => (None, Credential::Rejected),
            };
            RequestContext {
                identity,
                credential,
                ..upgrade
            }
        }
    }
}

/// Records that a session was used, at most once per a fraction of the idle timeout (so an
/// active session never idles out, and a busy one does not write an event per request). It
/// runs in the background: the request does not wait for it.
fn record_activity(
    state: &AppState,
    identity: &Identity,
    last_seen: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    let interval = (state.config.idle_timeout / 4).min(Duration::minutes(5));
    if now - last_seen < interval {
        return;
    }
    let state = state.clone();
    let actor = Actor::User(identity.user_id.0);
    let command = RecordSessionActivity {
        session_id: identity.session_id,
        at: now,
    };
    tokio::spawn(async move {
        if let Err(error) = state.execute_as(actor, Uuid::now_v7(), &command).await {
            debug!(%error, "session activity not recorded");
        }
    });
}

/// `ctx` with its identity as the read models know it now, for a connection that outlives
/// the request that opened it: the identity is gone once the session has ended, expired or
/// idled out, or its user is disabled or deleted, and the admin flag is today's.
pub fn refreshed(state: &AppState, ctx: &RequestContext) -> RequestContext {
    let Some(identity) = &ctx.identity else {
        return ctx.clone();
    };
    let now = current_identity(state, identity.session_id, Utc::now());
    RequestContext {
        credential: if now.is_some() {
            Credential::Valid
        } else {
            Credential::Rejected
        },
        identity: now,
        ..ctx.clone()
    }
}

/// How often a quiet connection checks its session again: expiry and the idle timeout are
/// clocks, not events, so nothing would announce them.
const RECHECK_EVERY: StdDuration = StdDuration::from_secs(5);

/// Completes once `session` stops working: ended (logout, revocation, password change or
/// reset), expired or idle, or its user disabled or deleted. Woken by every change the read
/// models apply, and at least every [`RECHECK_EVERY`].
pub async fn until_session_ends(state: &AppState, session: SessionId) {
    let mut changes = state.projections.watch_activity();
    while current_identity(state, session, Utc::now()).is_some() {
        // A lagged or closed feed only means: look again.
        if let Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) =
            tokio::time::timeout(RECHECK_EVERY, changes.recv()).await
        {
            tokio::time::sleep(RECHECK_EVERY).await;
        }
    }
}
