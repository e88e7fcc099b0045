//! Sealing of model-service API keys and TOTP secrets with XChaCha20-Poly1305.
//!
//! The vault key comes from configuration (`ROSTER_SECRET_KEY`) and never enters the log.
//! Each sealed key is bound (as associated data) to its owner, provider and id, and each TOTP
//! secret to its user, so a ciphertext copied onto another user's key or account does not
//! open.

use super::TotpSecret;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use roster_domain::ids::{ApiKeyId, UserId};
use roster_domain::keyring::SealedKey;
use roster_domain::stream::KeyringOwner;
use roster_domain::totp::SealedSecret;
use roster_domain::values::Provider;
use std::fmt;

const SCHEME: &str = "xchacha20poly1305:v1";

/// Why a key could not be sealed or opened. Never contains the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyVaultError {
    /// The configured vault key is not 32 bytes of base64 or hex.
    #[error("ROSTER_SECRET_KEY must be 32 bytes, as 64 hex digits or base64")]
    BadVaultKey,
    /// The sealed key was made under another vault key or scheme, or was tampered with.
    #[error("stored API key cannot be opened with the configured secret key")]
    CannotOpen,
    /// Encryption failed.
    #[error("API key could not be sealed")]
    CannotSeal,
    /// The sealed TOTP secret was made under another vault key, or for another user, or was
    /// tampered with.
    #[error("stored two-factor secret cannot be opened with the configured secret key")]
    CannotOpenSecret,
    /// Encryption of a TOTP secret failed.
    #[error("two-factor secret could not be sealed")]
    CannotSealSecret,
}

/// Seals and opens API keys.
#[derive(Clone)]
pub struct KeyVault {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for KeyVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyVault(<redacted>)")
    }
}

impl KeyVault {
    /// A vault from a 32-byte key written as 64 hex digits or base64.
    pub fn from_config(text: &str) -> Result<KeyVault, KeyVaultError> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .or_else(|| STANDARD.decode(text).ok())
            .filter(|b| b.len() == 32)
            .ok_or(KeyVaultError::BadVaultKey)?;
        let key = Key::try_from(bytes.as_slice()).map_err(|_| KeyVaultError::BadVaultKey)?;
        Ok(KeyVault {
            cipher: XChaCha20Poly1305::new(&key),
        })
    }

    /// A vault with a fresh random key (for tests and first runs that have none configured).
    pub fn generate() -> KeyVault {
        KeyVault {
            cipher: XChaCha20Poly1305::new(&Key::generate()),
        }
    }

    /// Seals `plaintext`, bound to where it is stored.
    pub fn seal(
        &self,
        plaintext: &str,
        owner: KeyringOwner,
        provider: &Provider,
        key_id: ApiKeyId,
    ) -> Result<SealedKey, KeyVaultError> {
        let aad = binding(owner, provider, key_id);
        let (nonce, ciphertext) = self
            .seal_bytes(plaintext.as_bytes(), &aad)
            .ok_or(KeyVaultError::CannotSeal)?;
        Ok(SealedKey {
            scheme: SCHEME.to_owned(),
            nonce,
            ciphertext,
        })
    }

    /// Opens a sealed key stored at `owner`/`provider`/`key_id`.
    pub fn open(
        &self,
        sealed: &SealedKey,
        owner: KeyringOwner,
        provider: &Provider,
        key_id: ApiKeyId,
    ) -> Result<String, KeyVaultError> {
        if sealed.scheme != SCHEME {
            return Err(KeyVaultError::CannotOpen);
        }
        let aad = binding(owner, provider, key_id);
        let plaintext = self
            .open_bytes(&sealed.nonce, &sealed.ciphertext, &aad)
            .ok_or(KeyVaultError::CannotOpen)?;
        String::from_utf8(plaintext).map_err(|_| KeyVaultError::CannotOpen)
    }

    /// Seals `user`'s TOTP secret, bound to them.
    pub fn seal_totp_secret(
        &self,
        secret: &TotpSecret,
        user: UserId,
    ) -> Result<SealedSecret, KeyVaultError> {
        let (nonce, ciphertext) = self
            .seal_bytes(secret.bytes(), &totp_binding(user))
            .ok_or(KeyVaultError::CannotSealSecret)?;
        Ok(SealedSecret {
            scheme: SCHEME.to_owned(),
            nonce,
            ciphertext,
        })
    }

    /// Opens `user`'s sealed TOTP secret.
    pub fn open_totp_secret(
        &self,
        sealed: &SealedSecret,
        user: UserId,
    ) -> Result<TotpSecret, KeyVaultError> {
        if sealed.scheme != SCHEME {
            return Err(KeyVaultError::CannotOpenSecret);
        }
        self.open_bytes(&sealed.nonce, &sealed.ciphertext, &totp_binding(user))
            .map(TotpSecret::from_bytes)
            .ok_or(KeyVaultError::CannotOpenSecret)
    }

    /// Encrypts `plaintext` under a fresh nonce, bound to `aad`: the nonce and the
    /// ciphertext, base64.
    fn seal_bytes(&self, plaintext: &[u8], aad: &str) -> Option<(String, String)> {
        let nonce = XNonce::generate();
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .ok()?;
        Some((STANDARD.encode(nonce), STANDARD.encode(ciphertext)))
    }

    /// Decrypts what [`KeyVault::seal_bytes`] sealed with the same `aad`.
    fn open_bytes(&self, nonce: &str, ciphertext: &str, aad: &str) -> Option<Vec<u8>> {
        let nonce_bytes = STANDARD.decode(nonce).ok()?;
        let nonce = XNonce::try_from(nonce_bytes.as_slice()).ok()?;
        let ciphertext = STANDARD.decode(ciphertext).ok()?;
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .ok()
    }
}

