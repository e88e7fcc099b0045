//! Concurrent appends: each caller gets its own outcome, and optimistic concurrency holds.

use super::{MakeStore, append_one, events, must, part};
use roster_domain::store::{AppendError, Expected, Position, Upcasters};
use std::collections::HashSet;

/// Many tasks appending to distinct streams at once all succeed, each at its own position.
pub async fn concurrent_appends_to_distinct_streams_all_succeed(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let store = fresh.store.clone();
            tokio::spawn(async move {
                append_one(
                    store.as_ref(),
                    &format!("user-{n}"),
                    Expected::NoStream,
                    events(1),
                )
                .await
            })
        })
        .collect();

    let mut positions = HashSet::new();
    for task in tasks {
        let appended = must(task.await);
        assert_eq!(appended.revisions[0].1, Some(0));
        assert!(positions.insert(appended.last_position));
    }

    let log = must(fresh.store.read_all(Position::START, 1000).await);
    assert_eq!(log.len(), 200);
    let logged: HashSet<Position> = log.iter().map(|e| e.position).collect();
    assert_eq!(logged, positions);
}

/// Many tasks appending to one stream at the same expected revision: exactly one wins, every
/// other one gets a conflict naming the winner's revision, and nothing else is written.
pub async fn concurrent_appends_at_the_same_revision_have_one_winner(make: MakeStore) {
    let fresh = make(Upcasters::none());
    append_one(
        fresh.store.as_ref(),
        "user-1",
        Expected::NoStream,
        events(1),
    )
    .await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = fresh.store.clone();
            tokio::spawn(async move {
                store
                    .append(vec![part("user-1", Expected::Exact(0), events(1))])
                    .await
            })
        })
        .collect();

    let mut winners = 0;
    for task in tasks {
        match must(task.await) {
            Ok(appended) => {
                winners += 1;
                assert_eq!(appended.revisions, vec![("user-1".to_owned(), Some(1))]);
            }
            Err(conflict) => assert_eq!(
                conflict,
                AppendError::Conflict {
                    stream: "user-1".to_owned(),
                    expected: Expected::Exact(0),
                    actual: Some(1),
                }
            ),
        }
    }

    assert_eq!(winners, 1);
    assert_eq!(must(fresh.store.read_stream("user-1", 0).await).len(), 2);
}
