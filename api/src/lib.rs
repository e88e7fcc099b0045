//! The `roster` server: GraphQL and REST over the command path and the read models.
//!
//! Layers, each importing only those below it (no module imports one above it; the test
//! `api/tests/layers.rs` holds every source file to it):
//!
//! ```text
//! main, cli (clap, `roster bench`)        the binary and its command line
//!   server (router, identify, ops)        start-up, the HTTP stack, health and metrics
//!     graphql, rest                        the doors: parse input, call service, shape output
//!     web                                  the browser pages and their files (GraphQL clients)
//!       service (policy, records, ...)     every use case, and every authorization rule, once
//!         auth                             who is asking (as values), cookie, login pacing
//!           config, error, metrics         settings, the one error type, counters
//!             secrets                      argon2id, tokens, AEAD (imports nothing of Roster's)
//!               roster-domain, -projections, -store
//! ```
//!
//! Where a change goes: a new rule is a function in `service::policy` asked by the use cases
//! it governs; a new use case is a function in `service`, then one resolver and/or one
//! handler that call it; a new read shape is built in `service::records`; a new event or
//! aggregate rule is the domain's; a new setting is a field of `config::Config` and a flag
//! in `cli::Settings`.

pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod graphql;
pub mod metrics;
pub mod rest;
pub mod secrets;
pub mod server;
pub mod service;
pub mod web;
