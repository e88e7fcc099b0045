//! `/api/auth/totp/*` and `DELETE /api/admin/users/{id}/totp`: two-factor authentication.

use super::JsonBody;
use super::auth::logged_in_response;
use super::shapes::admin_user;
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::totp;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

/// `POST /api/auth/totp/confirm` and `/disable` body.
#[derive(Deserialize)]
pub struct CodeBody {
    code: String,
}

/// `POST /api/auth/totp/login` body.
#[derive(Deserialize)]
pub struct LoginBody {
    challenge: String,
    code: String,
}

/// `POST /api/auth/totp/enroll` → `{secret, otpauthUri, qrSvg}`, shown this once.
pub async fn enroll(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Value>, ApiError> {
    let enrollment = totp::enroll(&state, &ctx).await?;
    Ok(Json(json!({
        "secret": enrollment.secret,
        "otpauthUri": enrollment.otpauth_uri,
        "qrSvg": enrollment.qr_svg,
    })))
}

/// `POST /api/auth/totp/confirm` `{code}` → `{recoveryCodes}`, shown this once.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<CodeBody>,
) -> Result<Json<Value>, ApiError> {
    let codes = totp::confirm(&state, &ctx, &body.code).await?;
    Ok(Json(json!({ "recoveryCodes": codes })))
}

/// `POST /api/auth/totp/disable` `{code}` → `{success: true}`.
pub async fn disable(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<CodeBody>,
) -> Result<Json<Value>, ApiError> {
    totp::disable(&state, &ctx, &body.code).await?;
    Ok(Json(json!({ "success": true })))
}

/// `POST /api/auth/totp/login` `{challenge, code}` → `{user, token, expiresAt}` and the
/// `session_token` cookie, like `/api/auth/login`.
pub async fn login(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let logged_in = totp::login(&state, &ctx, &body.challenge, &body.code).await?;
    Ok(logged_in_response(StatusCode::OK, &ctx, logged_in))
}

/// `DELETE /api/admin/users/{id}/totp` → the user (administrators).
pub async fn remove(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = totp::remove(&state, &ctx, &id).await?;
    Ok(Json(admin_user(&record)))
}
