//! Times as the offline commands take them.

use chrono::{DateTime, NaiveDate, Utc};

/// An RFC 3339 time (`2026-03-01T09:00:00Z`), or a date (`2026-03-01`: midnight UTC).
pub(super) fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc())
        .ok_or_else(|| format!("{text:?} is not a time (RFC 3339) or a date (YYYY-MM-DD)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_read_a_date_as_midnight_utc_and_refuse_anything_else() {
        assert_eq!(
            parse_time("2026-03-01").unwrap().to_rfc3339(),
            "2026-03-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("2026-03-01T10:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T08:00:00+00:00"
        );
        assert!(parse_time("March").is_err());
    }
}
