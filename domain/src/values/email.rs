use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// An email address, at most 254 characters, shaped `local@domain`:
/// - the local part is 1–64 characters of letters, digits and ``!#$%&'*+-/=?^_`{|}~``,
///   with single dots between them (no leading, trailing or doubled dot);
/// - the domain is at least two dot-separated labels, each 1–63 letters, digits or hyphens,
///   neither starting nor ending with a hyphen (an internationalised domain is given in its
///   punycode form, `xn--…`).
///
/// That is the everyday subset of RFC 5321/5322: quoted local parts, comments and address
/// literals (`user@[192.0.2.1]`) are refused, since nobody types them into a profile and each
/// is a way to smuggle spaces, `<`, `>` or control characters into lists and mail headers.
/// Uniqueness is case-insensitive (see [`Email::key`]).
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
        if !valid_local_part(local) || !valid_domain(domain) {
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

    /// The text itself, for sealing and opening it in place at the store boundary
    /// ([`Event::personal_data_mut`](crate::event::Event::personal_data_mut)).
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.0
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

/// Longest local part (RFC 5321).
const MAX_LOCAL: usize = 64;
/// Longest domain label (RFC 1035).
const MAX_LABEL: usize = 63;

/// Dot-separated runs of `atext` (RFC 5322's dot-atom).
fn valid_local_part(local: &str) -> bool {
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
    local.len() <= MAX_LOCAL
        && local
            .split('.')
            .all(|run| !run.is_empty() && run.bytes().all(atext))
}

/// At least two labels of letters, digits and inner hyphens (RFC 1123 host names). A second
/// `@` fails here too, as a character no label may hold.
fn valid_domain(domain: &str) -> bool {
    let label = |l: &str| {
        (1..=MAX_LABEL).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    domain.split('.').count() >= 2 && domain.split('.').all(label)
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn assert_refused(addresses: &[&str]) {
        for email in addresses {
            assert_eq!(Email::parse(email), Err(EmailError::Malformed), "{email:?}");
        }
    }

    #[test]
    fn it_should_accept_ordinary_addresses() {
        for email in [
            "a@b.co",
            "first.last+tag@example.org",
            "x_y@sub.domain.example",
            "o'brien@example.ie",
            "user-name@my-host.example.com",
            "1234@example.com",
            "a@xn--bcher-kva.example",
            "info@xn--mnchen-3ya.de",
            "{weird}|~!#$%&*/=?^`@example.com",
            "Mixed.Case@Example.COM",
        ] {
            assert_eq!(
                Email::parse(email).map(Email::into_string),
                Ok(email.to_owned()),
                "{email}"
            );
        }
    }

    #[test]
    fn it_should_refuse_addresses_without_one_local_part_and_one_domain() {
        assert_refused(&["plain", "@example.com", "a@", "a@@b.com", "a@b@c.com"]);
    }

    #[test]
    fn it_should_refuse_a_domain_of_a_single_label() {
        assert_refused(&["a@b", "a@localhost"]);
    }

    #[test]
    fn it_should_refuse_empty_domain_labels() {
        assert_refused(&["a@.b.com", "a@b..com", "a@b.com."]);
    }

    #[test]
    fn it_should_refuse_domain_labels_that_start_or_end_with_a_hyphen() {
        assert_refused(&["a@-b.com", "a@b-.com", "a@b.-com", "a@b.com-"]);
    }

    #[test]
    fn it_should_refuse_domain_labels_of_anything_but_letters_digits_and_hyphens() {
        assert_refused(&[
            "a@b_c.com",
            "a@exa mple.com",
            "a@bücher.example",
            "a@[192.0.2.1]",
            "a@b.com>",
        ]);
    }

    #[test]
    fn it_should_bound_domain_labels_to_63_characters() {
        let longest = format!("a@{}.com", "b".repeat(63));
        assert!(Email::parse(&longest).is_ok());
        assert_refused(&[&format!("a@{}.com", "b".repeat(64))]);
    }

    #[test]
    fn it_should_bound_the_local_part_to_64_characters() {
        let longest = format!("{}@example.com", "a".repeat(64));
        assert!(Email::parse(&longest).is_ok());
        assert_refused(&[&format!("{}@example.com", "a".repeat(65))]);
    }

    #[test]
    fn it_should_refuse_leading_trailing_and_consecutive_dots_in_the_local_part() {
        assert_refused(&[".a@example.com", "a.@example.com", "a..b@example.com"]);
    }

    #[test]
    fn it_should_refuse_local_parts_outside_the_usual_atext() {
        assert_refused(&[
            "<a@example.com>",
            "a<b@example.com",
            "a>b@example.com",
            "\"quoted\"@example.com",
            "a(comment)@example.com",
            "a,b@example.com",
            "a;b@example.com",
            "a:b@example.com",
            "a\\b@example.com",
            "jürgen@example.com",
        ]);
    }

    #[test]
    fn it_should_refuse_spaces_and_control_characters_anywhere() {
        assert_refused(&[
            "a b@example.com",
            "a\tb@example.com",
            "a@example.com\r\nBcc: x@y.z",
            "a\u{0}b@example.com",
            "a\u{1b}[2J@example.com",
            "a@exam\u{7f}ple.com",
            "a\u{a0}b@example.com",
        ]);
    }

    #[test]
    fn it_should_trim_surrounding_whitespace() {
        assert_eq!(
            Email::parse("  a@b.co\n").map(Email::into_string),
            Ok("a@b.co".to_owned())
        );
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
