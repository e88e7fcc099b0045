//! Authorization, decided once per rule. Every use case in `service` asks the rule it needs
//! here, by name; the doors (GraphQL over HTTP and WebSocket, REST, the command line) never
//! decide who may do what, they only translate. The domain checks the same rules again
//! against the event log itself (an administrator demoted a moment ago is refused there even
//! if the read models lag), with the same messages. Rules that need the state of what is
//! acted on (only the owner or an administrator may delete a persona, nobody deletes
//! themself, the last administrator stays) are the domain's alone: the service does not
//! repeat them.

use crate::auth::{Credential, Identity, RequestContext};
use crate::config::Secret;
use crate::error::ApiError;
use roster_domain::ids::{SessionId, UserId};
use roster_domain::stream::KeyringOwner;
use sha2::{Digest, Sha256};

/// Rule: a signed-in user. 401 "Authentication required" without credentials, "Session
/// expired" with a token that no longer works; and an account that must change its password
/// (after an administrator's reset, or the generated first password) may do nothing else
/// until it has: 403 `PASSWORD_CHANGE_REQUIRED`.
pub fn signed_in(caller: &RequestContext) -> Result<&Identity, ApiError> {
    let identity = signed_in_to_change_password(caller)?;
    if identity.must_change_password {
        Err(ApiError::PasswordChangeRequired)
    } else {
        Ok(identity)
    }
}

/// Rule: what an account that must change its password may still do — read its own account
/// (`me`), change the password, log out — needs only a signed-in user.
pub fn signed_in_to_change_password(caller: &RequestContext) -> Result<&Identity, ApiError> {
    match (&caller.identity, caller.credential) {
        (Some(identity), _) => Ok(identity),
        (None, Credential::Rejected) => Err(ApiError::session_expired()),
        (None, _) => Err(ApiError::authentication_required()),
    }
}

/// Rule: "Admin access required": administrator actions need a signed-in administrator (as
/// the read models know them at this request, so a granted or revoked role applies at once).
pub fn administrator(caller: &RequestContext) -> Result<&Identity, ApiError> {
    let identity = signed_in(caller)?;
    if identity.is_admin {
        Ok(identity)
    } else {
        Err(ApiError::admin_required())
    }
}

/// Rule: the history of accounts (the audit log, an account as it was, who was an
/// administrator, a user's export) is read by administrators, and offline by the operator of
/// the store (`roster events`, `roster export`), who holds the file itself.
pub fn auditor(caller: &RequestContext) -> Result<(), ApiError> {
    if caller.credential == Credential::Operator && caller.identity.is_none() {
        return Ok(());
    }
    administrator(caller).map(|_| ())
}

/// Rule: an account (with its statistics) is shown to administrators and to its own user.
pub fn may_view_account(caller: &RequestContext, account: UserId) -> Result<(), ApiError> {
    let identity = signed_in(caller)?;
    if identity.user_id == account {
        Ok(())
    } else {
        administrator(caller).map(|_| ())
    }
}

/// Whose model-service API keys a request manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringScope {
    /// The caller's own keys.
    Own,
    /// The system's keys, shared by every user (administrators).
    System,
}

/// Rule: a user manages their own keys; only administrators manage the system's.
pub fn keyring(caller: &RequestContext, scope: KeyringScope) -> Result<KeyringOwner, ApiError> {
    match scope {
        KeyringScope::Own => Ok(KeyringOwner::User(signed_in(caller)?.user_id)),
        KeyringScope::System => administrator(caller).map(|_| KeyringOwner::System),
    }
}

/// Which sessions a revocation may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionScope {
    /// The caller's own sessions.
    Own,
    /// Anyone's (administrators).
    Any,
}

