//! Logging in and out, registering, and a user's own account.

use super::AppState;
use super::policy;
use super::records::UserRecord;
use super::totp::{self, TotpChallenge};
use super::users::{self, NewUser, existing};
use crate::auth::{Identity, RequestContext, username_fingerprint};
use crate::error::ApiError;
use crate::secrets::SessionToken;
use chrono::{DateTime, Utc};
use roster_domain::ids::SessionId;
use roster_domain::session::{EndReason, EndSession, StartSession};
use roster_domain::store::Actor;
use roster_domain::user::{AccountChange, EditAccount};
use roster_domain::user::{ChangePassword, CreatedVia, UserError};
use roster_domain::values::{Password, PasswordHash, Username};
use std::future::Future;
use tracing::{info, instrument};
use uuid::Uuid;

/// The one message for an unknown user and a wrong password.
pub const INVALID_CREDENTIALS: &str = "Invalid username or password";

/// A new session: the token is shown to the client this once.
pub struct LoggedIn {
    /// The bearer token (always set as the session cookie).
    pub token: SessionToken,
    /// Whether the token may also go in the answer's body: not for a browser, whose session
    /// stays in the HttpOnly cookie ([`policy::shows_session_token`]).
    pub token_in_body: bool,
    /// When the session ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// Who logged in.
    pub user: UserRecord,
}

/// What the right password gets.
pub enum LoginOutcome {
    /// A session (two-factor authentication is off).
    LoggedIn(LoggedIn),
    /// Two-factor authentication is on: no session yet, but a challenge that a code (or a
    /// recovery code) completes ([`totp::login`]).
    TotpRequired(TotpChallenge),
}

impl LoginOutcome {
    /// The session, when the login started one.
    pub fn logged_in(self) -> Option<LoggedIn> {
        match self {
            LoginOutcome::LoggedIn(logged_in) => Some(logged_in),
            LoginOutcome::TotpRequired(_) => None,
        }
    }
}

/// Checks a username and password and starts a session, or, for an account with two-factor
/// authentication on, issues the challenge a second factor completes: a password alone never
/// starts such an account's session (the domain refuses it too).
///
/// An unknown user is verified against a dummy hash, so both failures take the same time and
/// give the same message; attempts on an account that keeps failing are paced (see
/// [`crate::auth::LoginThrottle`]).
#[instrument(skip_all)]
pub async fn login(
    state: &AppState,
    ctx: &RequestContext,
    username: &str,
    password: &str,
    remember_me: bool,
) -> Result<LoginOutcome, ApiError> {
    // A name that is not a username cannot be an account: nothing to check or to pace.
    if Username::parse(username).is_err() {
        state.metrics.login_failed();
        return Err(ApiError::Unauthenticated(INVALID_CREDENTIALS.into()));
    }
    let found = state.projections.read(|models| {
        models
            .users
            .by_username(username)
            .map(|u| (u.id, u.password_hash.clone()))
    });
    let stored = found.as_ref().map(|(_, hash)| hash);
    let verified = guess(state, ctx, username, password, stored)
        .await
        .inspect_err(|_| state.metrics.login_failed())?;
    let Some((user_id, hash)) = found.filter(|_| verified) else {
        state.metrics.login_failed();
        info!(
            user = %username_fingerprint(username),
            ip = %ctx.ip.as_deref().unwrap_or("unknown"),
            correlation_id = %ctx.correlation_id,
            "login refused"
        );
        return Err(ApiError::Unauthenticated(INVALID_CREDENTIALS.into()));
    };
    if state
        .projections
        .read(|models| models.second_factors.is_on(user_id))
    {
        let challenge = totp::challenge(state, ctx, user_id, hash, remember_me).await?;
        info!(user = %user_id, "password verified; second factor required");
        return Ok(LoginOutcome::TotpRequired(challenge));
    }
    let (token, expires_at) = new_session_token(state, remember_me)?;
    let command = StartSession {
        session_id: SessionId(Uuid::now_v7()),
        user_id,
        verified_against: Some(hash),
        token_hash: token.hash(),
        expires_at,
        user_agent: ctx.user_agent.clone(),
        ip: ctx.ip.clone(),
        remember_me,
    };
    let started = state
        .execute_as(Actor::User(user_id.0), ctx.correlation_id, &command)
        .await;
    if let Err(error) = started {
        state.metrics.login_failed();
        return Err(error);
    }
    state.metrics.login_succeeded();
    info!(user = %user_id, remember_me, "logged in");
    Ok(LoginOutcome::LoggedIn(LoggedIn {
        token,
        token_in_body: policy::shows_session_token(ctx),
        expires_at,
        user: existing(state, user_id)?,
    }))
}

