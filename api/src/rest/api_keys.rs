//! `/api/api-keys/*` (the caller's own) and `/api/admin/api-keys/*` (the system's).

use super::JsonBody;
use super::shapes::api_key;
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::api_keys;
use crate::service::policy::KeyringScope;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// A new key.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    provider: String,
    key_name: Option<String>,
    api_key: String,
}

/// Changes to a key.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    key_name: Option<String>,
    api_key: Option<String>,
}

async fn list(
    state: AppState,
    ctx: RequestContext,
    scope: KeyringScope,
) -> Result<Json<Vec<Value>>, ApiError> {
    let keys = api_keys::list(&state, &ctx, scope)?;
    Ok(Json(keys.iter().map(api_key).collect()))
}

async fn create(
    state: AppState,
    ctx: RequestContext,
    scope: KeyringScope,
    body: CreateBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let record = api_keys::add(
        &state,
        &ctx,
        scope,
        &body.provider,
        body.key_name.as_deref(),
        &body.api_key,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(api_key(&record))))
}

async fn update(
    state: AppState,
    ctx: RequestContext,
    scope: KeyringScope,
    id: String,
    body: UpdateBody,
) -> Result<Json<Value>, ApiError> {
    let record = api_keys::replace(
        &state,
        &ctx,
        scope,
        &id,
        body.key_name.as_deref(),
        body.api_key.as_deref(),
    )
    .await?;
    Ok(Json(api_key(&record)))
}

async fn delete(
    state: AppState,
    ctx: RequestContext,
    scope: KeyringScope,
    id: String,
) -> Result<Json<Value>, ApiError> {
    api_keys::remove(&state, &ctx, scope, &id).await?;
    Ok(Json(
        json!({ "success": true, "message": "API key deleted successfully" }),
    ))
}

/// `GET /api/api-keys`.
pub async fn list_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Vec<Value>>, ApiError> {
    list(state, ctx, KeyringScope::Own).await
}

/// `GET /api/api-keys/{id}`.
pub async fn read_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = api_keys::read(&state, &ctx, KeyringScope::Own, &id)?;
    Ok(Json(api_key(&record)))
}

/// `POST /api/api-keys` → 201 (409 "API key for this provider already exists").
pub async fn create_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create(state, ctx, KeyringScope::Own, body).await
}

/// `PUT /api/api-keys/{id}`.
pub async fn update_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<Value>, ApiError> {
    update(state, ctx, KeyringScope::Own, id, body).await
}

/// `DELETE /api/api-keys/{id}`.
pub async fn delete_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    delete(state, ctx, KeyringScope::Own, id).await
}

/// `GET /api/admin/api-keys`.
pub async fn list_system(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Vec<Value>>, ApiError> {
    list(state, ctx, KeyringScope::System).await
}

/// `POST /api/admin/api-keys` → 201.
pub async fn create_system(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create(state, ctx, KeyringScope::System, body).await
}

/// `PUT /api/admin/api-keys/{id}`.
pub async fn update_system(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<Value>, ApiError> {
    update(state, ctx, KeyringScope::System, id, body).await
}

/// `DELETE /api/admin/api-keys/{id}`.
pub async fn delete_system(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    delete(state, ctx, KeyringScope::System, id).await
}
