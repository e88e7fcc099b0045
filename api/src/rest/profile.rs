//! `/api/user/profile`: a user's own display name, email and password (never the admin flag).

use super::JsonBody;
use super::shapes::profile;
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::auth::{self as auth_service, ProfileChanges};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;

/// `PUT /api/user/profile` body. Any other field (such as `isAdmin`) is ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileBody {
    display_name: Option<String>,
    email: Option<String>,
    current_password: Option<String>,
    new_password: Option<String>,
}

/// `GET /api/user/profile`.
pub async fn read(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(profile(&auth_service::me(&state, &ctx)?)))
}

/// `PUT /api/user/profile`.
pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<ProfileBody>,
) -> Result<Json<Value>, ApiError> {
    let changes = ProfileChanges {
        display_name: body.display_name,
        email: body.email,
        current_password: body.current_password,
        new_password: body.new_password,
    };
    let record = auth_service::update_profile(&state, &ctx, changes).await?;
    Ok(Json(profile(&record)))
}
