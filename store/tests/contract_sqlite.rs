//! The event store contract, run against the SQLite adapter, each check in its own file.
#![allow(
    clippy::expect_used,
    reason = "set-up outside a #[test] fn: a failure must stop the check"
)]

use roster_domain::store::Upcasters;
use roster_store::SqliteStore;
use roster_store::contract::Fresh;

fn fresh_store(upcasters: Upcasters) -> Fresh {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let store = SqliteStore::open_with(folder.path().join("events.db"), upcasters)
        .expect("a new store opens");
    Fresh::new(store, folder)
}

roster_store::contract_suite!(fresh_store);
