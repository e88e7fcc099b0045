//! What one client may hold open on `/graphql/ws`: a number of sockets per client address
//! ([`SocketsPerAddress`]), and a number of operations running at once on each socket
//! ([`BoundedExecutor`]). Each live feed holds a subscription to the read models' activity and
//! a timer; without bounds, one client could hold any number of them.

use super::{RosterSchema, limits};
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::identity::refreshed;
use async_graphql::{Data, ErrorExtensions, Executor, Pos, Request, Response, ServerError};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The sockets open per client address, shared by every upgrade of one server.
#[derive(Clone)]
pub struct SocketsPerAddress {
    open: Arc<Mutex<HashMap<String, usize>>>,
    limit: usize,
}

/// One open socket, counted against its address until dropped.
pub struct SocketPermit {
    open: Arc<Mutex<HashMap<String, usize>>>,
    address: String,
}

impl SocketsPerAddress {
    /// At most `limit` sockets per address.
    pub fn new(limit: usize) -> SocketsPerAddress {
        SocketsPerAddress {
            open: Arc::default(),
            limit,
        }
    }

    /// A permit for one more socket from `address`, unless it already holds `limit`.
    pub fn admit(&self, address: &str) -> Option<SocketPermit> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(address.to_owned()).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(SocketPermit {
            open: Arc::clone(&self.open),
            address: address.to_owned(),
        })
    }
}

impl Drop for SocketPermit {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// The schema as one socket's executor. Every operation runs as the socket's caller as the
/// read models know them at that moment (a socket outlives the request that opened it), under
/// the same root-field limits as a request; an operation started while `limit` are running
/// on the socket gets one `TOO_MANY_REQUESTS` error and completes; the others go on.
#[derive(Clone)]
pub struct BoundedExecutor {
    schema: RosterSchema,
    state: AppState,
    caller: Arc<OnceLock<RequestContext>>,
    running: Arc<AtomicUsize>,
    limit: usize,
}

impl BoundedExecutor {
    /// `schema`, at most `limit` operations at once, as the caller `connection_init` will
    /// set in `caller`.
    pub fn new(
        schema: RosterSchema,
        state: AppState,
        caller: Arc<OnceLock<RequestContext>>,
        limit: usize,
    ) -> BoundedExecutor {
        BoundedExecutor {
            schema,
            state,
            caller,
            running: Arc::default(),
            limit,
        }
    }

    /// `request` as the socket's caller is now, or why a request over the limits is refused.
    fn prepare(&self, mut request: Request) -> Result<Request, ServerError> {
        limits::check(&mut request)?;
        Ok(match self.caller.get() {
            Some(caller) => request.data(refreshed(&self.state, caller)),
            None => request,
        })
    }
}

/// A running operation's place, given back when its stream is dropped (completed, stopped by
/// the client, replaced under the same id, or the socket closed).
struct Running(Arc<AtomicUsize>);

impl Running {
    fn take(running: &Arc<AtomicUsize>, limit: usize) -> Option<Running> {
        running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Running(Arc::clone(running)))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Executor for BoundedExecutor {
    fn execute(&self, request: Request) -> impl Future<Output = Response> + Send {
        let prepared = self.prepare(request);
        let schema = self.schema.clone();
        async move {
            match prepared {
                Ok(request) => Executor::execute(&schema, request).await,
                Err(refused) => Response::from_errors(vec![refused]),
            }
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let Some(place) = Running::take(&self.running, self.limit) else {
            let refused = ApiError::TooManyRequests(format!(
                "At most {} operations may run at once on one socket",
                self.limit
            ))
            .extend()
            .into_server_error(Pos::default());
            return futures::stream::once(async move { Response::from_errors(vec![refused]) })
                .boxed();
        };
        let request = match self.prepare(request) {
            Ok(request) => request,
            Err(refused) => {
                let refused = Response::from_errors(vec![refused]);
                return futures::stream::once(async move { refused }).boxed();
            }
        };
        Executor::execute_stream(&self.schema, request, session_data)
            .map(move |response| {
                let _held = &place;
                response
            })
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_count_sockets_per_address_until_each_is_dropped() {
        let sockets = SocketsPerAddress::new(2);
        let first = sockets.admit("192.0.2.1").unwrap();
        let _second = sockets.admit("192.0.2.1").unwrap();
        assert!(sockets.admit("192.0.2.1").is_none());
        assert!(sockets.admit("192.0.2.2").is_some(), "another address");
        drop(first);
        assert!(sockets.admit("192.0.2.1").is_some());
    }

    #[test]
    fn it_should_give_a_running_operations_place_back_when_it_ends() {
        let running = Arc::new(AtomicUsize::new(0));
        let first = Running::take(&running, 2).unwrap();
        let _second = Running::take(&running, 2).unwrap();
        assert!(Running::take(&running, 2).is_none());
        drop(first);
        assert!(Running::take(&running, 2).is_some());
    }
}
