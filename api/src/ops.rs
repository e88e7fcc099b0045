//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the read models have
//! caught up with the store), `/metrics` (Prometheus text).

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::time::Duration;

/// How long `/readyz` waits for the projections to reach the store's head.
const READY_WAIT: Duration = Duration::from_secs(2);

/// `GET /healthz`.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 once the projections have applied everything the store held when
/// asked, 503 otherwise.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let head = match state.commands.store().head().await {
        Ok(head) => head,
        Err(error) => {
            tracing::warn!(%error, "readiness: store unavailable");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "store unavailable" })),
            )
                .into_response();
        }
    };
    let caught_up = state.projections.wait_for(head, READY_WAIT).await.is_ok();
    let body = json!({
        "status": if caught_up { "ready" } else { "catching up" },
        "head": head.0,
        "applied": state.projections.position().0,
    });
    let status = if caught_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render(&state.projections).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
