//! `/api/admin/users/*`: the Admin Panel's user management.

use super::JsonBody;
use super::shapes::admin_user;
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::users::{self, NewUser, UserChanges};
use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_domain::user::CreatedVia;
use serde::Deserialize;
use serde_json::{Value, json};

/// `POST /api/admin/users` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    username: String,
    password: String,
    display_name: Option<String>,
    email: Option<String>,
    #[serde(default)]
    is_admin: bool,
    #[serde(default)]
    must_change_password: bool,
}

/// `PUT|PATCH /api/admin/users/{id}` body; absent fields and an empty password keep the
/// current values.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    display_name: Option<String>,
    email: Option<String>,
    is_admin: Option<bool>,
    password: Option<String>,
}

/// `POST /api/admin/users/{id}/reset-password` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordBody {
    password: String,
    #[serde(default)]
    revoke_sessions: bool,
    #[serde(default)]
    require_change: bool,
}

/// `GET /api/admin/users` → every user, newest first, with `_count`.
pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let records = users::list(&state, &ctx)?;
    Ok(Json(records.iter().map(admin_user).collect()))
}

/// `POST /api/admin/users` → 201 with the new user.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new_user = NewUser {
        username: body.username,
        display_name: body.display_name,
        email: body.email,
        password: body.password,
        is_admin: body.is_admin,
        must_change_password: body.must_change_password,
    };
    let record = users::create(&state, &ctx, new_user, CreatedVia::Admin).await?;
    Ok((StatusCode::CREATED, Json(admin_user(&record))))
}

/// `GET /api/admin/users/{id}`.
pub async fn read(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = users::read(&state, &ctx, &id)?;
    Ok(Json(admin_user(&record)))
}

/// `PUT|PATCH /api/admin/users/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<Value>, ApiError> {
    let changes = UserChanges {
        display_name: body.display_name,
        email: body.email,
        is_admin: body.is_admin,
        password: body.password,
    };
    let record = users::update(&state, &ctx, &id, changes).await?;
    Ok(Json(admin_user(&record)))
}

/// `DELETE /api/admin/users/{id}` → `{success: true}` (403 "Cannot delete yourself").
pub async fn remove(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    users::delete(&state, &ctx, &id).await?;
    Ok(Json(json!({ "success": true })))
}

/// `POST /api/admin/users/{id}/disable` → the user, disabled (their sessions stop at once).
pub async fn disable(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(admin_user(&users::disable(&state, &ctx, &id).await?)))
}

/// `POST /api/admin/users/{id}/enable` → the user, enabled.
pub async fn enable(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(admin_user(&users::enable(&state, &ctx, &id).await?)))
}

/// `POST /api/admin/users/{id}/reset-password` → the user (`revokeSessions` ends their
/// sessions, `requireChange` asks for a new password at the next login).
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ResetPasswordBody>,
) -> Result<Json<Value>, ApiError> {
    let record = users::reset_password(
        &state,
        &ctx,
        &id,
        &body.password,
        body.revoke_sessions,
        body.require_change,
    )
    .await?;
    Ok(Json(admin_user(&record)))
}
