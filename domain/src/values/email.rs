use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// An email address, checked for shape (one `@`, a dotted domain, no spaces), at most 254
/// characters. Uniqueness is case-insensitive (see [`Email::key`]).
///
/// Personal data: it sits only in the fields of events marked as such, never in a stream
/// name, so it can be shredded with the rest of a deleted user's data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Not shaped like `local@domain.tld`.
    #[error("Email address is not valid")]
    Malformed,
    /// Longer than 254 characters (the SMTP limit).
    #[error("Email address must be at most 254 characters")]
    TooLong,
}

impl Email {
    /// Longest accepted length.
    pub const MAX_LEN: usize = 254;

    /// Validates `raw`, trimming surrounding whitespace.
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let trimmed = raw.trim();
        if trimmed.len() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.split_once('@').ok_or(EmailError::Malformed)?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(EmailError::Malformed);
        }
        Ok(Email(trimmed.to_owned()))
    }

    /// Parses an optional field: absent or blank means "no email".
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Email>, EmailError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Email::parse(text).map(Some),
        }
    }

    /// The address as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, by value (read models keep it without copying).
    pub fn into_string(self) -> String {
        self.0
    }

    /// The case-insensitive key the address is reserved under: the SHA-256 (64 lowercase
    /// hex digits) of the lowercased address. The reservation stream is named after it, and
    /// stream names end up in conflict messages and log lines, which must not carry
    /// personal data; nor could a stream name be shredded when its user is deleted.
    pub fn key(&self) -> String {
        hex::encode(Sha256::digest(self.0.to_lowercase().as_bytes()))
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_accept_ordinary_addresses() {
        for email in [
            "a@b.co",
            "first.last+tag@example.org",
            "x_y@sub.domain.example",
        ] {
            assert!(Email::parse(email).is_ok(), "{email}");
        }
    }

    #[test]
    fn it_should_refuse_malformed_addresses() {
        for email in [
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.b.com",
            "a@b..com",
            "a@b.com.",
        ] {
            assert_eq!(Email::parse(email), Err(EmailError::Malformed), "{email}");
        }
    }

    #[test]
    fn it_should_refuse_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn it_should_key_an_address_by_the_sha256_of_its_lowercase_form() {
        let key = Email::parse("Alice@Example.COM").unwrap().key();
        assert_eq!(
            key,
            "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976"
        );
        assert_eq!(Email::parse("alice@example.com").unwrap().key(), key);
        assert!(!key.contains("alice") && !key.contains('@'));
    }

    #[test]
    fn it_should_treat_blank_optional_email_as_none() {
        assert_eq!(Email::parse_optional(None), Ok(None));
        assert_eq!(Email::parse_optional(Some("  ")), Ok(None));
        assert!(Email::parse_optional(Some("bad")).is_err());
    }
}
