//! Per-account slowdown of failed logins.
//!
//! After a few failures on one username, every further attempt on it waits first, twice as
//! long each time up to a cap. It never refuses: the real user, typing the right password,
//! gets in after at most the capped wait, so an attacker can slow an account down but cannot
//! lock its owner out. Failures are forgotten after a quiet period, and the table is bounded
//! (oldest entries go first), so a spray of made-up usernames cannot grow memory.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How the slowdown grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before any delay.
    pub free_failures: u32,
    /// The first delay.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Failures older than this are forgotten.
    pub forget_after: Duration,
    /// Most accounts tracked at once.
    pub max_accounts: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            free_failures: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            forget_after: Duration::from_secs(15 * 60),
            max_accounts: 10_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// The failure counts, by lowercased username.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    /// A throttle with `policy`.
    pub fn new(policy: ThrottlePolicy) -> LoginThrottle {
        LoginThrottle {
            policy,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// How long an attempt on `username` waits before its password is checked.
    pub fn delay_for(&self, username: &str) -> Duration {
        let now = Instant::now();
        let failures = self.lock();
        match failures.get(&key(username)) {
            Some(f) if now.duration_since(f.last) < self.policy.forget_after => self.delay(f.count),
            _ => Duration::ZERO,
        }
    }

    /// Records a failed attempt on `username`.
    pub fn record_failure(&self, username: &str) {
        let now = Instant::now();
        let mut failures = self.lock();
        let key = key(username);
        if !failures.contains_key(&key) && failures.len() >= self.policy.max_accounts {
            let forget_after = self.policy.forget_after;
            failures.retain(|_, f| now.duration_since(f.last) < forget_after);
            if failures.len() >= self.policy.max_accounts
                && let Some(oldest) = failures
                    .iter()
                    .min_by_key(|(_, f)| f.last)
                    .map(|(k, _)| k.clone())
            {
                failures.remove(&oldest);
            }
        }
        let entry = failures.entry(key).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.duration_since(entry.last) >= self.policy.forget_after {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
    }

    /// A successful login clears the account's failures.
    pub fn record_success(&self, username: &str) {
        self.lock().remove(&key(username));
    }

    /// How many accounts are tracked.
    pub fn tracked(&self) -> usize {
        self.lock().len()
    }

    fn delay(&self, count: u32) -> Duration {
        if count < self.policy.free_failures {
            return Duration::ZERO;
        }
        let doublings = (count - self.policy.free_failures).min(16);
        self.policy
            .base_delay
            .saturating_mul(1u32 << doublings)
            .min(self.policy.max_delay)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn key(username: &str) -> String {
    username.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            free_failures: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
            forget_after: Duration::from_secs(60),
            max_accounts: 2,
        }
    }

    #[test]
    fn it_should_slow_down_one_account_after_a_few_failures_with_a_cap() {
        let throttle = LoginThrottle::new(policy());
        for _ in 0..3 {
            assert_eq!(throttle.delay_for("Alice"), Duration::ZERO);
            throttle.record_failure("alice");
        }
        assert_eq!(throttle.delay_for("alice"), Duration::from_millis(100));
        throttle.record_failure("ALICE");
        assert_eq!(throttle.delay_for("alice"), Duration::from_millis(200));
        for _ in 0..10 {
            throttle.record_failure("alice");
        }
        assert_eq!(throttle.delay_for("alice"), Duration::from_millis(400));
        assert_eq!(throttle.delay_for("bob"), Duration::ZERO, "per account");
        throttle.record_success("alice");
        assert_eq!(throttle.delay_for("alice"), Duration::ZERO);
    }

    #[test]
    fn it_should_track_a_bounded_number_of_accounts() {
        let throttle = LoginThrottle::new(policy());
        for name in ["a1", "a2", "a3", "a4"] {
            throttle.record_failure(name);
        }
        assert_eq!(throttle.tracked(), 2);
    }
}
