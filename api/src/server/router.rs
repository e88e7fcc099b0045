//! The router: every route, and the layers every request passes through.
//!
//! Outermost first: a tracing span per request (method and path only: a query string can
//! carry secrets), the security headers of every response, the response counter, the request timeout (408), the body limit (413),
//! the refusal of cross-site requests (403), the identity resolution that attaches a
//! `RequestContext` to each request, then `Idempotency-Key` (run once, answer again).

use super::headers::security_headers;
use super::idempotency::idempotency;
use super::identify::identify;
use super::ops;
use super::origin::same_origin;
use crate::error::ApiError;
use crate::graphql;
use crate::metrics::count_responses;
use crate::rest;
use crate::service::AppState;
use crate::web;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The whole HTTP surface over `state`.
pub fn app(state: AppState) -> Router {
    let schema = graphql::schema(state.clone());
    let introspection = graphql::introspection_schema(state.clone());
    let config = state.config.clone();
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(graphql::subscriptions))
        .merge(web::routes(&config))
        .merge(rest::routes())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        // After every route, so that it applies to all of them.
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), idempotency))
        .layer(from_fn_with_state(state.clone(), identify))
        .layer(from_fn_with_state(state.clone(), same_origin))
        .layer(Extension(schema))
        .layer(Extension(introspection))
        .layer(Extension(graphql::SocketsPerAddress::new(
            config.sockets.per_address,
        )))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(from_fn_with_state(state.metrics.clone(), count_responses))
        .layer(from_fn(security_headers))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

async fn not_found() -> Response {
    ApiError::NotFound("Not found".into()).into_response()
}

/// A known path with a method it does not serve: 405 in the API's error shape (the router
/// still adds the `Allow` header).
async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed("Method not allowed".into()).into_response()
}
