//! Watching the live activity feeds (administrators). A watch outlives the request that
//! started it, so the rule is asked again for every item: a watcher whose session ends or
//! who stops being an administrator is stopped. And the heartbeat, for signed-in users.

use super::AppState;
use super::identity::refreshed;
use super::policy;
use crate::auth::RequestContext;
use crate::error::ApiError;
use futures::Stream;
use roster_projections::AppliedActivity;
use std::time::Duration;
use tokio::sync::broadcast;

/// How often the heartbeat beats.
const BEAT_EVERY: Duration = Duration::from_secs(1);

/// The heartbeat, for a signed-in user: 0, 1, 2, … once a second, a liveness check for
/// subscription clients. Each one holds a timer on the server, so it is no gift to anonymous
/// callers; a socket's operations are bounded, and the socket closes when its session ends.
pub fn heartbeat(ctx: &RequestContext) -> Result<impl Stream<Item = i32> + use<>, ApiError> {
    policy::signed_in(ctx)?;
    Ok(futures::stream::unfold(0i32, |n| async move {
        tokio::time::sleep(BEAT_EVERY).await;
        Some((n, n.saturating_add(1)))
    }))
}

/// A granted watch: the feed, and the caller to ask the rule again for.
pub struct Watch {
    /// Every activity the read models apply from now on.
    pub receiver: broadcast::Receiver<AppliedActivity>,
    caller: RequestContext,
}

/// Starts watching, for an administrator. The feed is opened before the rule is asked, so
/// nothing that happens in between is missed or shown unchecked.
pub fn start(state: &AppState, ctx: &RequestContext) -> Result<Watch, ApiError> {
    let receiver = state.projections.watch_activity();
    policy::signed_in(ctx)?;
    let watch = Watch {
        receiver,
        caller: ctx.clone(),
    };
    may_go_on(state, &watch)?;
    Ok(watch)
}

/// Whether the watcher's session still works and its user is still an administrator, now.
pub fn may_go_on(state: &AppState, watch: &Watch) -> Result<(), ApiError> {
    policy::administrator(&refreshed(state, &watch.caller)).map(|_| ())
}
