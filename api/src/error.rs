//! One error type for the whole API, mapped in one place to an HTTP status, a REST error code
//! and a GraphQL `extensions.code`.
//!
//! Messages of client errors are the guide's own ("Username already exists", "Admin access
//! required"); an internal error is logged with its detail and shown as a generic message.

use async_graphql::ErrorExtensions;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_domain::command_path::ExecuteError;
use roster_domain::error::{DomainError, ErrorKind};
use roster_domain::user::{CurrentAccount, UserError};
use serde_json::{Value, json};

/// The message shown for every internal error.
pub const INTERNAL_MESSAGE: &str = "Internal server error";

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Invalid input: 400, `VALIDATION`.
    #[error("{0}")]
    Validation(String),
    /// Well-formed but refused as it stands (an `Idempotency-Key` reused with another
    /// request): 422, `VALIDATION`.
    #[error("{0}")]
    Unprocessable(String),
    /// No valid session: 401, `UNAUTHORIZED` (REST) / `UNAUTHENTICATED` (GraphQL).
    #[error("{0}")]
    Unauthenticated(String),
    /// Not allowed: 403, `FORBIDDEN`.
    #[error("{0}")]
    Forbidden(String),
    /// The account must choose a new password before anything but `me`, changing the
    /// password and logging out: 403, `PASSWORD_CHANGE_REQUIRED` (REST and GraphQL).
    #[error("Password change required: change your password to continue")]
    PasswordChangeRequired,
    /// No such thing: 404, `NOT_FOUND`.
    #[error("{0}")]
    NotFound(String),
    /// Clashes with current state: 409, `CONFLICT`.
    #[error("{0}")]
    Conflict(String),
    /// A change to an account rested on a version of it that someone else's change has
    /// replaced: `CONFLICT` in GraphQL; in REST, where the version comes as `If-Match`, 412
    /// `PRECONDITION_FAILED`. Either way the account as it is now goes with it
    /// ([`ApiError::details`]).
    #[error("The account was changed by someone else; reload and try again")]
    Stale(Box<CurrentAccount>),
    /// The method is not allowed for this request (a mutation over GET): 405,
    /// `METHOD_NOT_ALLOWED`.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The body is larger than the configured limit: 413, `PAYLOAD_TOO_LARGE`.
    #[error("Request body too large")]
    TooLarge,
    /// The body is not of a type the endpoint takes (`POST /graphql` takes JSON only): 415,
    /// `UNSUPPORTED_MEDIA_TYPE`.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many attempts in too short a time (logins on one account): 429,
    /// `TOO_MANY_REQUESTS`.
    #[error("{0}")]
    TooManyRequests(String),
    /// A feature that is switched off by configuration: 503, `UNAVAILABLE`.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else: 500, `INTERNAL`. The detail is logged, never shown.
    #[error("Internal server error")]
    Internal(String),
}

impl ApiError {
    /// "Authentication required": no credentials at all.
    pub fn authentication_required() -> ApiError {
        ApiError::Unauthenticated("Authentication required".to_owned())
    }

    /// "Session expired": a token that no longer (or never did) belong to a working session.
    pub fn session_expired() -> ApiError {
        ApiError::Unauthenticated("Session expired".to_owned())
    }

    /// "Admin access required".
    pub fn admin_required() -> ApiError {
        ApiError::Forbidden("Admin access required".to_owned())
    }

    /// An internal failure; `detail` goes to the log only.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(detail.to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Stale(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The GraphQL `extensions.code`.
    pub fn graphql_code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) | ApiError::Unprocessable(_) => "VALIDATION",
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Conflict(_) | ApiError::Stale(_) => "CONFLICT",
            ApiError::MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            ApiError::TooLarge => "PAYLOAD_TOO_LARGE",
            ApiError::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
            ApiError::TooManyRequests(_) => "TOO_MANY_REQUESTS",
            ApiError::Unavailable(_) => "UNAVAILABLE",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    /// The REST `error` code (FOVEA's names: `UNAUTHORIZED` for 401).
    pub fn rest_code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHORIZED",
            ApiError::Stale(_) => "PRECONDITION_FAILED",
            other => other.graphql_code(),
        }
    }

    /// What goes with the message: REST's `details`, GraphQL's `extensions` besides `code`.
    /// For a stale edit, `{currentVersion, current: {displayName, email, isAdmin, disabled,
    /// version}}`: the account as it is now.
    pub fn details(&self) -> Option<Value> {
        match self {
            ApiError::Stale(current) => Some(json!({
                "currentVersion": current.version,
                "current": {
                    "displayName": current.display_name.as_str(),
                    "email": current.email.as_ref().map(|email| email.as_str()),
                    "isAdmin": current.is_admin,
                    "disabled": current.disabled,
                    "version": current.version,
                },
            })),
            _ => None,
        }
    }

    /// The message a client sees.
    pub fn public_message(&self) -> String {
        self.log_if_internal();
        self.to_string()
    }

    fn log_if_internal(&self) {
        if let ApiError::Internal(detail) = self {
            tracing::error!(error = %detail, "internal error");
        }
    }

    fn from_kind(kind: ErrorKind, message: String) -> ApiError {
        match kind {
            ErrorKind::Validation => ApiError::Validation(message),
            ErrorKind::Unauthenticated => ApiError::Unauthenticated(message),
            ErrorKind::Forbidden => ApiError::Forbidden(message),
            ErrorKind::NotFound => ApiError::NotFound(message),
            ErrorKind::Conflict => ApiError::Conflict(message),
        }
    }
}

