//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the read models have
//! caught up with the store), `/metrics` (Prometheus text, for the operator's scraper only:
//! `service::policy::metrics_reader`).

use crate::auth::{RequestContext, bearer_token};
use crate::service::AppState;
use crate::service::policy::MetricsCaller;
use crate::service::stats;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use std::net::IpAddr;
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
    readiness(&state, READY_WAIT).await
}

/// Readiness, waiting at most `wait` for the projections to reach the store's head.
async fn readiness(state: &AppState, wait: Duration) -> Response {
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
    let caught_up = state.projections.wait_for(head, wait).await.is_ok();
    let body = json!({
        "status": if caught_up { "ready" } else { "catching up" },
        "head": head.0,
        "applied": state.projections.position().0,
        "feedFailures": state.projections.feed_failures(),
    });
    let status = if caught_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// `GET /metrics`: with `ROSTER_METRICS_TOKEN`, to `Authorization: Bearer <token>`; without
/// it, to clients on this machine only (401 or 403 otherwise).
pub async fn metrics(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    headers: HeaderMap,
) -> Response {
    let caller = MetricsCaller {
        token: headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token),
        loopback: ctx
            .ip
            .as_deref()
            .and_then(|ip| ip.parse::<IpAddr>().ok())
            .is_some_and(|ip| ip.to_canonical().is_loopback()),
        proxied: ["forwarded", "x-forwarded-for", "x-real-ip"]
            .iter()
            .any(|name| headers.contains_key(*name)),
        browser: ctx.browser,
    };
    let mut response = match stats::metrics(&state, caller) {
        Ok(text) => text.into_response(),
        Err(refused) => return refused.into_response(),
    };
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, StoreLocation};
    use crate::secrets::PasswordHasher;
    use roster_domain::store::Position;
    use roster_projections::Projections;

    async fn status_of(response: Response) -> (StatusCode, serde_json::Value) {
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn it_should_answer_503_until_the_read_models_have_caught_up() {
        let config = Config::defaults(StoreLocation::Memory);
        let hasher = PasswordHasher::insecure_fast_for_tests().unwrap();
        let (server, _) = crate::server::start(config, hasher).await.unwrap();
        // The same store (holding the first administrator) seen through read models that
        // nothing feeds: they stay behind until told otherwise.
        let behind = AppState {
            projections: Projections::new(chrono::Duration::days(7)),
            ..server.state().clone()
        };
        let wait = Duration::from_millis(10);
        let (status, body) = status_of(readiness(&behind, wait).await).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "catching up");
        assert_eq!(body["applied"], 0);
        assert!(body["head"].as_u64().unwrap() > 0);

        let store = behind.commands.store();
        let log = store.read_all(Position::START, usize::MAX).await.unwrap();
        behind.projections.apply_all(&log);
        let (status, body) = status_of(readiness(&behind, wait).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ready");
    }
}
