//! End-to-end tests of the `roster` server: each test starts the real server on
//! `127.0.0.1:0` with a fresh SQLite store in a temporary folder, and speaks HTTP to it.
//!
//! - `support`: `spawn_app()` and typed helpers for each call.
//! - `walk`: the administrator guide, step by step (the "done when").
//! - `auth`: logins, cookies, throttling, idle timeout, password changes, disabled users.
//! - `rest`: every REST route and its shape.
//! - `rules`: each authorization rule asked through GraphQL and REST, refused alike.
//! - `edits`: account edits apply whole or not at all.
//! - `keys`: model-service API keys and the key service endpoint.
//! - `hardening`: limits, timeouts, 405/413, suggestions, ops endpoints, graceful shutdown.
//! - `graphql`: queries, pagination, personas and the rest of the GraphQL contract.
//! - `subscriptions`: the administrators' live feeds over `/graphql/ws`, who may watch them.
//! - `totp`: two-factor authentication through every door.
//! - `graphql_ws`: a minimal graphql-transport-ws client for those tests.

// Arrangement helpers fail loudly: a test that cannot set up should stop at that line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod edits;
mod graphql;
mod graphql_ws;
mod hardening;
mod keys;
mod rest;
mod rules;
mod subscriptions;
mod support;
mod totp;
mod walk;
