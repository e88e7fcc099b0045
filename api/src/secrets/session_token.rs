//! Session tokens: 256 random bits, handed to the client once; Roster keeps only their SHA-256.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use roster_domain::values::TokenHash;
use sha2::{Digest, Sha256};
use std::fmt;

/// A bearer token as given to a client. Its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// A new token from 32 bytes of OS randomness, base64url without padding (43 characters).
    pub fn generate() -> Result<SessionToken, getrandom::Error> {
        let mut bytes = [0u8; 32];
        super::random_bytes(&mut bytes)?;
        Ok(SessionToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Wraps a token presented by a client.
    pub fn presented(text: &str) -> SessionToken {
        SessionToken(text.to_owned())
    }

    /// The token, for the one response that hands it to the client.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored and looked up: the SHA-256 of the token, in hex.
    pub fn hash(&self) -> TokenHash {
        let digest = Sha256::digest(self.0.as_bytes());
        // A SHA-256 hex digest always has the shape TokenHash checks for.
        TokenHash::parse(&hex::encode(digest)).unwrap_or_else(|_| unreachable!())
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_generate_distinct_256_bit_tokens() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).unwrap().len(), 32);
    }

    #[test]
    fn it_should_store_only_the_sha256_of_the_token() {
        let token = SessionToken::presented("abc");
        assert_eq!(
            token.hash().as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn it_should_redact_the_token_in_debug() {
        let token = SessionToken::presented("0123456789abcdef");
        assert!(!format!("{token:?}").contains("0123"));
        assert!(!format!("{token:?}").contains("cdef"));
    }
}
