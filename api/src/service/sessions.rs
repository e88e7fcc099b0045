//! Watching and revoking sessions. Every revocation, whichever door it came through, asks one
//! rule ([`policy::may_end_session`]): the owner or an administrator ends a session, and
//! nobody ends the session their own request came with (that is `logout`).

use super::AppState;
use super::paging;
use super::policy::{self, SessionScope};
use super::records::{SessionRecord, session_records};
use crate::auth::RequestContext;
use crate::error::ApiError;
use chrono::Utc;
use futures::future::join_all;
use roster_domain::ids::{SessionId, UserId};
use roster_domain::session::{EndReason, EndSession};
use tracing::instrument;

/// Parses a session id given by a client.
fn parse_session_id(text: &str) -> Result<SessionId, ApiError> {
    SessionId::parse(text.trim()).ok_or_else(|| ApiError::NotFound("Session not found".into()))
}

/// Active sessions, newest first: everyone's, or those of the user `user_id` names
/// (administrators).
pub fn list_all(
    state: &AppState,
    ctx: &RequestContext,
    user_id: Option<&str>,
) -> Result<Vec<SessionRecord>, ApiError> {
    policy::administrator(ctx)?;
    let user = user_id.map(super::parse_user_id).transpose()?;
    Ok(session_records(state, user, Utc::now()))
}

/// One page of active sessions, newest first.
pub struct SessionPage {
    /// The sessions of this page, with their owners.
    pub sessions: Vec<SessionRecord>,
    /// Whether more sessions follow the last one.
    pub has_next_page: bool,
    /// How many sessions the list holds in all.
    pub total_count: usize,
}

/// One page of `first` active sessions (everyone's, or one user's), newest first, after the
/// session whose cursor is `after` (administrators).
pub fn page(
    state: &AppState,
    ctx: &RequestContext,
    user_id: Option<&str>,
    first: Option<i32>,
    after: Option<&str>,
) -> Result<SessionPage, ApiError> {
    policy::administrator(ctx)?;
    let first = paging::page_size(first)?;
    let all = list_all(state, ctx, user_id)?;
    let start = match after {
        None => 0,
        Some(after) => {
            let after = paging::decode_session(after)?;
            all.iter()
                .position(|r| r.session.id == after)
                .map_or(all.len(), |i| i + 1)
        }
    };
    let total_count = all.len();
    let sessions: Vec<SessionRecord> = all.into_iter().skip(start).take(first).collect();
    Ok(SessionPage {
        has_next_page: total_count > start + sessions.len(),
        sessions,
        total_count,
    })
}

/// The caller's own active sessions, newest first.
pub fn list_mine(state: &AppState, ctx: &RequestContext) -> Result<Vec<SessionRecord>, ApiError> {
    let identity = policy::signed_in(ctx)?;
    Ok(session_records(state, Some(identity.user_id), Utc::now()))
}

fn owner_of(state: &AppState, id: SessionId) -> Option<UserId> {
    state
        .projections
        .read(|models| models.sessions.get(id, Utc::now()).map(|s| s.user_id))
}

/// Ends one session: one of the caller's own (`Own`), or anyone's (`Any`, administrators).
#[instrument(skip_all, fields(session = id, scope = ?scope))]
pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    scope: SessionScope,
    id: &str,
) -> Result<(), ApiError> {
    // The rule first: a member probing ids learns nothing, not even which ones parse.
    match scope {
        SessionScope::Own => policy::signed_in(ctx).map(|_| ())?,
        SessionScope::Any => policy::administrator(ctx).map(|_| ())?,
    }
    let id = parse_session_id(id)?;
    policy::may_end_session(ctx, scope, id, owner_of(state, id))?;
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

/// Ends every active session of one user (administrators) but the caller's current one;
/// returns how many ended.
#[instrument(skip_all, fields(user = user_id))]
pub async fn revoke_user_sessions(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &str,
) -> Result<usize, ApiError> {
    policy::administrator(ctx)?;
    let user = super::parse_user_id(user_id)?;
    end_many(state, ctx, Some(user)).await
}

/// Emergency: ends every active session but the caller's current one; returns how many ended.
#[instrument(skip_all)]
pub async fn revoke_all(state: &AppState, ctx: &RequestContext) -> Result<usize, ApiError> {
    policy::administrator(ctx)?;
    end_many(state, ctx, None).await
}

/// Ends the active sessions of `user` (or everyone's) that the rule lets the caller end,
/// concurrently (the store commits them together), then waits once for the read models. A
/// session that ended meanwhile is not counted.
async fn end_many(
    state: &AppState,
    ctx: &RequestContext,
    user: Option<UserId>,
) -> Result<usize, ApiError> {
    let ids: Vec<SessionId> = session_records(state, user, Utc::now())
        .into_iter()
        .filter(|r| {
            let owner = Some(r.session.user_id);
            policy::may_end_session(ctx, SessionScope::Any, r.session.id, owner).is_ok()
        })
        .map(|r| r.session.id)
        .collect();
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
