//! The SQL behind the shared append rules, run by the writer inside one request's SAVEPOINT.
//! Every statement is prepared once per connection and then reused from its cache.

use super::backend;
use super::row::{to_micros, to_sql};
use crate::append::AppendTarget;
use roster_domain::store::{AppendError, NewEvent, Position, Revision, StoreError};
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use uuid::Uuid;

/// The revision a stream is at: `?1` the stream. ORDER BY ... LIMIT 1 walks the (stream,
/// revision) index from its end: one probe. `+?1` keeps the cached plan valid (see `row.rs`).
pub(super) const CURRENT_REVISION: &str =
    "SELECT revision FROM events WHERE stream = +?1 ORDER BY revision DESC LIMIT 1";

/// The revision a stream was at as of a position: `?1` the stream, `?2` the position.
pub(super) const REVISION_AT: &str = "SELECT revision FROM events WHERE stream = +?1 \
     AND position <= ?2 ORDER BY revision DESC LIMIT 1";

/// Where an event id is stored: `?1` the id.
pub(super) const LOCATE: &str = "SELECT stream, position FROM events WHERE event_id = ?1";

/// The writer's connection, seen from inside one append.
pub(super) struct SqliteTarget<'c> {
    pub(super) conn: &'c Connection,
}

fn revision(value: i64) -> Result<Revision, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Backend("a stored revision is negative".into()))
}

fn position(value: i64) -> Result<Position, StoreError> {
    u64::try_from(value)
        .map(Position)
        .map_err(|_| StoreError::Backend("a stored position is negative".into()))
}

impl AppendTarget for SqliteTarget<'_> {
    fn current_revision(&mut self, stream: &str) -> Result<Option<Revision>, StoreError> {
        self.conn
            .prepare_cached(CURRENT_REVISION)
            .and_then(|mut s| s.query_row([stream], |row| row.get::<_, i64>(0)).optional())
            .map_err(backend)?
            .map(revision)
            .transpose()
    }

    fn locate(&mut self, event_id: Uuid) -> Result<Option<(String, Position)>, StoreError> {
        let found = self
            .conn
            .prepare_cached(LOCATE)
            .and_then(|mut s| {
                s.query_row([&event_id.as_bytes()[..]], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })
                .optional()
            })
            .map_err(backend)?;
        found
            .map(|(stream, raw)| Ok((stream, position(raw)?)))
            .transpose()
    }

    fn revision_at(&mut self, stream: &str, at: Position) -> Result<Option<Revision>, StoreError> {
        self.conn
            .prepare_cached(REVISION_AT)
            .and_then(|mut s| {
                s.query_row(params![stream, to_sql(at.0).unwrap_or(i64::MAX)], |row| {
                    row.get::<_, i64>(0)
                })
                .optional()
            })
            .map_err(backend)?
            .map(revision)
            .transpose()
    }

    fn head(&mut self) -> Result<Position, StoreError> {
        let raw = self
            .conn
            .prepare_cached("SELECT coalesce(max(position), 0) FROM events")
            .and_then(|mut s| s.query_row([], |row| row.get::<_, i64>(0)))
            .map_err(backend)?;
        position(raw)
    }

    fn insert(
        &mut self,
        stream: &str,
        revision: Revision,
        event: &NewEvent,
    ) -> Result<Position, AppendError> {
        let metadata = &event.metadata;
        let revision = to_sql(revision)?;
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO events (event_id, stream, revision, event_type, schema_version, \
                 data, actor, correlation_id, causation_id, occurred_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut s| {
                s.insert(params![
                    &event.event_id.as_bytes()[..],
                    stream,
                    revision,
                    event.event_type,
                    event.schema_version,
                    event.data,
                    metadata.actor.to_string(),
                    &metadata.correlation_id.as_bytes()[..],
                    &metadata.causation_id.as_bytes()[..],
                    to_micros(metadata.occurred_at),
                ])
            });
        match inserted {
            Ok(rowid) => Ok(position(rowid)?),
            // The shared rules already checked expectations and the first event id; a unique
            // violation here is a later event id of a batch that was partly stored before.
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == ErrorCode::ConstraintViolation
                    && self.locate(event.event_id)?.is_some() =>
            {
                Err(AppendError::Invalid(format!(
                    "event {} is already stored; this batch was partly stored before",
                    event.event_id
                )))
            }
            Err(error) => Err(backend(error).into()),
        }
    }
}
