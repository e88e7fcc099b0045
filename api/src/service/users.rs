//! Administering user accounts: the Admin Panel's list and record, and every change an
//! administrator makes to an account.
//!
//! Every change takes the version of the account the client read (`expected`, the revision of
//! its user stream, as `UserView::version` shows it), or `None`. With a version, the change is
//! decided by the domain's [`IfUnchanged`] and refused as stale ([`ApiError::Stale`], with the
//! account as it is now) when someone else changed the account since; the append guards the
//! account's stream at that version, so the check cannot race.

use super::AppState;
use super::records::{
    UserRecord, UserRecordPage, all_user_records, user_record, user_record_by_name,
    user_record_page,
};
use super::{paging, policy};
use crate::auth::RequestContext;
use crate::error::ApiError;
use chrono::Utc;
use roster_domain::decision::Command;
use roster_domain::ids::UserId;
use roster_domain::store::{Actor, Revision};
use roster_domain::stream::StreamId;
use roster_domain::user::{AccountChange, EditAccount, IfUnchanged, UserError};
use roster_domain::user::{
    CreateUser, CreatedVia, DeleteUser, DisableUser, EnableUser, GrantAdmin, ResetPassword,
    RevokeAdmin, UpdateProfile,
};
use roster_domain::values::{DisplayName, Email, Password, Username};
use roster_projections::{UserFilter, UserView};
use tracing::instrument;
use uuid::Uuid;

/// A new account, as a client typed it.
#[derive(Clone, Default)]
pub struct NewUser {
    /// 3–50 characters, unique.
    pub username: String,
    /// Defaults to the username when blank.
    pub display_name: Option<String>,
    /// Optional; unique when given.
    pub email: Option<String>,
    /// At least 6 characters.
    pub password: String,
    /// Grant the admin role (refused for registration).
    pub is_admin: bool,
    /// The new user must choose another password before anything else (never for
    /// registration: the password is their own).
    pub must_change_password: bool,
}

/// Changes to an account; `None` keeps a field as it is.
#[derive(Clone, Default)]
pub struct UserChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New email; an empty string removes it.
    pub email: Option<String>,
    /// Grant or revoke the admin role.
    pub is_admin: Option<bool>,
    /// New password; empty keeps the current one.
    pub password: Option<String>,
}

/// The live user `id` with counts, or NOT_FOUND. No authorization: for use cases that have
/// already asked their rule.
pub fn existing(state: &AppState, id: UserId) -> Result<UserRecord, ApiError> {
    user_record(state, id, Utc::now()).ok_or_else(|| ApiError::NotFound("User not found".into()))
}

/// One page of `first` users matching `filter`, newest first, after the user whose cursor is
/// `after` (administrators).
pub fn page(
    state: &AppState,
    ctx: &RequestContext,
    filter: &UserFilter,
    first: Option<i32>,
    after: Option<&str>,
) -> Result<UserRecordPage, ApiError> {
    policy::administrator(ctx)?;
    let first = paging::page_size(first)?;
    let after = after.map(paging::decode_user).transpose()?;
    Ok(user_record_page(state, filter, first, after, Utc::now()))
}

/// Every user, newest first (administrators).
pub fn list(state: &AppState, ctx: &RequestContext) -> Result<Vec<UserRecord>, ApiError> {
    policy::administrator(ctx)?;
    Ok(all_user_records(state, Utc::now()))
}

/// One user, for the Admin Panel (administrators), or NOT_FOUND.
pub fn read(state: &AppState, ctx: &RequestContext, id: &str) -> Result<UserRecord, ApiError> {
    policy::administrator(ctx)?;
    existing(state, super::parse_user_id(id)?)
}

