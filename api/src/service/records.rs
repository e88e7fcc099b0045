//! The read shapes every door shows, each built in one place from the read models: a user
//! with the guide's per-user counts, a session with its owner, a page of users, the system
//! totals.

use super::AppState;
use chrono::{DateTime, Utc};
use roster_domain::ids::UserId;
use roster_domain::store::Position;
use roster_domain::stream::KeyringOwner;
use roster_projections::models::SessionView;
use roster_projections::{ReadModels, UserFilter, UserStats, UserView};

/// A user with the guide's per-user counts.
#[derive(Clone)]
pub struct UserRecord {
    /// The user.
    pub user: UserView,
    /// Personas, active sessions, API keys.
    pub stats: UserStats,
    /// Two-factor authentication is on.
    pub totp_enabled: bool,
}

impl UserRecord {
    /// `user` with its counts at `now`.
    fn of(models: &ReadModels, user: &UserView, now: DateTime<Utc>) -> UserRecord {
        UserRecord {
            user: user.clone(),
            stats: models.stats(user.id, now),
            totp_enabled: models.second_factors.is_on(user.id),
        }
    }
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

/// One page of users, newest first.
pub struct UserRecordPage {
    /// The users of this page, with their counts and where each was created in the log (the
    /// cursor of the next page).
    pub users: Vec<UserRecord>,
    /// Whether more users match after the last one.
    pub has_next_page: bool,
    /// How many users match the filter in all.
    pub total_count: usize,
}

/// Totals across the deployment (the Admin Panel's statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemStats {
    /// Live users.
    pub users: usize,
    /// Live administrators.
    pub admins: usize,
    /// Sessions that still work.
    pub active_sessions: usize,
    /// Personas.
    pub personas: usize,
    /// Users' own API keys.
    pub api_keys: usize,
    /// The system's API keys.
    pub system_api_keys: usize,
}

/// A live user with counts, at `now`.
pub fn user_record(state: &AppState, id: UserId, now: DateTime<Utc>) -> Option<UserRecord> {
    state
        .projections
        .read(|models| Some(UserRecord::of(models, models.users.get(id)?, now)))
}

/// A live user by username, with counts.
pub fn user_record_by_name(
    state: &AppState,
    username: &str,
    now: DateTime<Utc>,
) -> Option<UserRecord> {
    state.projections.read(|models| {
        Some(UserRecord::of(
            models,
            models.users.by_username(username)?,
            now,
        ))
    })
}

/// Every live user with counts, newest first.
pub fn all_user_records(state: &AppState, now: DateTime<Utc>) -> Vec<UserRecord> {
    state.projections.read(|models| {
        models
            .users
            .all()
            .map(|user| UserRecord::of(models, user, now))
            .collect()
    })
}

/// The page of users matching `filter` after the one created at `after`.
pub fn user_record_page(
    state: &AppState,
    filter: &UserFilter,
    first: usize,
    after: Option<Position>,
    now: DateTime<Utc>,
) -> UserRecordPage {
    state.projections.read(|models| {
        let page = models.users.page(filter, first, after);
        UserRecordPage {
            users: page
                .users
                .iter()
                .map(|user| UserRecord::of(models, user, now))
                .collect(),
            has_next_page: page.has_next_page,
            total_count: page.total_count,
        }
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
                    owner: UserRecord::of(models, owner, now),
                })
            })
            .collect()
    })
}

/// The deployment's totals at `now`.
pub fn system_stats(state: &AppState, now: DateTime<Utc>) -> SystemStats {
    state.projections.read(|models| {
        let totals = models.totals(now);
        let system_api_keys = models.owned.api_keys.count_of(KeyringOwner::System);
        SystemStats {
            users: totals.users,
            admins: totals.admins,
            active_sessions: totals.active_sessions,
            personas: models.owned.personas.len(),
            api_keys: models.owned.api_keys.len() - system_api_keys,
            system_api_keys,
        }
    })
}
