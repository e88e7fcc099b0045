//! `/api/auth/*`.

use super::JsonBody;
use super::shapes::user_summary;
use crate::auth::{RequestContext, clear_session_cookies, session_cookie};
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::auth::{self as auth_service, LoggedIn, LoginOutcome};
use crate::service::users::NewUser;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// `POST /api/auth/login` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginBody {
    username: String,
    password: String,
    #[serde(default)]
    remember_me: bool,
}

/// `POST /api/auth/register` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterBody {
    username: String,
    password: String,
    display_name: Option<String>,
    email: Option<String>,
}

/// `{user, token, expiresAt}`, without `token` for a browser (it gets the cookie only), and
/// the session cookie.
pub(super) fn logged_in_response(
    status: StatusCode,
    ctx: &RequestContext,
    logged_in: LoggedIn,
) -> Response {
    let mut body = json!({
        "user": user_summary(&logged_in.user),
        "expiresAt": logged_in.expires_at,
    });
    if logged_in.token_in_body {
        body["token"] = json!(logged_in.token.expose());
    }
    let mut response = (status, Json(body)).into_response();
    if let Some(cookie) = session_cookie(logged_in.token.expose(), logged_in.expires_at, ctx.tls) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// `POST /api/auth/login` → `{user, token}` (no `token` for a browser) and the session
/// cookie; for an account with two-factor authentication on, `{totpRequired: true,
/// challenge}` (no token, no cookie) for `POST /api/auth/totp/login`.
pub async fn login(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let outcome = auth_service::login(
        &state,
        &ctx,
        &body.username,
        &body.password,
        body.remember_me,
    )
    .await?;
    Ok(match outcome {
        LoginOutcome::LoggedIn(logged_in) => logged_in_response(StatusCode::OK, &ctx, logged_in),
        LoginOutcome::TotpRequired(challenge) => Json(json!({
            "totpRequired": true,
            "challenge": challenge.token.expose(),
        }))
        .into_response(),
    })
}

/// `POST /api/auth/logout` → `{success: true}`, and the cookie cleared.
pub async fn logout(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Response, ApiError> {
    auth_service::logout(&state, &ctx).await?;
    let mut response = Json(json!({ "success": true })).into_response();
    for cookie in clear_session_cookies(ctx.tls) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// `GET /api/auth/me` → `{user}`.
pub async fn me(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let record = auth_service::me(&state, &ctx)?;
    Ok(Json(json!({ "user": user_summary(&record) })))
}

/// `POST /api/auth/register` → 201 `{user, token}` (403 unless registration is on; never an
/// administrator).
pub async fn register(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<RegisterBody>,
) -> Result<Response, ApiError> {
    let new_user = NewUser {
        username: body.username,
        display_name: body.display_name,
        email: body.email,
        password: body.password,
        is_admin: false,
        must_change_password: false,
    };
    let logged_in = auth_service::register(&state, &ctx, new_user).await?;
    Ok(logged_in_response(StatusCode::CREATED, &ctx, logged_in))
}
