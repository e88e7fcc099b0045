use serde::{Deserialize, Serialize};
use std::fmt;

/// The name of something a user owns (persona, API key, ontology, annotation): required, at
/// most 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResourceName(String);

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceNameError {
    /// Empty or only whitespace.
    #[error("Name is required")]
    Empty,
    /// More than 100 characters.
    #[error("Name must be at most 100 characters")]
    TooLong,
    /// Contains control characters.
    #[error("Name must not contain control characters")]
    ControlCharacters,
}

impl ResourceName {
    /// Longest accepted length, in characters.
    pub const MAX_LEN: usize = 100;

    /// Validates `raw`, trimming surrounding whitespace.
    pub fn parse(raw: &str) -> Result<ResourceName, ResourceNameError> {
        match super::bounded_text(raw, Self::MAX_LEN) {
            Ok(text) => Ok(ResourceName(text.to_owned())),
            Err(super::TextProblem::Empty) => Err(ResourceNameError::Empty),
            Err(super::TextProblem::TooLong) => Err(ResourceNameError::TooLong),
            Err(super::TextProblem::Control) => Err(ResourceNameError::ControlCharacters),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, by value (read models keep it without copying).
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for ResourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_require_a_bounded_printable_name() {
        assert_eq!(ResourceName::parse(" "), Err(ResourceNameError::Empty));
        assert_eq!(
            ResourceName::parse(&"n".repeat(101)),
            Err(ResourceNameError::TooLong)
        );
        assert_eq!(
            ResourceName::parse("a\tb"),
            Err(ResourceNameError::ControlCharacters)
        );
        assert_eq!(
            ResourceName::parse(" Research bot ").unwrap().as_str(),
            "Research bot"
        );
    }
}