/// One user by id (preferred when both are given) or username, if they exist:
/// administrators see anyone, a user themself. A user asking for anyone else (or for nobody)
/// is refused, so a member cannot probe which accounts exist.
pub fn find(
    state: &AppState,
    ctx: &RequestContext,
    id: Option<&str>,
    username: Option<&str>,
) -> Result<Option<UserRecord>, ApiError> {
    policy::signed_in(ctx)?;
    let now = Utc::now();
    let record = match (id, username) {
        (Some(id), _) => match super::parse_user_id(id) {
            Ok(id) => user_record(state, id, now),
            Err(_) => None,
        },
        (None, Some(name)) => user_record_by_name(state, name, now),
        (None, None) => return Err(ApiError::Validation("Give an id or a username".into())),
    };
    match &record {
        Some(found) => policy::may_view_account(ctx, found.user.id)?,
        None => {
            policy::administrator(ctx)?;
        }
    }
    Ok(record)
}

/// Parses and creates an account; `via` decides who may (admin, registration, bootstrap).
#[instrument(skip_all, fields(via = ?via))]
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    input: NewUser,
    via: CreatedVia,
) -> Result<UserRecord, ApiError> {
    if via == CreatedVia::Admin {
        policy::administrator(ctx)?;
    }
    let username = Username::parse(&input.username)?;
    let display_name = match input.display_name.as_deref().map(str::trim) {
        None | Some("") => DisplayName::parse(username.as_str())?,
        Some(name) => DisplayName::parse(name)?,
    };
    let email = Email::parse_optional(input.email.as_deref())?;
    let password = Password::parse(&input.password)?;
    // A name already taken is refused before any hashing, so duplicates cost no argon2
    // work; the reservation in the command still decides, atomically, for names taken
    // meanwhile.
    if state
        .projections
        .read(|models| models.users.by_username(username.as_str()).is_some())
    {
        return Err(UserError::UsernameTaken.into());
    }
    let password_hash = state.hasher.hash(&password).await?;
    let user_id = UserId(Uuid::now_v7());
    let command = CreateUser {
        user_id,
        username,
        display_name,
        email,
        password_hash,
        is_admin: input.is_admin,
        must_change_password: input.must_change_password,
        via,
    };
    match via {
        // Someone registering is nobody yet: they act as the account they are creating.
        CreatedVia::Registration => {
            state
                .execute_as(Actor::User(user_id.0), ctx.correlation_id, &command)
                .await?
        }
        CreatedVia::Bootstrap => {
            state
                .execute_as(Actor::System, ctx.correlation_id, &command)
                .await?
        }
        CreatedVia::Admin => state.execute(ctx, &command).await?,
    };
    existing(state, user_id)
}

/// Applies `changes` to an account (administrators): profile, password, admin role. Every
/// value is parsed before anything is written, and the whole edit is one command
/// ([`EditAccount`]), so a refusal (an invalid email, demoting the last administrator, a
/// stale `expected` version) leaves the account exactly as it was.
///
/// Fields left out keep the values the read model shows; with `expected`, the edit lands only
/// if the account is still at that version, so those values are the ones the edit rests on.
#[instrument(skip_all, fields(user = id, expected))]
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    changes: UserChanges,
    expected: Option<Revision>,
) -> Result<UserRecord, ApiError> {
    policy::administrator(ctx)?;
    let id = super::parse_user_id(id)?;
    let current = existing(state, id)?.user;
    let mut edit = vec![AccountChange::Profile(profile_update(
        &current,
        changes.display_name.as_deref(),
        changes.email.as_deref(),
    )?)];
    let password = match changes.password.as_deref() {
        None | Some("") => None,
        Some(text) => Some(Password::parse(text)?),
    };
    if let Some(password) = password {
        edit.push(AccountChange::ResetPassword(ResetPassword {
            user_id: id,
            password_hash: state.hasher.hash(&password).await?,
            revoke_sessions: false,
            require_change: false,
        }));
    }
    match changes.is_admin {
        Some(true) => edit.push(AccountChange::GrantAdmin(GrantAdmin { user_id: id })),
        Some(false) => edit.push(AccountChange::RevokeAdmin(RevokeAdmin { user_id: id })),
        None => {}
    }
    let edit = EditAccount { changes: edit };
    state
        .execute(ctx, &if_unchanged(id, expected, edit))
        .await?;
    existing(state, id)
}

