//! A store opened only to read, beside a server that may be writing the same file: the
//! offline tools (`roster events`, `roster export`) read the log through it and never write.
//!
//! There is no writer thread: an append fails with [`StoreError::Closed`]. The head that feeds
//! follow is polled from the file instead of being told by the writer, so a feed opened here
//! sees the events another process commits, a fraction of a second later.

use super::reader::{self, Readers};
use super::{SqliteStore, schema};
use roster_domain::store::{Position, StoreError, Upcasters};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use tokio::sync::watch;

/// How often a read-only store looks for events committed by another process.
const POLL: Duration = Duration::from_millis(200);

impl SqliteStore {
    /// Opens the existing store at `path` to read only. Nothing is created: a missing file is
    /// an error. Blocking, like [`SqliteStore::open`].
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(StoreError::Backend(format!(
                "no event store at {}",
                path.display()
            )));
        }
        let conn = schema::open_reader(&path)?;
        let (head_sender, head) = watch::channel(reader::head(&conn)?);
        std::thread::Builder::new()
            .name("roster-sqlite-head".to_owned())
            .spawn(move || poll_head(&conn, &head_sender))
            .map_err(|e| StoreError::Backend(format!("cannot start the head poller: {e}")))?;
        Ok(Self {
            readers: Arc::new(Readers::new(path.clone(), Upcasters::none())),
            path,
            requests: None,
            writer: None,
            head,
            commits: Arc::new(AtomicU64::new(0)),
        })
    }
}

/// Tells `head` each new last position of the file, until nobody follows it any more (the
/// store and its feeds are gone) or the file cannot be read.
fn poll_head(conn: &rusqlite::Connection, head: &watch::Sender<Position>) {
    loop {
        std::thread::sleep(POLL);
        if head.is_closed() {
            return;
        }
        match reader::head(conn) {
            Ok(now) => {
                head.send_if_modified(|known| {
                    let newer = now > *known;
                    *known = (*known).max(now);
                    newer
                });
            }
            Err(error) => {
                tracing::warn!(%error, "a read-only store stopped looking for new events");
                return;
            }
        }
    }
}
