//! Reads: a small pool of read-only connections, each used on a blocking thread. In WAL mode
//! readers see the last commit as of their statement's start and never wait for the writer.

use super::row::{
    READ_ALL, READ_POSITIONS, READ_RANGE, READ_RANGE_DECODED, READ_STREAM, decode, decode_event,
    to_sql,
};
use super::{backend, schema};
use roster_domain::store::{DecodedRecord, Position, Recorded, Revision, StoreError, Upcasters};
use rusqlite::{Connection, params};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// At most this many reads run at once; each holds one connection. Beyond a few, concurrent
/// readers only compete for the same cores and page cache.
const READERS: usize = 4;

// No memory map: SQLite drops a reader's map whenever its next transaction finds a new commit,
// so reads right behind the writer would map the file again and again; and a replay through
// mapped pages spends its time faulting them in, while `pread` into each connection's own
// cache is faster here and keeps the process's resident memory to what it holds.

/// The page cache of a reader (negative: KiB). Small: a feed reads forward and never returns
/// to a page, stream reads are index probes whose upper levels fit, and the file's pages are
/// in the kernel's cache anyway; a bigger one only grew by fresh pages during a replay.
const CACHE_KIB: i64 = -2 * 1024;

/// The pool. Connections are opened on first need and kept.
#[derive(Debug)]
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    upcasters: Upcasters,
}

impl Readers {
    pub(super) fn new(path: PathBuf, upcasters: Upcasters) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::with_capacity(READERS)),
            permits: Arc::new(Semaphore::new(READERS)),
            upcasters,
        }
    }

    /// Runs `read` on a pooled connection, on a blocking thread: SQLite calls block, and
    /// decoding and upcasting a page is CPU work that must not stall the async runtime.
    pub(super) async fn run<T, F>(self: &Arc<Self>, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Upcasters) -> Result<T, StoreError> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let readers = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = readers.checkout()?;
            let result = read(&conn, &readers.upcasters);
            readers.checkin(conn);
            result
        })
        .await
        .map_err(|_| StoreError::Backend("a read task panicked or was cancelled".to_owned()))?
    }

    fn checkout(&self) -> Result<Connection, StoreError> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(conn) => Ok(conn),
            None => {
                let conn = schema::open_reader(&self.path)?;
                conn.pragma_update(None, "cache_size", CACHE_KIB)
                    .map_err(backend)?;
                Ok(conn)
            }
        }
    }

    fn checkin(&self, conn: Connection) {
        // A poisoned pool only costs reopening connections; the connection itself is fine.
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }
}

/// Reads the span `(after, until]` of the log as `T`s ([`read_range`], [`read_range_decoded`]).
pub(super) type ReadSpan<T> =
    fn(&Connection, &Upcasters, Position, Position) -> Result<Vec<T>, StoreError>;

/// Up to `max` events strictly after `after`, in position order.
pub(super) fn read_all(
    conn: &Connection,
    upcasters: &Upcasters,
    after: Position,
    max: usize,
) -> Result<Vec<Recorded>, StoreError> {
    if max == 0 {
        return Ok(Vec::new());
    }
    let limit = i64::try_from(max).unwrap_or(i64::MAX);
    // A page is usually full; a huge `max` must not reserve memory for events that don't exist.
    let expected = max.min(crate::feed::PAGE);
    read_rows(
        conn,
        READ_ALL,
        params![to_sql(after.0)?, limit],
        expected,
        |row| upcasters.apply(decode(row)?),
    )
}

/// The events with a position in `(after, until]`, in position order.
pub(super) fn read_range(
    conn: &Connection,
    upcasters: &Upcasters,
    after: Position,
    until: Position,
) -> Result<Vec<Recorded>, StoreError> {
    read_span(conn, READ_RANGE, after, until, |row| {
        upcasters.apply(decode(row)?)
    })
}

/// Like [`read_range`], each event decoded into its domain event as it is read.
pub(super) fn read_range_decoded(
    conn: &Connection,
    upcasters: &Upcasters,
    after: Position,
    until: Position,
) -> Result<Vec<DecodedRecord>, StoreError> {
    read_span(conn, READ_RANGE_DECODED, after, until, |row| {
        decode_event(conn, row, upcasters)
    })
}

/// The rows of the span `(after, until]` that `query` reads, each turned into a `T` by `each`.
fn read_span<T>(
    conn: &Connection,
    query: &str,
    after: Position,
    until: Position,
    each: impl Fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    // Positions are dense, so a span is usually as full as it is long.
    let span = until.0.saturating_sub(after.0);
    let expected = usize::try_from(span).unwrap_or(0).min(crate::feed::PAGE);
    let bounds = params![to_sql(after.0)?, to_sql(until.0)?];
    read_rows(conn, query, bounds, expected, each)
}

/// The events of `stream` from revision `from` on.
pub(super) fn read_stream(
    conn: &Connection,
    upcasters: &Upcasters,
    stream: &str,
    from: Revision,
) -> Result<Vec<Recorded>, StoreError> {
    let Ok(from) = i64::try_from(from) else {
        return Ok(Vec::new()); // no stored revision is that high
    };
    read_rows(conn, READ_STREAM, params![stream, from], 0, |row| {
        upcasters.apply(decode(row)?)
    })
}

/// The events at `positions`, in position order.
pub(super) fn read_positions(
    conn: &Connection,
    upcasters: &Upcasters,
    positions: &[Position],
) -> Result<Vec<Recorded>, StoreError> {
    if positions.is_empty() {
        return Ok(Vec::new());
    }
    let list = positions
        .iter()
        .map(|position| position.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let list = format!("[{list}]");
    read_rows(
        conn,
        READ_POSITIONS,
        params![list],
        positions.len(),
        |row| upcasters.apply(decode(row)?),
    )
}

/// Every row `query` reads with `bindings`, each turned into a `T` by `each`; room for
/// `expected` rows is reserved up front.
fn read_rows<T>(
    conn: &Connection,
    query: &str,
    bindings: impl rusqlite::Params,
    expected: usize,
    each: impl Fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(query).map_err(backend)?;
    let mut rows = statement.query(bindings).map_err(backend)?;
    let mut events = Vec::with_capacity(expected);
    while let Some(row) = rows.next().map_err(backend)? {
        events.push(each(row)?);
    }
    Ok(events)
}

/// The position of the last committed event.
pub(super) fn head(conn: &Connection) -> Result<Position, StoreError> {
    let raw: i64 = conn
        .prepare_cached("SELECT coalesce(max(position), 0) FROM events")
        .and_then(|mut s| s.query_row([], |row| row.get(0)))
        .map_err(backend)?;
    u64::try_from(raw)
        .map(Position)
        .map_err(|_| StoreError::Backend("the head position is negative".to_owned()))
}
