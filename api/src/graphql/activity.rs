//! The administrators' live feeds: `sessionActivity` and `userChanged`, over the items the
//! projection runner publishes once it has applied their events (so a client that gets an
//! item and then queries sees the change).
//!
//! Authorization is read from the projections when the subscription starts and again before
//! each item, and at least every [`RECHECK_EVERY`] while the feed is quiet: once the caller's
//! session has ended, expired or idled out, or their user is disabled, deleted or no longer an
//! administrator, the feed sends one error (`UNAUTHENTICATED` or `FORBIDDEN`) and completes.
//!
//! The runner never waits for a subscriber: one that falls more than the runner's buffer
//! behind gets one `UNAVAILABLE` error ("fell behind") and completes; it should subscribe
//! again and re-query what it shows.

use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::activity;
use async_graphql::{Enum, ErrorExtensions, ID, SimpleObject};
use chrono::{DateTime, Utc};
use futures::Stream;
use roster_domain::session::EndReason;
use roster_domain::store::Actor;
use roster_projections::{self as projections, Activity};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tracing::debug;

/// How often a quiet feed re-checks its caller: expiry and the idle timeout are clocks, not
/// events, so no item would announce them.
const RECHECK_EVERY: Duration = Duration::from_secs(30);

/// A session started or ended. Never carries the token or its hash.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct SessionActivity {
    /// Started or ended.
    pub kind: SessionActivityKind,
    /// The session.
    pub session_id: ID,
    /// Whose.
    pub user_id: ID,
    /// Their username.
    pub username: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why it ended (null when it started). Expiry is a time, not an event: it is not reported.
    pub reason: Option<SessionEndReason>,
}

/// Whether a session started or ended.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionActivityKind {
    /// A user logged in.
    Started,
    /// The session stopped working.
    Ended,
}

/// Why a session ended.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEndReason {
    /// The user logged out.
    Logout,
    /// The user or an administrator revoked it.
    Revoked,
    /// The user was deleted.
    UserDeleted,
    /// The user was disabled.
    UserDisabled,
    /// The user changed their password from another session.
    PasswordChanged,
    /// An administrator reset the password and asked for sessions to end.
    PasswordReset,
}

/// A change to a user account. Never carries a password or its hash.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct UserChange {
    /// Which change.
    pub kind: UserChangeKind,
    /// Whose account.
    pub user_id: ID,
    /// When.
    pub at: DateTime<Utc>,
    /// Who made it (null when Roster itself did, e.g. the first administrator).
    pub actor_id: Option<ID>,
}

/// Which change.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserChangeKind {
    /// The account was created.
    Created,
    /// Display name or email changed.
    ProfileUpdated,
    /// The user became an administrator.
    AdminGranted,
    /// The user is no longer an administrator.
    AdminRevoked,
    /// An administrator set a new password.
    PasswordReset,
    /// The user changed their own password.
    PasswordChanged,
    /// The account can no longer log in.
    Disabled,
    /// The account can log in again.
    Enabled,
    /// The account is gone.
    Deleted,
}

impl From<EndReason> for SessionEndReason {
    fn from(reason: EndReason) -> SessionEndReason {
        match reason {
            EndReason::Logout => SessionEndReason::Logout,
            EndReason::Revoked => SessionEndReason::Revoked,
            EndReason::UserDeleted => SessionEndReason::UserDeleted,
            EndReason::UserDisabled => SessionEndReason::UserDisabled,
            EndReason::PasswordChanged => SessionEndReason::PasswordChanged,
            EndReason::PasswordReset => SessionEndReason::PasswordReset,
        }
    }
}

impl From<projections::SessionActivity> for SessionActivity {
    fn from(activity: projections::SessionActivity) -> SessionActivity {
        let (kind, reason) = match activity.kind {
            projections::SessionActivityKind::Started => (SessionActivityKind::Started, None),
            projections::SessionActivityKind::Ended(reason) => {
                (SessionActivityKind::Ended, Some(reason.into()))
            }
        };
        SessionActivity {
            kind,
            session_id: ID(activity.session_id.to_string()),
            user_id: ID(activity.user_id.to_string()),
            username: activity.username,
            at: activity.at,
            reason,
        }
    }
}

impl From<projections::UserChangeKind> for UserChangeKind {
    fn from(kind: projections::UserChangeKind) -> UserChangeKind {
        use projections::UserChangeKind as Kind;
        match kind {
            Kind::Created => UserChangeKind::Created,
            Kind::ProfileUpdated => UserChangeKind::ProfileUpdated,
            Kind::AdminGranted => UserChangeKind::AdminGranted,
            Kind::AdminRevoked => UserChangeKind::AdminRevoked,
            Kind::PasswordReset => UserChangeKind::PasswordReset,
            Kind::PasswordChanged => UserChangeKind::PasswordChanged,
            Kind::Disabled => UserChangeKind::Disabled,
            Kind::Enabled => UserChangeKind::Enabled,
            Kind::Deleted => UserChangeKind::Deleted,
        }
    }
}

impl From<projections::UserChange> for UserChange {
    fn from(change: projections::UserChange) -> UserChange {
        UserChange {
            kind: change.kind.into(),
            user_id: ID(change.user_id.to_string()),
            at: change.at,
            actor_id: match change.actor {
                Actor::User(id) => Some(ID(id.to_string())),
                Actor::System => None,
            },
        }
    }
}

/// The items `pick` keeps, for the administrator behind `request`; or why they may not watch.
pub(super) fn feed<T: Send + 'static>(
    state: &AppState,
    request: &RequestContext,
    pick: fn(Activity) -> Option<T>,
) -> Result<impl Stream<Item = async_graphql::Result<T>> + use<T>, ApiError> {
    let watch = Feed {
        watch: activity::start(state, request)?,
        state: state.clone(),
        pick,
        done: false,
    };
    Ok(futures::stream::unfold(watch, Feed::next))
}

struct Feed<T> {
    watch: activity::Watch,
    state: AppState,
    pick: fn(Activity) -> Option<T>,
    done: bool,
}

impl<T> Feed<T> {
    /// The next item to send, or a last error, or the end.
    async fn next(mut self) -> Option<(async_graphql::Result<T>, Feed<T>)> {
        if self.done {
            return None;
        }
        loop {
            let received = tokio::time::timeout(RECHECK_EVERY, self.watch.receiver.recv()).await;
            if let Err(error) = activity::may_go_on(&self.state, &self.watch) {
                return Some(self.last(error));
            }
            match received {
                Err(_quiet) => {}
                Ok(Ok(item)) => {
                    if let Some(item) = (self.pick)(item.activity) {
                        return Some((Ok(item), self));
                    }
                }
                Ok(Err(RecvError::Lagged(missed))) => {
                    debug!(missed, "activity subscriber fell behind");
                    let error = ApiError::Unavailable(format!(
                        "This subscription fell behind and missed {missed} items; \
                         subscribe again and re-query"
                    ));
                    return Some(self.last(error));
                }
                Ok(Err(RecvError::Closed)) => return None,
            }
        }
    }

    fn last(mut self, error: ApiError) -> (async_graphql::Result<T>, Feed<T>) {
        self.done = true;
        (Err(error.extend()), self)
    }
}
