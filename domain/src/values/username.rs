use serde::{Deserialize, Serialize};
use std::fmt;

/// A username: 3–50 characters from ASCII letters, digits, `.`, `_` and `-`, at least one of
/// them a letter or a digit.
///
/// Case is kept as typed for display; uniqueness is case-insensitive (see [`Username::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

/// Why a username was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Shorter than 3 or longer than 50 characters.
    #[error("Username must be between 3 and 50 characters")]
    Length,
    /// Contains something other than letters, digits, `.`, `_`, `-`.
    #[error("Username may contain only letters, digits, '.', '_' and '-'")]
    Characters,
    /// Made only of punctuation (`...`, `-_-`): nobody could tell such names apart in a list.
    #[error("Username must contain at least one letter or digit")]
    NoLetterOrDigit,
}

impl Username {
    /// Shortest accepted length.
    pub const MIN_LEN: usize = 3;
    /// Longest accepted length.
    pub const MAX_LEN: usize = 50;

    /// Validates `raw` (surrounding whitespace is removed first, since a trailing space pasted
    /// from a message is never meant to be part of a name).
    pub fn parse(raw: &str) -> Result<Username, UsernameError> {
        let trimmed = raw.trim();
        let len = trimmed.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(UsernameError::Length);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if !trimmed.chars().all(allowed) {
            return Err(UsernameError::Characters);
        }
        if !trimmed.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(UsernameError::NoLetterOrDigit);
        }
        Ok(Username(trimmed.to_owned()))
    }

    /// The name as typed.
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

    /// The case-insensitive key under which the name is reserved (`Alice` and `alice` clash).
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_accept_names_of_three_to_fifty_allowed_characters() {
        for name in ["abc", "a.b", "john_doe-2", &"x".repeat(50)] {
            assert_eq!(Username::parse(name).map(|u| u.0), Ok(name.to_owned()));
        }
    }

    #[test]
    fn it_should_refuse_names_that_are_too_short_or_too_long() {
        assert_eq!(Username::parse("ab"), Err(UsernameError::Length));
        assert_eq!(Username::parse(""), Err(UsernameError::Length));
        assert_eq!(Username::parse(&"x".repeat(51)), Err(UsernameError::Length));
    }

    #[test]
    fn it_should_refuse_spaces_symbols_and_non_ascii_letters() {
        for name in ["john doe", "a@b.c", "jürgen", "a/b", "名前です"] {
            assert_eq!(
                Username::parse(name),
                Err(UsernameError::Characters),
                "{name}"
            );
        }
    }

    #[test]
    fn it_should_refuse_names_made_only_of_punctuation() {
        for name in ["...", "---", "___", "_._", "-_-.", &".".repeat(50)] {
            assert_eq!(
                Username::parse(name),
                Err(UsernameError::NoLetterOrDigit),
                "{name}"
            );
        }
    }

    #[test]
    fn it_should_accept_punctuation_around_a_single_letter_or_digit() {
        for name in ["_a_", "..7", "-x-"] {
            assert!(Username::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn it_should_trim_surrounding_whitespace_and_key_case_insensitively() {
        let name = Username::parse("  Alice ").unwrap();
        assert_eq!(name.as_str(), "Alice");
        assert_eq!(name.key(), "alice");
    }
}
