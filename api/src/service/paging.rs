//! Paging of lists: page sizes, and opaque cursors (base64 of a kind and a position, so
//! clients cannot build them and a cursor of one list is refused by another). Every door
//! pages the same way.

use crate::error::ApiError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use roster_domain::ids::SessionId;
use roster_domain::store::Position;

/// Page size when a list query gives no `first`.
pub const DEFAULT_PAGE: usize = 20;
/// Largest `first` accepted.
pub const MAX_PAGE: usize = 100;

/// The page size a client asked for, checked.
pub fn page_size(first: Option<i32>) -> Result<usize, ApiError> {
    match first {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (0..=MAX_PAGE as i32).contains(&n) => Ok(n as usize),
        Some(_) => Err(ApiError::Validation(format!(
            "first must be between 0 and {MAX_PAGE}"
        ))),
    }
}

fn invalid() -> ApiError {
    ApiError::Validation("Invalid cursor".into())
}

fn decode(cursor: &str, kind: &str) -> Result<String, ApiError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix(':'))
        .map(str::to_owned)
        .ok_or_else(invalid)
}

/// The cursor of a user (the position of its creation).
pub fn encode_user(position: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("user:{}", position.0))
}

/// Reads a user cursor.
pub fn decode_user(cursor: &str) -> Result<Position, ApiError> {
    decode(cursor, "user")?
        .parse::<u64>()
        .map(Position)
        .map_err(|_| invalid())
}

/// The cursor of a session.
pub fn encode_session(id: SessionId) -> String {
    URL_SAFE_NO_PAD.encode(format!("session:{id}"))
}

/// Reads a session cursor.
pub fn decode_session(cursor: &str) -> Result<SessionId, ApiError> {
    SessionId::parse(&decode(cursor, "session")?).ok_or_else(invalid)
}

/// The cursor of an audit entry (its position).
pub fn encode_audit(position: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("audit:{}", position.0))
}

/// Reads an audit cursor.
pub fn decode_audit(cursor: &str) -> Result<Position, ApiError> {
    decode(cursor, "audit")?
        .parse::<u64>()
        .map(Position)
        .map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_round_trip_and_refuse_foreign_cursors() {
        let cursor = encode_user(Position(42));
        assert_eq!(decode_user(&cursor).unwrap(), Position(42));
        assert!(decode_session(&cursor).is_err());
        assert!(decode_user("not base64!").is_err());
    }
}
