//! Personas (`persona-{uuid}`): owned by one user, renamed, handed to another user when
//! someone leaves (the guide's "transfer critical personas"), deleted with their owner.
//!
//! Laid out like `user`, with what personas share with every owned resource taken from
//! [`crate::resource`]: the state (`ResourceState`, folded through `OwnershipChange`) and the
//! refusals (`ResourceError`), so there is no `error.rs` here. The events, and what each does
//! to ownership, are in `events.rs`; one file per decision (`create.rs`, `rename.rs`,
//! `transfer.rs`, `delete.rs`).

mod create;
mod delete;
mod events;
mod rename;
mod transfer;

pub use create::CreatePersona;
pub use delete::DeletePersona;
pub use events::PersonaEvent;
pub use rename::RenamePersona;
pub use transfer::TransferPersona;

use crate::resource::ResourceState;

/// A persona's state: who owns it, if it exists.
pub type PersonaState = ResourceState;
