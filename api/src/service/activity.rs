//! Watching the live activity feeds (administrators). A watch outlives the request that
//! started it, so the rule is asked again for every item: a watcher whose session ends or
//! who stops being an administrator is stopped.

use super::AppState;
use super::identity::refreshed;
use super::policy;
use crate::auth::RequestContext;
use crate::error::ApiError;
use roster_projections::AppliedActivity;
use tokio::sync::broadcast;

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
