//! Everything that touches a secret, kept out of the domain (which must stay pure) and out of
//! events and logs: password hashing, session tokens, sealing of model-service API keys and
//! TOTP secrets (with the vault key from `ROSTER_SECRET_KEY` or from the key file beside the
//! database), and the codes and tokens of two-factor authentication.

mod hashing_pool;
pub mod key_file;
mod key_vault;
mod password_hasher;
mod second_factor;
mod session_token;

pub use key_vault::{KeyVault, KeyVaultError, last4};
pub use password_hasher::{HashError, PasswordHasher};
pub use second_factor::{
    ChallengeToken, ISSUER, PresentedCode, SecondFactorError, TotpSecret, generate_recovery_code,
    qr_svg, recovery_code_hash,
};
pub use session_token::SessionToken;

/// Fills `buf` from the operating system's random source.
fn random_bytes(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(buf)
}
