//! What the runner tells watchers after it applies events: sessions that started or ended, and
//! changes to user accounts (the administrator's "monitor session activity").
//!
//! Each item is derived from an event *and the models just before that event applies*: when a
//! user is deleted, disabled, or their password is reset with `revoke_sessions` or changed, the
//! log has no `SessionEnded` for their sessions (the models end them as a consequence), and
//! after the event neither those sessions nor a deleted user's name are left to look up.
//!
//! Items carry ids, names, times and reasons only: never a token, token hash or password hash.

use crate::models::ReadModels;
use chrono::{DateTime, Utc};
use roster_domain::event::Event;
use roster_domain::ids::{SessionId, UserId};
use roster_domain::session::{EndReason, SessionEvent};
use roster_domain::store::{Actor, Metadata, Position};
use roster_domain::user::UserEvent;

/// One item of activity, at the position of the event it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedActivity {
    /// The event's position: the models include it once the item is published.
    pub position: Position,
    /// What happened.
    pub activity: Activity,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    /// A session started or ended.
    Session(SessionActivity),
    /// A user account changed.
    User(UserChange),
}

/// A session started or ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionActivity {
    /// Started, or ended and why. Expiry is a time, not an event, so it never appears.
    pub kind: SessionActivityKind,
    /// The session.
    pub session_id: SessionId,
    /// Whose.
    pub user_id: UserId,
    /// Their username at the time.
    pub username: String,
    /// When (the event's time).
    pub at: DateTime<Utc>,
}

/// Whether a session started or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionActivityKind {
    /// A user logged in.
    Started,
    /// The session stopped working, for this reason.
    Ended(EndReason),
}

/// A change to a user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserChange {
    /// Which change.
    pub kind: UserChangeKind,
    /// Whose account.
    pub user_id: UserId,
    /// When (the event's time).
    pub at: DateTime<Utc>,
    /// Who made it.
    pub actor: Actor,
}

/// Which change; one per `UserEvent` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserChangeKind {
    /// `UserCreated`.
    Created,
    /// `ProfileUpdated`.
    ProfileUpdated,
    /// `AdminGranted`.
    AdminGranted,
    /// `AdminRevoked`.
    AdminRevoked,
    /// `PasswordReset` (by an administrator).
    PasswordReset,
    /// `PasswordChanged` (by the user).
    PasswordChanged,
    /// `UserDisabled`.
    Disabled,
    /// `UserEnabled`.
    Enabled,
    /// `UserDeleted`.
    Deleted,
}

/// Appends to `out` the activity of `event` at `position`, judged against `models` before the
/// event applies. An event the models already hold (a replayed position) yields nothing.
pub fn derive(
    models: &ReadModels,
    position: Position,
    metadata: &Metadata,
    event: &Event,
    out: &mut Vec<AppliedActivity>,
) {
    if position <= models.position() {
        return;
    }
    let at = metadata.occurred_at;
    let mut push = |activity| out.push(AppliedActivity { position, activity });
    let username = |user: UserId| models.users.get(user).map(|u| u.username.clone());
    match event {
        Event::Session(id, SessionEvent::Started(started)) => {
            if let Some(username) = username(started.user_id) {
                push(Activity::Session(SessionActivity {
                    kind: SessionActivityKind::Started,
                    session_id: *id,
                    user_id: started.user_id,
                    username,
                    at,
                }));
            }
        }
        Event::Session(id, SessionEvent::Ended { reason }) => {
            let owner = models.sessions.owner_of(*id);
            if let Some((user_id, username)) = owner.and_then(|u| Some((u, username(u)?))) {
                push(Activity::Session(SessionActivity {
                    kind: SessionActivityKind::Ended(*reason),
                    session_id: *id,
                    user_id,
                    username,
                    at,
                }));
            }
        }
        Event::User(user_id, change) => {
            let (kind, ends) = match change {
                UserEvent::Created(_) => (UserChangeKind::Created, None),
                UserEvent::ProfileUpdated(_) => (UserChangeKind::ProfileUpdated, None),
                UserEvent::AdminGranted {} => (UserChangeKind::AdminGranted, None),
                UserEvent::AdminRevoked {} => (UserChangeKind::AdminRevoked, None),
                UserEvent::PasswordReset(reset) => (
                    UserChangeKind::PasswordReset,
                    reset
                        .revoke_sessions
                        .then_some((EndReason::PasswordReset, None)),
                ),
                UserEvent::PasswordChanged(changed) => (
                    UserChangeKind::PasswordChanged,
                    Some((EndReason::PasswordChanged, changed.kept_session)),
                ),
                UserEvent::Disabled {} => (
                    UserChangeKind::Disabled,
                    Some((EndReason::UserDisabled, None)),
                ),
                UserEvent::Enabled {} => (UserChangeKind::Enabled, None),
                UserEvent::Deleted {} => (
                    UserChangeKind::Deleted,
                    Some((EndReason::UserDeleted, None)),
                ),
            };
            if let (Some((reason, kept)), Some(username)) = (ends, username(*user_id)) {
                // The sessions that were working when the event happened; ones already
                // expired by then ended by the clock, not by this event.
                for session in models.sessions.of_user(*user_id, at) {
                    if Some(session.id) != kept {
                        push(Activity::Session(SessionActivity {
                            kind: SessionActivityKind::Ended(reason),
                            session_id: session.id,
                            user_id: *user_id,
                            username: username.clone(),
                            at,
                        }));
                    }
                }
            }
            push(Activity::User(UserChange {
                kind,
                user_id: *user_id,
                at,
                actor: metadata.actor,
            }));
        }
        _ => {}
    }
}
