//! A minimal graphql-transport-ws client for the tests: `connection_init` → `connection_ack`,
//! `subscribe`, `next`, `error`, `complete`. It keeps every text frame the server sent, so a
//! test can check that no secret ever crossed the socket.

use crate::support::TestApp;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// How long to wait for a message before failing: a guard against hanging, not a speed test.
pub const FAILURE_GUARD: Duration = Duration::from_secs(10);

/// An open subscription socket.
pub struct GraphqlSocket {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Every text frame received, as sent.
    pub received: Vec<String>,
    /// How many WebSocket pings the server sent (the client library answers them).
    pub pings: usize,
}

/// The status a refused upgrade of `/graphql/ws` was answered with; `None` when the socket
/// opened (it is closed again).
pub async fn refused_upgrade(app: &TestApp) -> Option<u16> {
    let url = format!("{}/graphql/ws", app.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    match connect_async(request).await {
        Ok((mut ws, _)) => {
            let _ = ws.close(None).await;
            None
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Some(response.status().as_u16())
        }
        Err(other) => panic!("upgrade failed: {other}"),
    }
}

impl GraphqlSocket {
    /// Opens `/graphql/ws` with the `graphql-transport-ws` subprotocol and extra `headers`.
    pub async fn open(app: &TestApp, headers: &[(&'static str, String)]) -> GraphqlSocket {
        let url = format!("{}/graphql/ws", app.base.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().unwrap();
        let fields = request.headers_mut();
        fields.insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        for (name, value) in headers {
            fields.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        let (ws, response) = connect_async(request).await.expect("WebSocket upgrade");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        GraphqlSocket {
            ws,
            received: Vec::new(),
            pings: 0,
        }
    }

    /// Opens a socket and completes `connection_init` with `payload`.
    pub async fn connect(app: &TestApp, payload: Value) -> GraphqlSocket {
        let mut socket = GraphqlSocket::open(app, &[]).await;
        socket.init(payload).await;
        socket
    }

    /// Sends `connection_init` and expects `connection_ack`.
    pub async fn init(&mut self, payload: Value) {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = self.message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    /// Sends `subscribe` for `query` under `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({ "type": "subscribe", "id": id, "payload": { "query": query } }))
            .await;
    }

    /// Sends `complete` for `id` (the client no longer wants it).
    pub async fn complete(&mut self, id: &str) {
        self.send(json!({ "type": "complete", "id": id })).await;
    }

    /// The next protocol message, within the failure guard.
    pub async fn message(&mut self) -> Value {
        self.try_message(FAILURE_GUARD)
            .await
            .expect("a message within the failure guard")
    }

    /// The next protocol message within `wait`, if any.
    pub async fn try_message(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()?;
            match frame.expect("socket open").expect("frame") {
                Message::Text(text) => {
                    self.received.push(text.to_string());
                    let message: Value = serde_json::from_str(&text).unwrap();
                    if message["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Some(message);
                }
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                Message::Ping(_) => self.pings += 1,
                _ => {}
            }
        }
    }

    /// The payload of the next `next` for `id` that `wanted` accepts (earlier ones are
    /// skipped); fails on `error` or `complete` for `id`.
    pub async fn next_where(&mut self, id: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.message().await;
            if message["id"] != id {
                continue;
            }
            assert_eq!(message["type"], "next", "{message}");
            if wanted(&message["payload"]) {
                return message["payload"].clone();
            }
        }
    }

    /// How a subscription ends with an error: skips items for `id` until a `next` with
    /// errors, expects `complete` right after it, and returns that payload.
    pub async fn error_then_complete(&mut self, id: &str) -> Value {
        let error = self
            .next_where(id, |payload| payload.get("errors").is_some())
            .await;
        loop {
            let message = self.message().await;
            if message["id"] == id {
                assert_eq!(message["type"], "complete", "{message}");
                return error;
            }
        }
    }

    /// Whether the server closes the socket within `wait` (frames before the close are
    /// kept; pings are answered).
    pub async fn closed_by_server_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_still_open) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(Message::Text(text)))) => {
                    self.received.push(text.to_string());
                    if text.contains("\"ping\"") {
                        let _ = self
                            .ws
                            .send(Message::text(json!({ "type": "pong" }).to_string()))
                            .await;
                    }
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The code of the close frame the server sends within `wait`, skipping other frames;
    /// `None` if it sends none (a connection dropped without one counts as none).
    pub async fn close_code_within(&mut self, wait: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Err(_) | Ok(None | Some(Err(_))) => return None,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Sends `text` as it is, in one text frame.
    pub async fn send_text(&mut self, text: String) {
        self.ws.send(Message::text(text)).await.expect("sent");
    }

    /// Closes the socket; returns every text frame it received.
    pub async fn close(mut self) -> Vec<String> {
        let _ = self.ws.close(None).await;
        self.received
    }

    async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .expect("sent");
    }
}
