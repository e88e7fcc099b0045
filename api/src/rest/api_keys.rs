//! `/api/api-keys/*` (the caller's own) and `/api/admin/api-keys/*` (the system's).

use super::JsonBody;
use super::shapes::api_key;
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::api_keys::{self, parse_key_id};
use crate::state::AppState;
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
    system: bool,
) -> Result<Json<Vec<Value>>, ApiError> {
    let owner = api_keys::owner_for(&ctx, system)?;
    Ok(Json(
        api_keys::list(&state, owner).iter().map(api_key).collect(),
    ))
}

async fn create(
    state: AppState,
    ctx: RequestContext,
    system: bool,
    body: CreateBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let owner = api_keys::owner_for(&ctx, system)?;
    let record = api_keys::add(
        &state,
        &ctx,
        owner,
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
    system: bool,
    id: String,
    body: UpdateBody,
) -> Result<Json<Value>, ApiError> {
    let owner = api_keys::owner_for(&ctx, system)?;
    let record = api_keys::replace(
        &state,
        &ctx,
        owner,
        parse_key_id(&id)?,
        body.key_name.as_deref(),
        body.api_key.as_deref(),
    )
    .await?;
    Ok(Json(api_key(&record)))
}

async fn delete(
    state: AppState,
    ctx: RequestContext,
    system: bool,
    id: String,
) -> Result<Json<Value>, ApiError> {
    let owner = api_keys::owner_for(&ctx, system)?;
    api_keys::remove(&state, &ctx, owner, parse_key_id(&id)?).await?;
    Ok(Json(
        json!({ "success": true, "message": "API key deleted successfully" }),
    ))
}

/// `GET /api/api-keys`.
pub async fn list_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Vec<Value>>, ApiError> {
    list(state, ctx, false).await
}

/// `GET /api/api-keys/{id}`.
pub async fn read_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let owner = api_keys::owner_for(&ctx, false)?;
    let record = api_keys::get(&state, owner, parse_key_id(&id)?)?;
    Ok(Json(api_key(&record)))
}

/// `POST /api/api-keys` → 201 (409 "API key for this provider already exists").
pub async fn create_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create(state, ctx, false, body).await
}

/// `PUT /api/api-keys/{id}`.
pub async fn update_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<Value>, ApiError> {
    update(state, ctx, false, id, body).await
}

/// `DELETE /api/api-keys/{id}`.
pub async fn delete_mine(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    delete(state, ctx, false, id).await
}

/// `GET /api/admin/api-keys`.
pub async fn list_system(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Vec<Value>>, ApiError> {
    list(state, ctx, true).await
}

/// `POST /api/admin/api-keys` → 201.
pub async fn create_system(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    create(state, ctx, true, body).await
}

/// `PUT /api/admin/api-keys/{id}`.
pub async fn update_system(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<Value>, ApiError> {
    update(state, ctx, true, id, body).await
}

/// `DELETE /api/admin/api-keys/{id}`.
pub async fn delete_system(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    delete(state, ctx, true, id).await
}
