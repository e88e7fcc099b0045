//! The `sessions` read model: sessions that have not ended, by id, by user and by token hash
//! (the lookup that authenticates every request).
//!
//! Expiry and the idle timeout are times, not events: every query takes `now`, so the clock
//! belongs to the caller (and tests control it).

use chrono::{DateTime, Duration, Utc};
use foldhash::{HashMap, HashSet};
use roster_domain::ids::{SessionId, UserId};
use roster_domain::session::SessionEvent;
use smallvec::SmallVec;
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

/// Every session that has not ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sessions {
    by_id: HashMap<SessionId, SessionView>,
    by_user: HashMap<UserId, SmallVec<[SessionId; 2]>>,
    by_token: HashMap<[u8; 32], SessionId>,
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
            by_id: HashMap::default(),
            by_user: HashMap::default(),
            by_token: HashMap::default(),
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
        self.by_token
            .get(&key)
            .and_then(|id| self.by_id.get(id))
            .filter(|s| s.is_active(now, self.idle_timeout))
    }

    /// An active session by id.
    pub fn get(&self, id: SessionId, now: DateTime<Utc>) -> Option<&SessionView> {
        self.by_id
            .get(&id)
            .filter(|s| s.is_active(now, self.idle_timeout))
    }

    /// Whose session `id` is, whether or not it is still active (while not ended).
    pub fn owner_of(&self, id: SessionId) -> Option<UserId> {
        self.by_id.get(&id).map(|s| s.user_id)
    }

    /// A user's active sessions, newest first.
    pub fn of_user(&self, user: UserId, now: DateTime<Utc>) -> Vec<&SessionView> {
        let mut sessions: Vec<&SessionView> = self
            .by_user
            .get(&user)
            .into_iter()
            .flatten()
            .filter_map(|id| self.get(*id, now))
            .collect();
        sessions.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        sessions
    }

    /// How many active sessions a user has.
    pub fn count_of_user(&self, user: UserId, now: DateTime<Utc>) -> usize {
        self.by_user.get(&user).map_or(0, |ids| {
            ids.iter()
                .filter(|id| self.get(**id, now).is_some())
                .count()
        })
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
                self.by_token.insert(token_hash, id);
                self.by_user.entry(e.user_id).or_default().push(id);
                let user_agent = e.user_agent.map(|agent| self.intern(agent));
                self.by_id.insert(
                    id,
                    SessionView {
                        id,
                        user_id: e.user_id,
                        created_at: at,
                        expires_at: e.expires_at,
                        last_seen_at: at,
                        user_agent,
                        ip: e.ip,
                        remember_me: e.remember_me,
                        token_hash,
                    },
                );
            }
            SessionEvent::ActivityRecorded { at } => {
                if let Some(session) = self.by_id.get_mut(&id) {
                    session.last_seen_at = session.last_seen_at.max(at);
                }
            }
            SessionEvent::Ended { .. } => self.end(id),
        }
    }

    /// Ends one session.
    pub(crate) fn end(&mut self, id: SessionId) {
        if let Some(session) = self.by_id.remove(&id) {
            self.by_token.remove(&session.token_hash);
            if let Some(ids) = self.by_user.get_mut(&session.user_id) {
                ids.retain(|other| *other != id);
                if ids.is_empty() {
                    self.by_user.remove(&session.user_id);
                }
            }
        }
    }

    /// Ends every session of `user` except `keep`.
    pub(crate) fn end_all_of(&mut self, user: UserId, keep: Option<SessionId>) {
        let ids: Vec<SessionId> = self
            .by_user
            .get(&user)
            .into_iter()
            .flatten()
            .copied()
            .filter(|id| Some(*id) != keep)
            .collect();
        for id in ids {
            self.end(id);
        }
    }
}

impl Sessions {
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
