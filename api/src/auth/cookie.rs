use axum::http::HeaderValue;
use chrono::{DateTime, Utc};

/// The cookie the web page authenticates with.
pub const SESSION_COOKIE: &str = "session_token";

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, Secure when served over TLS,
/// expiring with the session.
pub fn session_cookie(token: &str, expires_at: DateTime<Utc>, secure: bool) -> Option<HeaderValue> {
    let expires = expires_at.format("%a, %d %b %Y %H:%M:%S GMT");
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Expires={expires}{secure}"
    ))
    .ok()
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("session_token=; Path=/; Max-Age=0"))
}

/// The value of the `session_token` cookie in a `Cookie` header, if present.
pub(crate) fn token_from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_find_the_session_cookie_among_others() {
        assert_eq!(
            token_from_cookie_header("a=1; session_token=abc; b=2"),
            Some("abc")
        );
        assert_eq!(token_from_cookie_header("a=1"), None);
        assert_eq!(token_from_cookie_header("session_token="), None);
    }

    #[test]
    fn it_should_make_an_http_only_strict_cookie_secure_only_over_tls() {
        let at = Utc::now();
        let plain = session_cookie("t", at, false).unwrap();
        let plain = plain.to_str().unwrap();
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        let tls = session_cookie("t", at, true).unwrap();
        assert!(tls.to_str().unwrap().ends_with("; Secure"));
    }
}
