//! The door's first step: resolve the caller of every HTTP request and attach a
//! [`RequestContext`] to it.

use crate::auth::{RequestContext, presented_token, sent_by_browser};
use crate::service::AppState;
use crate::service::identity::identify_token;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use uuid::Uuid;

/// Middleware: resolves the caller and attaches a [`RequestContext`] to the request.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let (identity, credential) = identify_token(&state, presented_token(headers).as_deref());
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let context = RequestContext {
        identity,
        credential,
        correlation_id: Uuid::now_v7(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string()),
        tls: state.config.secure_cookies || forwarded_https,
        browser: sent_by_browser(headers),
    };
    request.extensions_mut().insert(context);
    next.run(request).await
}
