//! The embedded SQLite adapter, Roster's default store.
//!
//! - `schema`: the table, the connection settings (WAL, `synchronous=FULL`), the layout version.
//! - `writer`: the single writer thread and its group commit.
//! - `append`: the SQL behind the shared append rules, run inside one savepoint.
//! - `reader`: the read-only connection pool and the read queries.
//! - `read_only`: the store opened only to read, beside a server writing the same file.
//! - `row`: how an envelope maps to a row and back.

mod append;
mod read_only;
mod reader;
mod row;
mod schema;
mod writer;

pub use schema::WriterSettings;

use crate::feed;
use async_trait::async_trait;
use futures::FutureExt;
use reader::Readers;
use roster_domain::store::{
    AppendError, Appended, DecodedFeed, EventFeed, EventStore, Position, Recorded, Revision,
    StoreError, StreamAppend, Upcasters,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot, watch};
use writer::Request;

/// How many requests may wait for the writer before `append` itself waits: backpressure, so a
/// flood of commands queues in their callers rather than in memory here.
const QUEUE: usize = 1024;

/// An event store in one SQLite file, written by a single group-committing thread and read by a
/// small pool of read-only connections.
///
/// Dropping the store lets the writer finish what is queued, closes the file, and ends every
/// feed once it has yielded everything committed; the drop waits for the writer to exit.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    /// `None` only inside `drop`, where closing the channel is what stops the writer.
    requests: Option<mpsc::Sender<Request>>,
    writer: Option<JoinHandle<()>>,
    readers: Arc<Readers>,
    head: watch::Receiver<Position>,
    /// Transactions the writer has committed: one per group of appends.
    commits: Arc<AtomicU64>,
}

/// A rusqlite error as a store failure. SQLite's messages name tables, columns and constraints,
/// never bound values, so no event data reaches a log line through here.
pub(crate) fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("sqlite: {error}"))
}

impl SqliteStore {
    /// Opens the store at `path`, creating its folder and file on first use, reading every
    /// event at its current schema version (Roster's upcasters,
    /// [`roster_domain::event::upcasters`], run on every read).
    ///
    /// Blocking: it creates files and may write the table. Call it at start-up, or from
    /// `spawn_blocking`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, roster_domain::event::upcasters())
    }

    /// Opens the store at `path` with `upcasters` applied on every read (streams, the whole log
    /// and feeds), so the domain only ever sees current schema versions.
    pub fn open_with(path: impl AsRef<Path>, upcasters: Upcasters) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let conn = schema::open_writer(&path)?;
        let (head_sender, head) = watch::channel(reader::head(&conn)?);
        let (requests, queue) = mpsc::channel(QUEUE);
        let commits = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&commits);
        let writer = std::thread::Builder::new()
            .name("roster-sqlite-writer".to_owned())
            .spawn(move || writer::run(conn, queue, head_sender, counted))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        tracing::info!(path = %path.display(), "event store opened");
        Ok(Self {
            readers: Arc::new(Readers::new(path.clone(), upcasters)),
            path,
            requests: Some(requests),
            writer: Some(writer),
            head,
            commits,
        })
    }

    /// The file this store writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The writer connection's durability settings, as SQLite reports them: for a start-up log
    /// line, and for tests that must not take the configuration on trust.
    pub async fn writer_settings(&self) -> Result<WriterSettings, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Settings { reply }).await?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// How many transactions of appends the writer has committed since the store was opened
    /// (setting up the file is not counted). Concurrent
    /// appends are group-committed, so under load this grows more slowly than the number of
    /// appends: each transaction is one fsync shared by its whole group.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Stops taking appends, lets the writer finish those already queued, and closes the file.
    /// Later appends fail with [`StoreError::Closed`]; reads keep working; feeds end after
    /// yielding everything committed. Closing twice is harmless.
    pub async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.send(Request::Close { done }).await.is_ok() {
            // An error means the writer is already gone, which is what was asked for.
            let _ = closed.await;
        }
    }

    async fn send(&self, request: Request) -> Result<(), StoreError> {
        let requests = self.requests.as_ref().ok_or(StoreError::Closed)?;
        requests.send(request).await.map_err(|_| StoreError::Closed)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the channel lets the writer drain the queue and exit; joining makes "dropped"
        // mean "file closed", so the same path can be reopened at once.
        self.requests = None;
        if let Some(writer) = self.writer.take()
            && writer.join().is_err()
        {
            tracing::error!("the event store writer thread panicked");
        }
    }
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn append(&self, batch: Vec<StreamAppend>) -> Result<Appended, AppendError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Append { batch, reply }).await?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn import(&self, events: Vec<Recorded>) -> Result<Position, AppendError> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::Import { events, reply }).await?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn read_stream(&self, stream: &str, from: Revision) -> Result<Vec<Recorded>, StoreError> {
        let stream = stream.to_owned();
        self.readers
            .run(move |conn, upcasters| reader::read_stream(conn, upcasters, &stream, from))
            .await
    }

    async fn read_all(&self, after: Position, max: usize) -> Result<Vec<Recorded>, StoreError> {
        self.readers
            .run(move |conn, upcasters| reader::read_all(conn, upcasters, after, max))
            .await
    }

    async fn read_positions(&self, positions: &[Position]) -> Result<Vec<Recorded>, StoreError> {
        let positions = positions.to_vec();
        self.readers
            .run(move |conn, upcasters| reader::read_positions(conn, upcasters, &positions))
            .await
    }

    async fn head(&self) -> Result<Position, StoreError> {
        self.readers.run(|conn, _| reader::head(conn)).await
    }

    fn subscribe_all(&self, after: Position) -> EventFeed {
        feed::follow_ranges(
            self.range_reader(reader::read_range),
            self.head.clone(),
            after,
        )
    }

    fn subscribe_decoded(&self, after: Position) -> DecodedFeed {
        feed::follow_pages(
            self.range_reader(reader::read_range_decoded),
            self.head.clone(),
            after,
        )
    }
}

