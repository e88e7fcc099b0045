use serde::{Deserialize, Serialize};
use std::fmt;

/// A display name: required, at most 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    /// Empty or only whitespace.
    #[error("Display name is required")]
    Empty,
    /// More than 100 characters.
    #[error("Display name must be at most 100 characters")]
    TooLong,
    /// Contains control characters (newlines, escapes) that would corrupt lists and logs.
    #[error("Display name must not contain control characters")]
    ControlCharacters,
}

impl DisplayName {
    /// Longest accepted length, in characters.
    pub const MAX_LEN: usize = 100;

    /// Validates `raw`, trimming surrounding whitespace.
    pub fn parse(raw: &str) -> Result<DisplayName, DisplayNameError> {
        match super::bounded_text(raw, Self::MAX_LEN) {
            Ok(text) => Ok(DisplayName(text.to_owned())),
            Err(super::TextProblem::Empty) => Err(DisplayNameError::Empty),
            Err(super::TextProblem::TooLong) => Err(DisplayNameError::TooLong),
            Err(super::TextProblem::Control) => Err(DisplayNameError::ControlCharacters),
        }
    }

    /// The name.
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
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_require_a_display_name() {
        assert_eq!(DisplayName::parse("   "), Err(DisplayNameError::Empty));
    }

    #[test]
    fn it_should_bound_the_display_name_in_characters_not_bytes() {
        assert!(DisplayName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            DisplayName::parse(&"é".repeat(101)),
            Err(DisplayNameError::TooLong)
        );
    }

    #[test]
    fn it_should_refuse_control_characters() {
        assert_eq!(
            DisplayName::parse("Ann\nAdmin"),
            Err(DisplayNameError::ControlCharacters)
        );
    }

    #[test]
    fn it_should_keep_unicode_names_trimmed() {
        assert_eq!(
            DisplayName::parse(" Zoë Müller ").unwrap().as_str(),
            "Zoë Müller"
        );
    }
}
