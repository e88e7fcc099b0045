//! Per-account pacing of login attempts.
//!
//! After a few failures on one username, no further attempt on it is checked before the
//! account's next slot, and each attempt pushes that slot forward by a delay that doubles up
//! to a cap. The slot is reserved atomically *before* the attempt waits, so attempts sent in
//! parallel queue one delay apart instead of all waiting the same delay and then all being
//! checked: the throttle limits the rate of guesses, not just their latency.
//!
//! It never locks an account for good: the delay is capped, attempts are queued at most
//! `max_wait` ahead (one further out is refused at once, unchecked, with "try again later"),
//! and a successful login clears the account. While an attacker keeps the queue full the
//! real user may be asked to retry; once the attack stops the account recovers within
//! `max_wait`.
//!
//! Accounts are keyed by a fixed-size hash of the lowercased username (callers pass names
//! that already parsed as usernames), so whatever is sent costs the table 16 bytes. The
//! table is bounded, and only entries whose wait is over are ever evicted to make room: a
//! spray of made-up usernames cannot push out, and so reset, the pacing of an account under
//! attack. When no entry can go, an attempt on an account not yet tracked is refused
//! unchecked until one can (the per-address and global budgets keep such sprays slow).
//!
//! The table is a sharded concurrent map: attempts on different accounts do not contend.

use crate::config::ThrottlePolicy;
use dashmap::DashMap;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// An attempt refused without checking its password: the account's queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many login attempts on this account")]
pub struct Throttled {
    /// How long until the account's next free slot is within reach again.
    pub retry_after: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Account {
    /// Failures and attempts still waiting or being checked, since the last success.
    attempts: u32,
    /// No further attempt on this account is checked before this instant.
    next_check: Instant,
    /// The last attempt or failure, for forgetting quiet accounts.
    last: Instant,
}

impl Account {
    fn fresh(now: Instant) -> Account {
        Account {
            attempts: 0,
            next_check: now,
            last: now,
        }
    }
}

/// The key of an account: the first 16 bytes of the SHA-256 of its lowercased username.
type AccountKey = [u8; 16];

/// The pacing state, by account.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    accounts: DashMap<AccountKey, Account>,
}

impl LoginThrottle {
    /// A throttle with `policy`.
    pub fn new(policy: ThrottlePolicy) -> LoginThrottle {
        LoginThrottle {
            policy,
            accounts: DashMap::new(),
        }
    }

    /// Reserves the next slot for an attempt on `username`: how long the attempt must wait
    /// before its password is checked, or [`Throttled`] when the slot is too far ahead.
    pub fn reserve(&self, username: &str) -> Result<Duration, Throttled> {
        self.reserve_at(username, Instant::now())
    }

    /// Records that an attempt on `username` was checked and failed: the next check waits
    /// at least one delay from now, however long ago the slot was reserved.
    pub fn record_failure(&self, username: &str) {
        self.record_failure_at(username, Instant::now());
    }

    /// A successful login clears the account's failures.
    pub fn record_success(&self, username: &str) {
        self.accounts.remove(&key(username));
    }

    /// How many accounts are tracked.
    pub fn tracked(&self) -> usize {
        self.accounts.len()
    }

    fn reserve_at(&self, username: &str, now: Instant) -> Result<Duration, Throttled> {
        let mut account = self.account(key(username), now)?;
        let slot = account.next_check.max(now);
        let wait = slot.saturating_duration_since(now);
        if wait > self.policy.max_wait {
            // Refused attempts take no slot: they are not checked, so they need no pacing.
            return Err(Throttled {
                retry_after: wait.saturating_sub(self.policy.max_wait),
            });
        }
        account.attempts = account.attempts.saturating_add(1);
        account.next_check = slot + self.delay(account.attempts);
        account.last = now;
        Ok(wait)
    }

    fn record_failure_at(&self, username: &str, now: Instant) {
        // A failure always counts, even when the table is full: an entry is made regardless.
        let mut account = self
            .accounts
            .entry(key(username))
            .or_insert_with(|| Account::fresh(now));
        // Forgotten or evicted while the attempt was checked: it still counts.
        account.attempts = account.attempts.max(1);
        account.next_check = account.next_check.max(now + self.delay(account.attempts));
        account.last = now;
    }

    /// The account's entry, fresh if it was quiet long enough to be forgotten. A new entry
    /// needs room: entries whose wait is over may go, no other; without room the attempt is
    /// refused until the earliest wait ends.
    fn account(
        &self,
        key: AccountKey,
        now: Instant,
    ) -> Result<dashmap::mapref::one::RefMut<'_, AccountKey, Account>, Throttled> {
        if !self.accounts.contains_key(&key) && self.accounts.len() >= self.policy.max_accounts {
            self.accounts.retain(|_, a| a.next_check > now);
            if self.accounts.len() >= self.policy.max_accounts {
                let earliest = self.accounts.iter().map(|a| a.next_check).min();
                return Err(Throttled {
                    retry_after: earliest.map_or(Duration::ZERO, |at| at - now),
                });
            }
        }
        let forget_after = self.policy.forget_after;
        let mut account = self
            .accounts
            .entry(key)
            .or_insert_with(|| Account::fresh(now));
        let quiet = now.saturating_duration_since(account.last) >= forget_after;
        if quiet && account.next_check <= now {
            *account = Account::fresh(now);
        }
        Ok(account)
    }

    /// The delay after the `attempts`-th attempt before the next one is checked.
    fn delay(&self, attempts: u32) -> Duration {
        if attempts < self.policy.free_failures {
            return Duration::ZERO;
        }
        let doublings = (attempts - self.policy.free_failures).min(16);
        self.policy
            .base_delay
            .saturating_mul(1u32 << doublings)
            .min(self.policy.max_delay)
    }
}

