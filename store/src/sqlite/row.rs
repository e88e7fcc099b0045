//! How an envelope maps to a row of `events` and back. Ids are 16-byte blobs, the actor is its
//! text form, times are unix microseconds; SQLite integers are signed, so every unsigned number
//! is converted with a check rather than a cast that could wrap.

use super::backend;
use chrono::{DateTime, Utc};
use roster_domain::event::{DecodeError, Event};
use roster_domain::store::{
    Actor, DecodedRecord, Metadata, Position, Recorded, StoreError, Upcasters,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};
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
pub(super) const READ_RANGE: &str = concat!(
    columns!(),
    " WHERE position > ?1 AND position <= ?2 ORDER BY position"
);

/// A span of the whole log with only what a decoded event needs, in [`DECODED`] order: `?1`
/// the position to read after, `?2` the last position to read.
pub(super) const READ_RANGE_DECODED: &str = "SELECT position, stream, event_type, schema_version, \
     data, actor, correlation_id, causation_id, occurred_at FROM events \
     WHERE position > ?1 AND position <= ?2 ORDER BY position";

/// One event, whole: `?1` its position.
pub(super) const READ_AT: &str = concat!(columns!(), " WHERE position = ?1");

/// Chosen events: `?1` their positions as a JSON array of integers (one statement, whatever
/// their number).
pub(super) const READ_POSITIONS: &str = concat!(
    columns!(),
    " WHERE position IN (SELECT value FROM json_each(?1)) ORDER BY position"
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
    let columns = Columns {
        row,
        position,
        layout: &WHOLE,
    };
    Ok(Recorded {
        event_id: columns.uuid(1)?,
        stream: columns.text(WHOLE.stream)?.to_owned(),
        revision: unsigned(columns.integer(3)?, position, "revision")?,
        position,
        event_type: columns.text(WHOLE.event_type)?.to_owned(),
        schema_version: columns.schema_version()?,
        data: columns.text(WHOLE.data)?.to_owned(),
        metadata: columns.metadata()?,
    })
}

/// One row read by [`READ_RANGE_DECODED`], decoded straight into its domain event: the
/// stream, type and JSON are read where SQLite holds them, never copied into owned strings.
/// An event with an upcaster for its version takes the long way: read whole, upcast, decoded.
pub(super) fn decode_event(
    conn: &Connection,
    row: &Row<'_>,
    upcasters: &Upcasters,
) -> Result<DecodedRecord, StoreError> {
    let position = position_of(row)?;
    let columns = Columns {
        row,
        position,
        layout: &DECODED,
    };
    let event_type = columns.text(DECODED.event_type)?;
    if upcasters.upgrades(event_type, columns.schema_version()?) {
        return upcast_and_decode(conn, position, upcasters);
    }
    Ok(DecodedRecord {
        event: Event::decode(
            columns.text(DECODED.stream)?,
            event_type,
            columns.text(DECODED.data)?,
        ),
        position,
        metadata: columns.metadata()?,
    })
}

fn upcast_and_decode(
    conn: &Connection,
    position: Position,
    upcasters: &Upcasters,
) -> Result<DecodedRecord, StoreError> {
    let at = to_sql(position.0)?;
    let recorded = conn
        .prepare_cached(READ_AT)
        .and_then(|mut statement| statement.query_row([at], |row| Ok(decode(row))))
        .map_err(backend)??;
    let (stream, event_type, metadata) = (
        recorded.stream.clone(),
        recorded.event_type.clone(),
        recorded.metadata.clone(),
    );
    Ok(match upcasters.apply(recorded) {
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
    })
}

/// Where a query puts each column [`Columns`] reads (the position is always first).
struct Layout {
    stream: usize,
    event_type: usize,
    schema_version: usize,
    data: usize,
    actor: usize,
    correlation_id: usize,
    causation_id: usize,
    occurred_at: usize,
}

/// The layout of [`columns!`]: every column of the table.
const WHOLE: Layout = Layout {
    stream: 2,
    event_type: 4,
    schema_version: 5,
    data: 6,
    actor: 7,
    correlation_id: 8,
    causation_id: 9,
    occurred_at: 10,
};

/// The layout of [`READ_RANGE_DECODED`].
const DECODED: Layout = Layout {
    stream: 1,
    event_type: 2,
    schema_version: 3,
    data: 4,
    actor: 5,
    correlation_id: 6,
    causation_id: 7,
    occurred_at: 8,
};

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
    layout: &'static Layout,
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
        u32::try_from(self.integer(self.layout.schema_version)?)
            .map_err(|_| self.corrupt("schema_version is out of range".to_owned()))
    }

    fn metadata(&self) -> Result<Metadata, StoreError> {
        let actor = Actor::parse(
            self.text(self.layout.actor)
                .map_err(|_| self.corrupt("actor is not text".to_owned()))?,
        )
        .ok_or_else(|| self.corrupt("actor is unreadable".to_owned()))?;
        let occurred_at =
            DateTime::<Utc>::from_timestamp_micros(self.integer(self.layout.occurred_at)?)
                .ok_or_else(|| self.corrupt("occurred_at is out of range".to_owned()))?;
        Ok(Metadata {
            actor,
            correlation_id: self.uuid(self.layout.correlation_id)?,
            causation_id: self.uuid(self.layout.causation_id)?,
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
