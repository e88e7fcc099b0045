//! The `sessions` read model: sessions that have not ended, by id, by user and by token hash
//! (the lookup that authenticates every request).
//!
//! Expiry and the idle timeout are times, not events: every query takes `now`, so the clock
//! belongs to the caller (and tests control it). For the same reason a session that expires
//! but is never ended stays until [`Sessions::prune_expired`] drops it.
//!
//! Longer than most files on purpose: the view, its three indexes and the application of each
//! event are kept together, so that every index update sits beside the event that causes it.

use super::deadlines::Deadlines;
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
        now < self.deadline(idle_timeout)
    }

    /// When the session stops working unless activity is recorded: its expiry, or the end of
    /// its idle time if that comes first.
    pub fn deadline(&self, idle_timeout: Duration) -> DateTime<Utc> {
        let idle_end = self
            .last_seen_at
            .checked_add_signed(idle_timeout)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.expires_at.min(idle_end)
    }
}

/// How long past its deadline a session is kept before [`Sessions::prune_expired`] drops it:
/// an event decided just before the deadline (another instance's, or one whose clock runs a
/// little behind) may still arrive and record activity, which makes the session work again.
pub const PRUNE_GRACE: Duration = Duration::hours(1);

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
    /// The owners of sessions dropped here while the log may still say more about them (a user
    /// event ended them, or they were pruned), so a later `SessionEnded` or activity on one is
    /// still about its owner. A `SessionEnded`, after which nothing more comes, removes it.
    retired: HashMap<SessionId, UserId>,
    /// Counts active sessions without a scan, within its window.
    deadlines: Deadlines,
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
            retired: HashMap::default(),
            deadlines: Deadlines::default(),
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

    /// Whose session `id` is or was, also once it was dropped here without a `SessionEnded`
    /// of its own (a disable, a password reset or change ended it, or it was pruned), so
    /// later events on it keep their subject. `None` after its own `SessionEnded` (nothing
    /// follows it) and for a deleted user's sessions (the domain takes no command on them).
    pub fn owner_of_any(&self, id: SessionId) -> Option<UserId> {
        // The retired owners are asked only on a miss: most events are about live sessions.
        self.owner_of(id).or_else(|| self.retired.get(&id).copied())
    }

    /// Every session that has not ended, active or expired, in no particular order.
    pub fn every_session(&self) -> impl Iterator<Item = &SessionView> {
        self.by_id.values()
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

    /// How many sessions are active. Without a scan from the last [`Sessions::prune_expired`]
    /// until a few hundred sessions have reached their deadline since (or ever, while there
    /// are fewer); by a scan otherwise, or for a `now` before that prune.
    pub fn active_count(&self, now: DateTime<Utc>) -> usize {
        self.deadlines
            .active(self.by_id.len(), now)
            .unwrap_or_else(|| {
                self.by_id
                    .values()
                    .filter(|s| s.is_active(now, self.idle_timeout))
                    .count()
            })
    }

    /// Drops every session whose deadline passed more than [`PRUNE_GRACE`] before `now`, and
    /// the user agents only they used; returns how many went. Only dropped sessions' owners
    /// are kept (a few dozen bytes each), so later events on them stay in their owner's
    /// history. It scans every session, so call it on a timer (every few minutes), not per
    /// request; it also renews what lets [`Sessions::active_count`] count without a scan.
    pub fn prune_expired(&mut self, now: DateTime<Utc>) -> usize {
        let cutoff = now.checked_sub_signed(PRUNE_GRACE).unwrap_or(now);
        let idle_timeout = self.idle_timeout;
        let lapsed: Vec<(SessionId, UserId)> = self
            .by_id
            .values()
            .filter(|s| s.deadline(idle_timeout) <= cutoff)
            .map(|s| (s.id, s.user_id))
            .collect();
        for &(id, user) in &lapsed {
            self.end(id);
            self.retired.insert(id, user);
        }
        // An agent only this set still holds belongs to no session any more.
        self.user_agents
            .retain(|agent| Arc::strong_count(agent) > 1);
        self.deadlines = Deadlines::taken_at(
            now,
            self.by_id
                .values()
                .map(|s| (s.deadline(idle_timeout), s.id)),
        );
        lapsed.len()
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
                let session = SessionView {
                    id,
                    user_id: e.user_id,
                    created_at: at,
                    expires_at: e.expires_at,
                    last_seen_at: at,
                    user_agent,
                    ip: e.ip,
                    remember_me: e.remember_me,
                    token_hash,
                };
                self.deadlines.add(session.deadline(self.idle_timeout), id);
                if let Some(replaced) = self.by_id.insert(session) {
                    self.deadlines
                        .remove(replaced.deadline(self.idle_timeout), id);
                }
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
                    let before = session.deadline(self.idle_timeout);
                    session.last_seen_at = session.last_seen_at.max(at);
                    let after = session.deadline(self.idle_timeout);
                    if after != before {
                        self.deadlines.remove(before, id);
                        self.deadlines.add(after, id);
                    }
                }
            }
            SessionEvent::Ended { .. } => {
                if !self.end(id) {
                    // Dropped earlier: its own end is the last the log says of it.
                    self.retired.remove(&id);
                }
            }
        }
    }

    /// Ends one session; `false` if it was not here.
    fn end(&mut self, id: SessionId) -> bool {
        self.unindex(id);
        match self.by_id.remove(id) {
            Some(session) => {
                self.deadlines
                    .remove(session.deadline(self.idle_timeout), id);
                true
            }
            None => false,
        }
    }

    /// Ends every session of `user` except `keep`, as a change to the account does (a
    /// disable, a password reset or change). The log may still end or use such a session, so
    /// its owner is kept for the audit.
    pub(crate) fn end_all_of(&mut self, user: UserId, keep: Option<SessionId>) {
        for id in self.remove_all_of(user, keep) {
            self.retired.insert(id, user);
        }
    }

    /// Ends every session of a deleted `user`. Unlike [`Sessions::end_all_of`] no owner is
    /// kept: the domain takes no further command on a deleted user's sessions.
    pub(crate) fn end_all_of_deleted(&mut self, user: UserId) {
        self.remove_all_of(user, None);
    }

    fn remove_all_of(&mut self, user: UserId, keep: Option<SessionId>) -> Vec<SessionId> {
        let ids: Vec<SessionId> = self.ids_of(user).filter(|id| Some(*id) != keep).collect();
        for &id in &ids {
            self.end(id);
        }
        ids
    }
}

