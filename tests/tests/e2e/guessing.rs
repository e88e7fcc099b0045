//! Guessing passwords: every check (login, current password) is paced per account and
//! spends the per-address and server-wide budgets; one operation checks one password.

use crate::support::*;
use roster_api::auth::ThrottlePolicy;
use serde_json::{Value, json};
use std::time::Duration;

const LOGIN: &str =
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";

/// A GraphQL login from the loopback address `from` (the server sees it as the client's).
async fn login_from(app: &TestApp, from: [u8; 4], username: &str, password: &str) -> Value {
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(from))
        .build()
        .unwrap();
    client
        .post(app.url("/graphql"))
        .json(&json!({ "query": LOGIN, "variables": { "u": username, "p": password } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn it_should_pace_current_password_checks_like_logins() {
    let app = spawn_app_with(|config| {
        config.login_throttle = ThrottlePolicy {
            free_failures: 1,
            base_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(5),
            max_wait: Duration::from_secs(1),
            forget_after: Duration::from_secs(60),
            max_accounts: 100,
        }
    })
    .await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "olga", "olga-pass-1").await;
    let olga = app.login("olga", "olga-pass-1").await;
    const CHANGE: &str = "mutation($c: String!) { changePassword(currentPassword: $c, newPassword: \"olga-pass-2\") }";
    let wrong = app
        .gql(Some(&olga), CHANGE, json!({ "c": "guess-1" }))
        .await;
    assert_eq!(error_message(&wrong), "Current password is incorrect");
    // The next check would wait 5 s, past the 1 s queue: refused unchecked, even with the
    // right password, and a login on the same account shares that pacing.
    let paced = app
        .gql(Some(&olga), CHANGE, json!({ "c": "olga-pass-1" }))
        .await;
    assert_eq!(error_code(&paced), "TOO_MANY_REQUESTS", "{paced}");
    let login = app
        .gql(None, LOGIN, json!({ "u": "olga", "p": "olga-pass-1" }))
        .await;
    assert_eq!(error_code(&login), "TOO_MANY_REQUESTS", "{login}");
    app.stop().await;
}

#[tokio::test]
async fn it_should_check_at_most_one_password_per_operation() {
    let app = spawn_app().await;
    let guesses = (0..50)
        .map(|i| format!("g{i}: login(username: \"admin\", password: \"guess-{i}\") {{ token }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let refused = app
        .gql(None, &format!("mutation {{ {guesses} }}"), json!({}))
        .await;
    assert_eq!(error_code(&refused), "VALIDATION", "{refused}");
    assert!(refused["data"].is_null(), "nothing ran: {refused}");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("roster_logins_total{outcome=\"failed\"} 0"),
        "no guess was checked: {metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_budget_wrong_guesses_per_address_and_for_the_whole_server() {
    let app = spawn_app_with(|config| {
        config.guess_budget = roster_api::config::GuessPolicy {
            address_burst: 3,
            address_refill_every: Duration::from_secs(3600),
            server_burst: 5,
            server_refill_every: Duration::from_secs(3600),
            max_addresses: 100,
        }
    })
    .await;
    // One password tried across accounts from one address: the fourth is refused unchecked.
    for user in ["user1", "user2", "user3"] {
        let answer = login_from(&app, [127, 0, 0, 2], user, "Summer2026!").await;
        assert_eq!(error_code(&answer), "UNAUTHENTICATED", "{answer}");
    }
    let refused = login_from(&app, [127, 0, 0, 2], "user4", "Summer2026!").await;
    assert_eq!(error_code(&refused), "TOO_MANY_REQUESTS", "{refused}");
    // A right password gives its token back: the administrator logs in again and again.
    for _ in 0..5 {
        let answer = login_from(&app, [127, 0, 0, 3], ADMIN, ADMIN_PASSWORD).await;
        assert!(answer["data"]["login"]["token"].is_string(), "{answer}");
    }
    // Spread over addresses, the server's budget (5) still runs out.
    let answer = login_from(&app, [127, 0, 0, 4], "user5", "Summer2026!").await;
    assert_eq!(error_code(&answer), "UNAUTHENTICATED", "{answer}");
    let answer = login_from(&app, [127, 0, 0, 5], "user6", "Summer2026!").await;
    assert_eq!(error_code(&answer), "UNAUTHENTICATED", "{answer}");
    let refused = login_from(&app, [127, 0, 0, 6], "user7", "Summer2026!").await;
    assert_eq!(error_code(&refused), "TOO_MANY_REQUESTS", "{refused}");
    app.stop().await;
}

#[tokio::test]
async fn it_should_check_at_most_one_password_per_operation_on_a_socket_too() {
    let app = spawn_app().await;
    let mut socket = crate::graphql_ws::GraphqlSocket::connect(&app, json!({})).await;
    socket
        .subscribe(
            "1",
            "mutation { a: login(username: \"admin\", password: \"guess-a\") { token } b: login(username: \"admin\", password: \"guess-b\") { token } }",
        )
        .await;
    let answer = socket.message().await;
    assert_eq!(answer["id"], "1");
    assert!(
        answer.to_string().contains("At most one of login"),
        "refused: {answer}"
    );
    socket.close().await;
    app.stop().await;
}