/// Rule: sessions are ended by their owner, or by an administrator; and "use logout to end
/// your own session": no revocation ends the session the request came with, so the caller
/// is never left holding a dead cookie (a bulk revocation skips it instead). `owner` is the
/// session's user, `None` when the session is unknown or already over.
pub fn may_end_session(
    caller: &RequestContext,
    scope: SessionScope,
    session: SessionId,
    owner: Option<UserId>,
) -> Result<(), ApiError> {
    let identity = match scope {
        SessionScope::Own => signed_in(caller)?,
        SessionScope::Any => administrator(caller)?,
    };
    let Some(owner) = owner else {
        return Err(ApiError::NotFound("Session not found".into()));
    };
    if session == identity.session_id {
        return Err(ApiError::Validation(
            "Use logout to end the current session".into(),
        ));
    }
    if scope == SessionScope::Own && owner != identity.user_id {
        return Err(ApiError::Forbidden(
            "Cannot revoke another user's session".into(),
        ));
    }
    Ok(())
}

/// Rule: a new session's token is shown in the response body only to a client that is not a
/// browser (API clients, scripts, tests). A browser gets it only in the HttpOnly cookie, where
/// no script on the page, injected or not, can read it.
pub fn shows_session_token(caller: &RequestContext) -> bool {
    !caller.browser
}

/// Who asks the model-service endpoint for a plaintext key.
#[derive(Debug, Clone, Copy)]
pub struct ModelServiceCaller<'a> {
    /// The bearer token presented, if any (never a session token: sessions are not accepted).
    pub token: Option<&'a str>,
    /// Whether the request came from a browser (it carried `Origin`).
    pub from_browser: bool,
}

/// Rule: a plaintext API key leaves Roster only to the model service, authenticated by its
/// own token (`ROSTER_SERVICE_TOKEN`), and never to a browser. Without a configured token the
/// endpoint is off.
pub fn model_service(
    expected: Option<&Secret>,
    caller: ModelServiceCaller<'_>,
) -> Result<(), ApiError> {
    let Some(expected) = expected else {
        return Err(ApiError::Unavailable(
            "The key service is disabled: the server has no ROSTER_SERVICE_TOKEN".into(),
        ));
    };
    if caller.from_browser {
        return Err(ApiError::Forbidden(
            "API keys are never sent to a browser".into(),
        ));
    }
    match caller.token {
        None => Err(ApiError::authentication_required()),
        Some(token) if !same_token(token, expected.expose()) => {
            Err(ApiError::Unauthenticated("Invalid service token".into()))
        }
        Some(_) => Ok(()),
    }
}

/// Who asks for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct MetricsCaller<'a> {
    /// The bearer token presented, if any.
    pub token: Option<&'a str>,
    /// Whether the client's address is a loopback address (this machine).
    pub loopback: bool,
    /// Whether the request names a client behind it (`Forwarded`, `X-Forwarded-For`,
    /// `X-Real-IP`): a proxy on this machine passes on requests from anywhere.
    pub proxied: bool,
    /// Whether a browser sent the request (a page can make one on this machine send it).
    pub browser: bool,
}

/// Rule: the counters are for the operator's scraper. With `ROSTER_METRICS_TOKEN`, whoever
/// presents it as a bearer token; without it, only a client on this machine that came through
/// no proxy and is no browser.
pub fn metrics_reader(
    expected: Option<&Secret>,
    caller: MetricsCaller<'_>,
) -> Result<(), ApiError> {
    match (expected, caller.token) {
        (Some(_), None) => Err(ApiError::authentication_required()),
        (Some(expected), Some(token)) if !same_token(token, expected.expose()) => {
            Err(ApiError::Unauthenticated("Invalid metrics token".into()))
        }
        (Some(_), Some(_)) => Ok(()),
        (None, _) if caller.loopback && !caller.proxied && !caller.browser => Ok(()),
        (None, _) => Err(ApiError::Forbidden(
            "Metrics are served to this machine only; set ROSTER_METRICS_TOKEN to scrape them from elsewhere".into(),
        )),
    }
}

