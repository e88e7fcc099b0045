//! The `roster` server: GraphQL and REST over the command path and the read models.
//!
//! Layout:
//! - `config`: typed settings, read once (the only reader of the environment).
//! - `server`: start-up (store, read models, bootstrap) and `run(listener, server, shutdown)`.
//! - `app`: the router and the layers every request passes through.
//! - `auth`: who is asking (Bearer or cookie → session → user), login throttling.
//! - `service`: the use cases both APIs share (users, auth, sessions, API keys, owned things).
//! - `graphql`: the schema and its HTTP glue; `rest`: FOVEA's REST routes and shapes.
//! - `error`: one `ApiError`, mapped to status, REST code and GraphQL `extensions.code`.
//! - `bootstrap`, `ops`, `metrics`: first run, health/readiness, Prometheus counters.
//! - `secrets`: argon2id hashing off the runtime, session tokens, AEAD-sealed API keys.
//! - `state`: what handlers share, and "execute, then wait for the read models".

pub mod app;
pub mod auth;
pub mod bench;
pub mod bootstrap;
pub mod config;
pub mod error;
pub mod graphql;
pub mod metrics;
pub mod ops;
pub mod rest;
pub mod secrets;
pub mod server;
pub mod service;
pub mod state;