fn binding(owner: KeyringOwner, provider: &Provider, key_id: ApiKeyId) -> String {
    let owner = match owner {
        KeyringOwner::User(id) => id.to_string(),
        KeyringOwner::System => "system".to_owned(),
    };
    format!("roster-api-key|{owner}|{provider}|{key_id}")
}

fn totp_binding(user: UserId) -> String {
    format!("roster-totp-secret|{user}")
}

/// The last four characters of a key: the only part ever shown.
pub fn last4(plaintext: &str) -> String {
    let chars: Vec<char> = plaintext.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::ids::UserId;
    use uuid::Uuid;

    fn place() -> (KeyringOwner, Provider, ApiKeyId) {
        (
            KeyringOwner::User(UserId(Uuid::now_v7())),
            Provider::parse("openai").unwrap(),
            ApiKeyId(Uuid::now_v7()),
        )
    }

    #[test]
    fn it_should_open_what_it_sealed_and_never_store_the_plaintext() {
        let vault = KeyVault::generate();
        let (owner, provider, id) = place();
        let sealed = vault
            .seal("sk-live-SECRET-1234", owner, &provider, id)
            .unwrap();
        assert!(!sealed.ciphertext.contains("SECRET"));
        assert_eq!(
            vault.open(&sealed, owner, &provider, id).unwrap(),
            "sk-live-SECRET-1234"
        );
        assert_eq!(last4("sk-live-SECRET-1234"), "1234");
    }

    #[test]
    fn it_should_not_open_a_key_moved_to_another_owner_or_under_another_vault_key() {
        let vault = KeyVault::generate();
        let (owner, provider, id) = place();
        let sealed = vault.seal("sk-abc", owner, &provider, id).unwrap();
        let (other_owner, _, _) = place();
        assert_eq!(
            vault.open(&sealed, other_owner, &provider, id),
            Err(KeyVaultError::CannotOpen)
        );
        assert_eq!(
            KeyVault::generate().open(&sealed, owner, &provider, id),
            Err(KeyVaultError::CannotOpen)
        );
    }

    #[test]
    fn it_should_open_a_totp_secret_only_for_its_user_and_under_its_vault_key() {
        let vault = KeyVault::generate();
        let user = UserId(Uuid::now_v7());
        let secret = TotpSecret::generate().unwrap();
        let sealed = vault.seal_totp_secret(&secret, user).unwrap();
        assert!(!sealed.ciphertext.contains(&secret.base32()[..8]));
        assert_eq!(vault.open_totp_secret(&sealed, user).unwrap(), secret);
        assert_eq!(
            vault.open_totp_secret(&sealed, UserId(Uuid::now_v7())),
            Err(KeyVaultError::CannotOpenSecret)
        );
        assert_eq!(
            KeyVault::generate().open_totp_secret(&sealed, user),
            Err(KeyVaultError::CannotOpenSecret)
        );
    }

    #[test]
    fn it_should_accept_a_configured_key_in_hex_or_base64_and_refuse_others() {
        assert!(KeyVault::from_config(&"ab".repeat(32)).is_ok());
        assert!(KeyVault::from_config(&STANDARD.encode([7u8; 32])).is_ok());
        assert_eq!(
            KeyVault::from_config("short").map(|_| ()),
            Err(KeyVaultError::BadVaultKey)
        );
    }
}