impl PartialEq for Sessions {
    fn eq(&self, other: &Self) -> bool {
        self.by_id == other.by_id
            && self.user_entries() == other.user_entries()
            && self.token_entries() == other.token_entries()
            && self.user_agents == other.user_agents
            && self.retired == other.retired
            // Not `deadlines`: a cache, whose window depends on when sessions were pruned,
            // and whose counts the tests check against a scan.
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test arrangement: a failure is a test failure

    use super::*;
    use crate::models::deadlines::UPCOMING;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use roster_domain::session::{EndReason, SessionStarted};
    use roster_domain::values::TokenHash;
    use uuid::Uuid;

    /// What happens to the sessions, with minutes from a fixed start.
    #[derive(Debug, Clone)]
    enum Step {
        Start { user: u8, lifetime: i64 },
        Use { session: usize },
        End { session: usize },
        EndAllOf { user: u8 },
        Prune,
        Wait { minutes: i64 },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0u8..4, 1i64..300).prop_map(|(user, lifetime)| Step::Start { user, lifetime }),
            2 => (0usize..64).prop_map(|session| Step::Use { session }),
            1 => (0usize..64).prop_map(|session| Step::End { session }),
            1 => (0u8..4).prop_map(|user| Step::EndAllOf { user }),
            1 => Just(Step::Prune),
            3 => (1i64..90).prop_map(|minutes| Step::Wait { minutes }),
        ]
    }

    fn started(user: UserId, n: u128, expires_at: DateTime<Utc>) -> SessionEvent {
        SessionEvent::Started(SessionStarted {
            user_id: user,
            token_hash: TokenHash::parse(&format!("{n:064x}")).unwrap(),
            expires_at,
            user_agent: Some(format!("agent {}", n % 3)),
            ip: None,
            remember_me: false,
        })
    }

    fn scanned(sessions: &Sessions, now: DateTime<Utc>) -> usize {
        sessions.all(now).len()
    }

    proptest! {
        #[test]
        fn active_counts_equal_a_scan_whenever_they_are_asked(
            steps in prop::collection::vec(step(), 1..200),
        ) {
            let mut sessions = Sessions::with_idle_timeout(Duration::minutes(60));
            let mut now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
            let mut ids = Vec::new();
            for step in steps {
                match step {
                    Step::Start { user, lifetime } => {
                        let id = SessionId(Uuid::from_u128(ids.len() as u128 + 1));
                        let user = UserId(Uuid::from_u128(u128::from(user) + 1));
                        let event = started(user, ids.len() as u128, now + Duration::minutes(lifetime));
                        sessions.apply(id, event, now);
                        ids.push(id);
                    }
                    Step::Use { session } if !ids.is_empty() => {
                        let id = ids[session % ids.len()];
                        sessions.apply(id, SessionEvent::ActivityRecorded { at: now }, now);
                    }
                    Step::End { session } if !ids.is_empty() => {
                        let id = ids[session % ids.len()];
                        let ended = SessionEvent::Ended { reason: EndReason::Logout };
                        sessions.apply(id, ended, now);
                    }
                    Step::EndAllOf { user } => {
                        sessions.end_all_of(UserId(Uuid::from_u128(u128::from(user) + 1)), None);
                    }
                    Step::Prune => {
                        sessions.prune_expired(now);
                    }
                    Step::Wait { minutes } => now += Duration::minutes(minutes),
                    Step::Use { .. } | Step::End { .. } => {}
                }
                for minutes in [-120, -1, 0, 1, 30, 59, 60, 61, 240] {
                    let at = now + Duration::minutes(minutes);
                    prop_assert_eq!(sessions.active_count(at), scanned(&sessions, at));
                }
            }
        }
    }

    #[test]
    fn it_should_count_without_a_scan_between_a_prune_and_its_horizon() {
        let mut sessions = Sessions::with_idle_timeout(Duration::days(30));
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let user = UserId(Uuid::from_u128(1));
        let minutes = |n: usize| Duration::minutes(i64::try_from(n).unwrap());
        // One session ending each minute from the first, far more than the census keeps.
        let total = 20 * UPCOMING;
        for n in 1..=total {
            let id = SessionId(Uuid::from_u128(n as u128));
            sessions.apply(id, started(user, n as u128, start + minutes(n)), start);
        }
        let horizon = start + minutes(UPCOMING + 1);
        assert_eq!(sessions.deadlines.active(total, start), Some(total));
        assert_eq!(sessions.deadlines.active(total, horizon), None);
        assert_eq!(sessions.active_count(horizon), total - UPCOMING - 1);

        let pruned = 5 * UPCOMING;
        let now = start + minutes(pruned + 60);
        assert_eq!(
            sessions.prune_expired(now),
            pruned,
            "those ended over an hour ago"
        );
        let left = total - pruned;
        for n in [0, 1, UPCOMING / 2, UPCOMING] {
            let at = now + minutes(n);
            assert_eq!(
                sessions.deadlines.active(left, at),
                Some(scanned(&sessions, at))
            );
        }
        let beyond = now + minutes(UPCOMING + 1);
        assert_eq!(sessions.deadlines.active(left, beyond), None);
        assert_eq!(sessions.active_count(beyond), scanned(&sessions, beyond));
        let before = now - minutes(1);
        assert_eq!(
            sessions.deadlines.active(left, before),
            None,
            "before the census"
        );
        assert_eq!(sessions.active_count(before), scanned(&sessions, before));
    }
}
