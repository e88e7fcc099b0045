//! Roster's event store adapters: implementations of `roster_domain::store::EventStore`.
//!
//! Layout:
//! - `sqlite`: [`SqliteStore`], the embedded default — one file, WAL, `synchronous=FULL`, a
//!   single writer thread that group-commits, a pool of read-only connections.
//! - `memory`: [`MemoryStore`], for unit tests.
//! - `append`: the append rules (shape, idempotent re-send, expectations, writes), written once
//!   and run by both adapters inside their own atomic unit, so they cannot disagree.
//! - `feed`: catch-up-then-live subscriptions over "read a page after p" and a head watch,
//!   shared by both adapters.
//! - `shredding`: [`ShreddingStore`](shredding::ShreddingStore), in front of either, seals
//!   personal data per user so that deleting a user destroys it in every copy of the log.
//! - `contract` (feature `contract`): the one test suite every adapter must pass.

#![warn(missing_docs)]

mod append;
mod feed;
mod memory;
pub mod shredding;
mod sqlite;

#[cfg(feature = "contract")]
pub mod contract;

pub use memory::MemoryStore;
pub use sqlite::{SqliteStore, WriterSettings};
