//! `/api/sessions/*` and `/api/admin/sessions/*`.

use super::shapes::{admin_session, session};
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::policy::SessionScope;
use crate::service::sessions as session_service;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

/// `GET /api/admin/sessions` query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionFilter {
    user_id: Option<String>,
}

/// `GET /api/sessions` → the caller's sessions, newest first, the current one marked.
pub async fn mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let records = session_service::list_mine(&state, &ctx)?;
    let current = ctx.identity.as_ref().map(|i| i.session_id);
    Ok(Json(records.iter().map(|r| session(r, current)).collect()))
}

/// `DELETE /api/sessions/{id}` (403 "Cannot revoke another user's session"; 400 for the
/// current session: that is `POST /api/auth/logout`).
pub async fn revoke_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    session_service::revoke(&state, &ctx, SessionScope::Own, &id).await?;
    Ok(Json(json!({ "success": true })))
}

/// `GET /api/admin/sessions[?userId=]` → every active session with its user.
pub async fn all(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Query(filter): Query<SessionFilter>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let user = filter.user_id.as_deref().filter(|id| !id.is_empty());
    let records = session_service::list_all(&state, &ctx, user)?;
    let current = ctx.identity.as_ref().map(|i| i.session_id);
    Ok(Json(
        records.iter().map(|r| admin_session(r, current)).collect(),
    ))
}

/// `DELETE /api/admin/sessions/{id}`.
pub async fn revoke(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    session_service::revoke(&state, &ctx, SessionScope::Any, &id).await?;
    Ok(Json(json!({ "success": true })))
}

/// `DELETE /api/admin/users/{id}/sessions` → `{success, revoked}`: every session of one user
/// but the caller's current one.
pub async fn revoke_of_user(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let revoked = session_service::revoke_user_sessions(&state, &ctx, &id).await?;
    Ok(Json(json!({ "success": true, "revoked": revoked })))
}

/// `DELETE /api/admin/sessions` → `{success, revoked}`: logs everyone out but the caller's
/// current session.
pub async fn revoke_all(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Value>, ApiError> {
    let revoked = session_service::revoke_all(&state, &ctx).await?;
    Ok(Json(json!({ "success": true, "revoked": revoked })))
}
