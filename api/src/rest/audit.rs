//! The history of accounts (administrators): `GET /api/admin/audit` (the audit log),
//! `GET /api/admin/users/{id}?asOf=` (an account as it was) and
//! `GET /api/admin/administrators?at=` (who held the admin role).

use super::shapes::{admin_user_of, audit_entry};
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::audit::{self, AuditQuery};
use axum::Extension;
use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

/// `GET /api/admin/audit` query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditParams {
    user_id: Option<String>,
    actor_id: Option<String>,
    /// Comma-separated type names.
    #[serde(rename = "type")]
    types: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
    limit: Option<i32>,
}

/// An optional RFC 3339 time parameter named `name`.
pub(super) fn time(text: Option<&str>, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| {
            DateTime::parse_from_rfc3339(t.trim())
                .map(|time| time.with_timezone(&Utc))
                .map_err(|_| ApiError::Validation(format!("{name} must be an RFC 3339 time")))
        })
        .transpose()
}

/// `GET /api/admin/audit?userId=&actorId=&type=&from=&to=&cursor=&limit=` →
/// `{entries, nextCursor}`, newest first; `nextCursor` is null on the last page.
pub async fn log(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Query(params): Query<AuditParams>,
) -> Result<Json<Value>, ApiError> {
    let types = params.types.as_deref().map(|types| {
        types
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let query = AuditQuery {
        user_id: params.user_id.filter(|id| !id.is_empty()),
        actor_id: params.actor_id.filter(|id| !id.is_empty()),
        types,
        from: time(params.from.as_deref(), "from")?,
        to: time(params.to.as_deref(), "to")?,
        first: params.limit,
        after: params.cursor.filter(|cursor| !cursor.is_empty()),
        last: None,
        before: None,
    };
    let page = audit::log(&state, &ctx, query).await?;
    let next = page
        .has_next_page
        .then(|| page.entries.last().map(audit::cursor))
        .flatten();
    Ok(Json(json!({
        "entries": page.entries.iter().map(audit_entry).collect::<Vec<_>>(),
        "nextCursor": next,
    })))
}

/// The account `id` as it was `at`, or 404 `User not found` if it did not exist then.
pub(super) async fn user_as_of(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    at: DateTime<Utc>,
) -> Result<Json<Value>, ApiError> {
    match audit::user_as_of(state, ctx, Some(id), None, at).await? {
        Some(user) => Ok(Json(admin_user_of(&user))),
        None => Err(ApiError::NotFound("User not found".into())),
    }
}

/// `GET /api/admin/administrators` query.
#[derive(Deserialize)]
pub struct AdministratorsParams {
    at: Option<String>,
}

/// `GET /api/admin/administrators?at=TIME` → `{administrators: [user…]}`: who held the admin
/// role then (now without `at`).
pub async fn administrators(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Query(params): Query<AdministratorsParams>,
) -> Result<Json<Value>, ApiError> {
    let at = time(params.at.as_deref(), "at")?;
    let admins = audit::administrators(&state, &ctx, at).await?;
    let admins: Vec<Value> = admins.iter().map(admin_user_of).collect();
    Ok(Json(json!({ "administrators": admins })))
}
