//! What a browser gets: the session in an HttpOnly cookie only (`__Host-` prefixed when
//! `Secure`), never the token in a response body; cross-site requests acting with that cookie
//! refused; security headers on every response; GraphiQL and introspection only when on.
//!
//! One file on purpose: every check of what a browser may and may not do, side by side.

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

const EVIL: &str = "https://evil.example";

/// A request carrying only the session cookie, as a browser sends one, from `origin` if any.
fn with_cookie(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    origin: Option<&str>,
) -> reqwest::RequestBuilder {
    let builder = app
        .request(method, path, None)
        .header("cookie", format!("session_token={token}"));
    match origin {
        Some(origin) => builder.header("origin", origin),
        None => builder,
    }
}

#[tokio::test]
async fn it_should_take_only_json_on_post_graphql() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let logout = r#"{"query":"mutation { logout }"}"#;
    // The types a page may send anywhere without a preflight, cookie attached.
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let response = with_cookie(&app, Method::POST, "/graphql", &token, None)
            .header("content-type", content_type)
            .body(logout)
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        assert_eq!(body["error"], "UNSUPPORTED_MEDIA_TYPE", "{content_type}");
    }
    let response = app
        .request(Method::POST, "/graphql", None)
        .body(r#"{"query":"{ me { id } }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "no Content-Type"
    );
    assert_eq!(
        app.me(&token).await.as_deref(),
        Some(ADMIN),
        "still signed in"
    );
    let response = app
        .request(Method::POST, "/graphql", Some(&token))
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"query":"{ me { username } }"}"#)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["me"]["username"], ADMIN);
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_a_cookie_authenticated_graphql_post_from_a_foreign_origin() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let me = json!({ "query": "{ me { username } }" });
    let response = with_cookie(&app, Method::POST, "/graphql", &token, Some(EVIL))
        .json(&me)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "FORBIDDEN");
    assert_eq!(body["message"], "Cross-origin request refused");
    let response = with_cookie(&app, Method::POST, "/graphql", &token, Some("null"))
        .json(&me)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "Origin: null");

    // The server's own page, and a client that is no browser, pass.
    for origin in [Some(app.base.as_str()), None] {
        let response = with_cookie(&app, Method::POST, "/graphql", &token, origin)
            .json(&me)
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "{origin:?}");
        assert_eq!(body["data"]["me"]["username"], ADMIN, "{origin:?}");
    }
    // A bearer token is never attached by a browser on its own: no cookie, no check.
    let response = app
        .request(Method::POST, "/graphql", Some(&token))
        .header("origin", EVIL)
        .json(&me)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_cookie_authenticated_rest_changes_from_a_foreign_origin() {
    let app = spawn_app_with(|config| {
        config.allowed_origins =
            vec![roster_api::config::Origin::parse("https://admin.example.org").unwrap()];
    })
    .await;
    let token = app.admin_token().await;
    let other = app.admin_token().await;
    let (_, sessions) = app
        .rest(Method::GET, "/api/sessions", Some(&token), None)
        .await;
    let other_id = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["isCurrent"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let profile = json!({ "displayName": "Changed from afar" });

    let refused = [
        with_cookie(
            &app,
            Method::DELETE,
            &format!("/api/sessions/{other_id}"),
            &token,
            Some(EVIL),
        ),
        with_cookie(&app, Method::PUT, "/api/user/profile", &token, Some(EVIL)).json(&profile),
        with_cookie(&app, Method::POST, "/api/auth/logout", &token, Some(EVIL)),
        with_cookie(
            &app,
            Method::DELETE,
            "/api/admin/sessions",
            &token,
            Some(EVIL),
        ),
    ];
    for request in refused {
        let (status, body) = json_of(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"], "FORBIDDEN");
    }
    assert_eq!(app.me(&token).await.as_deref(), Some(ADMIN));
    assert_eq!(app.me(&other).await.as_deref(), Some(ADMIN), "not revoked");
    let (_, me) = app
        .rest(Method::GET, "/api/user/profile", Some(&token), None)
        .await;
    assert_ne!(me["displayName"], "Changed from afar");

    // A read from anywhere is no change; an allowed origin may change.
    let response = with_cookie(&app, Method::GET, "/api/auth/me", &token, Some(EVIL))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let allowed = "https://admin.example.org";
    let response = with_cookie(
        &app,
        Method::PUT,
        "/api/user/profile",
        &token,
        Some(allowed),
    )
    .json(&profile)
    .send()
    .await
    .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["displayName"], "Changed from afar");
    let response = with_cookie(
        &app,
        Method::DELETE,
        &format!("/api/sessions/{other_id}"),
        &token,
        Some(&app.base),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the server's own page");
    assert_eq!(app.me(&other).await, None);
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_a_websocket_upgrade_from_a_foreign_origin() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;
    let app = spawn_app().await;
    let upgrade = |origin: &str| {
        let url = format!("{}/graphql/ws", app.base.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().unwrap();
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        headers.insert("origin", HeaderValue::from_str(origin).unwrap());
        tokio_tungstenite::connect_async(request)
    };
    match upgrade(EVIL).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::FORBIDDEN.as_u16());
        }
        other => panic!("expected 403, got {:?}", other.map(|(_, r)| r.status())),
    }
    let (socket, _) = upgrade(&app.base).await.expect("the server's own page");
    drop(socket);
    app.stop().await;
}

const STRICT_CSP: &str =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[tokio::test]
async fn it_should_send_the_security_headers_on_every_response() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let responses = [
        app.request(Method::GET, "/healthz", None),
        app.request(Method::GET, "/api/auth/me", Some(&token)),
        app.request(Method::POST, "/graphql", None)
            .json(&json!({ "query": "{ me { id } }" })),
        app.request(Method::POST, "/graphql", None).body("x"),
        app.request(Method::GET, "/no/such/path", None),
        app.request(Method::POST, "/api/auth/login", None)
            .json(&json!({ "username": ADMIN, "password": "wrong" })),
    ];
    for request in responses {
        let response = request.send().await.unwrap();
        let headers = response.headers();
        let what = format!("{} {}", response.status(), response.url().path());
        assert_eq!(headers["content-security-policy"], STRICT_CSP, "{what}");
        assert_eq!(headers["x-frame-options"], "DENY", "{what}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
    }

    // GraphiQL's page: its own policy, the strict one but for inline styles (its editors
    // set styles at run time); scripts from this server only.
    let response = app
        .request(Method::GET, "/graphiql", None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(!policy.contains("'unsafe-eval'"), "{policy}");
    assert!(!policy.contains("http"), "nothing from elsewhere: {policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    app.stop().await;
}

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";

#[tokio::test]
async fn it_should_serve_graphiql_and_introspection_only_when_on() {
    let app = spawn_app().await;
    let body = app.gql(None, INTROSPECTION, json!({})).await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    app.stop().await;

    let app = spawn_app_with(|config| config.graphiql = false).await;
    let (status, body) = app.rest(Method::GET, "/graphiql", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "NOT_FOUND");
    // async-graphql answers introspection fields with null once it is off.
    let body = app.gql(None, INTROSPECTION, json!({})).await;
    assert_eq!(body["data"]["__schema"], Value::Null, "{body}");
    let body = app
        .gql(None, "{ __type(name: \"User\") { name } }", json!({}))
        .await;
    assert_eq!(body["data"]["__type"], Value::Null, "{body}");
    // Ordinary queries are untouched.
    let token = app.admin_token().await;
    assert_eq!(app.me(&token).await.as_deref(), Some(ADMIN));
    app.stop().await;
}
