//! The roster API crate.
