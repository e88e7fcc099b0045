//! The use cases both APIs share: each parses its input into domain values, checks who is
//! asking, sends the command(s) and answers from the read models once they include the
//! command's events. GraphQL resolvers and REST handlers are thin shells over these.
//!
//! - `users`: create, update, grant/revoke admin, reset password, disable/enable, delete.
//! - `account_edit`: several changes to one account as one atomic command.
//! - `auth`: login, logout, register, change own password, own profile.
//! - `sessions`: list and revoke sessions.
//! - `api_keys`: user and system model-service keys, effective key resolution.
//! - `owned`: personas, ontologies, annotations.
//! - `views`: what the read models answer, bundled for both APIs.

pub mod api_keys;
pub mod auth;
pub mod owned;
pub mod sessions;
pub mod users;
pub mod views;

use crate::error::ApiError;
use roster_domain::ids::UserId;

/// Parses a user id given by a client.
pub fn parse_user_id(text: &str) -> Result<UserId, ApiError> {
    UserId::parse(text.trim()).ok_or_else(|| ApiError::NotFound("User not found".to_owned()))
}
