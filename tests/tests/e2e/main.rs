//! End-to-end tests of the `roster` server: each test starts the real server on
//! `127.0.0.1:0` with a fresh SQLite store in a temporary folder, and speaks HTTP to it.
//!
//! - `support`: `spawn_app()` and typed helpers for each call.
//! - `walk`: the administrator guide, step by step (the "done when").
//! - `audit`: `auditLog` and `GET /api/admin/audit`: entries, changes, paging, who may ask,
//!   and that no secret shows.
//! - `audit_past`: `user(asOf:)` and `administrators(at:)`: an account as it was, who held
//!   the admin role.
//! - `auth`: logins, cookies, throttling, idle timeout, password changes, disabled users.
//! - `browser`: what browsers get: the session cookie only, cross-site requests refused,
//!   security headers.
//! - `pages`: the pages' files, their types and caching, nothing from another server.
//! - `panel`: the Admin Panel, My account and GraphiQL in headless Chromium (skipped, with a
//!   line on stderr, where Chromium and chromedriver are not installed).
//! - `rest`: every REST route and its shape.
//! - `guessing`: pacing and budgets of password guesses, one check per operation.
//! - `rules`: each authorization rule asked through GraphQL and REST, refused alike.
//! - `edits`: account edits apply whole or not at all.
//! - `stale_edits`: a user's `version`, `expectedVersion`, `ETag` and `If-Match`.
//! - `keys`: model-service API keys and the key service endpoint.
//! - `login_log`: what a failed login leaves in the log.
//! - `idempotency`: `Idempotency-Key`: once, answered again, across restarts and races.
//! - `introspection`: the canonical introspection query passes, on bounds of its own.
//! - `hardening`: limits, timeouts, 405/413, suggestions, ops endpoints, graceful shutdown.
//! - `graphql`: queries, pagination, personas and the rest of the GraphQL contract.
//! - `subscriptions`: the administrators' live feeds over `/graphql/ws`, who may watch them.
//! - `sockets`: the bounds of `/graphql/ws` (message size, `connection_init` timeout, pings,
//!   sockets per address, operations per socket).
//! - `shredding`: personal data sealed per user, and unreadable anywhere once they are deleted.
//! - `totp`: two-factor authentication through every door.
//! - `graphql_ws`: a minimal graphql-transport-ws client for those tests.

// Arrangement helpers fail loudly: a test that cannot set up should stop at that line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod audit_past;
mod auth;
mod browser;
mod edits;
mod graphql;
mod graphql_ws;
mod guessing;
mod hardening;
mod idempotency;
mod introspection;
mod keys;
mod login_log;
mod pages;
mod panel;
mod rest;
mod rules;
mod shredding;
mod sockets;
mod stale_edits;
mod subscriptions;
mod support;
mod totp;
mod walk;
