//! When sessions stop working, kept just well enough to count the active ones without a scan.
//!
//! A session works until its deadline (its expiry, or its idle timeout if that comes first),
//! and "active at `now`" is "deadline after `now`". An exact count at any `now` would need every
//! deadline in order, updated on every login and every recorded activity: a tree insert per
//! event on the replay path. Instead this keeps a census taken at one time `at` (when sessions
//! are pruned): how many deadlines had passed by then, and the earliest deadlines after it, in
//! order, up to a horizon. Events correct it with a comparison or two (a deadline past the
//! horizon, the usual case, needs nothing), and a count at any `now` between `at` and the
//! horizon is a subtraction and a binary search. Outside that window the caller scans.

use chrono::{DateTime, Utc};
use roster_domain::ids::SessionId;

/// The earliest deadlines kept: enough for many queries between two prunes, few enough that
/// keeping them in order costs a short copy.
#[cfg(not(test))]
const UPCOMING: usize = 256;
/// Few, in unit tests, so that random tests reach the horizon often.
#[cfg(test)]
pub(crate) const UPCOMING: usize = 8;

/// A census of deadlines, taken at `at` and kept current by every change since.
#[derive(Debug, Clone)]
pub(crate) struct Deadlines {
    /// When the census was taken.
    at: DateTime<Utc>,
    /// Sessions whose deadline is at or before `at`.
    lapsed: usize,
    /// Every session whose deadline is after `at` and before `horizon`, by deadline then id.
    upcoming: Vec<(DateTime<Utc>, SessionId)>,
    /// Deadlines from here on are not kept.
    horizon: DateTime<Utc>,
}

impl Default for Deadlines {
    /// A census of no sessions, taken at the beginning of time: it holds every deadline until
    /// there are more than [`UPCOMING`].
    fn default() -> Self {
        Deadlines {
            at: DateTime::<Utc>::MIN_UTC,
            lapsed: 0,
            upcoming: Vec::new(),
            horizon: DateTime::<Utc>::MAX_UTC,
        }
    }
}

impl Deadlines {
    /// A census at `at` of the sessions with these deadlines.
    pub(crate) fn taken_at(
        at: DateTime<Utc>,
        deadlines: impl Iterator<Item = (DateTime<Utc>, SessionId)>,
    ) -> Deadlines {
        let mut lapsed = 0;
        let mut later: Vec<(DateTime<Utc>, SessionId)> = deadlines
            .filter(|(deadline, _)| {
                let past = *deadline <= at;
                lapsed += usize::from(past);
                !past
            })
            .collect();
        let mut horizon = DateTime::<Utc>::MAX_UTC;
        if later.len() > UPCOMING {
            let (_, first_left_out, _) = later.select_nth_unstable(UPCOMING);
            horizon = first_left_out.0;
            later.truncate(UPCOMING);
        }
        later.sort_unstable();
        let mut census = Deadlines {
            at,
            lapsed,
            upcoming: later,
            horizon,
        };
        census.drop_from_horizon();
        census
    }

    /// How many of `sessions` sessions are active at `now`, if the census can tell.
    pub(crate) fn active(&self, sessions: usize, now: DateTime<Utc>) -> Option<usize> {
        if now < self.at || now >= self.horizon {
            return None;
        }
        let lapsed_since = self
            .upcoming
            .partition_point(|(deadline, _)| *deadline <= now);
        Some(sessions.saturating_sub(self.lapsed + lapsed_since))
    }

    /// A session with this deadline appeared.
    pub(crate) fn add(&mut self, deadline: DateTime<Utc>, id: SessionId) {
        if deadline <= self.at {
            self.lapsed += 1;
        } else if deadline < self.horizon {
            let entry = (deadline, id);
            let at = self.upcoming.partition_point(|e| *e < entry);
            self.upcoming.insert(at, entry);
            if self.upcoming.len() > UPCOMING {
                if let Some((last, _)) = self.upcoming.pop() {
                    self.horizon = last;
                }
                self.drop_from_horizon();
            }
        }
    }

    /// A session with this deadline went (or its deadline changed, to be added again).
    pub(crate) fn remove(&mut self, deadline: DateTime<Utc>, id: SessionId) {
        if deadline <= self.at {
            // Saturating: a miscount must not take the read models down with it.
            self.lapsed = self.lapsed.saturating_sub(1);
        } else if deadline < self.horizon
            && let Ok(at) = self.upcoming.binary_search(&(deadline, id))
        {
            self.upcoming.remove(at);
        }
    }

    /// Keeps `upcoming` to deadlines before the horizon (ties with it go too).
    fn drop_from_horizon(&mut self) {
        while self
            .upcoming
            .last()
            .is_some_and(|(deadline, _)| *deadline >= self.horizon)
        {
            self.upcoming.pop();
        }
    }
}
