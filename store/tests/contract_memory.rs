//! The event store contract, run against the in-memory adapter.

use roster_domain::store::Upcasters;
use roster_store::MemoryStore;
use roster_store::contract::Fresh;

fn fresh_store(upcasters: Upcasters) -> Fresh {
    Fresh::new(MemoryStore::with_upcasters(upcasters), ())
}

roster_store::contract_suite!(fresh_store);
