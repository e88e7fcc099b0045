//! `Idempotency-Key` on `POST`, `PUT`, `PATCH` and `DELETE` (REST, and `POST /graphql`
//! mutations): the first request under a key runs and its answer is kept in the store; the
//! same request again within 24 hours gets that answer with `Idempotent-Replayed: true` and
//! runs nothing; another request under the key is refused (422), and a repeat while the first
//! still runs gets 409. Runs after `identify`: a key belongs to its caller.
//!
//! Requests whose answer carries a session token or a secret refuse the header (400): their
//! answers must never be stored. The request runs in a task of its own, bounded by the
//! request timeout, so a client that hangs up does not cancel it halfway: its answer is kept
//! for the retry. A server error, a timeout or a 429 frees the key instead of being kept.

use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::graphql::{Posted, classify_posted};
use crate::service::AppState;
use crate::service::idempotency::{self, Begun, Running};
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use roster_domain::idempotency::IdempotentAnswer;
use tracing::warn;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header on an answer sent again.
pub const REPLAYED: &str = "idempotent-replayed";
/// Longest key.
const MAX_KEY_LENGTH: usize = 255;
/// Largest answer kept; a larger one frees the key (Roster's answers to changes are small).
const MAX_KEPT_ANSWER: usize = 64 * 1024;
/// GraphQL error codes that say "try again", not "this is the answer".
const TRANSIENT_CODES: [&str; 3] = ["INTERNAL", "UNAVAILABLE", "TOO_MANY_REQUESTS"];

/// REST paths whose answers carry a session token or a secret.
fn carries_secret(path: &str) -> bool {
    matches!(
        path,
        "/api/auth/login" | "/api/auth/register" | "/api/service/resolve-key"
    ) || path.starts_with("/api/auth/totp/")
}

/// Middleware: makes requests with an `Idempotency-Key` idempotent.
pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if !matches!(
        method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) || !request.headers().contains_key(IDEMPOTENCY_KEY)
    {
        return next.run(request).await;
    }
    let key = match key_of(request.headers()) {
        Ok(key) => key,
        Err(refusal) => return refusal.into_response(),
    };
    let path = request.uri().path().to_owned();
    if carries_secret(&path) {
        return secret_refusal().into_response();
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, state.config.body_limit).await else {
        return ApiError::TooLarge.into_response();
    };
    if path == "/graphql" {
        match classify_posted(&body) {
            Posted::Mutation => {}
            Posted::CarriesSecret => return secret_refusal().into_response(),
            // A query changes nothing: it runs as usual, nothing is kept.
            Posted::Other => return next.run(Request::from_parts(parts, Body::from(body))).await,
        }
    }
    let Some(ctx) = parts.extensions.get::<RequestContext>().cloned() else {
        return ApiError::internal("no request context before idempotency").into_response();
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or(path.as_str(), |p| p.as_str());
    let fingerprint = idempotency::fingerprint(method.as_str(), path_and_query, &body);
    let stream = idempotency::key_stream(&ctx, method.as_str(), &path, &key);
    let running = match idempotency::begin(&state, &ctx, stream, fingerprint).await {
        Ok(Begun::Run(running)) => running,
        Ok(Begun::Replay(answer)) => return replay(*answer),
        Err(refusal) => return refusal.into_response(),
    };
    let request = Request::from_parts(parts, Body::from(body));
    let graphql = path == "/graphql";
    // Its own task: a client hanging up must not cancel the request between its change and
    // the record of its answer.
    let task = tokio::spawn(async move {
        let timeout = state.config.request_timeout;
        let response = match tokio::time::timeout(timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
        };
        record(&state, &ctx, running, response, graphql).await
    });
    match task.await {
        Ok(response) => response,
        Err(failed) => ApiError::internal(failed).into_response(),
    }
}

