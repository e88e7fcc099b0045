use serde::{Deserialize, Serialize};
use std::fmt;

/// A plaintext password that meets the policy: 6 to 128 characters, not all of them
/// whitespace, none of them a control character.
///
/// It exists only on its way to the hasher: it is not `Serialize`, and its `Debug` is redacted,
/// so it cannot end up in an event or a log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// Why a password was refused. The messages never echo the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than 6 characters.
    #[error("Password must be at least 6 characters")]
    TooShort,
    /// More than 128 characters (bounds the hashing work one request can cause).
    #[error("Password must be at most 128 characters")]
    TooLong,
    /// Nothing but whitespace: it meets the length in name only, and a login form that trims
    /// its input could never send it back.
    #[error("Password must not consist only of spaces")]
    OnlyWhitespace,
    /// A control character (a tab, a newline, an escape...): nobody can type it reliably
    /// into every form and terminal, so it would lock its owner out.
    #[error("Password must not contain control characters")]
    ControlCharacters,
}

impl Password {
    /// Minimum length, from the administrator guide.
    pub const MIN_LEN: usize = 6;
    /// Maximum length.
    pub const MAX_LEN: usize = 128;

    /// Checks the policy. Whitespace is kept: it is part of what the user typed.
    pub fn parse(raw: &str) -> Result<Password, PasswordError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(PasswordError::TooShort);
        }
        if len > Self::MAX_LEN {
            return Err(PasswordError::TooLong);
        }
        if raw.chars().any(char::is_control) {
            return Err(PasswordError::ControlCharacters);
        }
        if raw.chars().all(char::is_whitespace) {
            return Err(PasswordError::OnlyWhitespace);
        }
        Ok(Password(raw.to_owned()))
    }

    /// The plaintext, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// An argon2id hash in PHC string form. It is what events store; it is never shown to anyone.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string produced by the hasher.
    pub fn from_phc(phc: String) -> PasswordHash {
        PasswordHash(phc)
    }

    /// The PHC string, for verification.
    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// The text itself, for sealing and opening it in place at the store boundary
    /// ([`Event::personal_data_mut`](crate::event::Event::personal_data_mut)).
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.0
    }

    /// The PHC string, by value.
    pub fn into_phc(self) -> String {
        self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_require_at_least_six_characters() {
        assert_eq!(Password::parse("12345"), Err(PasswordError::TooShort));
        assert!(Password::parse("123456").is_ok());
    }

    #[test]
    fn it_should_bound_the_length() {
        assert!(Password::parse(&"p".repeat(128)).is_ok());
        assert_eq!(
            Password::parse(&"p".repeat(129)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn it_should_refuse_a_password_of_only_whitespace() {
        for password in ["      ", "\u{a0}\u{2003}      ", &" ".repeat(128)] {
            assert_eq!(
                Password::parse(password),
                Err(PasswordError::OnlyWhitespace),
                "{password:?}"
            );
        }
    }

    #[test]
    fn it_should_keep_inner_and_surrounding_spaces_of_a_real_password() {
        for password in ["  correct horse  ", "a     ", "pass word"] {
            assert_eq!(
                Password::parse(password).map(|p| p.expose().to_owned()),
                Ok(password.to_owned())
            );
        }
    }

    #[test]
    fn it_should_refuse_a_password_with_control_characters() {
        for password in [
            "secret\tword",
            "secret\n",
            "\r\nsecret",
            "sec\u{0}ret",
            "sec\u{1b}[2Jret",
            "secret\u{7f}",
            "secret\u{85}",
            "\t\t\t\t\t\t",
        ] {
            assert_eq!(
                Password::parse(password),
                Err(PasswordError::ControlCharacters),
                "{password:?}"
            );
        }
    }

    #[test]
    fn it_should_never_print_the_secret() {
        let password = Password::parse("hunter22").unwrap();
        assert!(!format!("{password:?}").contains("hunter22"));
        let hash = PasswordHash::from_phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
        assert!(!format!("{hash:?}").contains("argon2id"));
    }
}
