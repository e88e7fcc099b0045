use crate::state::AppState;
use chrono::{DateTime, Utc};
use roster_domain::ids::UserId;
use roster_projections::models::SessionView;
use roster_projections::{UserStats, UserView};

/// A user with the guide's per-user counts.
#[derive(Clone)]
pub struct UserRecord {
    /// The user.
    pub user: UserView,
    /// Personas, active sessions, API keys.
    pub stats: UserStats,
}

/// A session with its owner.
#[derive(Clone)]
pub struct SessionRecord {
    /// The session.
    pub session: SessionView,
    /// Whose it is.
    pub owner: UserRecord,
}

impl SessionRecord {
    /// The short, non-secret tail shown so a person can tell sessions apart: the last 8 hex
    /// digits of the token's SHA-256 (Roster never keeps any part of the token itself).
    pub fn token_hint(&self) -> String {
        let hex = hex::encode(self.session.token_hash);
        hex[hex.len().saturating_sub(8)..].to_owned()
    }
}

/// A live user with counts, at `now`.
pub fn user_record(state: &AppState, id: UserId, now: DateTime<Utc>) -> Option<UserRecord> {
    state.projections.read(|models| {
        models.users.get(id).map(|user| UserRecord {
            user: user.clone(),
            stats: models.stats(id, now),
        })
    })
}

/// A live user by username, with counts.
pub fn user_record_by_name(
    state: &AppState,
    username: &str,
    now: DateTime<Utc>,
) -> Option<UserRecord> {
    state.projections.read(|models| {
        models.users.by_username(username).map(|user| UserRecord {
            user: user.clone(),
            stats: models.stats(user.id, now),
        })
    })
}

/// Active sessions (of one user, or everyone's), newest first, with their owners.
pub fn session_records(
    state: &AppState,
    user: Option<UserId>,
    now: DateTime<Utc>,
) -> Vec<SessionRecord> {
    state.projections.read(|models| {
        let sessions = match user {
            Some(id) => models.sessions.of_user(id, now),
            None => models.sessions.all(now),
        };
        sessions
            .into_iter()
            .filter_map(|session| {
                let owner = models.users.get(session.user_id)?;
                Some(SessionRecord {
                    session: session.clone(),
                    owner: UserRecord {
                        user: owner.clone(),
                        stats: models.stats(owner.id, now),
                    },
                })
            })
            .collect()
    })
}
