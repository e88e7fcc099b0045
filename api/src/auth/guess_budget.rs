//! Budgets for password guesses across accounts: one per client address and one for the
//! whole server, in front of every argon2 verification (logins, current-password checks) and
//! every registration. The per-account pacing ([`super::LoginThrottle`]) slows guesses at one
//! account; these slow one password tried across many accounts, and a flood of requests that
//! would each cost a hash.
//!
//! Each is a token bucket: a burst, refilled at a steady rate. A check takes a token before
//! the hash; a guess that turns out right gives it back, so people who know their password
//! are never held up by these budgets, while wrong guesses and registrations spend them.

use crate::config::GuessPolicy;
use dashmap::DashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A check refused because a budget is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OverBudget {
    /// This address has guessed too much.
    #[error("too many attempts from this address")]
    Address,
    /// The server as a whole is being guessed at.
    #[error("too many attempts on this server")]
    Server,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(burst: u32, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(burst),
            at: now,
        }
    }

    /// Refills for the time since the last look, up to `burst`.
    fn refill(&mut self, burst: u32, every: Duration, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at);
        self.tokens = (self.tokens + elapsed.as_secs_f64() / every.as_secs_f64().max(1e-9))
            .min(f64::from(burst));
        self.at = now;
    }

    /// Returns a token taken from it, never beyond `burst`.
    fn give_back(&mut self, burst: u32) {
        self.tokens = (self.tokens + 1.0).min(f64::from(burst));
    }

    fn take(&mut self) -> bool {
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The per-address and server-wide budgets.
#[derive(Debug)]
pub struct GuessBudget {
    policy: GuessPolicy,
    by_address: DashMap<IpAddr, Bucket>,
    server: Mutex<Bucket>,
}

/// A token taken from both budgets; give it back with [`GuessBudget::refund`].
#[derive(Debug)]
#[must_use = "a right guess gives its token back"]
pub struct Spent {
    address: Option<IpAddr>,
}

impl GuessBudget {
    /// Full budgets under `policy`.
    pub fn new(policy: GuessPolicy) -> GuessBudget {
        GuessBudget {
            server: Mutex::new(Bucket::full(policy.server_burst, Instant::now())),
            policy,
            by_address: DashMap::new(),
        }
    }

    /// Takes one token from `address`'s budget (when known) and one from the server's.
    pub fn spend(&self, address: Option<IpAddr>) -> Result<Spent, OverBudget> {
        self.spend_at(address, Instant::now())
    }

    /// Gives a token back to both budgets (the guess was right).
    pub fn refund(&self, spent: Spent) {
        let policy = &self.policy;
        self.give_back_to(spent.address);
        let mut server = self.server.lock().unwrap_or_else(PoisonError::into_inner);
        server.give_back(policy.server_burst);
    }

    fn spend_at(&self, address: Option<IpAddr>, now: Instant) -> Result<Spent, OverBudget> {
        let policy = &self.policy;
        if let Some(address) = address {
            self.make_room(now);
            let mut bucket = self
                .by_address
                .entry(address)
                .or_insert_with(|| Bucket::full(policy.address_burst, now));
            bucket.refill(policy.address_burst, policy.address_refill_every, now);
            if !bucket.take() {
                return Err(OverBudget::Address);
            }
        }
        let mut server = self.server.lock().unwrap_or_else(PoisonError::into_inner);
        server.refill(policy.server_burst, policy.server_refill_every, now);
        if server.take() {
            Ok(Spent { address })
        } else {
            drop(server);
            // The server's refusal is not the address's fault: its token goes back.
            self.give_back_to(address);
            Err(OverBudget::Server)
        }
    }

    /// Returns a token to `address`'s budget, if it is tracked.
    fn give_back_to(&self, address: Option<IpAddr>) {
        if let Some(address) = address
            && let Some(mut bucket) = self.by_address.get_mut(&address)
        {
            bucket.give_back(self.policy.address_burst);
        }
    }

    /// Keeps the table of addresses bounded: at the limit, addresses whose budget has refilled
    /// completely (so forgetting them changes nothing) are dropped.
    fn make_room(&self, now: Instant) {
        if self.by_address.len() < self.policy.max_addresses {
            return;
        }
        let full = Duration::from_secs_f64(
            self.policy.address_refill_every.as_secs_f64() * f64::from(self.policy.address_burst),
        );
        self.by_address
            .retain(|_, bucket| now.saturating_duration_since(bucket.at) < full);
    }

    /// How many addresses are tracked.
    pub fn tracked(&self) -> usize {
        self.by_address.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> GuessPolicy {
        GuessPolicy {
            address_burst: 3,
            address_refill_every: Duration::from_secs(10),
            server_burst: 5,
            server_refill_every: Duration::from_secs(1),
            max_addresses: 2,
        }
    }

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn it_should_spend_an_addresss_burst_then_refill_it_steadily() {
        let budget = GuessBudget::new(policy());
        let t0 = Instant::now();
        for _ in 0..3 {
            let _ = budget.spend_at(ip(1), t0).unwrap();
        }
        assert_eq!(budget.spend_at(ip(1), t0).unwrap_err(), OverBudget::Address);
        assert!(budget.spend_at(ip(2), t0).is_ok(), "per address");
        assert!(budget.spend_at(ip(1), t0 + Duration::from_secs(10)).is_ok());
    }

    #[test]
    fn it_should_slow_one_password_tried_from_many_addresses() {
        let budget = GuessBudget::new(policy());
        let t0 = Instant::now();
        let spent: Vec<_> = (1..=5).map(|n| budget.spend_at(ip(n), t0)).collect();
        assert!(spent.iter().all(Result::is_ok));
        assert_eq!(budget.spend_at(ip(6), t0).unwrap_err(), OverBudget::Server);
    }

    #[test]
    fn it_should_give_a_right_guess_its_token_back() {
        let budget = GuessBudget::new(policy());
        let t0 = Instant::now();
        for _ in 0..10 {
            let spent = budget.spend_at(ip(1), t0).unwrap();
            budget.refund(spent);
        }
        assert!(budget.spend_at(ip(1), t0).is_ok());
    }

    #[test]
    fn it_should_forget_only_addresses_whose_budget_is_full_again() {
        let budget = GuessBudget::new(policy());
        let t0 = Instant::now();
        let _ = budget.spend_at(ip(1), t0).unwrap();
        let _ = budget.spend_at(ip(2), t0).unwrap();
        let _ = budget.spend_at(ip(3), t0).unwrap();
        assert_eq!(budget.tracked(), 3, "nothing could be forgotten yet");
        let later = t0 + Duration::from_secs(31);
        let _ = budget.spend_at(ip(4), later).unwrap();
        assert_eq!(budget.tracked(), 1);
    }
}
