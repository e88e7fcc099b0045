//! Everything that touches a secret, kept out of the domain (which must stay pure) and out of
//! events and logs: password hashing, session tokens, and sealing of model-service API keys
//! (with the vault key from `ROSTER_SECRET_KEY` or from the key file beside the database).

mod hashing_pool;
pub mod key_file;
mod key_vault;
mod password_hasher;
mod session_token;

pub use key_vault::{KeyVault, KeyVaultError, last4};
pub use password_hasher::{HashError, PasswordHasher};
pub use session_token::SessionToken;

/// Fills `buf` from the operating system's random source.
fn random_bytes(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(buf)
}
