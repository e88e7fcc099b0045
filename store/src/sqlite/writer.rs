//! The single writer: one thread owns the only read-write connection and group-commits.
//!
//! Appends queue on a channel. The thread takes everything queued, opens ONE transaction, runs
//! each append in its own SAVEPOINT (so a conflict or an invalid batch rolls back alone and gets
//! its own error), commits once — one fsync for the whole group — and only then replies. Under
//! load a group grows by itself: while one fsync runs, the next group queues up. The writer
//! counts the transactions it commits, so tests and metrics can see that grouping happens.

use super::append::SqliteTarget;
use super::backend;
use super::schema::{self, WriterSettings};
use crate::append;
use roster_domain::store::{AppendError, Appended, Position, Recorded, StoreError, StreamAppend};
use rusqlite::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot, watch};

/// A bound on one group, so that the first caller of a long queue is not kept waiting for the
/// whole queue's work before its fsync.
const MAX_GROUP: usize = 512;

type AppendReply = oneshot::Sender<Result<Appended, AppendError>>;

/// What the store asks of its writer.
pub(super) enum Request {
    /// Append one batch and reply with its own outcome.
    Append {
        batch: Vec<StreamAppend>,
        reply: AppendReply,
    },
    /// Import events recorded elsewhere, in a transaction of their own.
    Import {
        events: Vec<Recorded>,
        reply: oneshot::Sender<Result<Position, AppendError>>,
    },
    /// Report the connection's settings.
    Settings {
        reply: oneshot::Sender<Result<WriterSettings, StoreError>>,
    },
    /// Refuse new requests, finish the queued ones, close the file, then signal `done`.
    Close { done: oneshot::Sender<()> },
}

/// Runs the writer until its channel is closed and drained. Dropping `head` on the way out is
/// what tells feeds that no more events will come.
/// `commits` counts every transaction committed.
pub(super) fn run(
    mut conn: Connection,
    mut requests: mpsc::Receiver<Request>,
    head: watch::Sender<Position>,
    commits: Arc<AtomicU64>,
) {
    let mut closers = Vec::new();
    while let Some(first) = requests.blocking_recv() {
        let mut group = Vec::new();
        let mut imports = Vec::new();
        let mut next = Some(first);
        while let Some(request) = next.take() {
            match request {
                Request::Append { batch, reply } => group.push((batch, reply)),
                Request::Import { events, reply } => imports.push((events, reply)),
                Request::Settings { reply } => {
                    // The caller may have given up waiting; that is not the writer's problem.
                    let _ = reply.send(schema::settings(&conn));
                }
                Request::Close { done } => {
                    requests.close();
                    closers.push(done);
                }
            }
            if group.len() < MAX_GROUP {
                next = requests.try_recv().ok();
            }
        }
        commit_group(&mut conn, group, &head, &commits);
        for (events, reply) in imports {
            let _ = reply.send(commit_import(&mut conn, events, &head, &commits));
        }
    }
    drop(conn);
    drop(head);
    for done in closers {
        let _ = done.send(());
    }
}

fn commit_group(
    conn: &mut Connection,
    group: Vec<(Vec<StreamAppend>, AppendReply)>,
    head: &watch::Sender<Position>,
    commits: &AtomicU64,
) {
    if group.is_empty() {
        return;
    }
    let (batches, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
    let outcomes = match write_group(conn, &batches) {
        Ok(outcomes) => {
            // Relaxed: a statistic, read on its own; the replies below are what order callers.
            commits.fetch_add(1, Ordering::Relaxed);
            outcomes
        }
        Err(error) => {
            tracing::error!(%error, appends = batches.len(), "event store group commit failed");
            batches
                .iter()
                .map(|_| Err(AppendError::Store(error.clone())))
                .collect()
        }
    };
    // Publish before replying: a caller that sees its append acknowledged and then subscribes
    // or waits for the head must find the head at or past its own position.
    let newest = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().ok())
        .map(|appended| appended.last_position)
        .max();
    if let Some(newest) = newest {
        head.send_if_modified(|current| {
            let moved = newest > *current;
            if moved {
                *current = newest;
            }
            moved
        });
    }
    for (reply, outcome) in replies.into_iter().zip(outcomes) {
        // A caller that stopped waiting still had its append applied; a retry with the same
        // event ids is recognised and answered with this same result.
        let _ = reply.send(outcome);
    }
}

/// One import, one transaction: all of its events or none.
fn commit_import(
    conn: &mut Connection,
    events: Vec<Recorded>,
    head: &watch::Sender<Position>,
    commits: &AtomicU64,
) -> Result<Position, AppendError> {
    if !conn.is_autocommit() {
        execute(conn, "ROLLBACK")?;
    }
    execute(conn, "BEGIN IMMEDIATE")?;
    let written = append::import(&mut SqliteTarget { conn }, events).and_then(|last| {
        execute(conn, "COMMIT")?;
        Ok(last)
    });
    match written {
        Ok(last) => {
            commits.fetch_add(1, Ordering::Relaxed);
            head.send_if_modified(|current| {
                let moved = last > *current;
                if moved {
                    *current = last;
                }
                moved
            });
            Ok(last)
        }
        Err(error) => {
            if !conn.is_autocommit()
                && let Err(rollback) = execute(conn, "ROLLBACK")
            {
                tracing::error!(%rollback, "event store could not roll back a failed import");
            }
            Err(error)
        }
    }
}

/// One transaction, one savepoint per batch, one commit. An `Err` means the transaction as a
/// whole failed, and with it every batch of the group.
///
/// The transaction statements are prepared once and reused, like every other statement here:
/// rusqlite's `Transaction` and `Savepoint` parse their SQL anew on every use.
fn write_group(
    conn: &mut Connection,
    batches: &[Vec<StreamAppend>],
) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
    if !conn.is_autocommit() {
        // A failed group whose rollback failed too: never build a new group on its remains.
        execute(conn, "ROLLBACK")?;
    }
    execute(conn, "BEGIN IMMEDIATE")?;
    let written = write_batches(conn, batches).and_then(|outcomes| {
        execute(conn, "COMMIT")?;
        Ok(outcomes)
    });
    if written.is_err() && !conn.is_autocommit() {
        // Nothing of the group may stay half-written for the next one to commit.
        if let Err(error) = execute(conn, "ROLLBACK") {
            tracing::error!(%error, "event store could not roll back a failed group");
        }
    }
    written
}

fn write_batches(
    conn: &Connection,
    batches: &[Vec<StreamAppend>],
) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
    let mut outcomes = Vec::with_capacity(batches.len());
    for batch in batches {
        execute(conn, "SAVEPOINT batch")?;
        let outcome = append::append(&mut SqliteTarget { conn }, batch);
        if let Err(error) = &outcome {
            if conn.is_autocommit() {
                // SQLite itself rolled the transaction back (disk full, I/O error): the group
                // is lost, and this batch's own error says why.
                return Err(match error {
                    AppendError::Store(store) => store.clone(),
                    other => StoreError::Backend(other.to_string()),
                });
            }
            // This batch's rows go, the group's stay.
            execute(conn, "ROLLBACK TO batch")?;
        }
        execute(conn, "RELEASE batch")?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Runs a statement without parameters or rows from the connection's statement cache.
fn execute(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.raw_execute())
        .map(drop)
        .map_err(backend)
}
