//! A user's second factor (`totp-{user uuid}`): time-based one-time codes (RFC 6238) and
//! one-time recovery codes.
//!
//! The domain never sees a secret or checks a code: the secret arrives sealed (an AEAD under a
//! key outside the log), and a code arrives already checked, as the time step it matched and
//! the sealed secret it was checked against ([`SecondFactorProof`]). What the domain decides
//! is whether that proof still counts: the secret must be the one in force, and the step must
//! come after the last one accepted, so a code (and any code of an earlier step) is accepted
//! once, whichever instance receives it and however often the server restarts. Recovery codes
//! are stored as SHA-256 hashes, each spent once.
//!
//! Laid out like `user`: the state, `evolve` and the proof check here, the events in
//! `events.rs`, the refusals in `error.rs`, one file per decision (`enroll.rs`, `confirm.rs`,
//! `disable.rs`). Logging in with a second factor is the `challenge` aggregate's.

mod confirm;
mod disable;
mod enroll;
mod error;
mod events;

pub use confirm::ConfirmTotp;
pub use disable::{DisableTotp, RemoveTotp};
pub use enroll::StartTotpEnrollment;
pub use error::TotpError;
pub use events::{SealedSecret, TotpEnabled, TotpEvent};

use crate::decision::Loaded;
use crate::event::Event;
use crate::ids::UserId;
use crate::store::Actor;
use crate::values::TokenHash;
use std::collections::BTreeSet;

/// How many recovery codes enabling two-factor authentication hands out.
pub const RECOVERY_CODES: usize = 10;

/// A user's second factor as the decider (and the read side) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecondFactor {
    /// An enrolment waiting for its first code.
    pub pending: Option<SealedSecret>,
    /// The second factor in force, when two-factor authentication is on.
    pub active: Option<ActiveTotp>,
}

/// Two-factor authentication in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveTotp {
    /// The secret codes are checked against.
    pub secret: SealedSecret,
    /// The time step of the last code accepted: no code of this step or an earlier one is
    /// accepted again.
    pub last_step: u64,
    /// Hashes of the recovery codes not used yet.
    pub recovery_codes: BTreeSet<TokenHash>,
}

impl SecondFactor {
    /// Never enrolled, or turned off.
    pub const OFF: SecondFactor = SecondFactor {
        pending: None,
        active: None,
    };

    /// Whether two-factor authentication is on: a password alone no longer logs in.
    pub fn is_on(&self) -> bool {
        self.active.is_some()
    }

    /// Folds one event in.
    pub fn evolve(&mut self, event: &TotpEvent) {
        match event {
            TotpEvent::EnrollmentStarted { secret } => self.pending = Some(secret.clone()),
            TotpEvent::Enabled(enabled) => {
                if let Some(secret) = self.pending.take() {
                    self.active = Some(ActiveTotp {
                        secret,
                        last_step: enabled.step,
                        recovery_codes: enabled.recovery_codes.iter().cloned().collect(),
                    });
                }
            }
            TotpEvent::CodeUsed { step } => {
                if let Some(active) = &mut self.active {
                    active.last_step = active.last_step.max(*step);
                }
            }
            TotpEvent::RecoveryCodeUsed { code_hash } => {
                if let Some(active) = &mut self.active {
                    active.recovery_codes.remove(code_hash);
                }
            }
            TotpEvent::Disabled {} | TotpEvent::Removed {} => *self = SecondFactor::OFF,
        }
    }
}

/// What a user presents as their second factor, checked as far as the domain cannot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorProof {
    /// A one-time code, checked outside the domain against `verified_against`.
    Code {
        /// The sealed secret the code was checked against.
        verified_against: SealedSecret,
        /// The time step the code matched (the current one or a neighbour), or `None` if it
        /// matched none.
        step: Option<u64>,
    },
    /// A recovery code, as its SHA-256.
    RecoveryCode(TokenHash),
}

impl SecondFactorProof {
    /// The event that spends this proof on the user's second factor in force, or why it
    /// proves nothing.
    pub(crate) fn spend(&self, user_id: UserId, active: &ActiveTotp) -> Result<Event, TotpError> {
        let event = match self {
            SecondFactorProof::Code {
                verified_against,
                step,
            } => {
                let step = step
                    .filter(|_| *verified_against == active.secret)
                    .ok_or(TotpError::InvalidCode)?;
                if step <= active.last_step {
                    return Err(TotpError::CodeReused);
                }
                TotpEvent::CodeUsed { step }
            }
            SecondFactorProof::RecoveryCode(hash) => {
                if !active.recovery_codes.contains(hash) {
                    return Err(TotpError::InvalidCode);
                }
                TotpEvent::RecoveryCodeUsed {
                    code_hash: hash.clone(),
                }
            }
        };
        Ok(Event::Totp(user_id, event))
    }
}

/// The user themself, live and enabled: only they manage their own second factor.
fn require_self(actor: Actor, loaded: &Loaded, user_id: UserId) -> Result<(), TotpError> {
    if loaded.caller(actor).user_id() != Some(user_id) {
        return Err(TotpError::NotYourAccount);
    }
    Ok(())
}
