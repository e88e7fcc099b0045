//! Input parsed into newtypes at the edge: once a value exists, it is valid.

mod display_name;
mod email;
mod password;
mod provider;
mod resource_name;
mod token_hash;
mod username;

pub use display_name::{DisplayName, DisplayNameError};
pub use email::{Email, EmailError};
pub use password::{Password, PasswordError, PasswordHash};
pub use provider::Provider;
pub use resource_name::{ResourceName, ResourceNameError};
pub use token_hash::{TokenHash, TokenHashError};
pub use username::{Username, UsernameError};

/// What can be wrong with a required one-line text.
enum TextProblem {
    Empty,
    TooLong,
    Control,
}

/// Trims `raw` and checks it is present, at most `max` characters, and free of control
/// characters (which would corrupt lists, logs and terminals).
fn bounded_text(raw: &str, max: usize) -> Result<&str, TextProblem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Err(TextProblem::Empty)
    } else if trimmed.chars().count() > max {
        Err(TextProblem::TooLong)
    } else if trimmed.chars().any(char::is_control) {
        Err(TextProblem::Control)
    } else {
        Ok(trimmed)
    }
}
