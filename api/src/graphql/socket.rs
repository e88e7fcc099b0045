//! `GET /graphql/ws`: GraphQL over a WebSocket (graphql-transport-ws, and the older
//! graphql-ws). A socket outlives the request that opened it, so its caller is not trusted
//! beyond that moment: every operation sent on it (subscription, query or mutation) runs as
//! the caller the read models know *now* ([`PerOperationCaller`]), and the socket is closed
//! as soon as its session stops working (logged out, revoked, expired, idle, or its user
//! disabled or deleted).

use super::RosterSchema;
use crate::auth::RequestContext;
use crate::service::AppState;
use crate::service::identity::{refreshed, socket_context, until_session_ends};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Data, Request, ServerResult};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::Extension as AxumExtension;
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// The caller a socket's `connection_init` established. Resolvers never read it: they read
/// the [`RequestContext`] that [`PerOperationCaller`] derives from it for each operation.
struct SocketCaller(RequestContext);

/// `GET /graphql/ws`, as the caller named by `connection_init` (see [`socket_context`]) or
/// the upgrading request.
pub async fn subscriptions(
    State(state): State<AppState>,
    AxumExtension(schema): AxumExtension<RosterSchema>,
    AxumExtension(context): AxumExtension<RequestContext>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| async move {
            let (established, caller) = oneshot::channel();
            let init_state = state.clone();
            let serve = GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let caller = socket_context(&init_state, context, &payload);
                    let _ = established.send(caller.clone());
                    let mut data = Data::default();
                    data.insert(SocketCaller(caller));
                    Ok(data)
                })
                .serve();
            // Dropping the socket's future closes the connection.
            tokio::select! {
                () = serve => {}
                () = signed_out(&state, caller) => {}
            }
        })
}

/// How long a socket stays open after its session ended: long enough for its live feeds to
/// send their last error (and `complete`), so the client learns why before the socket closes.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Completes shortly after the socket's signed-in caller is signed out; never for an
/// anonymous one (it is granted nothing), nor before `connection_init`.
async fn signed_out(state: &AppState, caller: oneshot::Receiver<RequestContext>) {
    match caller.await.ok().and_then(|caller| caller.identity) {
        Some(identity) => {
            until_session_ends(state, identity.session_id).await;
            tokio::time::sleep(CLOSE_GRACE).await;
        }
        None => std::future::pending().await,
    }
}

/// A schema extension: before each operation on a socket, attach the caller as the read
/// models know them at that moment.
pub struct PerOperationCaller;

impl ExtensionFactory for PerOperationCaller {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerOperationCaller)
    }
}

#[async_trait::async_trait]
impl Extension for PerOperationCaller {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = match (ctx.data_opt::<SocketCaller>(), ctx.data_opt::<AppState>()) {
            (Some(SocketCaller(caller)), Some(state)) => request.data(refreshed(state, caller)),
            _ => request,
        };
        next.run(ctx, request).await
    }
}
