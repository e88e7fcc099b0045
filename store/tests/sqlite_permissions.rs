//! The SQLite store's files are its owner's alone: the folder it creates is 0700, the database
//! and its `-wal` and `-shm` files are 0600, whatever the process's umask would allow.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step must stop the test"
)]

use roster_store::SqliteStore;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The permission bits, in octal as `ls` and `chmod` write them.
fn mode(path: &Path) -> String {
    format!(
        "{:o}",
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    )
}

#[test]
fn it_should_create_the_data_folder_0700_and_the_database_files_0600() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data").join("roster");
    let database = folder.join("events.db");
    let store = SqliteStore::open(&database).unwrap();
    assert_eq!(mode(&folder), "700", "data folder");
    assert_eq!(
        mode(&dir.path().join("data")),
        "700",
        "parent created with it"
    );
    for file in ["events.db", "events.db-wal", "events.db-shm"] {
        let path = folder.join(file);
        assert!(path.exists(), "{file} exists once the store is open");
        assert_eq!(mode(&path), "600", "{file}");
    }
    drop(store);
    // Reopening an existing store keeps working (the file is not created twice).
    drop(SqliteStore::open(&database).unwrap());
}
