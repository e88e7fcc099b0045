//! Roster's domain: everything that decides what happens, and nothing that does I/O.
//!
//! Layout:
//! - `values`: input parsed into newtypes at the edge (`Username`, `Email`, `Password`,
//!   `Provider`, ...); an invalid value cannot exist past parsing.
//! - one folder per aggregate, all laid out alike (`mod.rs` with the state and `evolve`,
//!   `events.rs`, `error.rs`, one file per decision):
//!   - `user`: accounts (`user-{uuid}`);
//!   - `reservation`: usernames and email addresses held by one account each
//!     (`username-{key}`, `email-{key}`);
//!   - `admins`: the set of enabled administrators (`admins-active`);
//!   - `session`: logins (`session-{uuid}`);
//!   - `keyring`: an owner's model-service API keys (`keyring-{user uuid}`, `keyring-system`);
//!   - `persona`: personas (`persona-{uuid}`);
//!   - `resource`: ontologies and annotations (`ontology-{uuid}`, `annotation-{uuid}`), and
//!     the ownership rules personas share; the read side calls these "owned";
//!   - `totp`: a user's second factor, one-time codes and recovery codes (`totp-{user uuid}`);
//!   - `challenge`: a login waiting for its second factor (`challenge-{sha256 hex}`);
//!   - `idempotency`: a request sent with an `Idempotency-Key` and its answer
//!     (`idempotency-{sha256 hex}`).
//! - `ids`: typed identifiers; `stream`: stream names (`<kind>-<id>`).
//! - `error`: every aggregate's refusal in one `DomainError`, and the `ErrorKind` each maps to.
//! - `event`: how domain events become stored events (stable type names, schema versions).
//! - `store`: the `EventStore` port the adapters implement.
//! - `decision`: what `decide` reads (`Loaded`, `Caller`) and the `Command` trait.
//! - `command_path`: load → evolve → decide → append with optimistic concurrency and retry;
//!   `stream_cache`: the folded states it keeps between commands.
//! - `testing` (cargo feature `testing`, for test builds only): given/when/then for deciders.
//!
//! No async runtime, clock or randomness here: ids, timestamps and password hashes arrive
//! inside the commands, which is what makes every rule testable as given/when/then.

pub mod admins;
pub mod challenge;
pub mod command_path;
pub mod decision;
pub mod error;
pub mod event;
pub mod idempotency;
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
pub mod totp;
pub mod user;
pub mod values;