/// A new session's token, and when the session ends at the latest.
pub(super) fn new_session_token(
    state: &AppState,
    remember_me: bool,
) -> Result<(SessionToken, DateTime<Utc>), ApiError> {
    let token = SessionToken::generate().map_err(ApiError::internal)?;
    let lifetime = if remember_me {
        state.config.remember_lifetime
    } else {
        state.config.session_lifetime
    };
    Ok((token, Utc::now() + lifetime))
}

/// The caller's own account, with counts.
pub fn me(state: &AppState, ctx: &RequestContext) -> Result<UserRecord, ApiError> {
    existing(state, policy::signed_in_to_change_password(ctx)?.user_id)
}

/// One password guess against the account `username`, the way every password check goes:
/// paced and budgeted by [`paced`], verified off the runtime (against a dummy hash when there
/// is no account, so both take the same time). Whether it was right; an attempt refused
/// unchecked is `TOO_MANY_REQUESTS`.
async fn guess(
    state: &AppState,
    ctx: &RequestContext,
    username: &str,
    password: &str,
    stored: Option<&PasswordHash>,
) -> Result<bool, ApiError> {
    let verified = paced(state, ctx, username, async {
        state.hasher.verify(password, stored).await.then_some(())
    })
    .await?;
    Ok(verified.is_some() && stored.is_some())
}

/// One guess of a secret (a password, a second-factor code) on the account `account`, the
/// way every such check goes: within the caller's address's and the server's budgets, at the
/// account's next slot ([`crate::auth::LoginThrottle`]; the slot is reserved before waiting,
/// so parallel guesses queue one delay apart), and only then `check`ed. What the check found
/// (`None`: the guess was wrong); an attempt refused unchecked is `TOO_MANY_REQUESTS`. A
/// right guess clears the account's pacing and gives its budget token back.
pub(super) async fn paced<T>(
    state: &AppState,
    ctx: &RequestContext,
    account: &str,
    check: impl Future<Output = Option<T>>,
) -> Result<Option<T>, ApiError> {
    let spent = state.guesses.spend(ctx.client_address()).map_err(|over| {
        info!(%over, "guess refused unchecked");
        ApiError::TooManyRequests("Too many attempts; try again later".into())
    })?;
    let wait = match state.throttle.reserve(account) {
        Ok(wait) => wait,
        Err(_) => {
            // Not checked, so it cost no hash: the budgets keep their token.
            state.guesses.refund(spent);
            info!("guess refused unchecked: too many attempts on the account");
            return Err(ApiError::TooManyRequests(
                "Too many login attempts; try again later".into(),
            ));
        }
    };
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let found = check.await;
    if found.is_some() {
        // Whatever happens next, guessing is over.
        state.throttle.record_success(account);
        state.guesses.refund(spent);
    } else {
        state.throttle.record_failure(account);
    }
    Ok(found)
}

/// Ends the request's own session. Without one there is nothing to end, which is fine.
#[instrument(skip_all)]
pub async fn logout(state: &AppState, ctx: &RequestContext) -> Result<bool, ApiError> {
    let Some(identity) = &ctx.identity else {
        return Ok(false);
    };
    state
        .execute(
            ctx,
            &EndSession {
                session_id: identity.session_id,
                reason: EndReason::Logout,
            },
        )
        .await?;
    Ok(true)
}

/// Creates an ordinary account for someone registering themself (only when allowed), and
/// logs them in.
#[instrument(skip_all)]
pub async fn register(
    state: &AppState,
    ctx: &RequestContext,
    mut input: NewUser,
) -> Result<LoggedIn, ApiError> {
    if !state.config.allow_registration {
        return Err(ApiError::Forbidden("Registration is disabled".into()));
    }
    // Every registration spends the address's budget, kept even when it succeeds: it costs a
    // hash, and "Username already exists" would otherwise enumerate accounts at full speed.
    let _spent = state.guesses.spend(ctx.client_address()).map_err(|over| {
        info!(%over, "registration refused unchecked");
        ApiError::TooManyRequests("Too many attempts; try again later".into())
    })?;
    // Registration never creates an administrator, whatever the request says, and the
    // password is the registrant's own.
    input.is_admin = false;
    input.must_change_password = false;
    let password = input.password.clone();
    let created = users::create(state, ctx, input, CreatedVia::Registration).await?;
    // A new account has no second factor: its login starts a session.
    login(state, ctx, &created.user.username, &password, false)
        .await?
        .logged_in()
        .ok_or_else(|| ApiError::internal("a new account asked for a second factor"))
}

