//! Watching and revoking sessions.

use super::views::{SessionRecord, session_records};
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::state::AppState;
use chrono::Utc;
use futures::future::join_all;
use roster_domain::ids::{SessionId, UserId};
use roster_domain::session::{EndReason, EndSession};
use tracing::instrument;

/// Parses a session id given by a client.
pub fn parse_session_id(text: &str) -> Result<SessionId, ApiError> {
    SessionId::parse(text.trim()).ok_or_else(|| ApiError::NotFound("Session not found".into()))
}

/// Active sessions, newest first: everyone's or one user's (administrators).
pub fn list_all(
    state: &AppState,
    ctx: &RequestContext,
    user: Option<UserId>,
) -> Result<Vec<SessionRecord>, ApiError> {
    ctx.require_admin()?;
    Ok(session_records(state, user, Utc::now()))
}

/// The caller's own active sessions, newest first.
pub fn list_mine(state: &AppState, ctx: &RequestContext) -> Result<Vec<SessionRecord>, ApiError> {
    let identity = ctx.require_user()?;
    Ok(session_records(state, Some(identity.user_id), Utc::now()))
}

fn owner_of(state: &AppState, id: SessionId) -> Option<UserId> {
    state
        .projections
        .read(|models| models.sessions.get(id, Utc::now()).map(|s| s.user_id))
}

/// An administrator ends any session.
#[instrument(skip_all, fields(session = %id))]
pub async fn revoke(state: &AppState, ctx: &RequestContext, id: SessionId) -> Result<(), ApiError> {
    ctx.require_admin()?;
    if owner_of(state, id).is_none() {
        return Err(ApiError::NotFound("Session not found".into()));
    }
    end(state, ctx, id).await
}

/// A user ends one of their own sessions.
#[instrument(skip_all, fields(session = %id))]
pub async fn revoke_mine(
    state: &AppState,
    ctx: &RequestContext,
    id: SessionId,
) -> Result<(), ApiError> {
    let identity = ctx.require_user()?;
    match owner_of(state, id) {
        None => Err(ApiError::NotFound("Session not found".into())),
        Some(owner) if owner != identity.user_id => Err(ApiError::Forbidden(
            "Cannot revoke another user's session".into(),
        )),
        Some(_) => end(state, ctx, id).await,
    }
}

async fn end(state: &AppState, ctx: &RequestContext, id: SessionId) -> Result<(), ApiError> {
    state
        .execute(
            ctx,
            &EndSession {
                session_id: id,
                reason: EndReason::Revoked,
            },
        )
        .await?;
    Ok(())
}

/// Ends every active session of one user; returns how many ended.
#[instrument(skip_all, fields(user = %user))]
pub async fn revoke_user_sessions(
    state: &AppState,
    ctx: &RequestContext,
    user: UserId,
) -> Result<usize, ApiError> {
    ctx.require_admin()?;
    let ids: Vec<SessionId> = session_records(state, Some(user), Utc::now())
        .into_iter()
        .map(|r| r.session.id)
        .collect();
    end_many(state, ctx, ids).await
}

/// Emergency: ends every active session but the caller's current one; returns how many ended.
#[instrument(skip_all)]
pub async fn revoke_all(state: &AppState, ctx: &RequestContext) -> Result<usize, ApiError> {
    let admin = ctx.require_admin()?;
    let keep = admin.session_id;
    let ids: Vec<SessionId> = session_records(state, None, Utc::now())
        .into_iter()
        .map(|r| r.session.id)
        .filter(|id| *id != keep)
        .collect();
    end_many(state, ctx, ids).await
}

/// Ends sessions concurrently (the store commits them together), then waits once for the
/// read models. A session that ended meanwhile is not counted.
async fn end_many(
    state: &AppState,
    ctx: &RequestContext,
    ids: Vec<SessionId>,
) -> Result<usize, ApiError> {
    let actor = ctx.actor();
    let outcomes = join_all(ids.into_iter().map(|session_id| {
        let command = EndSession {
            session_id,
            reason: EndReason::Revoked,
        };
        async move {
            state
                .execute_no_wait(actor, ctx.correlation_id, &command)
                .await
        }
    }))
    .await;
    let mut ended = 0;
    let mut last = None;
    for outcome in outcomes {
        match outcome {
            Ok(executed) => {
                ended += 1;
                last = last.max(executed.position);
            }
            Err(ApiError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    if let Some(position) = last {
        state.wait_for(position).await?;
    }
    Ok(ended)
}