/// The key: one header, 1 to 255 printable ASCII characters.
fn key_of(headers: &HeaderMap) -> Result<String, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(ApiError::Validation(
            "Send one Idempotency-Key header".into(),
        ));
    };
    let bytes = value.as_bytes();
    if bytes.is_empty()
        || bytes.len() > MAX_KEY_LENGTH
        || !bytes.iter().all(|b| (0x20..=0x7e).contains(b))
    {
        return Err(ApiError::Validation(
            "Idempotency-Key must be 1 to 255 printable ASCII characters".into(),
        ));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

fn secret_refusal() -> ApiError {
    ApiError::Validation(
        "Idempotency-Key is not accepted here: the answer carries a session token or a secret, \
         which is never stored"
            .into(),
    )
}

/// Keeps the answer for the key's repeats, or frees the key when the answer is not one to
/// give again; hands the answer on either way.
async fn record(
    state: &AppState,
    ctx: &RequestContext,
    running: Running,
    response: Response,
    graphql: bool,
) -> Response {
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(failed) => {
            if let Err(e) = idempotency::abandon(state, ctx, running).await {
                warn!(error = %e, "could not free an idempotency key");
            }
            return ApiError::internal(failed).into_response();
        }
    };
    let status = parts.status;
    let kept = (status.is_success() || status.is_client_error() || status.is_redirection())
        && status != StatusCode::REQUEST_TIMEOUT
        && status != StatusCode::TOO_MANY_REQUESTS
        && body.len() <= MAX_KEPT_ANSWER
        && !(graphql && transient_graphql_error(&body));
    let text = std::str::from_utf8(&body).ok().filter(|_| kept);
    let outcome = match text {
        Some(text) => {
            let header = |name| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v: &HeaderValue| v.to_str().ok())
                    .map(str::to_owned)
            };
            let answer = IdempotentAnswer {
                status: status.as_u16(),
                content_type: header(header::CONTENT_TYPE),
                etag: header(header::ETAG),
                body: text.to_owned(),
                at: Utc::now(),
            };
            idempotency::complete(state, ctx, running, answer).await
        }
        None => idempotency::abandon(state, ctx, running).await,
    };
    if let Err(e) = outcome {
        warn!(error = %e, "could not record the end of an idempotent request");
    }
    Response::from_parts(parts, Body::from(body))
}

/// Whether a GraphQL answer (always 200) holds an error that says "try again".
fn transient_graphql_error(body: &Bytes) -> bool {
    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    answer["errors"].as_array().is_some_and(|errors| {
        errors.iter().any(|error| {
            error["extensions"]["code"]
                .as_str()
                .is_some_and(|code| TRANSIENT_CODES.contains(&code))
        })
    })
}

/// The kept answer, sent again.
fn replay(answer: IdempotentAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    for (name, value) in [
        (header::CONTENT_TYPE, answer.content_type),
        (header::ETAG, answer.etag),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_take_one_key_of_printable_ascii() {
        let with = |values: &[&[u8]]| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(IDEMPOTENCY_KEY, HeaderValue::from_bytes(value).unwrap());
            }
            key_of(&headers)
        };
        assert_eq!(with(&[b"a-1 ~"]), Ok("a-1 ~".to_owned()));
        assert!(with(&[&[b'k'; 255]]).is_ok());
        assert!(with(&[&[b'k'; 256]]).is_err());
        assert!(with(&[b""]).is_err());
        assert!(with(&[b"tab\there"]).is_err());
        assert!(with(&[b"caf\xc3\xa9"]).is_err());
        assert!(with(&[b"a", b"b"]).is_err());
    }

    #[test]
    fn it_should_refuse_keys_where_the_answer_carries_a_secret() {
        for path in [
            "/api/auth/login",
            "/api/auth/register",
            "/api/auth/totp/enroll",
            "/api/auth/totp/login",
            "/api/service/resolve-key",
        ] {
            assert!(carries_secret(path), "{path}");
        }
        assert!(!carries_secret("/api/admin/users"));
        assert!(!carries_secret("/api/auth/logout"));
    }
}