/// `command` on account `id`, decided only while the account is at `expected` (if given).
fn if_unchanged<C>(id: UserId, expected: Option<Revision>, command: C) -> IfUnchanged<C> {
    IfUnchanged {
        user_id: id,
        expected_version: expected,
        command,
    }
}

/// The profile of `current` with a new display name and/or email (`None` keeps a field; an
/// empty email removes it), parsed.
pub fn profile_update(
    current: &UserView,
    display_name: Option<&str>,
    email: Option<&str>,
) -> Result<UpdateProfile, ApiError> {
    let display_name = match display_name {
        Some(name) => DisplayName::parse(name)?,
        None => DisplayName::parse(&current.display_name)?,
    };
    let email = match email {
        Some(text) => Email::parse_optional(Some(text))?,
        None => current.email.as_deref().map(Email::parse).transpose()?,
    };
    Ok(UpdateProfile {
        user_id: current.id,
        display_name,
        email,
    })
}

/// An administrator's change to one account that is one command: the rule, the id, the
/// command (at the version `expected`, if given), then the account as it is now.
async fn administer<C: Command<Error = UserError>>(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    expected: Option<Revision>,
    command: impl FnOnce(UserId) -> C,
) -> Result<UserRecord, ApiError> {
    policy::administrator(ctx)?;
    let id = super::parse_user_id(id)?;
    state
        .execute(ctx, &if_unchanged(id, expected, command(id)))
        .await?;
    existing(state, id)
}

/// Makes a user an administrator; it applies on their next request.
#[instrument(skip_all, fields(user = id, expected))]
pub async fn grant_admin(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    expected: Option<Revision>,
) -> Result<UserRecord, ApiError> {
    administer(state, ctx, id, expected, |user_id| GrantAdmin { user_id }).await
}

/// Takes the admin role away (never from the last active administrator).
#[instrument(skip_all, fields(user = id, expected))]
pub async fn revoke_admin(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    expected: Option<Revision>,
) -> Result<UserRecord, ApiError> {
    administer(state, ctx, id, expected, |user_id| RevokeAdmin { user_id }).await
}

/// An administrator sets a new password. Sessions survive unless `revoke_sessions`.
#[instrument(skip_all, fields(user = id, revoke_sessions, require_change, expected))]
pub async fn reset_password(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    password: &str,
    revoke_sessions: bool,
    require_change: bool,
    expected: Option<Revision>,
) -> Result<UserRecord, ApiError> {
    policy::administrator(ctx)?;
    let id = super::parse_user_id(id)?;
    let password = Password::parse(password)?;
    existing(state, id)?;
    let password_hash = state.hasher.hash(&password).await?;
    let reset = ResetPassword {
        user_id: id,
        password_hash,
        revoke_sessions,
        require_change,
    };
    state
        .execute(ctx, &if_unchanged(id, expected, reset))
        .await?;
    existing(state, id)
}

/// Stops a user from logging in; their sessions stop at once.
#[instrument(skip_all, fields(user = id, expected))]
pub async fn disable(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    expected: Option<Revision>,
) -> Result<UserRecord, ApiError> {
    administer(state, ctx, id, expected, |user_id| DisableUser { user_id }).await
}

/// Lets a disabled user log in again.
#[instrument(skip_all, fields(user = id, expected))]
pub async fn enable(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    expected: Option<Revision>,
) -> Result<UserRecord, ApiError> {
    administer(state, ctx, id, expected, |user_id| EnableUser { user_id }).await
}

/// Deletes a user and everything they own, for good. Nobody deletes themself (the domain's
/// rule, decided against the log). Returns the account's last version: that of its deletion.
#[instrument(skip_all, fields(user = id, expected))]
pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    expected: Option<Revision>,
) -> Result<Option<Revision>, ApiError> {
    policy::administrator(ctx)?;
    let id = super::parse_user_id(id)?;
    let delete = DeleteUser { user_id: id };
    let executed = state
        .execute(ctx, &if_unchanged(id, expected, delete))
        .await?;
    Ok(executed.revision(&StreamId::User(id)))
}
