//! `GET /graphiql`: the GraphiQL explorer, when `ROSTER_GRAPHIQL` serves it, on the pinned
//! GraphiQL and React builds compiled into the binary (`/graphiql/3.9.0/...`).
//!
//! Its Content-Security-Policy is the strict one but for styles: GraphiQL's editors set
//! styles at run time, so its page allows inline styles (never inline scripts or `eval`).
//! Queries go to `/graphql` with the page's cookie; subscriptions to `/graphql/ws`.

use super::assets::{GRAPHIQL, PAGES};
use crate::error::ApiError;
use crate::service::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The policy of GraphiQL's page.
pub const GRAPHIQL_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `/graphiql` and its files.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/graphiql", get(page))
        .route("/graphiql/3.9.0/{file}", get(file))
}

async fn page(headers: HeaderMap) -> Response {
    let Some(page) = PAGES.iter().find(|asset| asset.name == "graphiql.html") else {
        return ApiError::NotFound("Not found".into()).into_response();
    };
    let mut response = page.respond(&headers);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(GRAPHIQL_CONTENT_SECURITY_POLICY),
    );
    response
}

async fn file(headers: HeaderMap, Path(name): Path<String>) -> Response {
    match GRAPHIQL.iter().find(|asset| asset.name == name) {
        Some(asset) => asset.respond(&headers),
        None => ApiError::NotFound("Not found".into()).into_response(),
    }
}
