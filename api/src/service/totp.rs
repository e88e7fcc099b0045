//! Two-factor authentication with time-based one-time codes (RFC 6238): a user enrols a
//! secret, confirms it with a first code (and receives ten one-time recovery codes), and may
//! turn it off with a code; an administrator may remove it. Once it is on, the right password
//! gets a short-lived challenge instead of a session ([`super::auth::login`]), and a code or
//! a recovery code completes the login ([`login`]).
//!
//! Every code is a guess like a password: it goes through the same pacing and budgets
//! ([`super::auth`]'s `paced`), on its own account key per user, so that the right password
//! (which clears the password's pacing) cannot reset the pacing of code guesses. A code is
//! checked here against the secret the read models hold (opened by the vault, never logged);
//! the domain then decides again against the log itself whether that secret is still in force
//! and the code's time step not yet spent.

use super::AppState;
use super::auth::{LoggedIn, new_session_token, paced};
use super::policy;
use super::records::UserRecord;
use super::users::existing;
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::secrets::{
    ChallengeToken, PresentedCode, TotpSecret, generate_recovery_code, qr_svg, recovery_code_hash,
};
use chrono::{DateTime, TimeDelta, Utc};
use roster_domain::challenge::{CompleteLoginChallenge, IssueLoginChallenge};
use roster_domain::ids::{SessionId, UserId};
use roster_domain::session::SessionStarted;
use roster_domain::store::Actor;
use roster_domain::totp::{
    ActiveTotp, ConfirmTotp, DisableTotp, RECOVERY_CODES, RemoveTotp, SealedSecret, SecondFactor,
    SecondFactorProof, StartTotpEnrollment, TotpError,
};
use roster_domain::values::PasswordHash;
use tracing::{info, instrument};
use uuid::Uuid;

/// How long a login challenge waits for its second factor.
pub const CHALLENGE_LIFETIME: TimeDelta = TimeDelta::minutes(5);

/// The one message for an unknown, expired, used or stale challenge.
pub const INVALID_CHALLENGE: &str = "Invalid or expired login challenge";

/// What enrolling shows the user, once: the secret, as text, as a URI and as a QR code.
pub struct TotpEnrollment {
    /// The secret in base32, to type into an authenticator app.
    pub secret: String,
    /// The `otpauth://` URI an authenticator app reads.
    pub otpauth_uri: String,
    /// That URI as a QR code, in SVG.
    pub qr_svg: String,
}

