//! The events of a user's second factor, and the sealed secret they carry.

use crate::event::EventFamily;
use crate::values::TokenHash;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A TOTP secret sealed with an AEAD under a key that never enters the log, bound to its
/// user. Opaque to the domain, which only compares it: a code is checked (outside the domain)
/// against one sealed secret, and a decision accepts it only while that is still the secret
/// in force.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSecret {
    /// Which sealing scheme and key version, e.g. `xchacha20poly1305:v1`.
    pub scheme: String,
    /// Nonce, base64.
    pub nonce: String,
    /// Ciphertext with tag, base64.
    pub ciphertext: String,
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedSecret")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

/// Everything that can happen to a user's second factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum TotpEvent {
    /// The user began enrolling a new secret; it is pending until a code confirms it (and
    /// replaces any enrolment still pending).
    #[serde(rename = "TotpEnrollmentStarted")]
    EnrollmentStarted {
        /// The new secret, sealed.
        secret: SealedSecret,
    },
    /// A code from the pending secret confirmed it: two-factor authentication is on.
    #[serde(rename = "TotpEnabled")]
    Enabled(TotpEnabled),
    /// A code was accepted (at login): its time step, and every earlier one, is spent.
    #[serde(rename = "TotpCodeUsed")]
    CodeUsed {
        /// The RFC 6238 time step the code belonged to.
        step: u64,
    },
    /// A recovery code was accepted in place of a code; it cannot be used again.
    #[serde(rename = "TotpRecoveryCodeUsed")]
    RecoveryCodeUsed {
        /// SHA-256 of the recovery code; never the code.
        code_hash: TokenHash,
    },
    /// The user turned two-factor authentication off, proving a code or a recovery code.
    #[serde(rename = "TotpDisabled")]
    Disabled {},
    /// An administrator removed the user's second factor (the actor is in the metadata).
    #[serde(rename = "TotpRemoved")]
    Removed {},
}

impl EventFamily for TotpEvent {
    const TYPES: &'static [&'static str] = &[
        "TotpEnrollmentStarted",
        "TotpEnabled",
        "TotpCodeUsed",
        "TotpRecoveryCodeUsed",
        "TotpDisabled",
        "TotpRemoved",
    ];

    fn event_type(&self) -> &'static str {
        match self {
            TotpEvent::EnrollmentStarted { .. } => "TotpEnrollmentStarted",
            TotpEvent::Enabled(_) => "TotpEnabled",
            TotpEvent::CodeUsed { .. } => "TotpCodeUsed",
            TotpEvent::RecoveryCodeUsed { .. } => "TotpRecoveryCodeUsed",
            TotpEvent::Disabled {} => "TotpDisabled",
            TotpEvent::Removed {} => "TotpRemoved",
        }
    }
}

/// `TotpEnabled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnabled {
    /// The time step of the confirming code: it is spent, like a code used at login.
    pub step: u64,
    /// SHA-256 of each one-time recovery code; never the codes.
    pub recovery_codes: Vec<TokenHash>,
}
