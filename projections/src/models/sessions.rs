//! The `sessions` read model: sessions that have not ended, by id, by user and by token hash
//! (the lookup that authenticates every request).
//!
//! Expiry and the idle timeout are times, not events: every query takes `now`, so the clock
//! belongs to the caller (and tests control it).

use super::keyed::{Index, Keyed, Table};
use chrono::{DateTime, Duration, Utc};
use foldhash::{HashMap, HashSet};
use roster_domain::ids::{SessionId, UserId};
use roster_domain::session::SessionEvent;
use std::hash::BuildHasher;
use std::sync::Arc;

/// A session that has not ended (it may still have expired by the clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// Id.
    pub id: SessionId,
    /// Whose.
    pub user_id: UserId,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When it stops working, whatever happens.
    pub expires_at: DateTime<Utc>,
    /// Last recorded use (the start, until activity is recorded).
    pub last_seen_at: DateTime<Utc>,
    /// Client user agent (shared between sessions that have the same one).
    pub user_agent: Option<Arc<str>>,
    /// Client address.
    pub ip: Option<String>,
    /// Long-lived.
    pub remember_me: bool,
    /// SHA-256 of the token.
    pub token_hash: [u8; 32],
}

impl SessionView {
    /// Whether the session still works at `now` given the idle timeout.
    pub fn is_active(&self, now: DateTime<Utc>, idle_timeout: Duration) -> bool {
        now < self.expires_at && now < self.last_seen_at + idle_timeout
    }
}

impl Keyed for SessionView {
    type Key = SessionId;
    fn key(&self) -> SessionId {
        self.id
    }
}

/// Every session that has not ended.
#[derive(Debug, Clone)]
pub struct Sessions {
    by_id: Table<SessionView>,
    /// Session ids, found by the user id their view holds (many a user).
    by_user: Index<SessionId>,
    /// Session ids, found by the token hash their view holds.
    by_token: Index<SessionId>,
    /// Most sessions come from a handful of browsers: keep each user agent once.
    user_agents: HashSet<Arc<str>>,
    idle_timeout: Duration,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::with_idle_timeout(Duration::days(7))
    }
}

impl Sessions {
    /// Sessions that end after `idle_timeout` without recorded activity.
    pub fn with_idle_timeout(idle_timeout: Duration) -> Sessions {
        Sessions {
            by_id: Table::default(),
            by_user: Index::default(),
            by_token: Index::default(),
            user_agents: HashSet::default(),
            idle_timeout,
        }
    }

    /// The idle timeout in force.
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// The active session whose token hashes to `token_hash` (hex), if any.
    pub fn by_token_hash(&self, token_hash: &str, now: DateTime<Utc>) -> Option<&SessionView> {
        let key = decode_hash(token_hash)?;
        self.with_token(&key)
            .and_then(|id| self.by_id.get(id))
            .filter(|s| s.is_active(now, self.idle_timeout))
    }

    /// An active session by id.
    pub fn get(&self, id: SessionId, now: DateTime<Utc>) -> Option<&SessionView> {
        self.by_id
            .get(id)
            .filter(|s| s.is_active(now, self.idle_timeout))
    }

    /// Whose session `id` is, whether or not it is still active (while not ended).
    pub fn owner_of(&self, id: SessionId) -> Option<UserId> {
        self.by_id.get(id).map(|s| s.user_id)
    }

    /// A user's active sessions, newest first.
    pub fn of_user(&self, user: UserId, now: DateTime<Utc>) -> Vec<&SessionView> {
        let mut sessions: Vec<&SessionView> = self
            .ids_of(user)
            .filter_map(|id| self.get(id, now))
            .collect();
        sessions.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        sessions
    }

    /// How many active sessions a user has.
    pub fn count_of_user(&self, user: UserId, now: DateTime<Utc>) -> usize {
        self.ids_of(user)
            .filter(|id| self.get(*id, now).is_some())
            .count()
    }

    /// Every active session, newest first.
    pub fn all(&self, now: DateTime<Utc>) -> Vec<&SessionView> {
        let mut sessions: Vec<&SessionView> = self
            .by_id
            .values()
            .filter(|s| s.is_active(now, self.idle_timeout))
            .collect();
        sessions.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        sessions
    }

    /// How many sessions are active.
    pub fn active_count(&self, now: DateTime<Utc>) -> usize {
        self.by_id
            .values()
            .filter(|s| s.is_active(now, self.idle_timeout))
            .count()
    }