impl SqliteStore {
    /// Reads spans of the log with `read`, on the reader pool.
    fn range_reader<T: Send + 'static>(&self, read: reader::ReadSpan<T>) -> feed::ReadRange<T> {
        let readers = Arc::clone(&self.readers);
        Arc::new(move |after, until| {
            let readers = Arc::clone(&readers);
            async move {
                readers
                    .run(move |conn, upcasters| read(conn, upcasters, after, until))
                    .await
            }
            .boxed()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::append::{CURRENT_REVISION, LOCATE, REVISION_AT};
    use super::row::{
        READ_ALL, READ_AT, READ_POSITIONS, READ_RANGE, READ_RANGE_DECODED, READ_STREAM,
    };
    use super::schema;
    use rusqlite::StatementStatus;
    use rusqlite::types::Value;

    /// Every query the store runs again and again keeps its plan across uses and commits: a
    /// statement SQLite re-prepares costs a full parse and plan on each read.
    #[test]
    fn it_should_not_prepare_a_cached_query_again_after_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        let writer = schema::open_writer(&path).unwrap();
        let reader = schema::open_reader(&path).unwrap();
        let stream = || Value::Text("user-1".to_owned());
        let id = || Value::Blob(vec![7; 16]);
        let queries: [(&str, Vec<Value>); 9] = [
            (READ_POSITIONS, vec![Value::Text("[1,3]".to_owned())]),
            (READ_STREAM, vec![stream(), Value::Integer(0)]),
            (READ_ALL, vec![Value::Integer(0), Value::Integer(100)]),
            (READ_RANGE, vec![Value::Integer(0), Value::Integer(100)]),
            (
                READ_RANGE_DECODED,
                vec![Value::Integer(0), Value::Integer(100)],
            ),
            (READ_AT, vec![Value::Integer(1)]),
            (CURRENT_REVISION, vec![stream()]),
            (REVISION_AT, vec![stream(), Value::Integer(100)]),
            (LOCATE, vec![id()]),
        ];
        for (sql, params) in queries {
            let mut reprepared = 0;
            for revision in 0..20 {
                writer
                    .execute(
                        "INSERT INTO events (event_id, stream, revision, event_type, \
                         schema_version, data, actor, correlation_id, causation_id, occurred_at) \
                         VALUES (randomblob(16), ?1, ?2, 'T', 1, '{}', 'system', \
                         randomblob(16), randomblob(16), 0)",
                        rusqlite::params![format!("s-{}-{revision}", sql.len()), revision],
                    )
                    .unwrap();
                let mut statement = reader.prepare_cached(sql).unwrap();
                let mut rows = statement
                    .query(rusqlite::params_from_iter(params.iter()))
                    .unwrap();
                while rows.next().unwrap().is_some() {}
                drop(rows);
                reprepared = statement.get_status(StatementStatus::RePrepare);
            }
            assert_eq!(reprepared, 0, "re-prepared on every use: {sql}");
        }
    }
}
