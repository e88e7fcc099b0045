//! Group commit: concurrent appends share transactions (and so fsyncs), yet each caller gets
//! its own outcome, and a conflicting append leaves nothing behind.
#![allow(
    clippy::unwrap_used,
    reason = "test code, helpers included: a failed step must stop the test"
)]

use chrono::Utc;
use roster_domain::store::{
    Actor, AppendError, EventStore, Expected, Metadata, NewEvent, StreamAppend,
};
use roster_store::SqliteStore;
use std::sync::Arc;
use uuid::Uuid;

/// How many appends are fired at once.
const APPENDS: usize = 200;
/// The first `RACERS` appends also race in pairs to create one shared stream each.
const RACERS: usize = 100;

fn event() -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "Noted".to_owned(),
        schema_version: 1,
        data: "{}".to_owned(),
        metadata: Metadata {
            actor: Actor::System,
            correlation_id: Uuid::now_v7(),
            causation_id: Uuid::now_v7(),
            occurred_at: Utc::now(),
        },
    }
}

fn creating(stream: String) -> StreamAppend {
    StreamAppend {
        stream,
        expected: Expected::NoStream,
        events: vec![event()],
    }
}

fn solo(i: usize) -> String {
    format!("solo-{i}")
}

fn race(i: usize) -> String {
    format!("race-{}", i / 2)
}

/// Append `i`: creates its own stream and, for racers, the stream it shares with its rival.
/// The own stream comes first, so a lost race must roll back a stream already checked.
fn batch(i: usize) -> Vec<StreamAppend> {
    let mut batch = vec![creating(solo(i))];
    if i < RACERS {
        batch.push(creating(race(i)));
    }
    batch
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_should_commit_concurrent_appends_in_fewer_transactions_each_with_its_own_outcome() {
    let folder = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(folder.path().join("events.db")).unwrap());
    let before = store.commits();

    let tasks: Vec<_> = (0..APPENDS)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.append(batch(i)).await })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(APPENDS);
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }

    let transactions = store.commits() - before;
    assert!(
        (1..APPENDS as u64).contains(&transactions),
        "{APPENDS} appends took {transactions} transactions"
    );
    let mut succeeded = 0;
    for (i, outcome) in outcomes.iter().enumerate() {
        let own = store.read_stream(&solo(i), 0).await.unwrap();
        match outcome {
            Ok(appended) => {
                succeeded += 1;
                assert_eq!(own.len(), 1, "append {i} succeeded, so its stream exists");
                assert_eq!(appended.revisions[0], (solo(i), Some(0)));
                assert!(own[0].position <= appended.last_position);
            }
            Err(AppendError::Conflict {
                stream,
                expected,
                actual,
            }) => {
                assert!(i < RACERS, "append {i} raced nobody but conflicted");
                assert_eq!(stream, &race(i));
                assert_eq!(*expected, Expected::NoStream);
                assert_eq!(*actual, Some(0));
                assert!(own.is_empty(), "append {i} lost its race but left rows");
            }
            Err(other) => panic!("append {i} failed: {other}"),
        }
    }
    // Every pair of racers has exactly one winner; everyone else succeeds.
    assert_eq!(succeeded, APPENDS - RACERS / 2);
    for pair in (0..RACERS).step_by(2) {
        assert_eq!(store.read_stream(&race(pair), 0).await.unwrap().len(), 1);
    }
}
