//! `/api/admin/users/*`: the Admin Panel's user management.
//!
//! One user's answers carry its version as the `ETag` (`"3"`: the revision of the account's
//! event stream, as `version` in the body). A write on one user honours `If-Match` with such
//! a tag: when someone else changed the account since, it answers 412 `PRECONDITION_FAILED`
//! with the account as it is now in `details`, and changes nothing.

use super::JsonBody;
use super::audit::{self, time};
use super::shapes::admin_user;
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::records::UserRecord;
use crate::service::users::{self, NewUser, UserChanges};
use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::AppendHeaders;
use axum::response::{IntoResponse, Response};
use roster_domain::store::Revision;
use roster_domain::user::CreatedVia;
use serde::Deserialize;
use serde_json::{Value, json};

/// A user, with its version as the `ETag`.
type Versioned = ([(HeaderName, String); 1], Json<Value>);

fn versioned(record: &UserRecord) -> Versioned {
    (
        [(ETAG, entity_tag(record.user.version))],
        Json(admin_user(record)),
    )
}

/// `"3"` for version 3.
fn entity_tag(version: Revision) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names (`None` without one): exactly one tag as `ETag`
/// gives it, `"3"`. Anything else is refused (400) rather than guessed at.
fn if_match(headers: &HeaderMap) -> Result<Option<Revision>, ApiError> {
    let mut values = headers.get_all(IF_MATCH).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::Validation("If-Match must be one version in quotes, as the ETag gives it".into())
    };
    if values.next().is_some() {
        return Err(invalid());
    }
    value
        .to_str()
        .ok()
        .and_then(|text| text.trim().strip_prefix('"')?.strip_suffix('"'))
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse().ok())
        .map(Some)
        .ok_or_else(invalid)
}

/// `POST /api/admin/users` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    username: String,
    password: String,
    display_name: Option<String>,
    email: Option<String>,
    #[serde(default)]
    is_admin: bool,
    #[serde(default)]
    must_change_password: bool,
}

/// `PUT|PATCH /api/admin/users/{id}` body; absent fields and an empty password keep the
/// current values.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    display_name: Option<String>,
    email: Option<String>,
    is_admin: Option<bool>,
    password: Option<String>,
}

/// `POST /api/admin/users/{id}/reset-password` body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordBody {
    password: String,
    #[serde(default)]
    revoke_sessions: bool,
    #[serde(default)]
    require_change: bool,
}

/// `GET /api/admin/users` → every user, newest first, with `_count`.
pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let records = users::list(&state, &ctx)?;
    Ok(Json(records.iter().map(admin_user).collect()))
}

/// `POST /api/admin/users` → 201 with the new user.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new_user = NewUser {
        username: body.username,
        display_name: body.display_name,
        email: body.email,
        password: body.password,
        is_admin: body.is_admin,
        must_change_password: body.must_change_password,
    };
    let record = users::create(&state, &ctx, new_user, CreatedVia::Admin).await?;
    Ok((StatusCode::CREATED, Json(admin_user(&record))))
}

/// `GET /api/admin/users/{id}`, with the `ETag`; with `?asOf=TIME`, the account as it was
/// then (no `ETag`: it is not a version to write against), or 404 if it did not exist then.
pub async fn read(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    Query(params): Query<AsOfParams>,
) -> Result<Response, ApiError> {
    if let Some(at) = time(params.as_of.as_deref(), "asOf")? {
        return Ok(audit::user_as_of(&state, &ctx, &id, at)
            .await?
            .into_response());
    }
    let record = users::read(&state, &ctx, &id)?;
    Ok(versioned(&record).into_response())
}

/// `GET /api/admin/users/{id}` query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AsOfParams {
    as_of: Option<String>,
}

/// `PUT|PATCH /api/admin/users/{id}` (`If-Match`).
pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Versioned, ApiError> {
    let expected = if_match(&headers)?;
    let changes = UserChanges {
        display_name: body.display_name,
        email: body.email,
        is_admin: body.is_admin,
        password: body.password,
    };
    let record = users::update(&state, &ctx, &id, changes, expected).await?;
    Ok(versioned(&record))
}

/// `DELETE /api/admin/users/{id}` (`If-Match`) → `{success: true}`, with the `ETag` of the
/// deletion (403 "Cannot delete yourself").
pub async fn remove(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(AppendHeaders<Option<(HeaderName, String)>>, Json<Value>), ApiError> {
    let expected = if_match(&headers)?;
    let version = users::delete(&state, &ctx, &id, expected).await?;
    let etag = version.map(|version| (ETAG, entity_tag(version)));
    Ok((AppendHeaders(etag), Json(json!({ "success": true }))))
}

/// `POST /api/admin/users/{id}/disable` (`If-Match`) → the user, disabled (their sessions
/// stop at once).
pub async fn disable(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Versioned, ApiError> {
    let expected = if_match(&headers)?;
    Ok(versioned(
        &users::disable(&state, &ctx, &id, expected).await?,
    ))
}

/// `POST /api/admin/users/{id}/enable` (`If-Match`) → the user, enabled.
pub async fn enable(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Versioned, ApiError> {
    let expected = if_match(&headers)?;
    Ok(versioned(
        &users::enable(&state, &ctx, &id, expected).await?,
    ))
}

/// `POST /api/admin/users/{id}/reset-password` (`If-Match`) → the user (`revokeSessions` ends
/// their sessions, `requireChange` asks for a new password at the next login).
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ResetPasswordBody>,
) -> Result<Versioned, ApiError> {
    let expected = if_match(&headers)?;
    let record = users::reset_password(
        &state,
        &ctx,
        &id,
        &body.password,
        body.revoke_sessions,
        body.require_change,
        expected,
    )
    .await?;
    Ok(versioned(&record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(IF_MATCH, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn it_should_read_the_version_of_an_if_match_as_the_etag_gives_it() {
        assert_eq!(if_match(&headers(&[])).unwrap(), None);
        assert_eq!(if_match(&headers(&["\"0\""])).unwrap(), Some(0));
        assert_eq!(if_match(&headers(&[" \"42\" "])).unwrap(), Some(42));
        assert_eq!(entity_tag(42), "\"42\"");
    }

    #[test]
    fn it_should_refuse_an_if_match_that_is_not_one_quoted_version() {
        for value in [
            "42",
            "\"\"",
            "\"-1\"",
            "\"+1\"",
            "\"4 2\"",
            "W/\"4\"",
            "*",
            "\"1\", \"2\"",
            "\"x\"",
            "\"99999999999999999999\"",
        ] {
            let refused = if_match(&headers(&[value]));
            assert!(
                matches!(refused, Err(ApiError::Validation(_))),
                "{value}: {refused:?}"
            );
        }
        let twice = if_match(&headers(&["\"1\"", "\"1\""]));
        assert!(matches!(twice, Err(ApiError::Validation(_))));
    }
}
