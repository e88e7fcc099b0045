use serde::{Deserialize, Serialize};
use std::fmt;

/// The SHA-256 of a session token, as 64 lowercase hex digits. The token itself is never
/// stored: whoever reads the log cannot sign in with what they find there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(String);

/// Why a token hash was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Token hash must be 64 lowercase hex digits")]
pub struct TokenHashError;

impl TokenHash {
    /// Validates the hex form of a SHA-256 digest.
    pub fn parse(hex: &str) -> Result<TokenHash, TokenHashError> {
        let valid = hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if valid {
            Ok(TokenHash(hex.to_owned()))
        } else {
            Err(TokenHashError)
        }
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_accept_only_a_lowercase_sha256_hex_digest() {
        assert!(TokenHash::parse(&"ab".repeat(32)).is_ok());
        assert_eq!(TokenHash::parse(&"AB".repeat(32)), Err(TokenHashError));
        assert_eq!(TokenHash::parse("abc"), Err(TokenHashError));
        assert_eq!(TokenHash::parse(&"zz".repeat(32)), Err(TokenHashError));
    }
}
