//! Login challenges (`challenge-{sha256 hex}`): the half of a login between the password and
//! the second factor, for a user with two-factor authentication on.
//!
//! The right password issues a challenge instead of a session. Its token (256 random bits,
//! outside the domain) is handed to the client once; the stream is named after its SHA-256,
//! so the token appears nowhere in the log. A challenge is bound to its user and to the
//! password hash the password was verified against (a reset or change in between makes it
//! fail), lasts a few minutes (the time arrives in the command), and is completed once: the
//! completion, the second factor it spends and the session it starts are one atomic append,
//! guarded by the revisions of the challenge, the user and the second factor.
//!
//! Laid out like `user`: the state and `evolve` here, the events in `events.rs`, the refusals
//! in `error.rs`, one file per decision (`issue.rs`, `complete.rs`).

mod complete;
mod error;
mod events;
mod issue;

pub use complete::CompleteLoginChallenge;
pub use error::ChallengeError;
pub use events::{ChallengeEvent, ChallengeIssued};
pub use issue::IssueLoginChallenge;

use crate::values::PasswordHash;
use sha2::{Digest, Sha256};

/// A login challenge as the decider sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginChallenge {
    /// No such challenge.
    Initial,
    /// Issued and not completed (it may have expired by the clock).
    Issued(ChallengeIssued),
    /// Completed: spent.
    Completed,
}

impl LoginChallenge {
    /// Folds one event in.
    pub fn evolve(&mut self, event: &ChallengeEvent) {
        match event {
            ChallengeEvent::Issued(issued) => *self = LoginChallenge::Issued(issued.clone()),
            ChallengeEvent::Completed { .. } => *self = LoginChallenge::Completed,
        }
    }
}

/// What a challenge keeps of the password hash it was verified against: its SHA-256, enough
/// to notice that the hash changed, and no copy of the hash itself.
pub fn password_fingerprint(hash: &PasswordHash) -> String {
    hex::encode(Sha256::digest(hash.as_phc().as_bytes()))
}
