//! Mutations: each parses its arguments, calls one use case in `service` and shapes the
//! answer. Each returns only after the read models include its events, so the next query
//! sees the change.
//!
//! Longer than most files on purpose: it is the whole mutation contract, one resolver of a few
//! translating lines per field, in the order of the schema; the logic lives in `service`.

use super::inputs::*;
use super::parts;
use super::types::*;
use crate::auth::{RequestContext, clear_session_cookies, session_cookie};
use crate::error::ApiError;
use crate::service::auth::{self as auth_service, LoggedIn, LoginOutcome, ProfileChanges};
use crate::service::owned::{self, Kind, OwnedRecord};
use crate::service::policy::{KeyringScope, SessionScope};
use crate::service::{api_keys, sessions, totp, users};
use async_graphql::{Context, ID, Object, Result, ResultExt};
use axum::http::header::SET_COOKIE;
use roster_domain::store::Revision;
use roster_domain::user::CreatedVia;

/// The root of every mutation.
#[derive(Default)]
pub struct MutationRoot;

fn login_payload(ctx: &Context<'_>, request: &RequestContext, logged_in: LoggedIn) -> LoginPayload {
    let token = logged_in.token.expose();
    if let Some(cookie) = session_cookie(token, logged_in.expires_at, request.tls) {
        ctx.append_http_header(SET_COOKIE, cookie);
    }
    LoginPayload {
        token: logged_in.token_in_body.then(|| token.to_owned()),
        expires_at: Some(logged_in.expires_at),
        user: Some(User::from(&logged_in.user)),
        totp_required: false,
        challenge: None,
    }
}

