//! The `roster` server: configuration, secrets handling, and (in later layers) the GraphQL and
//! REST API over the command path and projections.
//!
//! - `secrets`: argon2id hashing off the runtime, session tokens (only their SHA-256 is kept),
//!   and AEAD sealing of model-service API keys.

pub mod secrets;
