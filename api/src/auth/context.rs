use super::cookie::token_from_cookie_header;
use crate::error::ApiError;
use crate::secrets::SessionToken;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use roster_domain::ids::{SessionId, UserId};
use roster_domain::session::RecordSessionActivity;
use roster_domain::store::Actor;
use std::net::SocketAddr;
use tracing::debug;
use uuid::Uuid;

/// The signed-in user behind a request, as the read models know them right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Who.
    pub user_id: UserId,
    /// Their username.
    pub username: String,
    /// Whether they are an administrator at this moment.
    pub is_admin: bool,
    /// The session the request came with.
    pub session_id: SessionId,
}

/// What the request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// Nothing.
    None,
    /// A token that belongs to a working session.
    Valid,
    /// A token that does not (expired, ended, unknown, or its user is disabled or deleted).
    Rejected,
}

/// Everything about one request that handlers need besides its body.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The signed-in user, if any.
    pub identity: Option<Identity>,
    /// What was presented.
    pub credential: Credential,
    /// Shared by every command of this request (the events' correlation id).
    pub correlation_id: Uuid,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
    /// The client's address.
    pub ip: Option<String>,
    /// Whether the request reached us over TLS (directly or through a proxy).
    pub tls: bool,
}

impl RequestContext {
    /// An anonymous context (tools and tests).
    pub fn anonymous() -> RequestContext {
        RequestContext {
            identity: None,
            credential: Credential::None,
            correlation_id: Uuid::now_v7(),
            user_agent: None,
            ip: None,
            tls: false,
        }
    }

    /// Who the request's commands are sent as. An anonymous request acts as the nil user, whom
    /// the domain does not know and so grants nothing; never as `system`.
    pub fn actor(&self) -> Actor {
        match &self.identity {
            Some(identity) => Actor::User(identity.user_id.0),
            None => Actor::User(Uuid::nil()),
        }
    }

    /// The signed-in user, or 401 ("Authentication required" / "Session expired").
    pub fn require_user(&self) -> Result<&Identity, ApiError> {
        match (&self.identity, self.credential) {
            (Some(identity), _) => Ok(identity),
            (None, Credential::Rejected) => Err(ApiError::session_expired()),
            (None, _) => Err(ApiError::authentication_required()),
        }
    }

    /// The signed-in administrator, or 401/403 ("Admin access required").
    pub fn require_admin(&self) -> Result<&Identity, ApiError> {
        let identity = self.require_user()?;
        if identity.is_admin {
            Ok(identity)
        } else {
            Err(ApiError::admin_required())
        }
    }
}

/// The token in `Authorization: Bearer …`, else in the `session_token` cookie.
fn presented_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    if let Some(token) = bearer {
        return Some(token.to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token_from_cookie_header)
        .map(str::to_owned)
}

/// The token of an `Authorization` value, `Bearer <token>` (the scheme in any case).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    Some(token.trim()).filter(|t| scheme.eq_ignore_ascii_case("bearer") && !t.is_empty())
}

/// What the read models say about a presented token right now: the identity, and when the
/// session was last seen (for the idle timeout).
pub fn resolve_identity(
    state: &AppState,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Option<(Identity, DateTime<Utc>)> {
    let hash = token.hash();
    state.projections.read(|models| {
        let session = models.sessions.by_token_hash(hash.as_str(), now)?;
        let user = models.users.get(session.user_id).filter(|u| !u.disabled)?;
        Some((
            Identity {
                user_id: user.id,
                username: user.username.clone(),
                is_admin: user.is_admin,
                session_id: session.id,
            },
            session.last_seen_at,
        ))
    })
}

/// The identity behind a session id right now: `None` once the session has ended, expired or
/// idled out, or its user is disabled or deleted. For connections that outlive one request.
pub fn current_identity(
    state: &AppState,
    session_id: SessionId,
    now: DateTime<Utc>,
) -> Option<Identity> {
    state.projections.read(|models| {
        let session = models.sessions.get(session_id, now)?;
        let user = models.users.get(session.user_id).filter(|u| !u.disabled)?;
        Some(Identity {
            user_id: user.id,
            username: user.username.clone(),
            is_admin: user.is_admin,
            session_id: session.id,
        })
    })
}

/// Who presented `token` (if anyone did), recording the session's use.
fn identify_token(state: &AppState, token: Option<&str>) -> (Option<Identity>, Credential) {
    let Some(token) = token else {
        return (None, Credential::None);
    };
    let now = Utc::now();
    match resolve_identity(state, &SessionToken::presented(token), now) {
        Some((identity, last_seen)) => {
            record_activity(state, &identity, last_seen, now);
            (Some(identity), Credential::Valid)
        }
        None => (None, Credential::Rejected),
    }
}

/// The context of a subscription socket: the upgrading request's, unless the
/// graphql-transport-ws `connection_init` payload carries `{"authorization": "Bearer …"}`
/// (browsers cannot set headers on a WebSocket), which then decides alone.
pub fn socket_context(
    state: &AppState,
    upgrade: RequestContext,
    init_payload: &serde_json::Value,
) -> RequestContext {
    let authorization = init_payload.as_object().and_then(|fields| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| value.as_str().unwrap_or_default())
    });
    match authorization {
        None => upgrade,
        Some(value) => {
            let (identity, credential) = match bearer_token(value) {
                Some(token) => identify_token(state, Some(token)),
                None => (None, Credential::Rejected),
            };
            RequestContext {
                identity,
                credential,
                ..upgrade
            }
        }
    }
}

/// Middleware: resolves the caller and attaches a [`RequestContext`] to the request.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let (identity, credential) = identify_token(&state, presented_token(headers).as_deref());
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let context = RequestContext {
        identity,
        credential,
        correlation_id: Uuid::now_v7(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string()),
        tls: state.config.secure_cookies || forwarded_https,
    };
    request.extensions_mut().insert(context);
    next.run(request).await
}

/// Records that a session was used, at most once per a fraction of the idle timeout (so an
/// active session never idles out, and a busy one does not write an event per request). It
/// runs in the background: the request does not wait for it.
fn record_activity(
    state: &AppState,
    identity: &Identity,
    last_seen: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    let interval = (state.config.idle_timeout / 4).min(Duration::minutes(5));
    if now - last_seen < interval {
        return;
    }
    let state = state.clone();
    let actor = Actor::User(identity.user_id.0);
    let command = RecordSessionActivity {
        session_id: identity.session_id,
        at: now,
    };
    tokio::spawn(async move {
        if let Err(error) = state.execute_as(actor, Uuid::now_v7(), &command).await {
            debug!(%error, "session activity not recorded");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn it_should_prefer_the_bearer_header_over_the_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("session_token=c"));
        assert_eq!(presented_token(&headers).as_deref(), Some("c"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        assert_eq!(presented_token(&headers).as_deref(), Some("b"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic x"));
        assert_eq!(presented_token(&headers).as_deref(), Some("c"));
    }

    #[test]
    fn it_should_tell_missing_credentials_from_rejected_ones() {
        let mut ctx = RequestContext::anonymous();
        assert_eq!(
            ctx.require_user().unwrap_err().to_string(),
            "Authentication required"
        );
        ctx.credential = Credential::Rejected;
        assert_eq!(
            ctx.require_user().unwrap_err().to_string(),
            "Session expired"
        );
    }
}
