//! `POST /api/service/resolve-key`: the one way a plaintext API key leaves Roster, to the
//! model service, authenticated by its own token (`ROSTER_SERVICE_TOKEN`). Session tokens and
//! cookies are not accepted here, and a request from a browser (one carrying `Origin`) is
//! refused, so a key never reaches a browser (the rule is `service::policy::model_service`).

use super::JsonBody;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::api_keys;
use crate::service::policy::ModelServiceCaller;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// What the model service asks.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolveBody {
    user_id: String,
    provider: String,
}

/// Resolves `(userId, provider)` to the key that applies: the user's, the system's, or the
/// environment's → `{apiKey, keyId, source}`.
pub async fn resolve_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ResolveBody>,
) -> Result<Response, ApiError> {
    let caller = ModelServiceCaller {
        token: headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim),
        from_browser: headers.contains_key(header::ORIGIN),
    };
    let resolved = api_keys::resolve(&state, caller, &body.user_id, &body.provider)?;
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
