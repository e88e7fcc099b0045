//! `POST /api/service/resolve-key`: the one way a plaintext API key leaves Roster, to the
//! model service, authenticated by its own token (`ROSTER_SERVICE_TOKEN`). Session tokens and
//! cookies are not accepted here, and a request from a browser (one carrying `Origin`) is
//! refused, so a key never reaches a browser.

use super::JsonBody;
use crate::error::ApiError;
use crate::service::api_keys;
use crate::service::parse_user_id;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// What the model service asks.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolveBody {
    user_id: String,
    provider: String,
}

/// Compares digests, so the comparison takes the same time wherever the tokens differ.
fn same_token(presented: &str, expected: &str) -> bool {
    Sha256::digest(presented.as_bytes()) == Sha256::digest(expected.as_bytes())
}

/// Resolves `(userId, provider)` to the key that applies: the user's, the system's, or the
/// environment's → `{apiKey, keyId, source}`.
pub async fn resolve_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ResolveBody>,
) -> Result<Response, ApiError> {
    let Some(expected) = &state.config.service_token else {
        return Err(ApiError::Unavailable(
            "The key service is disabled: the server has no ROSTER_SERVICE_TOKEN".into(),
        ));
    };
    if headers.contains_key(header::ORIGIN) {
        return Err(ApiError::Forbidden(
            "API keys are never sent to a browser".into(),
        ));
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        None => return Err(ApiError::authentication_required()),
        Some(token) if !same_token(token, expected.expose()) => {
            return Err(ApiError::Unauthenticated("Invalid service token".into()));
        }
        Some(_) => {}
    }
    let user = parse_user_id(&body.user_id)?;
    let resolved = api_keys::resolve(&state, user, &body.provider)?;
    let mut response = Json(json!({
        "apiKey": resolved.api_key.expose(),
        "keyId": resolved.key_id,
        "source": resolved.source.as_str(),
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
