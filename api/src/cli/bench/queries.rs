//! In-process latency of `users(first: 50)` through the real GraphQL schema (resolvers, read
//! models, serialisation; no HTTP), over a store of N users, with and without a search; then
//! the audit questions (`audit_queries`) over the same store with its history.

use super::{BenchError, audit_queries, peak_rss_kib, population};
use crate::auth::{Credential, Identity, RequestContext};
use crate::cli::Cli;
use crate::config::EnvApiKeys;
use crate::graphql::{self, RosterSchema};
use crate::secrets::PasswordHasher;
use crate::server;
use clap::Parser;
use roster_domain::ids::{SessionId, UserId};
use roster_store::SqliteStore;
use std::time::{Duration, Instant};
use uuid::Uuid;

const PAGE: &str = "query($search: String) { users(first: 50, search: $search) { totalCount \
     pageInfo { hasNextPage endCursor } edges { cursor node { id username displayName email \
     isAdmin createdAt stats { personas activeSessions apiKeys } } } } }";

/// p50 and p99 of `samples` timings.
fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    (at(0.50), at(0.99))
}

/// `events` in all: each user's three, then profile edits by [`audit_queries::ACTORS`] users.
/// p50 and p99 (ms) of `samples` runs of `query` as `context`, the `i`th with `variables(i)`.
pub(super) async fn time_query(
    schema: &RosterSchema,
    context: &RequestContext,
    query: &str,
    samples: usize,
    variables: impl Fn(usize) -> serde_json::Value,
) -> Result<(f64, f64), BenchError> {
    let mut timings = Vec::with_capacity(samples);
    for i in 0..samples {
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables(i)))
            .data(context.clone());
        let started = Instant::now();
        let response = schema.execute(request).await;
        timings.push(started.elapsed());
        if !response.errors.is_empty() {
            return Err(format!("query failed: {:?}", response.errors).into());
        }
    }
    Ok(percentiles(timings))
}

pub(super) async fn run(users: u64, events: u64, samples: usize) -> Result<String, BenchError> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("events.db");
    let path = file.clone();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(path)).await??;
    let ids = population::populate(&store, users).await?;
    let history = events.saturating_sub(users * 3);
    let middle = population::add_history(&store, &ids, audit_queries::ACTORS, history).await?;
    store.close().await;
    drop(store);

    let store_url = format!("sqlite://{}", file.display());
    let cli = Cli::try_parse_from(["roster", "--store", &store_url])?;
    let config = cli.settings.into_config(EnvApiKeys::default())?;
    let started = Instant::now();
    let (server, _) = server::start(config, PasswordHasher::insecure_fast_for_tests()?).await?;
    let ready = started.elapsed();
    let schema = graphql::schema(server.state().clone());
    let context = RequestContext {
        identity: Some(Identity {
            user_id: UserId(Uuid::now_v7()),
            username: "bench".into(),
            is_admin: true,
            must_change_password: false,
            session_id: SessionId(Uuid::now_v7()),
        }),
        credential: Credential::Valid,
        ..RequestContext::anonymous()
    };

    let mut figures = Vec::new();
    for search in [None, Some("user00123")] {
        let variables = |_| serde_json::json!({ "search": search });
        figures.push(time_query(&schema, &context, PAGE, samples, variables).await?);
    }
    let [(plain_p50, plain_p99), (search_p50, search_p99)] = figures[..] else {
        return Err("missing figures".into());
    };
    let audit = audit_queries::run(&schema, &context, &ids, middle, samples).await?;
    let events = server.state().commands.store().head().await?.0;
    Ok(format!(
        "{{\"bench\":\"queries\",\"users\":{users},\"events\":{events},\"samples\":{samples},{audit},\"ready_s\":{:.2},\"users_first50_p50_ms\":{plain_p50:.3},\"users_first50_p99_ms\":{plain_p99:.3},\"users_first50_search_p50_ms\":{search_p50:.3},\"users_first50_search_p99_ms\":{search_p99:.3},\"peak_rss_kib\":{}}}",
        ready.as_secs_f64(),
        peak_rss_kib()
    ))
}
