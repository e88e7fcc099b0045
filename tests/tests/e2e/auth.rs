//! Logging in, sessions and their ends.
//!
//! One file on purpose: the life of a session, from login to its end, read in order.

use crate::support::*;
use chrono::{DateTime, Utc};
use reqwest::header::SET_COOKIE;
use reqwest::{Method, StatusCode};
use roster_api::auth::ThrottlePolicy;
use serde_json::json;
use std::time::{Duration, Instant};

const LOGIN: &str =
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";

#[tokio::test]
async fn it_should_give_one_message_for_an_unknown_user_and_a_wrong_password() {
    let app = spawn_app().await;
    let unknown = app
        .gql(None, LOGIN, json!({ "u": "nobody", "p": "whatever1" }))
        .await;
    let wrong = app
        .gql(None, LOGIN, json!({ "u": ADMIN, "p": "not-the-password" }))
        .await;
    for body in [&unknown, &wrong] {
        assert_eq!(error_code(body), "UNAUTHENTICATED");
        assert_eq!(error_message(body), "Invalid username or password");
    }
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "username": "nobody", "password": "whatever1" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({ "error": "UNAUTHORIZED", "message": "Invalid username or password" })
    );
    app.stop().await;
}

/// Short delays, so pacing shows in well under a second of test time.
fn quick_throttle() -> ThrottlePolicy {
    ThrottlePolicy {
        free_failures: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_wait: Duration::from_secs(10),
        forget_after: Duration::from_secs(60),
        max_accounts: 100,
    }
}

#[tokio::test]
async fn it_should_check_parallel_guesses_on_one_account_one_delay_apart() {
    let app = spawn_app_with(|config| config.login_throttle = quick_throttle()).await;
    for _ in 0..3 {
        app.gql(None, LOGIN, json!({ "u": ADMIN, "p": "wrong-guess" }))
            .await;
    }
    let started = Instant::now();
    let guesses = (0..20).map(|_| app.gql(None, LOGIN, json!({ "u": ADMIN, "p": "wrong-guess" })));
    let answers = futures::future::join_all(guesses).await;
    let elapsed = started.elapsed();
    for answer in &answers {
        assert_eq!(error_message(answer), "Invalid username or password");
    }
    // Each of the 20 reserved its own slot: between the first check and the last lie the
    // delays after attempts 4 to 22 (10 ms, 20 ms, then 17 capped at 40 ms). Sleeping never
    // ends early, so this lower bound holds on any machine.
    let delays = Duration::from_millis(10 + 20 + 17 * 40);
    assert!(elapsed >= delays, "{elapsed:?} < {delays:?}");
    // Every guess was checked (none refused), and the real user still gets in.
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("roster_logins_total{outcome=\"failed\"} 23"),
        "{metrics}"
    );
    let token = app.admin_token().await;
    assert_eq!(app.me(&token).await.as_deref(), Some(ADMIN));
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_guesses_unchecked_once_the_account_queue_is_full() {
    let app = spawn_app_with(|config| {
        config.login_throttle = ThrottlePolicy {
            free_failures: 1,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(1),
            max_wait: Duration::from_secs(1),
            ..quick_throttle()
        }
    })
    .await;
    // The first is checked at once, the second a second later; the rest would have to wait
    // longer than the queue reaches, so they are refused without a check.
    let guesses = (0..10).map(|_| {
        app.rest(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "username": ADMIN, "password": "wrong-guess" })),
        )
    });
    let answers = futures::future::join_all(guesses).await;
    let refused: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(!refused.is_empty(), "{answers:?}");
    assert_eq!(
        refused[0].1,
        json!({ "error": "TOO_MANY_REQUESTS", "message": "Too many login attempts; try again later" })
    );
    assert!(answers.iter().all(|(status, _)| {
        [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(status)
    }));
    app.stop().await;
}

