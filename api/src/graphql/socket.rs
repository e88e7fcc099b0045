//! `GET /graphql/ws`: GraphQL over a WebSocket (graphql-transport-ws, and the older
//! graphql-ws). A socket outlives the request that opened it, so its caller is not trusted
//! beyond that moment: every operation sent on it (subscription, query or mutation) runs as
//! the caller the read models know *now* ([`BoundedExecutor`]), and the socket is closed
//! as soon as its session stops working (logged out, revoked, expired, idle, or its user
//! disabled or deleted).
//!
//! A socket is bounded like a request: a message or frame larger than the body limit closes
//! it; a client address holds at most `ROSTER_MAX_SOCKETS_PER_IP` sockets (more: 429) and a
//! socket at most `ROSTER_MAX_OPERATIONS_PER_SOCKET` running operations (see
//! `socket_bounds`); a socket that sends no `connection_init` within
//! [`SocketLimits::init_timeout`] is closed (4408), and one that answers none of
//! [`SocketLimits::SILENT_PINGS`] pings in a row (WebSocket pings, which every client answers
//! on its own) is dropped.

use super::RosterSchema;
use super::socket_bounds::{BoundedExecutor, SocketsPerAddress};
use crate::auth::RequestContext;
use crate::config::SocketLimits;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::identity::{socket_context, until_session_ends};
use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::Extension as AxumExtension;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// `GET /graphql/ws`, as the caller named by `connection_init` (see [`socket_context`]) or
/// the upgrading request.
pub async fn subscriptions(
    State(state): State<AppState>,
    AxumExtension(schema): AxumExtension<RosterSchema>,
    AxumExtension(sockets): AxumExtension<SocketsPerAddress>,
    AxumExtension(context): AxumExtension<RequestContext>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(permit) = sockets.admit(context.ip.as_deref().unwrap_or_default()) else {
        tracing::info!("subscription socket refused: too many open from one address");
        return ApiError::TooManyRequests("Too many open sockets from this address".into())
            .into_response();
    };
    let largest = state.config.body_limit;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(largest)
        .max_frame_size(largest)
        .on_upgrade(move |socket| async move {
            serve(socket, state, schema, context, protocol).await;
            drop(permit);
        })
}

/// Messages waiting for the socket's writer.
const OUTBOUND_QUEUE: usize = 16;

/// How long a closing socket's writer may take to send what is queued.
const DRAIN_WAIT: Duration = Duration::from_secs(1);

/// Serves one socket until the client or the server ends it, then closes it.
async fn serve(
    socket: WebSocket,
    state: AppState,
    schema: RosterSchema,
    context: RequestContext,
    protocol: GraphQLProtocol,
) {
    let limits = state.config.sockets;
    let (sink, inbound) = socket.split();
    // One writer for GraphQL's messages, the pings and the closing frame.
    let (outbound, queued) = mpsc::channel::<Message>(OUTBOUND_QUEUE);
    let mut writer = tokio::spawn(queued.map(Ok).forward(sink));
    // Any frame from the client, a pong included, shows it is there.
    let (heard, hearing) = watch::channel(());
    let inbound = inbound.inspect(move |_| {
        heard.send_replace(());
    });
    let (established, caller) = oneshot::channel();
    let init_state = state.clone();
    let socket_caller = Arc::new(OnceLock::new());
    let executor = BoundedExecutor::new(
        schema,
        state.clone(),
        Arc::clone(&socket_caller),
        limits.operations,
    );
    let graphql = GraphQLWebSocket::new_with_pair(outbound.clone(), inbound, executor, protocol)
        .on_connection_init(move |payload| async move {
            let caller = socket_context(&init_state, context, &payload);
            let _ = established.send(caller.clone());
            let _ = socket_caller.set(caller);
            Ok(Data::default())
        })
        .serve();
    let closing = tokio::select! {
        () = graphql => None,
        frame = supervise(&state, caller, limits) => Some(frame),
        () = keep_alive(outbound.clone(), hearing, limits.keepalive) => None,
    };
    if let Some(frame) = closing {
        let _ = outbound.clone().send(Message::Close(Some(frame))).await;
    }
    // Every sender is gone now, so the writer ends once it has sent what is queued; a client
    // that does not read is not waited for long.
    drop(outbound);
    if tokio::time::timeout(DRAIN_WAIT, &mut writer).await.is_err() {
        writer.abort();
    }
}

/// Completes with the frame to close the socket with: 4408 when no `connection_init` came in
/// time; 4401 shortly after the socket's signed-in caller is signed out. Never for an
/// anonymous caller (it is granted nothing).
async fn supervise(
    state: &AppState,
    caller: oneshot::Receiver<RequestContext>,
    limits: SocketLimits,
) -> CloseFrame {
    let caller = match tokio::time::timeout(limits.init_timeout, caller).await {
        Err(_) => {
            return CloseFrame {
                code: 4408,
                reason: "Connection initialisation timeout".into(),
            };
        }
        Ok(Ok(caller)) => caller,
        // The connection ended before its initialisation: nothing to supervise.
        Ok(Err(_)) => std::future::pending().await,
    };
    match caller.identity {
        Some(identity) => {
            until_session_ends(state, identity.session_id).await;
            tokio::time::sleep(CLOSE_GRACE).await;
            CloseFrame {
                code: 4401,
                reason: "Session ended".into(),
            }
        }
        None => std::future::pending().await,
    }
}

/// Pings the client every `every`; completes once it has left [`SocketLimits::SILENT_PINGS`]
/// pings in a row without sending anything.
async fn keep_alive(
    mut outbound: mpsc::Sender<Message>,
    mut heard: watch::Receiver<()>,
    every: Duration,
) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut unanswered = 0;
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if unanswered >= SocketLimits::SILENT_PINGS {
                    tracing::debug!("subscription socket dropped: the client stopped answering");
                    return;
                }
                unanswered += 1;
                if outbound.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            }
            changed = heard.changed() => match changed {
                Ok(()) => unanswered = 0,
                // The client's side of the socket is gone.
                Err(_) => return,
            },
        }
    }
}

/// How long a socket stays open after its session ended: long enough for its live feeds to
/// send their last error (and `complete`), so the client learns why before the socket closes.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
