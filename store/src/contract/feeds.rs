//! Feeds: catch-up then live, with appends racing the switch.

use super::{MakeStore, append_one, events, must};
use futures::StreamExt;
use roster_domain::store::{EventFeed, Expected, Position, Recorded, Upcasters};
use std::time::Duration;

/// Takes `count` events from `feed`, failing the check if they do not come within a while.
async fn take(feed: &mut EventFeed, count: usize) -> Vec<Recorded> {
    let mut taken = Vec::with_capacity(count);
    while taken.len() < count {
        match tokio::time::timeout(Duration::from_secs(30), feed.next()).await {
            Ok(Some(event)) => taken.push(must(event)),
            Ok(None) => panic!("the feed ended after {} of {count} events", taken.len()),
            Err(_) => panic!("the feed stalled after {} of {count} events", taken.len()),
        }
    }
    taken
}

/// A feed started on a log that is being written yields every event exactly once, in order:
/// more than a page of history, then everything appended while it caught up and after.
pub async fn a_feed_catches_up_then_follows_without_gap_or_duplicate(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.clone();
    // 5,000 events: more than one catch-up page of 4,096.
    for n in 0..50 {
        append_one(
            store.as_ref(),
            &format!("user-{n}"),
            Expected::NoStream,
            events(100),
        )
        .await;
    }
    let mut feed = store.subscribe_all(Position::START);

    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for n in 0..100 {
                let stream = format!("session-{}", n % 7);
                append_one(store.as_ref(), &stream, Expected::Any, events(2)).await;
                if n % 10 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let seen = take(&mut feed, 5_200).await;
    must(writer.await);

    let log = must(store.read_all(Position::START, 10_000).await);
    assert_eq!(log.len(), 5_200);
    assert!(
        seen.windows(2)
            .all(|pair| pair[0].position < pair[1].position)
    );
    assert_eq!(seen, log);

    // And it keeps following once the race is over.
    let later = append_one(store.as_ref(), "user-late", Expected::NoStream, events(1)).await;
    let next = take(&mut feed, 1).await;
    assert_eq!(next[0].position, later.last_position);
}

/// A feed yields only what comes strictly after its starting position.
pub async fn a_feed_starts_after_the_given_position(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    append_one(store, "user-1", Expected::NoStream, events(10)).await;
    let log = must(store.read_all(Position::START, 100).await);

    let mut feed = store.subscribe_all(log[3].position);
    let seen = take(&mut feed, 6).await;

    assert_eq!(seen, log[4..].to_vec());
}

/// Dropping the store ends its feeds, after they have yielded everything committed.
pub async fn a_feed_ends_when_the_store_is_dropped(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let mut feed = fresh.store.subscribe_all(Position::START);
    append_one(
        fresh.store.as_ref(),
        "user-1",
        Expected::NoStream,
        events(3),
    )
    .await;

    // Only the store: whatever it keeps alive (its folder) stays until the check ends.
    drop(fresh.store);

    let mut remaining = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(30), feed.next()).await {
            Ok(Some(event)) => {
                must(event);
                remaining += 1;
            }
            Ok(None) => break,
            Err(_) => panic!("the feed did not end after the store was dropped"),
        }
    }
    assert_eq!(remaining, 3);
}