/// A login waiting for its second factor: the token is shown to the client this once.
pub struct TotpChallenge {
    /// The challenge token.
    pub token: ChallengeToken,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// The caller enrols a new secret (replacing a pending one); it is shown once, here, and
/// stays pending until [`confirm`].
#[instrument(skip_all)]
pub async fn enroll(state: &AppState, ctx: &RequestContext) -> Result<TotpEnrollment, ApiError> {
    let identity = policy::signed_in(ctx)?;
    let secret = TotpSecret::generate().map_err(ApiError::internal)?;
    let sealed = state
        .vault
        .seal_totp_secret(&secret, identity.user_id)
        .map_err(ApiError::internal)?;
    let otpauth_uri = secret
        .otpauth_uri(&identity.username)
        .map_err(ApiError::internal)?;
    let qr_svg = qr_svg(&otpauth_uri).map_err(ApiError::internal)?;
    let command = StartTotpEnrollment {
        user_id: identity.user_id,
        secret: sealed,
    };
    state.execute(ctx, &command).await?;
    info!(user = %identity.user_id, "two-factor enrolment started");
    Ok(TotpEnrollment {
        secret: secret.base32(),
        otpauth_uri,
        qr_svg,
    })
}

/// The caller confirms their pending enrolment with a code from it: two-factor
/// authentication is on. The ten recovery codes are returned this once; only their hashes are
/// stored.
#[instrument(skip_all)]
pub async fn confirm(
    state: &AppState,
    ctx: &RequestContext,
    code: &str,
) -> Result<Vec<String>, ApiError> {
    let identity = policy::signed_in(ctx)?;
    let user_id = identity.user_id;
    let factor = second_factor(state, user_id);
    if factor.is_on() {
        return Err(TotpError::AlreadyOn.into());
    }
    let pending = factor.pending.ok_or(TotpError::NothingToConfirm)?;
    let secret = open(state, &pending, user_id)?;
    let presented = PresentedCode::parse(code);
    let now = Utc::now();
    let step = paced(state, ctx, &account(user_id), async {
        match &presented {
            PresentedCode::Totp(code) => secret.matching_step(code, unix(now)),
            PresentedCode::Recovery(_) => None,
        }
    })
    .await?
    .ok_or(TotpError::InvalidCode)?;
    let codes = (0..RECOVERY_CODES)
        .map(|_| generate_recovery_code())
        .collect::<Result<Vec<String>, _>>()
        .map_err(ApiError::internal)?;
    let command = ConfirmTotp {
        user_id,
        verified_against: pending,
        step: Some(step),
        recovery_codes: codes.iter().map(|code| recovery_code_hash(code)).collect(),
    };
    state.execute(ctx, &command).await?;
    info!(user = %user_id, "two-factor authentication turned on");
    Ok(codes)
}

/// The caller turns two-factor authentication off, proving a code or a recovery code.
#[instrument(skip_all)]
pub async fn disable(state: &AppState, ctx: &RequestContext, code: &str) -> Result<(), ApiError> {
    let identity = policy::signed_in(ctx)?;
    let user_id = identity.user_id;
    let active = second_factor(state, user_id)
        .active
        .ok_or(TotpError::NotOn)?;
    let proof = prove(state, ctx, user_id, &active, code)
        .await?
        .ok_or(TotpError::InvalidCode)?;
    state.execute(ctx, &DisableTotp { user_id, proof }).await?;
    info!(user = %user_id, "two-factor authentication turned off");
    Ok(())
}

/// An administrator removes a user's second factor (and any pending enrolment); the user logs
/// in with the password alone again. The event names the administrator as its actor.
#[instrument(skip_all)]
pub async fn remove(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &str,
) -> Result<UserRecord, ApiError> {
    let admin = policy::administrator(ctx)?;
    let user_id = super::parse_user_id(user_id)?;
    state.execute(ctx, &RemoveTotp { user_id }).await?;
    info!(user = %user_id, admin = %admin.user_id, "second factor removed by an administrator");
    existing(state, user_id)
}

/// Issues the challenge that completes the login of `user_id`, whose password was verified
/// against `verified_against` (for [`super::auth::login`]).
pub(super) async fn challenge(
    state: &AppState,
    ctx: &RequestContext,
    user_id: UserId,
    verified_against: PasswordHash,
    remember_me: bool,
) -> Result<TotpChallenge, ApiError> {
    let token = ChallengeToken::generate().map_err(ApiError::internal)?;
    let expires_at = Utc::now() + CHALLENGE_LIFETIME;
    let command = IssueLoginChallenge {
        challenge: token.hash(),
        user_id,
        verified_against: Some(verified_against),
        expires_at,
        remember_me,
    };
    state
        .execute_as(Actor::User(user_id.0), ctx.correlation_id, &command)
        .await?;
    Ok(TotpChallenge { token, expires_at })
}

/// Completes a login challenge with a code or a recovery code, and starts the session.
#[instrument(skip_all)]
pub async fn login(
    state: &AppState,
    ctx: &RequestContext,
    challenge: &str,
    code: &str,
) -> Result<LoggedIn, ApiError> {
    let logged_in = complete(state, ctx, challenge, code).await;
    match &logged_in {
        Ok(done) => {
            state.metrics.login_succeeded();
            info!(user = %done.user.user.id, "logged in with a second factor");
        }
        Err(_) => {
            state.metrics.login_failed();
            // Like a refused password: where it came from, never the code or the challenge.
            info!(
                ip = %ctx.ip.as_deref().unwrap_or("unknown"),
                correlation_id = %ctx.correlation_id,
                "second factor refused"
            );
        }
    }
    logged_in
}

async fn complete(
    state: &AppState,
    ctx: &RequestContext,
    challenge: &str,
    code: &str,
) -> Result<LoggedIn, ApiError> {
    let challenge = ChallengeToken::presented(challenge).hash();
    let now = Utc::now();
    let found = state.projections.read(|models| {
        let pending = models.second_factors.challenge(&challenge)?.clone();
        let active = models.second_factors.get(pending.user_id)?.active.clone()?;
        Some((pending, active))
    });
    // Unknown challenges are not guesses worth pacing: 256 random bits cannot be guessed.
    let Some((pending, active)) = found.filter(|(pending, _)| now < pending.expires_at) else {
        return Err(ApiError::Unauthenticated(INVALID_CHALLENGE.into()));
    };
    let user_id = pending.user_id;
    let Some(proof) = prove(state, ctx, user_id, &active, code).await? else {
        return Err(ApiError::Unauthenticated(
            TotpError::InvalidCode.to_string(),
        ));
    };
    let (token, expires_at) = new_session_token(state, pending.remember_me)?;
    let command = CompleteLoginChallenge {
        challenge,
        proof,
        now,
        session_id: SessionId(Uuid::now_v7()),
        session: SessionStarted {
            user_id,
            token_hash: token.hash(),
            expires_at,
            user_agent: ctx.user_agent.clone(),
            ip: ctx.ip.clone(),
            remember_me: pending.remember_me,
        },
    };
    state
        .execute_as(Actor::User(user_id.0), ctx.correlation_id, &command)
        .await?;
    Ok(LoggedIn {
        token,
        token_in_body: policy::shows_session_token(ctx),
        expires_at,
        user: existing(state, user_id)?,
    })
}

/// One paced guess of `user_id`'s second factor: the proof the domain will decide on, when
/// `code` is a code of the current time step or a neighbour not spent yet, or a recovery code
/// not used yet; `None` otherwise.
async fn prove(
    state: &AppState,
    ctx: &RequestContext,
    user_id: UserId,
    active: &ActiveTotp,
    code: &str,
) -> Result<Option<SecondFactorProof>, ApiError> {
    let secret = open(state, &active.secret, user_id)?;
    let presented = PresentedCode::parse(code);
    let now = unix(Utc::now());
    paced(state, ctx, &account(user_id), async {
        match presented {
            PresentedCode::Totp(code) => secret
                .matching_step(&code, now)
                .filter(|step| *step > active.last_step)
                .map(|step| SecondFactorProof::Code {
                    verified_against: active.secret.clone(),
                    step: Some(step),
                }),
            PresentedCode::Recovery(hash) => active
                .recovery_codes
                .contains(&hash)
                .then_some(SecondFactorProof::RecoveryCode(hash)),
        }
    })
    .await
}

/// The user's second factor as the read models know it.
fn second_factor(state: &AppState, user_id: UserId) -> SecondFactor {
    state.projections.read(|models| {
        models
            .second_factors
            .get(user_id)
            .cloned()
            .unwrap_or_default()
    })
}

/// `user_id`'s secret, opened by the vault to check a code (never logged, never stored).
fn open(state: &AppState, sealed: &SealedSecret, user_id: UserId) -> Result<TotpSecret, ApiError> {
    state
        .vault
        .open_totp_secret(sealed, user_id)
        .map_err(ApiError::internal)
}

/// The pacing account of a user's code guesses: apart from their password's (no username
/// contains a colon), so the right password does not clear it.
fn account(user_id: UserId) -> String {
    format!("totp:{user_id}")
}

fn unix(time: DateTime<Utc>) -> u64 {
    u64::try_from(time.timestamp()).unwrap_or_default()
}