/// `GET /api/auth/me` with only the `session_token` cookie: whose session it is, if any.
async fn username_by_cookie(app: &TestApp, token: &str) -> Option<String> {
    let (status, body) = json_of(
        app.request(Method::GET, "/api/auth/me", None)
            .header("cookie", format!("session_token={token}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    (status == StatusCode::OK).then(|| body["user"]["username"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn it_should_authenticate_the_web_page_with_an_http_only_strict_cookie() {
    let app = spawn_app().await;
    let response = app
        .request(Method::POST, "/api/auth/login", None)
        .json(&json!({ "username": ADMIN, "password": ADMIN_PASSWORD, "rememberMe": true }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().unwrap();
    assert!(
        cookie.starts_with(&format!("session_token={token};")),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Secure"), "plain HTTP: not Secure");
    // Remember me: 30 days.
    let expires: DateTime<Utc> = body["expiresAt"].as_str().unwrap().parse().unwrap();
    let days = (expires - Utc::now()).num_days();
    assert!((29..=30).contains(&days), "{days}");

    // The cookie alone authenticates.
    assert_eq!(
        username_by_cookie(&app, token).await.as_deref(),
        Some(ADMIN)
    );

    // Behind a TLS-terminating proxy the cookie is Secure; without rememberMe, 7 days.
    let response = app
        .request(Method::POST, "/api/auth/login", None)
        .header("x-forwarded-proto", "https")
        .json(&json!({ "username": ADMIN, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .ends_with("; Secure")
    );
    let (_, body) = json_of(response).await;
    let expires: DateTime<Utc> = body["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!((expires - Utc::now()).num_days(), 6);
    app.stop().await;
}

#[tokio::test]
async fn it_should_set_the_session_cookie_on_a_graphql_login() {
    let app = spawn_app().await;
    let response = app
        .request(Method::POST, "/graphql", None)
        .json(&json!({ "query": LOGIN, "variables": { "u": ADMIN, "p": ADMIN_PASSWORD } }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let body: serde_json::Value = response.json().await.unwrap();
    let token = body["data"]["login"]["token"].as_str().unwrap();
    assert!(
        cookie.starts_with(&format!("session_token={token};")),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(
        username_by_cookie(&app, token).await.as_deref(),
        Some(ADMIN)
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_stop_a_disabled_users_sessions_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "erin", "erin-pass").await;
    let token = app.login("erin", "erin-pass").await;
    let data = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { disableUser(id: $id) { disabled } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["disableUser"]["disabled"], true);
    assert_eq!(app.me(&token).await, None);
    let refused = app
        .gql(None, LOGIN, json!({ "u": "erin", "p": "erin-pass" }))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { enableUser(id: $id) { disabled } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(app.me(&token).await, None, "old sessions stay ended");
    let token = app.login("erin", "erin-pass").await;
    assert_eq!(app.me(&token).await.as_deref(), Some("erin"));
    app.stop().await;
}

#[tokio::test]
async fn it_should_end_the_other_sessions_when_users_change_their_own_password() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "frank", "frank-pass").await;
    let here = app.login("frank", "frank-pass").await;
    let elsewhere = app.login("frank", "frank-pass").await;
    let wrong = app
        .gql(
            Some(&here),
            "mutation { changePassword(currentPassword: \"nope-nope\", newPassword: \"frank-pass-2\") }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&wrong), "VALIDATION");
    assert_eq!(error_message(&wrong), "Current password is incorrect");
    app.gql_ok(
        Some(&here),
        "mutation { changePassword(currentPassword: \"frank-pass\", newPassword: \"frank-pass-2\") }",
        json!({}),
    )
    .await;
    assert_eq!(app.me(&here).await.as_deref(), Some("frank"));
    assert_eq!(app.me(&elsewhere).await, None);
    assert!(!app.login("frank", "frank-pass-2").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn it_should_keep_sessions_after_a_reset_unless_asked_to_revoke_them() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "gina", "gina-pass").await;
    let token = app.login("gina", "gina-pass").await;
    let data = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { resetPassword(id: $id, password: \"gina-pass-2\", requireChange: true) { mustChangePassword } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["resetPassword"]["mustChangePassword"], true);
    assert_eq!(app.me(&token).await.as_deref(), Some("gina"));
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { resetPassword(id: $id, password: \"gina-pass-3\", revokeSessions: true) { id } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(app.me(&token).await, None);
    app.stop().await;
}

#[tokio::test]
async fn it_should_end_a_session_after_the_idle_timeout() {
    let app = spawn_app_with(|config| config.idle_timeout = chrono::Duration::seconds(1)).await;
    let token = app.admin_token().await;
    assert_eq!(app.me(&token).await.as_deref(), Some(ADMIN));
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(app.me(&token).await, None);
    let (status, body) = app
        .rest(Method::GET, "/api/auth/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "Session expired");
    app.stop().await;
}

#[tokio::test]
async fn it_should_list_my_sessions_mark_the_current_one_and_end_them() {
    let app = spawn_app().await;
    let first = app.admin_token().await;
    let second = app.admin_token().await;
    let data = app
        .gql_ok(
            Some(&second),
            "{ mySessions { id current tokenHint user { username } } }",
            json!({}),
        )
        .await;
    let sessions = data["mySessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        sessions[0]["current"], true,
        "newest first, and it is this one"
    );
    assert_eq!(sessions[1]["current"], false);
    assert_eq!(sessions[0]["tokenHint"].as_str().unwrap().len(), 8);
    let other = sessions[1]["id"].as_str().unwrap();
    let current = sessions[0]["id"].as_str().unwrap();

    let refused = app
        .gql(
            Some(&second),
            "mutation($id: ID!) { revokeMySession(id: $id) }",
            json!({ "id": current }),
        )
        .await;
    assert_eq!(error_code(&refused), "VALIDATION");
    app.gql_ok(
        Some(&second),
        "mutation($id: ID!) { revokeMySession(id: $id) }",
        json!({ "id": other }),
    )
    .await;
    assert_eq!(app.me(&first).await, None);
    let data = app
        .gql_ok(Some(&second), "mutation { logout }", json!({}))
        .await;
    assert_eq!(data["logout"], true);
    assert_eq!(app.me(&second).await, None);
    app.stop().await;
}

#[tokio::test]
async fn it_should_keep_a_session_in_use_alive_past_the_idle_timeout() {
    let app = spawn_app_with(|config| config.idle_timeout = chrono::Duration::seconds(2)).await;
    let token = app.admin_token().await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(
            app.me(&token).await.as_deref(),
            Some(ADMIN),
            "used: still alive"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn it_should_hold_an_account_that_must_change_its_password_to_that_until_it_does() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.gql_ok(
        Some(&admin),
        "mutation { createUser(input: { username: \"nina\", password: \"nina-first\", mustChangePassword: true }) { mustChangePassword } }",
        json!({}),
    )
    .await;
    let nina = app.login("nina", "nina-first").await;
    let me = app
        .gql_ok(
            Some(&nina),
            "{ me { username mustChangePassword } }",
            json!({}),
        )
        .await;
    assert_eq!(
        me["me"],
        json!({ "username": "nina", "mustChangePassword": true })
    );
    let held = app
        .gql(Some(&nina), "{ mySessions { id } }", json!({}))
        .await;
    assert_eq!(error_code(&held), "PASSWORD_CHANGE_REQUIRED");
    let held = app
        .gql(
            Some(&nina),
            "mutation { createPersona(name: \"p\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&held), "PASSWORD_CHANGE_REQUIRED");
    let (status, body) = app
        .rest(Method::GET, "/api/sessions", Some(&nina), None)
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("PASSWORD_CHANGE_REQUIRED"))
    );
    let (status, _) = app
        .rest(Method::GET, "/api/auth/me", Some(&nina), None)
        .await;
    assert_eq!(status, StatusCode::OK, "me stays open");

    app.gql_ok(
        Some(&nina),
        "mutation { changePassword(currentPassword: \"nina-first\", newPassword: \"nina-own-1\") }",
        json!({}),
    )
    .await;
    let free = app
        .gql_ok(
            Some(&nina),
            "{ me { mustChangePassword } mySessions { id } }",
            json!({}),
        )
        .await;
    assert_eq!(free["me"]["mustChangePassword"], false);

    // An administrator's reset with requireChange holds the account again, at its next
    // request; logging out still works.
    let nina_id = app.my_id(&nina).await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { resetPassword(id: $id, password: \"nina-reset\", requireChange: true) { id } }",
        json!({ "id": nina_id }),
    )
    .await;
    let held = app
        .gql(Some(&nina), "{ mySessions { id } }", json!({}))
        .await;
    assert_eq!(error_code(&held), "PASSWORD_CHANGE_REQUIRED");
    let out = app
        .gql_ok(Some(&nina), "mutation { logout }", json!({}))
        .await;
    assert_eq!(out["logout"], true);
    app.stop().await;
}
