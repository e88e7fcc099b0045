//! The REST surface FOVEA's web client speaks, with its routes and shapes, over the same use
//! cases as GraphQL: each handler parses its input, calls one function of `service` and
//! shapes the answer; none decides who may do what. Errors are `{"error": CODE, "message": ..., "details"?: ...}`.
//!
//! - `auth`: `/api/auth/*` (login, logout, me, register).
//! - `totp`: `/api/auth/totp/*` (enroll, confirm, disable, login) and
//!   `DELETE /api/admin/users/{id}/totp`: two-factor authentication.
//! - `admin_users`: `/api/admin/users/*` (list, create, read, update, delete, disable,
//!   enable, reset-password).
//! - `audit`: `GET /api/admin/audit` (the audit log), `/api/admin/administrators`, and
//!   `/api/admin/users/{id}?asOf=` (an account as it was).
//! - `sessions`: `/api/sessions/*`, `/api/admin/sessions/*`.
//! - `api_keys`: `/api/api-keys/*`, `/api/admin/api-keys/*`.
//! - `profile`: `/api/user/profile`.
//! - `model_service`: `/api/service/resolve-key`, the model service's one way to a plaintext
//!   key.
//! - `shapes`: the JSON shapes.

mod admin_users;
mod api_keys;
mod audit;
mod auth;
mod model_service;
mod profile;
mod sessions;
pub mod shapes;
mod totp;

use crate::error::ApiError;
use crate::service::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::de::DeserializeOwned;

/// A JSON body whose rejections are reported in the API's error shape (400, or 413).
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::TooLarge)
            }
            Err(rejection) => Err(ApiError::Validation(rejection.body_text())),
        }
    }
}

/// Every REST route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/logout", post(auth::logout))
        .route("/api/auth/me", get(auth::me))
        .route("/api/auth/register", post(auth::register))
        .route("/api/auth/totp/enroll", post(totp::enroll))
        .route("/api/auth/totp/confirm", post(totp::confirm))
        .route("/api/auth/totp/disable", post(totp::disable))
        .route("/api/auth/totp/login", post(totp::login))
        .route(
            "/api/admin/users",
            get(admin_users::list).post(admin_users::create),
        )
        .route(
            "/api/admin/users/{id}",
            get(admin_users::read)
                .put(admin_users::update)
                .patch(admin_users::update)
                .delete(admin_users::remove),
        )
        .route(
            "/api/admin/users/{id}/sessions",
            delete(sessions::revoke_of_user),
        )
        .route("/api/admin/users/{id}/totp", delete(totp::remove))
        .route("/api/admin/users/{id}/disable", post(admin_users::disable))
        .route("/api/admin/users/{id}/enable", post(admin_users::enable))
        .route(
            "/api/admin/users/{id}/reset-password",
            post(admin_users::reset_password),
        )
        .route("/api/admin/audit", get(audit::log))
        .route("/api/admin/administrators", get(audit::administrators))
        .route("/api/sessions", get(sessions::mine))
        .route("/api/sessions/{id}", delete(sessions::revoke_mine))
        .route(
            "/api/admin/sessions",
            get(sessions::all).delete(sessions::revoke_all),
        )
        .route("/api/admin/sessions/{id}", delete(sessions::revoke))
        .route(
            "/api/api-keys",
            get(api_keys::list_mine).post(api_keys::create_mine),
        )
        .route(
            "/api/api-keys/{id}",
            get(api_keys::read_mine)
                .put(api_keys::update_mine)
                .delete(api_keys::delete_mine),
        )
        .route(
            "/api/admin/api-keys",
            get(api_keys::list_system).post(api_keys::create_system),
        )
        .route(
            "/api/admin/api-keys/{id}",
            delete(api_keys::delete_system).put(api_keys::update_system),
        )
        .route("/api/user/profile", get(profile::read).put(profile::update))
        .route("/api/service/resolve-key", post(model_service::resolve_key))
}
