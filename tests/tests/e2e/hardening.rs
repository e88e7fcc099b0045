//! Hardening: 405 for mutations over GET, 413, GraphQL limits and suggestions, 408, ops
//! endpoints, internal errors, graceful shutdown.

use crate::support::*;
use reqwest::{Method, StatusCode};
use roster_api::config::GraphqlLimits;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[tokio::test]
async fn it_should_refuse_a_mutation_over_get_but_answer_a_query() {
    let app = spawn_app().await;
    let response = app
        .request(Method::GET, "/graphql", None)
        .query(&[("query", "mutation { logout }")])
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"], "METHOD_NOT_ALLOWED");
    let response = app
        .request(Method::GET, "/graphql", None)
        .query(&[("query", "{ me { id } }")])
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "data": { "me": null } }));
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_a_body_over_the_limit_with_413() {
    let app = spawn_app_with(|config| config.body_limit = 16 * 1024).await;
    let padding = "x".repeat(32 * 1024);
    let response = app
        .request(Method::POST, "/graphql", None)
        .json(&json!({ "query": "{ me { id } }", "variables": { "padding": padding } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = app
        .request(Method::POST, "/api/auth/login", None)
        .json(&json!({ "username": padding, "password": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_a_chunked_body_over_the_limit_with_413() {
    let app = spawn_app_with(|config| config.body_limit = 16 * 1024).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // No Content-Length: only counting the body as it arrives can find it too large. The
    // server may answer before the body ends, so it is written while the answer is read.
    let request = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let sending = tokio::spawn(async move {
        writer.write_all(request.as_bytes()).await?;
        let chunk = "x".repeat(4096);
        for _ in 0..8 {
            writer
                .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
                .await?;
        }
        writer.write_all(b"0\r\n\r\n").await
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
        }
    }
    let status_line = String::from_utf8_lossy(&answer);
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
    // Whether the rest of the body was still taken is up to the server.
    let _ = sending.await;
    app.stop().await;
}

#[tokio::test]
async fn it_should_limit_depth_complexity_and_directives() {
    let app = spawn_app_with(|config| {
        config.graphql_limits = GraphqlLimits {
            depth: 4,
            complexity: 50,
            // One: the only executable directives are @include and @skip, and repeating
            // either is a validation error of its own, so two distinct ones are the most a
            // field can carry to go over a limit.
            directives: 1,
        }
    })
    .await;
    let admin = app.admin_token().await;
    let deep = app
        .gql(
            Some(&admin),
            "{ sessions(first: 1) { edges { node { user { stats { personas } } } } } }",
            json!({}),
        )
        .await;
    assert!(error_message(&deep).contains("nested too deep"), "{deep}");
    assert_eq!(error_code(&deep), "VALIDATION");
    let complex = app
        .gql(
            Some(&admin),
            "{ users(first: 100) { edges { node { id username } } } }",
            json!({}),
        )
        .await;
    assert!(error_message(&complex).contains("too complex"), "{complex}");
    let directives = app
        .gql(
            Some(&admin),
            "{ me @include(if: true) @skip(if: false) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_message(&directives),
        "The number of directives on the field `me` cannot be greater than `1`"
    );
    assert_eq!(error_code(&directives), "VALIDATION");
    let one_directive = app
        .gql_ok(Some(&admin), "{ me @include(if: true) { id } }", json!({}))
        .await;
    assert!(one_directive["me"]["id"].is_string(), "within the limit");
    let fine = app
        .gql(
            Some(&admin),
            "{ users(first: 5) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(fine.get("errors").is_none(), "{fine}");
    app.stop().await;
}

#[tokio::test]
async fn it_should_suggest_field_names_only_in_development() {
    let app = spawn_app().await;
    let body = app.gql(None, "{ myPersona { name } }", json!({})).await;
    assert!(!error_message(&body).contains("Did you mean"), "{body}");
    assert_eq!(error_code(&body), "VALIDATION");
    app.stop().await;
    let app = spawn_app_with(|config| config.development = true).await;
    let body = app.gql(None, "{ myPersona { name } }", json!({})).await;
    assert!(error_message(&body).contains("Did you mean"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn it_should_answer_408_when_a_request_takes_too_long() {
    // A login paced after repeated failures waits far longer than this timeout, whatever the
    // machine's speed: the answer must be 408, not the login's own.
    let app = spawn_app_with(|config| {
        config.request_timeout = Duration::from_millis(100);
        config.login_throttle.base_delay = Duration::from_secs(2);
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let response = app
            .request(Method::POST, "/api/auth/login", None)
            .json(&json!({ "username": ADMIN, "password": "not-the-password" }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::REQUEST_TIMEOUT {
            break;
        }
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::REQUEST_TIMEOUT),
        "{statuses:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_serve_health_readiness_and_metrics() {
    let app = spawn_app().await;
    let (status, body) = app.rest(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "status": "ok" })));
    let (status, body) = app.rest(Method::GET, "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    assert_eq!(body["head"], body["applied"]);
    app.admin_token().await;
    let response = app
        .request(Method::GET, "/metrics", None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains("roster_http_responses_total{class=\"2xx\"}"),
        "{text}"
    );
    assert!(
        text.contains("roster_logins_total{outcome=\"succeeded\"} 1"),
        "{text}"
    );
    assert!(text.contains("roster_users 1"), "{text}");
    let graphiql = app
        .request(Method::GET, "/graphiql", None)
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status(), StatusCode::OK);
    assert!(graphiql.text().await.unwrap().contains("graphiql"));
    app.stop().await;
}

#[tokio::test]
async fn it_should_validate_input_with_the_validation_code() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let short = app
        .gql(
            Some(&admin),
            "mutation { createUser(input: { username: \"nora\", password: \"12345\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&short), "VALIDATION");
    assert_eq!(
        error_message(&short),
        "Password must be at least 6 characters"
    );
    let anonymous = app.gql(None, "{ users { totalCount } }", json!({})).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    let missing = app
        .gql(
            Some(&admin),
            "mutation { grantAdmin(id: \"nope\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&missing), "NOT_FOUND");
    app.stop().await;
}

#[tokio::test]
async fn it_should_finish_requests_in_flight_when_shutting_down() {
    let mut app = spawn_app().await;
    // Five failures make the sixth attempt wait a quarter second: a request in flight.
    for _ in 0..5 {
        app.gql(
            None,
            "mutation { login(username: \"ghost\", password: \"wrong-one\") { token } }",
            json!({}),
        )
        .await;
    }
    let in_flight = app
        .request(Method::POST, "/api/auth/login", None)
        .json(&json!({ "username": "ghost", "password": "wrong-one" }))
        .send();
    let in_flight = tokio::spawn(in_flight);
    tokio::time::sleep(Duration::from_millis(80)).await;
    app.signal_shutdown();
    let response = in_flight.await.unwrap().expect("answered, not cut off");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    app.wait_stopped().await.expect("stopped cleanly");
    assert!(
        reqwest::Client::new()
            .get(app.url("/healthz"))
            .send()
            .await
            .is_err(),
        "no longer listening"
    );
}

#[tokio::test]
async fn it_should_serve_metrics_only_to_this_machine_without_a_metrics_token() {
    let app = spawn_app().await;
    let metrics = |headers: &[(&str, &str)]| {
        let mut request = app.request(Method::GET, "/metrics", None);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    assert_eq!(metrics(&[]).await.unwrap().status(), StatusCode::OK);
    // Through a proxy on this machine, or from a page in a browser on it: refused.
    for headers in [
        [("x-forwarded-for", "203.0.113.7")],
        [("forwarded", "for=203.0.113.7")],
        [("origin", "http://evil.example")],
        [("sec-fetch-site", "cross-site")],
    ] {
        let (status, body) = json_of(metrics(&headers).await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(body["error"], "FORBIDDEN");
    }
    app.stop().await;
}

#[tokio::test]
async fn it_should_serve_metrics_to_the_metrics_token_only_when_one_is_set() {
    let app = spawn_app_with(|config| {
        config.metrics_token = Some(roster_api::config::Secret::new("scrape-me"));
    })
    .await;
    let (status, body) = app.rest(Method::GET, "/metrics", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "even from loopback");
    assert_eq!(body["error"], "UNAUTHORIZED");
    let (status, _) = app
        .rest(Method::GET, "/metrics", Some("wrong-token"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = app
        .request(Method::GET, "/metrics", Some("scrape-me"))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("roster_users"));
    app.stop().await;
}
