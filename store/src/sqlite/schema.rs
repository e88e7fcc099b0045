//! The file's layout and how each connection is set up.
//!
//! `position` is the INTEGER PRIMARY KEY (the rowid): with a single writer, rowids are handed
//! out in commit order, so global order is commit order and a feed can read "after position p".
//! UNIQUE(stream, revision) backs optimistic concurrency and serves every per-stream lookup;
//! UNIQUE(event_id) backs idempotent re-sends.

use super::backend;
use roster_domain::store::StoreError;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// How many pages the write-ahead log grows by between two checkpoints.
const WAL_CHECKPOINT_PAGES: i64 = 8_000;

/// The layout version recorded in `PRAGMA user_version`.
pub(super) const LAYOUT_VERSION: i64 = 1;

/// The oldest SQLite the store runs on, as `sqlite3_libversion_number` writes it (3.51.3,
/// the floor Roster's design sets). The bundled build is newer; the check is for a build
/// against a system SQLite (rusqlite without `bundled`), which could link an older library
/// whose WAL behaviour the durability promise was never checked against. Refusing to open
/// is better than silently running on it.
const MIN_SQLITE_VERSION: i32 = 3_051_003;

/// How long a connection waits on a lock held by another connection before failing. Only a
/// checkpoint or a second process can hold one, so waits are short when they happen at all.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const LAYOUT_V1: &str = "
CREATE TABLE events (
    position       INTEGER PRIMARY KEY,
    event_id       BLOB    NOT NULL UNIQUE CHECK (length(event_id) = 16),
    stream         TEXT    NOT NULL,
    revision       INTEGER NOT NULL CHECK (revision >= 0),
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    data           TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    correlation_id BLOB    NOT NULL,
    causation_id   BLOB    NOT NULL,
    occurred_at    INTEGER NOT NULL, -- unix microseconds, UTC
    UNIQUE (stream, revision)
) STRICT;
PRAGMA user_version = 1;
";

/// The settings the writer's connection runs with, as SQLite itself reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterSettings {
    /// `wal`: readers never block the writer, and a commit is one append to the log file.
    pub journal_mode: String,
    /// `2` is FULL: the WAL is fsynced at every commit, so an acknowledged append survives
    /// power loss.
    pub synchronous: i64,
    /// Whether foreign keys are enforced.
    pub foreign_keys: bool,
    /// The value of `PRAGMA user_version`: the layout this file is at.
    pub layout_version: i64,
}

/// Opens (creating the folder and file on first use) the one connection that writes, in WAL
/// mode with full fsync, and brings the layout up to date.
pub(super) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    check_sqlite_version(rusqlite::version_number())?;
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_folder(folder)
            .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", folder.display())))?;
    }
    create_private_file(path)
        .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", path.display())))?;
    let mut conn = Connection::open(path).map_err(backend)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(backend)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "{} cannot use WAL (journal mode is {mode})",
            path.display()
        )));
    }
    // Checkpoint every 8,000 pages (32 MiB of log) rather than SQLite's 1,000: a checkpoint
    // runs inside the commit that crosses the mark, on the one writer, and a page changed
    // many times between two checkpoints is copied once. Group-committed W1 runs about a
    // tenth faster; the log file stays bounded, and reopening after a crash reads at most
    // that much.
    conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)
        .map_err(backend)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(backend)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(backend)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Creates `folder` (and any missing parent) readable by its owner only (0700 on Unix): it
/// holds the log of every account and, by default, the key that seals stored API keys. A
/// folder that already exists is left as it is.
fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

/// Creates the database file, empty, readable and writable by its owner only (0600 on Unix),
/// unless it exists. SQLite gives its `-wal` and `-shm` files the database file's mode, so
/// creating the file here, before SQLite would with the process's default mode, covers them.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Refuses a linked SQLite older than [`MIN_SQLITE_VERSION`].
fn check_sqlite_version(linked: i32) -> Result<(), StoreError> {
    if linked >= MIN_SQLITE_VERSION {
        return Ok(());
    }
    Err(StoreError::Backend(format!(
        "SQLite {} is linked, but the event store needs SQLite {} or newer",
        dotted(linked),
        dotted(MIN_SQLITE_VERSION)
    )))
}

/// `3051003` as `3.51.3`.
fn dotted(version: i32) -> String {
    format!(
        "{}.{}.{}",
        version / 1_000_000,
        version / 1_000 % 1_000,
        version % 1_000
    )
}

/// Opens a read-only connection to a file [`open_writer`] has already set up.
pub(super) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(backend)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(backend)?;
    Ok(conn)
}

/// What the writer's connection reports for the settings that make it durable.
pub(super) fn settings(conn: &Connection) -> Result<WriterSettings, StoreError> {
    let read = |name: &str| -> Result<rusqlite::types::Value, StoreError> {
        conn.pragma_query_value(None, name, |row| row.get(0))
            .map_err(backend)
    };
    let integer = |name: &str| -> Result<i64, StoreError> {
        match read(name)? {
            rusqlite::types::Value::Integer(value) => Ok(value),
            _ => Err(StoreError::Backend(format!(
                "PRAGMA {name} is not an integer"
            ))),
        }
    };
    let journal_mode = match read("journal_mode")? {
        rusqlite::types::Value::Text(mode) => mode,
        _ => {
            return Err(StoreError::Backend(
                "PRAGMA journal_mode is not text".to_owned(),
            ));
        }
    };
    Ok(WriterSettings {
        journal_mode,
        synchronous: integer("synchronous")?,
        foreign_keys: integer("foreign_keys")? != 0,
        layout_version: integer("user_version")?,
    })
}

/// Creates the layout in a new file; refuses a file written by a newer Roster rather than
/// guessing at a layout it does not know.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    // IMMEDIATE: two processes opening a new file at once must not both create the table.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    let version: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(backend)?;
    match version {
        0 => tx.execute_batch(LAYOUT_V1).map_err(backend)?,
        LAYOUT_VERSION => {}
        newer => {
            return Err(StoreError::Backend(format!(
                "the event store's layout is version {newer}; this Roster knows up to {LAYOUT_VERSION}"
            )));
        }
    }
    tx.commit().map_err(backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_link_sqlite_3_51_3_or_newer() {
        assert!(
            rusqlite::version_number() >= 3_051_003,
            "linked SQLite is {}",
            rusqlite::version()
        );
        assert_eq!(check_sqlite_version(rusqlite::version_number()), Ok(()));
    }

    #[test]
    fn it_should_refuse_an_older_sqlite_with_a_message_naming_both_versions() {
        let refused = check_sqlite_version(3_051_002);
        assert_eq!(
            refused,
            Err(StoreError::Backend(
                "SQLite 3.51.2 is linked, but the event store needs SQLite 3.51.3 or newer"
                    .to_owned()
            ))
        );
        assert_eq!(check_sqlite_version(3_051_003), Ok(()));
    }
}
