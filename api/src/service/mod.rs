//! The application layer: every use case, command or query, is one function here that takes
//! the caller ([`RequestContext`](crate::auth::RequestContext)) and returns domain values or
//! one [`ApiError`]. Each asks its authorization rule in [`policy`] by name, so a rule holds
//! at every door: GraphQL over HTTP and WebSocket and REST only parse input, call a function
//! here and shape its answer.
//!
//! - `state`: [`AppState`], what every use case shares, and "execute, then wait for the read
//!   models".
//! - `policy`: the authorization rules, one function each.
//! - `identity`: who a presented session token belongs to, right now.
//! - `activity`: watching the live feeds, with the rule asked again for every item.
//! - `paging`: page sizes and opaque cursors.
//! - `records`: the read shapes (a user with counts, a session with its owner, the totals),
//!   each built in one place.
//! - `users`: the Admin Panel's users: list, read, create, edit, roles, reset, disable,
//!   delete.
//! - `auth`: login, logout, registration, and a user's own account and password.
//! - `totp`: two-factor authentication: enrol, confirm, disable, an administrator's removal,
//!   and the second half of a login.
//! - `sessions`: list and revoke sessions.
//! - `stats`: the deployment's totals.
//! - `api_keys`: user and system model-service keys, effective key resolution.
//! - `owned`: personas, ontologies, annotations.
//! - `bootstrap`: the first administrator on an empty store.
//! - `audit`: the audit log: what happened to a user, or what a user did, field by field.
//! - `idempotency`: requests sent with an `Idempotency-Key`: run once, answered again.

pub mod activity;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod idempotency;
pub mod identity;
pub mod owned;
pub mod paging;
pub mod policy;
pub mod records;
pub mod sessions;
mod state;
pub mod stats;
pub mod totp;
pub mod users;

pub use state::AppState;

use crate::error::ApiError;
use roster_domain::ids::UserId;

/// Parses a user id given by a client.
pub fn parse_user_id(text: &str) -> Result<UserId, ApiError> {
    UserId::parse(text.trim()).ok_or_else(|| ApiError::NotFound("User not found".to_owned()))
}
