//! Who is asking, as a value: the [`RequestContext`] every door builds for a request and
//! hands to the service layer, and the credential a request presents. Resolving a credential
//! into an [`Identity`] reads the read models, so it lives in `service::identity`.

use super::cookie::token_from_cookie_header;
use axum::http::{HeaderMap, header};
use roster_domain::ids::{SessionId, UserId};
use roster_domain::store::Actor;
use std::net::IpAddr;
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
    /// Whether they must choose a new password before doing anything else.
    pub must_change_password: bool,
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
    /// None needed: the person at the machine, running an offline command on the store itself
    /// (`roster events`, `roster export`), who can read the file anyway. No request over the
    /// network ever carries it: only [`RequestContext::operator`] makes it.
    Operator,
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
    /// Whether a browser sent the request (it carried `Origin` or `Sec-Fetch-Site`, which
    /// browsers add and other clients do not): its session travels in the HttpOnly cookie.
    pub browser: bool,
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
            browser: false,
        }
    }

    /// The operator of an offline command on the store (see [`Credential::Operator`]).
    pub fn operator() -> RequestContext {
        RequestContext {
            credential: Credential::Operator,
            ..RequestContext::anonymous()
        }
    }

    /// The client's address, when known.
    pub fn client_address(&self) -> Option<IpAddr> {
        self.ip.as_deref().and_then(|ip| ip.parse().ok())
    }

    /// Who the request's commands are sent as. An anonymous request acts as the nil user, whom
    /// the domain does not know and so grants nothing; never as `system`.
    pub fn actor(&self) -> Actor {
        match &self.identity {
            Some(identity) => Actor::User(identity.user_id.0),
            None => Actor::User(Uuid::nil()),
        }
    }
}

/// The token in `Authorization: Bearer …`, else in the session cookie.
pub fn presented_token(headers: &HeaderMap) -> Option<String> {
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

/// Whether the request carries a session cookie (either name), which a browser attaches on
/// its own to whatever page caused the request.
pub fn carries_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| token_from_cookie_header(v).is_some())
}

/// Whether a browser sent the request: browsers add `Origin` (to every POST, and to
/// cross-origin requests) or `Sec-Fetch-Site` (to every request), other clients neither.
pub fn sent_by_browser(headers: &HeaderMap) -> bool {
    headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-site")
}

/// The token of an `Authorization` value, `Bearer <token>` (the scheme in any case).
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    Some(token.trim()).filter(|t| scheme.eq_ignore_ascii_case("bearer") && !t.is_empty())
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
}
