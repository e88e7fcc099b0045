//! The body of `POST /graphql`: JSON only. A browser may send `text/plain`,
//! `multipart/form-data` and `application/x-www-form-urlencoded` to any site without asking it
//! first (no CORS preflight), with the site's cookie attached; async-graphql would parse any of
//! them as an operation. Requiring a JSON type makes a cross-site POST a preflighted request,
//! which this server never allows, and leaves file uploads (multipart), which Roster has no
//! use for, out entirely.

use crate::error::ApiError;
use async_graphql_axum::GraphQLRequest;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// A GraphQL operation posted as `application/json` (or another `application/*+json` type).
pub struct JsonGraphQLRequest(pub async_graphql::Request);

impl<S: Send + Sync> FromRequest<S> for JsonGraphQLRequest {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "POST /graphql takes Content-Type: application/json".into(),
            )
            .into_response());
        }
        let parsed: GraphQLRequest = GraphQLRequest::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(JsonGraphQLRequest(parsed.into_inner()))
    }
}

/// Whether `Content-Type` names JSON: `application/json` or `application/<anything>+json`,
/// whatever its parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_type(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn it_should_take_json_types_only() {
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/graphql-response+json",
        ] {
            assert!(is_json(&with_type(json)), "{json}");
        }
        for other in [
            "text/plain",
            "text/plain; charset=application/json",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "application/graphql",
            "text/json+html",
        ] {
            assert!(!is_json(&with_type(other)), "{other}");
        }
        assert!(!is_json(&HeaderMap::new()), "no Content-Type");
    }
}