fn key(username: &str) -> AccountKey {
    let digest = Sha256::digest(username.trim().to_lowercase().as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            free_failures: 3,
            base_delay: 100 * MS,
            max_delay: 400 * MS,
            max_wait: Duration::from_secs(10),
            forget_after: Duration::from_secs(60),
            max_accounts: 2,
        }
    }

    /// Fails `n` attempts on `username`, one after another, all at `at`.
    fn fail(throttle: &LoginThrottle, username: &str, n: u32, at: Instant) {
        for _ in 0..n {
            throttle.reserve_at(username, at).unwrap();
            throttle.record_failure_at(username, at);
        }
    }

    #[test]
    fn it_should_queue_parallel_attempts_one_delay_apart_after_the_free_failures() {
        let throttle = LoginThrottle::new(policy());
        let t0 = Instant::now();
        fail(&throttle, "alice", 2, t0);
        // Twenty attempts arrive together, before any of them has been checked.
        let waits: Vec<Duration> = (0..20)
            .map(|_| throttle.reserve_at("Alice", t0).unwrap())
            .collect();
        assert_eq!(waits[0], Duration::ZERO, "the third attempt is still free");
        assert_eq!(waits[1], 100 * MS);
        assert_eq!(waits[2], 300 * MS);
        for pair in waits.windows(2).skip(3) {
            assert_eq!(pair[1] - pair[0], 400 * MS, "capped, but still one apart");
        }
        let expected: Duration = (3..22).map(|attempt| throttle.delay(attempt)).sum();
        assert_eq!(
            waits[19], expected,
            "the last waits for every delay before it"
        );
    }

    #[test]
    fn it_should_pace_sequential_failures_from_the_last_check_with_a_cap() {
        let throttle = LoginThrottle::new(policy());
        let mut now = Instant::now();
        let mut waits = Vec::new();
        for _ in 0..10 {
            let wait = throttle.reserve_at("alice", now).unwrap();
            // Each check takes 30 ms after its slot; the next delay counts from its end.
            now += wait + 30 * MS;
            throttle.record_failure_at("alice", now);
            waits.push(wait.as_millis());
        }
        assert_eq!(waits, [0, 0, 0, 100, 200, 400, 400, 400, 400, 400]);
        assert_eq!(
            throttle.reserve_at("bob", now),
            Ok(Duration::ZERO),
            "per account"
        );
    }

    #[test]
    fn it_should_let_the_right_password_clear_the_account() {
        let throttle = LoginThrottle::new(policy());
        let t0 = Instant::now();
        fail(&throttle, "alice", 8, t0);
        assert!(throttle.reserve_at("alice", t0).unwrap() > Duration::ZERO);
        throttle.record_success("ALICE");
        assert_eq!(throttle.reserve_at("alice", t0), Ok(Duration::ZERO));
    }

    #[test]
    fn it_should_refuse_unchecked_beyond_the_longest_wait_and_recover_after_it() {
        let throttle = LoginThrottle::new(ThrottlePolicy {
            max_wait: Duration::from_secs(1),
            ..policy()
        });
        let t0 = Instant::now();
        fail(&throttle, "alice", 3, t0);
        let accepted: Vec<Duration> = std::iter::from_fn(|| throttle.reserve_at("alice", t0).ok())
            .take(100)
            .collect();
        assert_eq!(
            accepted,
            [100 * MS, 300 * MS, 700 * MS],
            "then 1100 ms: too far"
        );
        let refused = throttle.reserve_at("alice", t0).unwrap_err();
        assert_eq!(refused.retry_after, 100 * MS);
        assert!(
            throttle
                .reserve_at("alice", t0 + refused.retry_after)
                .is_ok(),
            "refusals took no slot: the queue is back within reach"
        );
    }

    #[test]
    fn it_should_forget_a_quiet_account() {
        let throttle = LoginThrottle::new(policy());
        let t0 = Instant::now();
        fail(&throttle, "alice", 10, t0);
        let later = t0 + Duration::from_secs(61);
        assert_eq!(throttle.reserve_at("alice", later), Ok(Duration::ZERO));
    }

    #[test]
    fn it_should_track_a_bounded_number_of_accounts() {
        let throttle = LoginThrottle::new(policy());
        let t0 = Instant::now();
        for (i, name) in ["a1", "a2", "a3", "a4"].into_iter().enumerate() {
            fail(&throttle, name, 1, t0 + MS * u32::try_from(i).unwrap());
        }
        assert_eq!(throttle.tracked(), 2);
    }

    #[test]
    fn it_should_never_evict_an_account_whose_wait_is_not_over() {
        let throttle = LoginThrottle::new(policy());
        let t0 = Instant::now();
        // The target fails until it is paced.
        fail(&throttle, "target", 5, t0);
        let paced = throttle.reserve_at("target", t0).unwrap();
        assert!(paced > Duration::ZERO);
        // A spray of invented names, all failing at once, cannot push it out.
        fail(&throttle, "invented-1", 5, t0);
        for n in 2..50 {
            assert!(
                throttle.reserve_at(&format!("invented-{n}"), t0).is_err(),
                "no room while every tracked wait is running"
            );
        }
        assert!(
            throttle.reserve_at("target", t0).unwrap() > paced,
            "the target's pacing went on"
        );
        // Once waits are over, their entries make room again.
        let later = t0 + Duration::from_secs(30);
        assert_eq!(throttle.reserve_at("newcomer", later), Ok(Duration::ZERO));
    }

    #[test]
    fn it_should_key_any_name_in_sixteen_bytes() {
        assert_eq!(key("Alice"), key(" alice "));
        assert_ne!(key("alice"), key("alicf"));
        assert_eq!(key(&"x".repeat(1 << 20)).len(), 16);
    }
}
