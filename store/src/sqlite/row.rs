//! How an envelope maps to a row of `events` and back. Ids are 16-byte blobs, the actor is its
//! text form, times are unix microseconds; SQLite integers are signed, so every unsigned number
//! is converted with a check rather than a cast that could wrap.

use super::backend;
use chrono::{DateTime, Utc};
use roster_domain::event::{DecodeError, Event};
use roster_domain::store::{
    Actor, DecodedRecord, Metadata, Position, Recorded, StoreError, Upcasters,
};
use rusqlite::Row;
use rusqlite::types::ValueRef;
use uuid::Uuid;

/// The columns [`decode`] expects, in its order (a macro so the queries below are constants).
macro_rules! columns {
    () => {
        "SELECT position, event_id, stream, revision, event_type, schema_version, data, actor, \
         correlation_id, causation_id, occurred_at FROM events"
    };
}

// Why `+?n` in some queries below: when the planner looks at a bound value (a stream compared
// under an ORDER BY, a LIMIT), SQLite marks the statement as depending on it, and rusqlite's
// statement cache clears the bindings of every statement it takes back, which then discards
// the plan: each later use is parsed and planned again, most of a stream read's cost. A unary
// `+` makes the value an expression the planner does not look into; the index is still used
// (`+` on the column, not the value, is what would disable it). Tested in `sqlite::tests`.

/// A page of the whole log: `?1` the position to read after, `?2` the page size.
pub(super) const READ_ALL: &str = concat!(
    columns!(),
    " WHERE position > ?1 ORDER BY position LIMIT +?2"
);

/// A span of the whole log: `?1` the position to read after, `?2` the last position to read.
/// Also read by [`decode_event`].
pub(super) const READ_RANGE: &str = concat!(
    columns!(),
    " WHERE position > ?1 AND position <= ?2 ORDER BY position"
);

/// One stream: `?1` the stream, `?2` the first revision to read.
pub(super) const READ_STREAM: &str = concat!(
    columns!(),
    " WHERE stream = +?1 AND revision >= ?2 ORDER BY revision"
);

/// An unsigned number as a SQLite integer.
pub(super) fn to_sql(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value)
        .map_err(|_| StoreError::Backend(format!("{value} is beyond SQLite's integer range")))
}

/// A time as the unix microseconds stored in `occurred_at`.
pub(super) fn to_micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

/// One row read by [`READ_ALL`] or [`READ_STREAM`], as a [`Recorded`].
///
/// Borrowed column values are decoded in place: only the three strings a `Recorded` owns are
/// allocated, which matters on a replay of millions of events.
pub(super) fn decode(row: &Row<'_>) -> Result<Recorded, StoreError> {
    let position = position_of(row)?;
    let columns = Columns { row, position };
    Ok(Recorded {
        event_id: columns.uuid(1)?,
        stream: columns.text(2)?.to_owned(),
        revision: unsigned(columns.integer(3)?, position, "revision")?,
        position,
        event_type: columns.text(4)?.to_owned(),
        schema_version: columns.schema_version()?,
        data: columns.text(6)?.to_owned(),
        metadata: columns.metadata()?,
    })
}

/// One row read by [`READ_RANGE`], decoded straight into its domain event: the stream, type
/// and JSON are read where SQLite holds them, never copied into owned strings. An event with
/// an upcaster for its version takes the long way, through [`Recorded`] and the upcaster.
pub(super) fn decode_event(
    row: &Row<'_>,
    upcasters: &Upcasters,
) -> Result<DecodedRecord, StoreError> {
    let position = position_of(row)?;
    let columns = Columns { row, position };
    let event_type = columns.text(4)?;
    if upcasters.upgrades(event_type, columns.schema_version()?) {
        let recorded = decode(row)?;
        let (stream, event_type, metadata) = (
            recorded.stream.clone(),
            recorded.event_type.clone(),
            recorded.metadata.clone(),
        );
        return Ok(match upcasters.apply(recorded) {
            Ok(upcast) => DecodedRecord::decode(upcast),
            // Data the upcaster cannot read is skipped like data the decoder cannot read.
            Err(error) => DecodedRecord {
                position,
                metadata,
                event: Err(DecodeError::Unreadable {
                    stream,
                    event_type,
                    reason: error.to_string(),
                }),
            },
        });
    }
    Ok(DecodedRecord {
        event: Event::decode(columns.text(2)?, event_type, columns.text(6)?),
        position,
        metadata: columns.metadata()?,
    })
}

fn position_of(row: &Row<'_>) -> Result<Position, StoreError> {
    row.get_ref(0)
        .map_err(backend)?
        .as_i64()
        .ok()
        .and_then(|p| u64::try_from(p).ok())
        .map(Position)
        .ok_or_else(|| StoreError::Corrupt {
            position: Position::START,
            reason: "a position is not a positive integer".to_owned(),
        })
}

/// The columns of one row, read in place; every failure names the row's position.
struct Columns<'r, 's> {
    row: &'r Row<'s>,
    position: Position,
}

impl<'r> Columns<'r, '_> {
    fn corrupt(&self, reason: String) -> StoreError {
        StoreError::Corrupt {
            position: self.position,
            reason,
        }
    }

    fn column(&self, index: usize) -> Result<ValueRef<'r>, StoreError> {
        self.row
            .get_ref(index)
            .map_err(|e| self.corrupt(format!("column {index}: {e}")))
    }

    fn text(&self, index: usize) -> Result<&'r str, StoreError> {
        self.column(index)?
            .as_str()
            .map_err(|e| self.corrupt(format!("column {index}: {e}")))
    }

    fn integer(&self, index: usize) -> Result<i64, StoreError> {
        self.column(index)?
            .as_i64()
            .map_err(|e| self.corrupt(format!("column {index}: {e}")))
    }

    fn uuid(&self, index: usize) -> Result<Uuid, StoreError> {
        blob_uuid(self.column(index)?)
            .map_err(|reason| self.corrupt(format!("column {index}: {reason}")))
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        u32::try_from(self.integer(5)?)
            .map_err(|_| self.corrupt("schema_version is out of range".to_owned()))
    }

    fn metadata(&self) -> Result<Metadata, StoreError> {
        let actor = Actor::parse(
            self.text(7)
                .map_err(|_| self.corrupt("actor is not text".to_owned()))?,
        )
        .ok_or_else(|| self.corrupt("actor is unreadable".to_owned()))?;
        let occurred_at = DateTime::<Utc>::from_timestamp_micros(self.integer(10)?)
            .ok_or_else(|| self.corrupt("occurred_at is out of range".to_owned()))?;
        Ok(Metadata {
            actor,
            correlation_id: self.uuid(8)?,
            causation_id: self.uuid(9)?,
            occurred_at,
        })
    }
}

fn unsigned(value: i64, position: Position, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt {
        position,
        reason: format!("{what} is negative"),
    })
}

fn blob_uuid(value: ValueRef<'_>) -> Result<Uuid, String> {
    let bytes = value.as_blob().map_err(|e| e.to_string())?;
    Uuid::from_slice(bytes).map_err(|_| "not a 16-byte id".to_owned())
}
