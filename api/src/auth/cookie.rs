use axum::http::HeaderValue;
use chrono::{DateTime, Utc};

/// The cookie the web page authenticates with, over plain HTTP (a server on loopback).
pub const SESSION_COOKIE: &str = "session_token";

/// The same cookie when it is `Secure`: the `__Host-` prefix makes browsers refuse it unless
/// it is `Secure`, set by this host itself (no `Domain`) for the whole site (`Path=/`), so
/// neither a plain-HTTP page nor a sibling subdomain can plant or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-session_token";

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, expiring with the session; when
/// `secure`, also `Secure` and named `__Host-session_token`.
pub fn session_cookie(token: &str, expires_at: DateTime<Utc>, secure: bool) -> Option<HeaderValue> {
    let expires = expires_at.format("%a, %d %b %Y %H:%M:%S GMT");
    let (name, secure) = (cookie_name(secure), if secure { "; Secure" } else { "" });
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Expires={expires}{secure}"
    ))
    .ok()
}

/// The `Set-Cookie` values that remove the session cookie: when `secure`, both names (a cookie
/// set before Roster used the prefix goes too).
pub fn clear_session_cookies(secure: bool) -> Vec<HeaderValue> {
    let plain =
        HeaderValue::from_static("session_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if !secure {
        return vec![plain];
    }
    let prefixed = HeaderValue::from_static(
        "__Host-session_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure",
    );
    vec![prefixed, plain]
}

/// The session token in a `Cookie` header, if present: `__Host-session_token` when there is
/// one, else `session_token`.
pub(crate) fn token_from_cookie_header(header: &str) -> Option<&str> {
    [SECURE_SESSION_COOKIE, SESSION_COOKIE]
        .into_iter()
        .find_map(|wanted| cookie_value(header, wanted))
}

fn cookie_value<'a>(header: &'a str, wanted: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
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
    fn it_should_prefer_the_host_prefixed_cookie_and_still_read_the_plain_one() {
        assert_eq!(
            token_from_cookie_header("session_token=old; __Host-session_token=new"),
            Some("new")
        );
        assert_eq!(
            token_from_cookie_header("__Host-session_token=only"),
            Some("only")
        );
    }

    #[test]
    fn it_should_make_an_http_only_strict_cookie_secure_and_host_prefixed_over_tls() {
        let at = Utc::now();
        let plain = session_cookie("t", at, false).unwrap();
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("session_token=t;"));
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        let tls = session_cookie("t", at, true).unwrap();
        let tls = tls.to_str().unwrap();
        assert!(tls.starts_with("__Host-session_token=t; Path=/;"), "{tls}");
        assert!(tls.ends_with("; Secure") && !tls.contains("Domain"));
        let cleared = clear_session_cookies(true);
        assert!(
            cleared[0]
                .to_str()
                .unwrap()
                .starts_with("__Host-session_token=;")
        );
        assert!(cleared[1].to_str().unwrap().starts_with("session_token=;"));
    }
}
