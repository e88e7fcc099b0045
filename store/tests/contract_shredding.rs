//! The event store contract, run against the shredding store in front of SQLite with its key
//! file: sealing personal data must keep every promise the store beneath makes.
#![allow(
    clippy::expect_used,
    reason = "set-up outside a #[test] fn: a failure must stop the check"
)]

use roster_domain::store::Upcasters;
use roster_store::SqliteStore;
use roster_store::contract::Fresh;
use roster_store::shredding::{NameScheme, PersonalKeys, ShreddingStore};
use std::sync::Arc;

fn fresh_store(upcasters: Upcasters) -> Fresh {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let store = SqliteStore::open_with(folder.path().join("events.db"), upcasters)
        .expect("a new store opens");
    let keys = PersonalKeys::open_file(&folder.path().join("keys"), NameScheme::Keyed)
        .expect("a new key file opens");
    Fresh::new(ShreddingStore::new(Arc::new(store), Arc::new(keys)), folder)
}

roster_store::contract_suite!(fresh_store);