/// Compares digests, so the comparison takes the same time wherever the tokens differ.
fn same_token(presented: &str, expected: &str) -> bool {
    Sha256::digest(presented.as_bytes()) == Sha256::digest(expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn signed_in_as(is_admin: bool) -> RequestContext {
        RequestContext {
            identity: Some(Identity {
                user_id: UserId(Uuid::now_v7()),
                username: "someone".into(),
                is_admin,
                must_change_password: false,
                session_id: SessionId(Uuid::now_v7()),
            }),
            credential: Credential::Valid,
            ..RequestContext::anonymous()
        }
    }

    #[test]
    fn it_should_tell_missing_credentials_from_rejected_ones() {
        let mut ctx = RequestContext::anonymous();
        assert_eq!(
            signed_in(&ctx).unwrap_err().to_string(),
            "Authentication required"
        );
        ctx.credential = Credential::Rejected;
        assert_eq!(signed_in(&ctx).unwrap_err().to_string(), "Session expired");
    }

    #[test]
    fn it_should_hold_an_account_that_must_change_its_password_to_that() {
        let mut ctx = signed_in_as(true);
        if let Some(identity) = ctx.identity.as_mut() {
            identity.must_change_password = true;
        }
        assert_eq!(signed_in(&ctx), Err(ApiError::PasswordChangeRequired));
        assert_eq!(administrator(&ctx), Err(ApiError::PasswordChangeRequired));
        assert!(signed_in_to_change_password(&ctx).is_ok());
    }

    #[test]
    fn it_should_show_a_new_session_token_to_api_clients_only() {
        let mut ctx = RequestContext::anonymous();
        assert!(shows_session_token(&ctx));
        ctx.browser = true;
        assert!(!shows_session_token(&ctx));
    }

    #[test]
    fn it_should_serve_metrics_to_the_token_or_else_to_this_machine_only() {
        let local = MetricsCaller {
            token: None,
            loopback: true,
            proxied: false,
            browser: false,
        };
        assert!(metrics_reader(None, local).is_ok());
        for refused in [
            MetricsCaller {
                loopback: false,
                ..local
            },
            MetricsCaller {
                proxied: true,
                ..local
            },
            MetricsCaller {
                browser: true,
                ..local
            },
        ] {
            assert!(matches!(
                metrics_reader(None, refused),
                Err(ApiError::Forbidden(_))
            ));
        }
        let expected = Secret::new("scrape");
        let remote = MetricsCaller {
            loopback: false,
            proxied: true,
            ..local
        };
        assert!(matches!(
            metrics_reader(Some(&expected), local),
            Err(ApiError::Unauthenticated(_))
        ));
        let wrong = MetricsCaller {
            token: Some("guess"),
            ..remote
        };
        assert!(matches!(
            metrics_reader(Some(&expected), wrong),
            Err(ApiError::Unauthenticated(_))
        ));
        let right = MetricsCaller {
            token: Some("scrape"),
            ..remote
        };
        assert!(metrics_reader(Some(&expected), right).is_ok());
    }

    #[test]
    fn it_should_refuse_ending_the_current_session_whoever_asks() {
        for (is_admin, scope) in [(false, SessionScope::Own), (true, SessionScope::Any)] {
            let ctx = signed_in_as(is_admin);
            let identity = ctx.identity.clone().unwrap();
            let refused = may_end_session(&ctx, scope, identity.session_id, Some(identity.user_id));
            assert_eq!(
                refused.unwrap_err().to_string(),
                "Use logout to end the current session"
            );
        }
    }

    #[test]
    fn it_should_let_only_administrators_end_or_manage_what_is_not_theirs() {
        let member = signed_in_as(false);
        let other = UserId(Uuid::now_v7());
        let session = SessionId(Uuid::now_v7());
        assert_eq!(
            may_end_session(&member, SessionScope::Own, session, Some(other))
                .unwrap_err()
                .to_string(),
            "Cannot revoke another user's session"
        );
        assert!(may_end_session(&member, SessionScope::Any, session, Some(other)).is_err());
        assert!(may_view_account(&member, other).is_err());
        assert!(keyring(&member, KeyringScope::System).is_err());
        let admin = signed_in_as(true);
        assert!(may_end_session(&admin, SessionScope::Any, session, Some(other)).is_ok());
        assert!(may_view_account(&admin, other).is_ok());
        assert_eq!(
            keyring(&admin, KeyringScope::System).unwrap(),
            KeyringOwner::System
        );
    }
}
