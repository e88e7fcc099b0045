//! Cross-site requests refused: a browser attaches the session cookie to whatever page made it
//! send a request, so a request that acts with that cookie must come from the server's own
//! pages or an origin the operator allows (`ROSTER_ALLOWED_ORIGINS`). SameSite=Strict already
//! keeps the cookie off most cross-site requests; this check does not rest on it.
//!
//! Checked: every request of a method that changes something (not GET, HEAD, OPTIONS or
//! TRACE) that carries a session cookie, and every WebSocket upgrade (a socket outlives any
//! SameSite decision, and browsers let any page open one). A request without `Origin` passes:
//! browsers send it on all of these, so its absence means a client that is no browser (curl,
//! another server), which no page can drive.

use crate::auth::carries_session_cookie;
use crate::config::Origin;
use crate::error::ApiError;
use crate::service::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware: refuses with 403 a checked request whose `Origin` is neither the server's own
/// nor allowed.
pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let checked = is_websocket_upgrade(&request)
        || (!request.method().is_safe() && carries_session_cookie(request.headers()));
    if checked
        && !origin_allowed(
            request.headers(),
            request.uri(),
            &state.config.allowed_origins,
        )
    {
        tracing::info!("cross-origin request refused");
        return ApiError::Forbidden("Cross-origin request refused".into()).into_response();
    }
    next.run(request).await
}

/// An HTTP/1.1 upgrade to WebSocket, or its HTTP/2 form (extended CONNECT).
fn is_websocket_upgrade(request: &Request) -> bool {
    request.method() == Method::CONNECT
        || request
            .headers()
            .get(header::UPGRADE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Whether the request's `Origin`, if any, is the server's own or in `allowed`. An `Origin`
/// that is no origin (`null`, from a sandboxed frame or a redirect) is refused.
fn origin_allowed(headers: &HeaderMap, uri: &Uri, allowed: &[Origin]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(origin) = origin.to_str().ok().and_then(Origin::parse) else {
        return false;
    };
    allowed.contains(&origin) || own_origins(headers, uri).contains(&origin)
}

/// The origins of the server's own pages, from the host the browser asked for (`Host`, or the
/// HTTP/2 authority). `https://host` is always one: only whoever holds the host's certificate
/// can send it. `http://host` is one too, unless a proxy says the request came over HTTPS
/// (`X-Forwarded-Proto: https`): a page served in clear, where anyone on the path may write
/// it, must not act on the HTTPS site.
fn own_origins(headers: &HeaderMap, uri: &Uri) -> Vec<Origin> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    let Some(host) = host else {
        return Vec::new();
    };
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let schemes: &[&str] = if forwarded_https {
        &["https"]
    } else {
        &["https", "http"]
    };
    schemes
        .iter()
        .filter_map(|scheme| Origin::parse(&format!("{scheme}://{host}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn allowed(pairs: &[(&'static str, &'static str)], list: &[&str]) -> bool {
        let list: Vec<Origin> = list.iter().filter_map(|o| Origin::parse(o)).collect();
        origin_allowed(&headers(pairs), &Uri::from_static("/graphql"), &list)
    }

    #[test]
    fn it_should_let_the_servers_own_origin_and_requests_without_one_through() {
        assert!(allowed(&[("host", "roster.example.org")], &[]));
        assert!(allowed(
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080")
            ],
            &[]
        ));
        assert!(allowed(
            &[
                ("host", "roster.example.org"),
                ("origin", "https://roster.example.org")
            ],
            &[]
        ));
        assert!(allowed(
            &[
                ("host", "roster.example.org:443"),
                ("x-forwarded-proto", "https"),
                ("origin", "https://Roster.example.org")
            ],
            &[]
        ));
    }

    #[test]
    fn it_should_refuse_other_origins_unless_allowed() {
        let evil = [
            ("host", "roster.example.org"),
            ("origin", "https://evil.example"),
        ];
        assert!(!allowed(&evil, &[]));
        assert!(allowed(&evil, &["https://evil.example"]));
        assert!(!allowed(
            &[("host", "roster.example.org"), ("origin", "null")],
            &[]
        ));
        assert!(!allowed(
            &[
                ("host", "roster.example.org"),
                ("origin", "https://roster.example.org.evil.example")
            ],
            &[]
        ));
        // Behind an HTTPS proxy, a page served over plain HTTP is not the site.
        assert!(!allowed(
            &[
                ("host", "roster.example.org"),
                ("x-forwarded-proto", "https"),
                ("origin", "http://roster.example.org")
            ],
            &[]
        ));
        // Another port is another origin.
        assert!(!allowed(
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:3000")
            ],
            &[]
        ));
    }
}
