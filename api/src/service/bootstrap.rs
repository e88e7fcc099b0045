//! First run: on a store without users, create the first administrator from
//! `ROSTER_ADMIN_USERNAME` / `ROSTER_ADMIN_PASSWORD`, or with a generated password that the
//! binary prints once to standard output (never to the log, never into an event).

use super::AppState;
use super::users::{self, NewUser};
use crate::auth::RequestContext;
use crate::config::Secret;
use crate::error::ApiError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use roster_domain::user::CreatedVia;
use tracing::info;

/// The username used when `ROSTER_ADMIN_USERNAME` is not set.
pub const DEFAULT_ADMIN: &str = "admin";

/// What the first-run check did.
#[derive(Debug)]
pub enum Bootstrapped {
    /// The store already has users.
    AlreadyDone,
    /// The first administrator was created.
    Created {
        /// Their username.
        username: String,
        /// The generated password, when none was configured: show it once.
        generated_password: Option<Secret>,
    },
}

fn generate_password() -> Result<Secret, ApiError> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(Secret::new(URL_SAFE_NO_PAD.encode(bytes)))
}

/// Creates the first administrator if the store has no user yet.
pub async fn bootstrap(state: &AppState) -> Result<Bootstrapped, ApiError> {
    if state.projections.read(|m| m.users.count() > 0) {
        return Ok(Bootstrapped::AlreadyDone);
    }
    let username = state
        .config
        .admin_username
        .clone()
        .unwrap_or_else(|| DEFAULT_ADMIN.to_owned());
    let (password, generated) = match &state.config.admin_password {
        Some(password) => (password.clone(), false),
        None => (generate_password()?, true),
    };
    let new_user = NewUser {
        username: username.clone(),
        display_name: Some("Administrator".to_owned()),
        email: None,
        password: password.expose().to_owned(),
        is_admin: true,
        // A generated password was printed to a terminal: it must not stay in use.
        must_change_password: generated,
    };
    match users::create(
        state,
        &RequestContext::anonymous(),
        new_user,
        CreatedVia::Bootstrap,
    )
    .await
    {
        Ok(record) => {
            info!(user = %record.user.id, username = %record.user.username, "first administrator created");
            Ok(Bootstrapped::Created {
                username: record.user.username,
                generated_password: generated.then_some(password),
            })
        }
        // Another instance bootstrapped first.
        Err(ApiError::Conflict(_)) => Ok(Bootstrapped::AlreadyDone),
        Err(error) => Err(error),
    }
}
