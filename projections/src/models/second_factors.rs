//! The `second_factors` read model: each user's second factor (pending enrolment, the secret
//! in force, the last time step accepted, the recovery codes not used yet), and the login
//! challenges issued and not completed yet.
//!
//! Each second factor is folded exactly as the domain folds it ([`SecondFactor::evolve`]), so
//! the service checks a code against the same state the domain decides on (and the domain
//! checks again against the log itself). The secret stays sealed here: only the service's
//! vault opens it, and only to check a code.
//!
//! A challenge is found by the SHA-256 of its token (the token is never stored). Challenges
//! are short-lived: whenever one is issued, those expired by that event's time are dropped,
//! so the table holds a few minutes of logins, and replay drops exactly what live did.

use chrono::{DateTime, Utc};
use foldhash::HashMap;
use roster_domain::challenge::ChallengeEvent;
use roster_domain::ids::UserId;
use roster_domain::totp::{SecondFactor, TotpEvent};
use roster_domain::values::TokenHash;
use std::collections::VecDeque;

/// A login challenge waiting for its second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeView {
    /// Whose login.
    pub user_id: UserId,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// The session it starts is long-lived.
    pub remember_me: bool,
}

/// Every user's second factor, and the pending login challenges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondFactors {
    /// Users with a second factor pending or on (no entry: never enrolled, or turned off).
    by_user: HashMap<UserId, SecondFactor>,
    /// Challenges issued and not completed, by the SHA-256 of their token.
    challenges: HashMap<TokenHash, ChallengeView>,
    /// Challenges in the order they were issued, with their expiry, for dropping them.
    issued: VecDeque<(DateTime<Utc>, TokenHash)>,
}

impl SecondFactors {
    /// A user's second factor (`None`: never enrolled, or turned off).
    pub fn get(&self, user: UserId) -> Option<&SecondFactor> {
        self.by_user.get(&user)
    }

    /// Whether two-factor authentication is on for `user`.
    pub fn is_on(&self, user: UserId) -> bool {
        self.get(user).is_some_and(SecondFactor::is_on)
    }

    /// A challenge issued and not completed, by the SHA-256 of its token (it may have expired
    /// by the clock).
    pub fn challenge(&self, hash: &TokenHash) -> Option<&ChallengeView> {
        self.challenges.get(hash)
    }

    /// How many challenges are kept.
    pub fn challenges_len(&self) -> usize {
        self.challenges.len()
    }

    pub(crate) fn apply_totp(&mut self, user: UserId, event: &TotpEvent) {
        let factor = self.by_user.entry(user).or_default();
        factor.evolve(event);
        if *factor == SecondFactor::OFF {
            self.by_user.remove(&user);
        }
    }

    pub(crate) fn apply_challenge(
        &mut self,
        hash: TokenHash,
        event: ChallengeEvent,
        at: DateTime<Utc>,
    ) {
        match event {
            ChallengeEvent::Issued(issued) => {
                self.drop_expired(at);
                self.issued.push_back((issued.expires_at, hash.clone()));
                self.challenges.insert(
                    hash,
                    ChallengeView {
                        user_id: issued.user_id,
                        expires_at: issued.expires_at,
                        remember_me: issued.remember_me,
                    },
                );
            }
            ChallengeEvent::Completed { .. } => {
                self.challenges.remove(&hash);
            }
        }
    }

    /// A deleted user's second factor goes with them.
    pub(crate) fn forget_user(&mut self, user: UserId) {
        self.by_user.remove(&user);
    }

    /// Drops the challenges, oldest first, that expired by `at`.
    fn drop_expired(&mut self, at: DateTime<Utc>) {
        while let Some((expires_at, hash)) = self.issued.front() {
            if *expires_at > at {
                break;
            }
            // A challenge issued again under the same hash keeps its newer entry.
            if self
                .challenges
                .get(hash)
                .is_some_and(|c| c.expires_at == *expires_at)
            {
                self.challenges.remove(hash);
            }
            self.issued.pop_front();
        }
    }
}