fn outcome_payload(
    ctx: &Context<'_>,
    request: &RequestContext,
    outcome: LoginOutcome,
) -> LoginPayload {
    match outcome {
        LoginOutcome::LoggedIn(logged_in) => login_payload(ctx, request, logged_in),
        LoginOutcome::TotpRequired(challenge) => LoginPayload {
            token: None,
            expires_at: None,
            user: None,
            totp_required: true,
            challenge: Some(challenge.token.expose().to_owned()),
        },
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The version an `expectedVersion` argument names.
fn expected(version: Option<i32>) -> Result<Option<Revision>> {
    version
        .map(|version| {
            Revision::try_from(version)
                .map_err(|_| ApiError::Validation("expectedVersion cannot be negative".into()))
        })
        .transpose()
        .extend()
}

// Personas, ontologies and annotations share their use cases; only the GraphQL type differs.

async fn create_owned<T: for<'a> From<&'a OwnedRecord>>(
    ctx: &Context<'_>,
    kind: Kind,
    name: &str,
    owner_id: Option<ID>,
) -> Result<T> {
    let (state, request) = parts(ctx)?;
    let record = owned::create(
        state,
        request,
        kind,
        name,
        owner_id.as_ref().map(|id| id.as_str()),
    )
    .await
    .extend()?;
    Ok(T::from(&record))
}

async fn delete_owned(ctx: &Context<'_>, kind: Kind, id: &str) -> Result<bool> {
    let (state, request) = parts(ctx)?;
    owned::delete(state, request, kind, id).await.extend()?;
    Ok(true)
}

// The caller's own keys and the system's differ only in whose keyring they use.

async fn create_key(ctx: &Context<'_>, scope: KeyringScope, input: ApiKeyInput) -> Result<ApiKey> {
    let (state, request) = parts(ctx)?;
    let record = api_keys::add(
        state,
        request,
        scope,
        &input.provider,
        input.name.as_deref(),
        &input.key,
    )
    .await
    .extend()?;
    Ok(ApiKey::from(&record))
}

async fn update_key(
    ctx: &Context<'_>,
    scope: KeyringScope,
    id: &str,
    name: Option<String>,
    key: Option<String>,
) -> Result<ApiKey> {
    let (state, request) = parts(ctx)?;
    let record = api_keys::replace(state, request, scope, id, name.as_deref(), key.as_deref())
        .await
        .extend()?;
    Ok(ApiKey::from(&record))
}

async fn delete_key(ctx: &Context<'_>, scope: KeyringScope, id: &str) -> Result<bool> {
    let (state, request) = parts(ctx)?;
    api_keys::remove(state, request, scope, id).await.extend()?;
    Ok(true)
}

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Logs in; the token is also set as the session cookie (and only there for a browser:
    /// `token` is then null). `rememberMe` null or absent means false. For an account with
    /// two-factor authentication on, no session yet: `totpRequired` and a `challenge` for
    /// `loginTotp`.
    async fn login(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
        // Nullable with a default, as the contract has it: an explicit null means false.
        #[graphql(default_with = "Some(false)")] remember_me: Option<bool>,
    ) -> Result<LoginPayload> {
        let (state, request) = parts(ctx)?;
        let remember_me = remember_me.unwrap_or(false);
        let outcome = auth_service::login(state, request, &username, &password, remember_me)
            .await
            .extend()?;
        Ok(outcome_payload(ctx, request, outcome))
    }

    /// Completes a login that requires a second factor: the `challenge` from `login` (valid
    /// for five minutes, once) and a code from the authenticator app, or a recovery code.
    /// The token is also set as the `session_token` cookie.
    async fn login_totp(
        &self,
        ctx: &Context<'_>,
        challenge: String,
        code: String,
    ) -> Result<LoginPayload> {
        let (state, request) = parts(ctx)?;
        let logged_in = totp::login(state, request, &challenge, &code)
            .await
            .extend()?;
        Ok(login_payload(ctx, request, logged_in))
    }

    /// Ends the current session.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let (state, request) = parts(ctx)?;
        let ended = auth_service::logout(state, request).await.extend()?;
        for cookie in clear_session_cookies(request.tls) {
            ctx.append_http_header(SET_COOKIE, cookie);
        }
        Ok(ended)
    }

    /// Registers an ordinary account and logs it in (only with `ALLOW_REGISTRATION=true`).
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<LoginPayload> {
        let (state, request) = parts(ctx)?;
        let logged_in = auth_service::register(state, request, input.into())
            .await
            .extend()?;
        Ok(login_payload(ctx, request, logged_in))
    }

    /// Creates an account (administrators).
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let record = users::create(state, request, input.into(), CreatedVia::Admin)
            .await
            .extend()?;
        Ok(User::from(&record))
    }

    /// Edits an account (administrators). Active sessions remain valid. With
    /// `expectedVersion` (a `User.version`), refused with CONFLICT, and the account as it is
    /// now in `extensions.current`, when someone else changed the account since.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateUserInput,
        expected_version: Option<i32>,
    ) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let expected = expected(expected_version)?;
        let record = users::update(state, request, &id, input.into(), expected)
            .await
            .extend()?;
        Ok(User::from(&record))
    }

    /// Makes a user an administrator; it applies on their next request. `expectedVersion` as
    /// in `updateUser`.
    async fn grant_admin(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let expected = expected(expected_version)?;
        let record = users::grant_admin(state, request, &id, expected)
            .await
            .extend()?;
        Ok(User::from(&record))
    }

    /// Takes the admin role away (never from the last active administrator).
    /// `expectedVersion` as in `updateUser`.
    async fn revoke_admin(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let expected = expected(expected_version)?;
        let record = users::revoke_admin(state, request, &id, expected)
            .await
            .extend()?;
        Ok(User::from(&record))
    }

    /// Sets a new password for a user (administrators). Their sessions stay valid unless
    /// `revokeSessions`. Null or absent flags mean false. `expectedVersion` as in `updateUser`.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        id: ID,
        password: String,
        #[graphql(default_with = "Some(false)")] revoke_sessions: Option<bool>,
        #[graphql(default_with = "Some(false)")] require_change: Option<bool>,
        expected_version: Option<i32>,
    ) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let expected = expected(expected_version)?;
        let record = users::reset_password(
            state,
            request,
            &id,
            &password,
            revoke_sessions.unwrap_or(false),
            require_change.unwrap_or(false),
            expected,
        )
        .await
        .extend()?;
        Ok(User::from(&record))
    }

    /// Changes the caller's own password; their other sessions end.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<bool> {
        let (state, request) = parts(ctx)?;
        auth_service::change_password(state, request, &current_password, &new_password)
            .await
            .extend()?;
        Ok(true)
    }

    /// Updates the caller's own display name and email (never the admin flag).
    async fn update_my_profile(
        &self,
        ctx: &Context<'_>,
        display_name: Option<String>,
        email: Option<String>,
    ) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let changes = ProfileChanges {
            display_name,
            email,
            ..Default::default()
        };
        let record = auth_service::update_profile(state, request, changes)
            .await
            .extend()?;
        Ok(User::from(&record))
    }

    /// Starts enrolling a new TOTP secret for the caller (replacing a pending one). The
    /// secret is shown this once; two-factor authentication is on once `confirmTotp` confirms
    /// it.
    async fn enroll_totp(&self, ctx: &Context<'_>) -> Result<TotpEnrollment> {
        let (state, request) = parts(ctx)?;
        let enrollment = totp::enroll(state, request).await.extend()?;
        Ok(TotpEnrollment::from(enrollment))
    }

    /// Confirms the caller's pending enrolment with a code from it: two-factor
    /// authentication is on. Returns the ten one-time recovery codes, shown this once.
    async fn confirm_totp(&self, ctx: &Context<'_>, code: String) -> Result<Vec<String>> {
        let (state, request) = parts(ctx)?;
        totp::confirm(state, request, &code).await.extend()
    }

    /// Turns the caller's two-factor authentication off, with a code or a recovery code.
    async fn disable_my_totp(&self, ctx: &Context<'_>, code: String) -> Result<bool> {
        let (state, request) = parts(ctx)?;
        totp::disable(state, request, &code).await.extend()?;
        Ok(true)
    }

    /// Removes a user's second factor, so the password alone logs them in again
    /// (administrators).
    async fn remove_user_totp(&self, ctx: &Context<'_>, user_id: ID) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let record = totp::remove(state, request, &user_id).await.extend()?;
        Ok(User::from(&record))
    }

    /// Stops a user from logging in; their sessions stop at once (administrators).
    /// `expectedVersion` as in `updateUser`.
    async fn disable_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let expected = expected(expected_version)?;
        let record = users::disable(state, request, &id, expected)
            .await
            .extend()?;
        Ok(User::from(&record))
    }

    /// Lets a disabled user log in again (administrators). `expectedVersion` as in
    /// `updateUser`.
    async fn enable_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<User> {
        let (state, request) = parts(ctx)?;
        let expected = expected(expected_version)?;
        let record = users::enable(state, request, &id, expected)
            .await
            .extend()?;
        Ok(User::from(&record))
    }

    /// Deletes a user and everything they own, for good (administrators; not yourself).
    /// `expectedVersion` as in `updateUser`.
    async fn delete_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<bool> {
        let (state, request) = parts(ctx)?;
        let expected = expected(expected_version)?;
        users::delete(state, request, &id, expected)
            .await
            .extend()?;
        Ok(true)
    }

    /// Ends any session (administrators).
    async fn revoke_session(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let (state, request) = parts(ctx)?;
        sessions::revoke(state, request, SessionScope::Any, &id)
            .await
            .extend()?;
        Ok(true)
    }

    /// Ends every session of one user; returns how many ended (administrators).
    async fn revoke_user_sessions(&self, ctx: &Context<'_>, user_id: ID) -> Result<i32> {
        let (state, request) = parts(ctx)?;
        let ended = sessions::revoke_user_sessions(state, request, &user_id)
            .await
            .extend()?;
        Ok(count(ended))
    }

    /// Emergency: logs everyone out but the caller's current session (administrators).
    async fn revoke_all_sessions(&self, ctx: &Context<'_>) -> Result<i32> {
        let (state, request) = parts(ctx)?;
        let ended = sessions::revoke_all(state, request).await.extend()?;
        Ok(count(ended))
    }

    /// Ends one of the caller's own other sessions (the current one ends with `logout`).
    async fn revoke_my_session(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let (state, request) = parts(ctx)?;
        sessions::revoke(state, request, SessionScope::Own, &id)
            .await
            .extend()?;
        Ok(true)
    }

    /// Creates a persona for the caller, or (administrators) for `ownerId`.
    async fn create_persona(
        &self,
        ctx: &Context<'_>,
        name: String,
        owner_id: Option<ID>,
    ) -> Result<Persona> {
        create_owned(ctx, Kind::Persona, &name, owner_id).await
    }

    /// Deletes a persona (its owner or an administrator).
    async fn delete_persona(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        delete_owned(ctx, Kind::Persona, &id).await
    }

    /// Hands a persona to another user (administrators).
    async fn transfer_persona(&self, ctx: &Context<'_>, id: ID, to_user_id: ID) -> Result<Persona> {
        let (state, request) = parts(ctx)?;
        let record = owned::transfer_persona(state, request, &id, &to_user_id)
            .await
            .extend()?;
        Ok(Persona::from(&record))
    }

    /// Stores one of the caller's own API keys (one per provider).
    async fn create_api_key(&self, ctx: &Context<'_>, input: ApiKeyInput) -> Result<ApiKey> {
        create_key(ctx, KeyringScope::Own, input).await
    }

    /// Renames and/or replaces one of the caller's own API keys.
    async fn update_api_key(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        key: Option<String>,
    ) -> Result<ApiKey> {
        update_key(ctx, KeyringScope::Own, &id, name, key).await
    }

    /// Removes one of the caller's own API keys.
    async fn delete_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        delete_key(ctx, KeyringScope::Own, &id).await
    }

    /// Stores a system API key (administrators; one per provider).
    async fn create_system_api_key(&self, ctx: &Context<'_>, input: ApiKeyInput) -> Result<ApiKey> {
        create_key(ctx, KeyringScope::System, input).await
    }

    /// Renames and/or replaces a system API key (administrators).
    async fn update_system_api_key(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        key: Option<String>,
    ) -> Result<ApiKey> {
        update_key(ctx, KeyringScope::System, &id, name, key).await
    }

    /// Removes a system API key (administrators).
    async fn delete_system_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        delete_key(ctx, KeyringScope::System, &id).await
    }

    /// Creates an ontology for the caller, or (administrators) for `ownerId`.
    async fn create_ontology(
        &self,
        ctx: &Context<'_>,
        name: String,
        owner_id: Option<ID>,
    ) -> Result<Ontology> {
        create_owned(ctx, Kind::Ontology, &name, owner_id).await
    }

    /// Deletes an ontology (its owner or an administrator).
    async fn delete_ontology(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        delete_owned(ctx, Kind::Ontology, &id).await
    }

    /// Creates an annotation for the caller, or (administrators) for `ownerId`.
    async fn create_annotation(
        &self,
        ctx: &Context<'_>,
        name: String,
        owner_id: Option<ID>,
    ) -> Result<Annotation> {
        create_owned(ctx, Kind::Annotation, &name, owner_id).await
    }

    /// Deletes an annotation (its owner or an administrator).
    async fn delete_annotation(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        delete_owned(ctx, Kind::Annotation, &id).await
    }
}