impl From<ExecuteError> for ApiError {
    fn from(error: ExecuteError) -> ApiError {
        match error {
            ExecuteError::Rejected(DomainError::User(refusal)) => refusal.into(),
            ExecuteError::Rejected(refusal) => {
                ApiError::from_kind(refusal.kind(), refusal.to_string())
            }
            ExecuteError::Contended { .. } => ApiError::Conflict(error.to_string()),
            other => ApiError::internal(other),
        }
    }
}

macro_rules! validation_from {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for ApiError {
            fn from(error: $error) -> ApiError {
                ApiError::Validation(error.to_string())
            }
        })*
    };
}

validation_from!(
    roster_domain::values::UsernameError,
    roster_domain::values::PasswordError,
    roster_domain::values::EmailError,
    roster_domain::values::DisplayNameError,
    roster_domain::values::ResourceNameError,
);

impl From<UserError> for ApiError {
    fn from(error: UserError) -> ApiError {
        match error {
            UserError::Stale { current } => ApiError::Stale(current),
            error => ApiError::from_kind(error.kind(), error.to_string()),
        }
    }
}

impl From<roster_domain::totp::TotpError> for ApiError {
    fn from(error: roster_domain::totp::TotpError) -> ApiError {
        ApiError::from_kind(error.kind(), error.to_string())
    }
}

impl From<roster_domain::keyring::KeyringError> for ApiError {
    fn from(error: roster_domain::keyring::KeyringError) -> ApiError {
        ApiError::from_kind(error.kind(), error.to_string())
    }
}

impl From<crate::secrets::HashError> for ApiError {
    fn from(error: crate::secrets::HashError) -> ApiError {
        ApiError::internal(error)
    }
}

impl From<roster_projections::NotYetApplied> for ApiError {
    fn from(error: roster_projections::NotYetApplied) -> ApiError {
        ApiError::internal(error)
    }
}

/// The REST error body: `{"error": CODE, "message": ..., "details"?: ...}`; without `details`,
/// the error's own ([`ApiError::details`]).
pub fn rest_body(error: &ApiError, details: Option<Value>) -> Value {
    let mut body = json!({ "error": error.rest_code(), "message": error.public_message() });
    if let Some(details) = details.or_else(|| error.details()) {
        body["details"] = details;
    }
    body
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(rest_body(&self, None))).into_response()
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.public_message()).extend_with(|_, extensions| {
            extensions.set("code", self.graphql_code());
            if let Some(Value::Object(details)) = self.details() {
                for (name, value) in details {
                    if let Ok(value) = async_graphql::Value::from_json(value) {
                        extensions.set(name, value);
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_map_a_domain_refusal_to_its_kind_and_the_guide_message() {
        let error: ApiError =
            ExecuteError::Rejected(DomainError::User(UserError::UsernameTaken)).into();
        assert_eq!(error.status(), StatusCode::CONFLICT);
        assert_eq!(error.graphql_code(), "CONFLICT");
        assert_eq!(error.to_string(), "Username already exists");
        let error: ApiError =
            ExecuteError::Rejected(DomainError::User(UserError::AdminRequired)).into();
        assert_eq!(error.status(), StatusCode::FORBIDDEN);
        assert_eq!(error.public_message(), "Admin access required");
    }

    #[test]
    fn it_should_answer_a_stale_edit_with_the_account_as_it_is_now() {
        use roster_domain::values::{DisplayName, Email};
        let current = CurrentAccount {
            version: 3,
            display_name: DisplayName::parse("Ann A.").unwrap(),
            email: Some(Email::parse("ann@example.org").unwrap()),
            is_admin: false,
            disabled: true,
        };
        let refusal = UserError::Stale {
            current: Box::new(current),
        };
        let message = refusal.to_string();
        let error: ApiError = ExecuteError::Rejected(DomainError::User(refusal)).into();
        assert_eq!(error.public_message(), message);
        assert_eq!(
            message,
            "The account was changed by someone else; reload and try again"
        );
        assert_eq!(
            (error.status(), error.rest_code(), error.graphql_code()),
            (
                StatusCode::PRECONDITION_FAILED,
                "PRECONDITION_FAILED",
                "CONFLICT"
            )
        );
        let current = json!({
            "displayName": "Ann A.",
            "email": "ann@example.org",
            "isAdmin": false,
            "disabled": true,
            "version": 3,
        });
        let body = rest_body(&error, None);
        assert_eq!(body["details"]["currentVersion"], 3);
        assert_eq!(body["details"]["current"], current);
        let graphql = error.extend();
        let extensions = serde_json::to_value(graphql.extensions).unwrap();
        assert_eq!(extensions["code"], "CONFLICT");
        assert_eq!(extensions["currentVersion"], 3);
        assert_eq!(extensions["current"], current);
    }

    #[test]
    fn it_should_hide_the_detail_of_an_internal_error() {
        let error = ApiError::internal("disk I/O error at /secret/path");
        assert_eq!(error.public_message(), INTERNAL_MESSAGE);
        let body = rest_body(&error, None);
        assert_eq!(body["error"], "INTERNAL");
        assert!(!body.to_string().contains("/secret/path"));
        let graphql = error.extend();
        assert_eq!(graphql.message, INTERNAL_MESSAGE);
    }

    #[test]
    fn it_should_name_401_unauthorized_in_rest_and_unauthenticated_in_graphql() {
        let error = ApiError::session_expired();
        assert_eq!(error.rest_code(), "UNAUTHORIZED");
        assert_eq!(error.graphql_code(), "UNAUTHENTICATED");
    }
}
