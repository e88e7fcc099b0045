//! How fast the whole log reads back, which bounds how fast projections rebuild at start-up:
//! writes half a million events to a fresh SQLite store in a temporary folder, then reads them
//! back with `read_all` pages and through a feed, and prints the rate of each.
//!
//! `cargo bench -p roster-store --bench sqlite_replay_speed` (optimised, as benches build).
#![allow(clippy::unwrap_used, reason = "a measurement, not product code")]

use chrono::Utc;
use futures::StreamExt;
use roster_domain::store::{
    Actor, EventStore, Expected, Metadata, NewEvent, Position, StreamAppend,
};
use roster_store::SqliteStore;
use std::time::Instant;
use uuid::Uuid;

const EVENTS: u64 = 500_000;
const PER_APPEND: u64 = 1_000;
const PAGE: usize = 4_096;

fn event(n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "ProfileUpdated".to_owned(),
        schema_version: 1,
        data: format!(
            r#"{{"user_id":"{}","display_name":"User number {n}","email":"user{n}@example.org"}}"#,
            Uuid::now_v7()
        ),
        metadata: Metadata {
            actor: Actor::User(Uuid::now_v7()),
            correlation_id: Uuid::now_v7(),
            causation_id: Uuid::now_v7(),
            occurred_at: Utc::now(),
        },
    }
}

fn main() {
    // The runtime the measurement has always run on: two worker threads.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(replay_the_whole_log());
}

async fn replay_the_whole_log() {
    let folder = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(folder.path().join("events.db")).unwrap();
    let started = Instant::now();
    for batch in 0..EVENTS / PER_APPEND {
        let events = (0..PER_APPEND)
            .map(|n| event(batch * PER_APPEND + n))
            .collect();
        store
            .append(vec![StreamAppend {
                stream: format!("user-{batch}"),
                expected: Expected::NoStream,
                events,
            }])
            .await
            .unwrap();
    }
    let wrote = started.elapsed();

    let started = Instant::now();
    let mut after = Position::START;
    let mut read = 0u64;
    loop {
        let page = store.read_all(after, PAGE).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        read += page.len() as u64;
    }
    let replayed = started.elapsed();

    assert_eq!(read, EVENTS);

    // A feed reads the next page while the current one is consumed.
    let started = Instant::now();
    let mut feed = store.subscribe_all(Position::START);
    let mut fed = 0u64;
    while fed < EVENTS {
        feed.next().await.unwrap().unwrap();
        fed += 1;
    }
    let followed = started.elapsed();

    let rate = |elapsed: std::time::Duration| EVENTS as f64 / elapsed.as_secs_f64();
    println!(
        "{EVENTS} events: appended in {wrote:?} ({:.0}/s), read_all pages in {replayed:?} \
         ({:.0}/s), fed in {followed:?} ({:.0}/s)",
        rate(wrote),
        rate(replayed),
        rate(followed),
    );
}
