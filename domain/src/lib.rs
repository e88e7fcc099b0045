//! Roster's domain: everything that decides what happens, and nothing that does I/O.
//!
//! Layout:
//! - `values`: input parsed into newtypes at the edge (`Username`, `Email`, `Password`, ...);
//!   an invalid value cannot exist past parsing.
//! - one module per aggregate (`user`, `username`, `admins`, `session`, `persona`, `api_key`,
//!   `ontology`, `annotation`), each with its events, state (`evolve`), commands (`decide`)
//!   and typed errors.
//! - `event`: how domain events become stored events (stable type names, schema versions).
//! - `store`: the `EventStore` port the adapters implement.
//! - `command_path`: load → evolve → decide → append with optimistic concurrency and retry.
//! - `testing` (cargo feature `testing`, for test builds only): given/when/then for deciders.
//!
//! No async runtime, clock or randomness here: ids, timestamps and password hashes arrive
//! inside the commands, which is what makes every rule testable as given/when/then.

pub mod admins;
pub mod command_path;
pub mod decision;
pub mod error;
pub mod event;
pub mod ids;
pub mod keyring;
pub mod persona;
pub mod reservation;
pub mod resource;
pub mod session;
pub mod store;
pub mod stream;
pub mod stream_cache;
#[cfg(feature = "testing")]
pub mod testing;
pub mod user;
pub mod values;