/// A user changes their own password, proving the current one; their other sessions end.
#[instrument(skip_all)]
pub async fn change_password(
    state: &AppState,
    ctx: &RequestContext,
    current_password: &str,
    new_password: &str,
) -> Result<(), ApiError> {
    let identity = policy::signed_in_to_change_password(ctx)?;
    let new_password = Password::parse(new_password)?;
    let command = password_change(state, ctx, identity, current_password, &new_password).await?;
    state.execute(ctx, &command).await?;
    Ok(())
}

/// The command that sets `identity`'s new password, once the current one is verified: a
/// wrong one is refused here, before anything is hashed or written. The command carries the
/// hash it was verified against, so a reset that lands meanwhile still makes it fail.
async fn password_change(
    state: &AppState,
    ctx: &RequestContext,
    identity: &Identity,
    current_password: &str,
    new_password: &Password,
) -> Result<ChangePassword, ApiError> {
    let stored = existing(state, identity.user_id)?.user.password_hash;
    // Paced and budgeted like a login: a stolen session must not become a fast oracle.
    if !guess(
        state,
        ctx,
        &identity.username,
        current_password,
        Some(&stored),
    )
    .await?
    {
        return Err(UserError::WrongCurrentPassword.into());
    }
    Ok(ChangePassword {
        user_id: identity.user_id,
        verified_against: Some(stored),
        new_password_hash: state.hasher.hash(new_password).await?,
        current_session: Some(identity.session_id),
    })
}

/// A user's changes to their own profile (never the admin flag).
#[derive(Clone, Default)]
pub struct ProfileChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New email; empty removes it.
    pub email: Option<String>,
    /// The current password, required to set a new one.
    pub current_password: Option<String>,
    /// A new password.
    pub new_password: Option<String>,
}

/// Updates the caller's own profile, and password when both passwords are given. Everything
/// is checked first (values parsed, the current password verified) and then written as one
/// command ([`EditAccount`]), so a refused update changes nothing.
#[instrument(skip_all)]
pub async fn update_profile(
    state: &AppState,
    ctx: &RequestContext,
    changes: ProfileChanges,
) -> Result<UserRecord, ApiError> {
    // Setting a new password is what an account that must change it may still do.
    let identity = match changes.new_password.as_deref() {
        Some(new_password) if !new_password.is_empty() => {
            policy::signed_in_to_change_password(ctx)?
        }
        _ => policy::signed_in(ctx)?,
    };
    let current = existing(state, identity.user_id)?.user;
    let profile = users::profile_update(
        &current,
        changes.display_name.as_deref(),
        changes.email.as_deref(),
    )?;
    // A new email answers "Email already exists" when someone has it: each try spends the
    // address's budget (given back when the change goes through), so nobody can test
    // addresses one after another at full speed.
    let email_probe = match &profile.email {
        Some(email) if current.email.as_deref() != Some(email.as_str()) => {
            Some(state.guesses.spend(ctx.client_address()).map_err(|over| {
                info!(%over, "email change refused unchecked");
                ApiError::TooManyRequests("Too many attempts; try again later".into())
            })?)
        }
        _ => None,
    };
    let mut edit = vec![AccountChange::Profile(profile)];
    if let Some(new_password) = changes.new_password.filter(|p| !p.is_empty()) {
        let new_password = Password::parse(&new_password)?;
        let current_password = changes
            .current_password
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                ApiError::Validation("Current password is required to set a new password".into())
            })?;
        edit.push(AccountChange::ChangePassword(
            password_change(state, ctx, identity, &current_password, &new_password).await?,
        ));
    }
    state.execute(ctx, &EditAccount { changes: edit }).await?;
    if let Some(spent) = email_probe {
        state.guesses.refund(spent);
    }
    existing(state, identity.user_id)
}
