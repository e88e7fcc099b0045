//! What a browser gets: the session in an HttpOnly cookie only (`__Host-` prefixed when
//! `Secure`), never the token in a response body.

use crate::support::*;
use reqwest::header::SET_COOKIE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username } } }";

/// The value a `Set-Cookie` header gives `name`.
fn cookie_value<'a>(set_cookie: &'a str, name: &str) -> Option<&'a str> {
    set_cookie
        .strip_prefix(name)?
        .strip_prefix('=')?
        .split(';')
        .next()
}

/// Whose session `cookie` (a whole `Cookie` header) carries, if anyone's.
async fn username_by_cookie(app: &TestApp, cookie: &str) -> Option<String> {
    let response = app
        .request(Method::GET, "/api/auth/me", None)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    (status == StatusCode::OK).then(|| body["user"]["username"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn it_should_keep_the_token_out_of_the_body_of_a_browsers_login() {
    let app = spawn_app().await;
    // REST, from the server's own page (browsers send Origin with every POST).
    let response = app
        .request(Method::POST, "/api/auth/login", None)
        .header("origin", &app.base)
        .json(&json!({ "username": ADMIN, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["username"], ADMIN);
    assert!(body["expiresAt"].is_string());
    assert!(body.get("token").is_none(), "{body}");
    let token = cookie_value(&cookie, "session_token").expect("the session cookie");
    assert_eq!(
        username_by_cookie(&app, &format!("session_token={token}"))
            .await
            .as_deref(),
        Some(ADMIN)
    );

    // GraphQL, from a browser that sends only Sec-Fetch-Site.
    let response = app
        .request(Method::POST, "/graphql", None)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "query": LOGIN, "variables": { "u": ADMIN, "p": ADMIN_PASSWORD } }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["login"]["token"], Value::Null, "{body}");
    assert_eq!(body["data"]["login"]["user"]["username"], ADMIN);
    assert!(cookie_value(&cookie, "session_token").is_some(), "{cookie}");

    // A client that is no browser still gets its bearer token.
    let token = app.admin_token().await;
    assert_eq!(app.me(&token).await.as_deref(), Some(ADMIN));
    app.stop().await;
}

#[tokio::test]
async fn it_should_name_a_secure_cookie_with_the_host_prefix_and_still_read_the_plain_name() {
    let app = spawn_app_with(|config| config.secure_cookies = true).await;
    let response = app
        .request(Method::POST, "/api/auth/login", None)
        .json(&json!({ "username": ADMIN, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let (_, body) = json_of(response).await;
    let token = body["token"].as_str().unwrap();
    assert!(
        cookie.starts_with(&format!("__Host-session_token={token}; Path=/;")),
        "{cookie}"
    );
    assert!(
        cookie.ends_with("; Secure") && !cookie.contains("Domain"),
        "{cookie}"
    );
    for name in ["__Host-session_token", "session_token"] {
        assert_eq!(
            username_by_cookie(&app, &format!("{name}={token}"))
                .await
                .as_deref(),
            Some(ADMIN),
            "{name}"
        );
    }

    // Logging out clears both names.
    let response = app
        .request(Method::POST, "/api/auth/logout", Some(token))
        .send()
        .await
        .unwrap();
    let cleared: Vec<&str> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cleared.len(), 2, "{cleared:?}");
    assert_eq!(cookie_value(cleared[0], "__Host-session_token"), Some(""));
    assert_eq!(cookie_value(cleared[1], "session_token"), Some(""));
    app.stop().await;
}