    pub(crate) fn apply(&mut self, id: SessionId, event: SessionEvent, at: DateTime<Utc>) {
        match event {
            SessionEvent::Started(e) => {
                let Some(token_hash) = decode_hash(e.token_hash.as_str()) else {
                    return;
                };
                // A token names one session: a newer one with the same token takes it over.
                if let Some(holder) = self.with_token(&token_hash) {
                    self.unindex_token(holder);
                }
                self.unindex(id);
                let user_agent = e.user_agent.map(|agent| self.intern(agent));
                self.by_id.insert(SessionView {
                    id,
                    user_id: e.user_id,
                    created_at: at,
                    expires_at: e.expires_at,
                    last_seen_at: at,
                    user_agent,
                    ip: e.ip,
                    remember_me: e.remember_me,
                    token_hash,
                });
                let hash = self.by_token.hash_with(|state| state.hash_one(token_hash));
                let by_id = &self.by_id;
                self.by_token.insert(hash, id, |state, id| {
                    by_id.get(id).map_or(0, |s| state.hash_one(s.token_hash))
                });
                let hash = self.by_user.hash_with(|state| state.hash_one(e.user_id));
                self.by_user.insert(hash, id, |state, id| {
                    by_id.get(id).map_or(0, |s| state.hash_one(s.user_id))
                });
            }
            SessionEvent::ActivityRecorded { at } => {
                if let Some(session) = self.by_id.get_mut(id) {
                    session.last_seen_at = session.last_seen_at.max(at);
                }
            }
            SessionEvent::Ended { .. } => self.end(id),
        }
    }

    /// Ends one session.
    pub(crate) fn end(&mut self, id: SessionId) {
        self.unindex(id);
        self.by_id.remove(id);
    }

    /// Ends every session of `user` except `keep`.
    pub(crate) fn end_all_of(&mut self, user: UserId, keep: Option<SessionId>) {
        let ids: Vec<SessionId> = self.ids_of(user).filter(|id| Some(*id) != keep).collect();
        for id in ids {
            self.end(id);
        }
    }
}

impl PartialEq for Sessions {
    fn eq(&self, other: &Self) -> bool {
        self.by_id == other.by_id
            && self.user_entries() == other.user_entries()
            && self.token_entries() == other.token_entries()
            && self.user_agents == other.user_agents
            && self.idle_timeout == other.idle_timeout
    }
}

impl Eq for Sessions {}

impl Sessions {
    /// The user index's entries, by owner, for comparing two models.
    fn user_entries(&self) -> HashMap<(SessionId, Option<UserId>), usize> {
        self.by_user.entries(
            |id| self.by_id.get(id).map(|s| s.user_id),
            |state, user| state.hash_one(user),
        )
    }

    /// The token index's entries, by token hash, for comparing two models.
    fn token_entries(&self) -> HashMap<(SessionId, Option<[u8; 32]>), usize> {
        self.by_token.entries(
            |id| self.by_id.get(id).map(|s| s.token_hash),
            |state, token_hash| state.hash_one(token_hash),
        )
    }

    /// The session the token index gives for `token_hash`.
    fn with_token(&self, token_hash: &[u8; 32]) -> Option<SessionId> {
        let hash = self.by_token.hash_with(|state| state.hash_one(token_hash));
        self.by_token.find(hash, |id| {
            self.by_id
                .get(id)
                .is_some_and(|s| s.token_hash == *token_hash)
        })
    }

    /// The ids of a user's sessions that have not ended, in no particular order.
    fn ids_of(&self, user: UserId) -> impl Iterator<Item = SessionId> {
        let hash = self.by_user.hash_with(|state| state.hash_one(user));
        self.by_user.find_all(hash, move |id| {
            self.by_id.get(id).is_some_and(|s| s.user_id == user)
        })
    }

    /// Drops the token index entry of session `id`, while its view is still there.
    fn unindex_token(&mut self, id: SessionId) {
        if let Some(session) = self.by_id.get(id) {
            let hash = self
                .by_token
                .hash_with(|state| state.hash_one(session.token_hash));
            self.by_token.remove(hash, id);
        }
    }

    /// Drops every index entry of session `id`, while its view is still there.
    fn unindex(&mut self, id: SessionId) {
        self.unindex_token(id);
        if let Some(session) = self.by_id.get(id) {
            let hash = self
                .by_user
                .hash_with(|state| state.hash_one(session.user_id));
            self.by_user.remove(hash, id);
        }
    }

    fn intern(&mut self, agent: String) -> Arc<str> {
        if let Some(known) = self.user_agents.get(agent.as_str()) {
            return known.clone();
        }
        let agent: Arc<str> = agent.into();
        self.user_agents.insert(agent.clone());
        agent
    }
}

fn decode_hash(hex_digest: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_digest, &mut out).ok()?;
    Some(out)
}
