//! Reading the times inside events. Roster writes them as chrono does, in RFC 3339 with a `Z`
//! and up to nine fractional digits (`2026-06-01T08:00:00.123456Z`); that form is read here
//! directly, digit by digit, because a replay reads millions of them and chrono's general
//! parser costs more than the rest of the event. Anything else (another offset, a leap
//! second, a form an older writer used) goes through chrono, so nothing once readable stops
//! being readable.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserializer;
use serde::de::{Error, Visitor};
use std::fmt;

/// `#[serde(deserialize_with = "…")]` for a `DateTime<Utc>` field of an event.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(TimeVisitor)
}

struct TimeVisitor;

impl Visitor<'_> for TimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an RFC 3339 date and time")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        parse(text).ok_or_else(|| E::custom("not an RFC 3339 date and time"))
    }
}

/// Parses an RFC 3339 date and time into UTC.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    written_by_roster(text).or_else(|| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|time| time.with_timezone(&Utc))
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, or `None` for anything else.
fn written_by_roster(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let (&b'Z', rest) = bytes.split_last()? else {
        return None;
    };
    if rest.len() < 19 || [rest[4], rest[7], rest[10], rest[13], rest[16]] != *b"--T::" {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        rest.get(range)?.iter().try_fold(0u32, |value, &digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + u32::from(digit - b'0'))
        })
    };
    let nanos = match &rest[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let fraction = number(20..rest.len())?;
            let scale = 10u32.pow(9 - u32::try_from(digits.len()).ok()?);
            fraction.checked_mul(scale)?
        }
        _ => return None,
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)?
        .and_hms_nano_opt(number(11..13)?, number(14..16)?, number(17..19)?, nanos)
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{SecondsFormat, TimeZone};

    fn chrono_reads(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn it_should_read_every_time_as_chrono_writes_it() {
        let base = Utc.with_ymd_and_hms(2026, 6, 1, 8, 30, 59).unwrap();
        for nanos in [0, 1, 120, 123_456, 123_456_000, 999_999_999] {
            let time = base + chrono::Duration::nanoseconds(nanos);
            for format in [
                SecondsFormat::AutoSi,
                SecondsFormat::Micros,
                SecondsFormat::Secs,
            ] {
                let text = time.to_rfc3339_opts(format, true);
                assert_eq!(written_by_roster(&text), chrono_reads(&text), "{text}");
                assert_eq!(parse(&text), chrono_reads(&text), "{text}");
            }
            let json = serde_json::to_string(&time).unwrap();
            assert_eq!(parse(json.trim_matches('"')), Some(time), "{json}");
        }
    }

    #[test]
    fn it_should_leave_every_other_form_to_chrono() {
        for text in [
            "2026-06-01T10:30:00+02:00",
            "2026-06-01t08:30:00z",
            "2016-12-31T23:59:60Z",
            "2026-06-01 08:30:00Z",
        ] {
            assert_eq!(parse(text), chrono_reads(text), "{text}");
        }
        for text in [
            "2026-02-30T08:00:00Z",
            "2026-06-01T24:00:00Z",
            "2026-06-01T08:00Z",
            "",
        ] {
            assert_eq!(parse(text), None, "{text}");
            assert_eq!(chrono_reads(text), None, "{text}");
        }
        assert_eq!(written_by_roster("2026-06-01T08:00:00.1234567890Z"), None);
    }
}
