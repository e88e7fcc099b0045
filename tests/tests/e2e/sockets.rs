//! `/graphql/ws` is bounded like a request: messages no larger than the body limit,
//! `connection_init` in time, pings, sockets per client address and operations per socket.

use crate::graphql_ws::{GraphqlSocket, refused_upgrade};
use crate::support::*;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::time::Instant;

const HEARTBEAT: &str = "subscription { heartbeat }";

fn bearer(token: &str) -> Value {
    json!({ "authorization": format!("Bearer {token}") })
}

#[tokio::test]
async fn it_should_close_a_socket_that_sends_a_message_larger_than_the_body_limit() {
    let app = spawn_app_with(|config| config.body_limit = 16 * 1024).await;
    let mut socket = GraphqlSocket::connect(&app, json!({})).await;
    let padding = "x".repeat(32 * 1024);
    let message = json!({
        "type": "subscribe",
        "id": "big",
        "payload": { "query": "{ me { id } }", "variables": { "padding": padding } },
    });
    socket.send_text(message.to_string()).await;
    assert!(
        socket.closed_by_server_within(Duration::from_secs(5)).await,
        "a 32 KiB message on a 16 KiB limit"
    );
    assert!(
        !socket
            .received
            .iter()
            .any(|frame| frame.contains("\"big\"")),
        "the message was not executed: {:?}",
        socket.received
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_close_a_socket_that_sends_no_connection_init_in_time() {
    let app =
        spawn_app_with(|config| config.sockets.init_timeout = Duration::from_millis(300)).await;
    let mut silent = GraphqlSocket::open(&app, &[]).await;
    let mut prompt = GraphqlSocket::connect(&app, json!({})).await;
    assert_eq!(
        silent.close_code_within(Duration::from_secs(5)).await,
        Some(4408),
        "Connection initialisation timeout"
    );
    assert!(
        !prompt.closed_by_server_within(Duration::from_secs(1)).await,
        "a socket that sent connection_init stays open"
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_ping_open_sockets_and_keep_those_that_answer() {
    let app = spawn_app_with(|config| config.sockets.keepalive = Duration::from_millis(100)).await;
    let admin = app.admin_token().await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&admin)).await;
    // The client library answers each ping as it reads; three silent pings would close it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while socket.pings < 5 && Instant::now() < deadline {
        let _ = socket.try_message(Duration::from_millis(100)).await;
    }
    assert!(socket.pings >= 5, "{} pings", socket.pings);
    socket.subscribe("hb", HEARTBEAT).await;
    let beat = socket.next_where("hb", |_| true).await;
    assert_eq!(beat, json!({ "data": { "heartbeat": 0 } }));
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_more_sockets_from_one_address_than_allowed() {
    let app = spawn_app_with(|config| config.sockets.per_address = 2).await;
    let first = GraphqlSocket::connect(&app, json!({})).await;
    let _second = GraphqlSocket::connect(&app, json!({})).await;
    assert_eq!(refused_upgrade(&app).await, Some(429));
    first.close().await;
    // The place is given back once the server has seen the socket close.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match refused_upgrade(&app).await {
            None => break,
            Some(status) if Instant::now() > deadline => panic!("still refused: {status}"),
            Some(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_more_operations_on_one_socket_than_allowed() {
    let app = spawn_app_with(|config| config.sockets.operations = 2).await;
    let admin = app.admin_token().await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&admin)).await;
    socket.subscribe("a", HEARTBEAT).await;
    socket.subscribe("b", HEARTBEAT).await;
    socket.next_where("a", |_| true).await;
    socket.subscribe("c", HEARTBEAT).await;
    let refused = socket.error_then_complete("c").await;
    assert_eq!(error_code(&refused), "TOO_MANY_REQUESTS");
    // The two running go on; ending one makes room for another.
    socket.next_where("b", |_| true).await;
    socket.complete("a").await;
    socket.subscribe("d", HEARTBEAT).await;
    let beat = socket.next_where("d", |_| true).await;
    assert_eq!(beat, json!({ "data": { "heartbeat": 0 } }));
    socket.close().await;
    app.stop().await;
}
