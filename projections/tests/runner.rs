//! The runner against a store that fails: it follows again after a failure (and says so), a
//! replay reports the failure instead of waiting for ever, and `wait_for` gives up in time.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement: a failure is a test failure

use async_trait::async_trait;
use chrono::Duration;
use futures::StreamExt;
use roster_domain::admins::AdminsEvent;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::store::{
    Actor, AppendError, Appended, DecodedFeed, EventFeed, EventStore, Expected, Metadata, NewEvent,
    Position, Recorded, Revision, StoreError, StreamAppend,
};
use roster_projections::Projections;
use roster_store::MemoryStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;
use uuid::Uuid;

/// The memory store, whose decoded feed fails after its first `good_pages` pages, the first
/// `failing_feeds` times it is subscribed to.
struct Failing {
    inner: MemoryStore,
    failing_feeds: AtomicUsize,
    good_pages: usize,
    subscriptions: AtomicUsize,
}

#[async_trait]
impl EventStore for Failing {
    async fn append(&self, batch: Vec<StreamAppend>) -> Result<Appended, AppendError> {
        self.inner.append(batch).await
    }

    async fn import(&self, events: Vec<Recorded>) -> Result<Position, AppendError> {
        self.inner.import(events).await
    }

    async fn read_stream(&self, stream: &str, from: Revision) -> Result<Vec<Recorded>, StoreError> {
        self.inner.read_stream(stream, from).await
    }

    async fn read_all(&self, after: Position, max: usize) -> Result<Vec<Recorded>, StoreError> {
        self.inner.read_all(after, max).await
    }

    async fn read_positions(&self, positions: &[Position]) -> Result<Vec<Recorded>, StoreError> {
        self.inner.read_positions(positions).await
    }

    async fn head(&self) -> Result<Position, StoreError> {
        self.inner.head().await
    }

    fn subscribe_all(&self, after: Position) -> EventFeed {
        self.inner.subscribe_all(after)
    }

    fn subscribe_decoded(&self, after: Position) -> DecodedFeed {
        self.subscriptions.fetch_add(1, Ordering::SeqCst);
        let pages = self.inner.subscribe_decoded(after);
        let failing = self
            .failing_feeds
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if !failing {
            return pages;
        }
        pages
            .take(self.good_pages)
            .chain(futures::stream::once(async {
                Err(StoreError::Backend("disk unplugged".into()))
            }))
            .boxed()
    }
}

/// A store holding `admins` ActiveAdminAdded events, appended one at a time (one page each
/// in the memory store's feed, when read live).
async fn store_with_admins(admins: u64, failing_feeds: usize, good_pages: usize) -> Arc<Failing> {
    let store = Arc::new(Failing {
        inner: MemoryStore::new(),
        failing_feeds: AtomicUsize::new(failing_feeds),
        good_pages,
        subscriptions: AtomicUsize::new(0),
    });
    for n in 0..admins {
        let data = Event::Admins(AdminsEvent::Added {
            user_id: UserId(Uuid::from_u64_pair(0, n + 1)),
        })
        .encode()
        .unwrap();
        let event = NewEvent {
            event_id: Uuid::now_v7(),
            event_type: data.event_type.to_owned(),
            schema_version: data.schema_version,
            data: data.data,
            metadata: Metadata {
                actor: Actor::System,
                correlation_id: Uuid::now_v7(),
                causation_id: Uuid::now_v7(),
                occurred_at: chrono::Utc::now(),
            },
        };
        store
            .append(vec![StreamAppend {
                stream: "admins-active".into(),
                expected: Expected::Any,
                events: vec![event],
            }])
            .await
            .unwrap();
    }
    store
}

#[tokio::test]
async fn it_should_follow_again_after_the_feed_fails() {
    let store = store_with_admins(3, 1, 0).await;
    let projections = Projections::new(Duration::hours(1));
    let follower = projections.follow(store.clone());

    projections
        .wait_for(Position(3), StdDuration::from_secs(10))
        .await
        .expect("caught up after the failed feed");
    assert_eq!(projections.position(), Position(3));
    assert_eq!(projections.feed_failures(), 0, "healthy again");
    follower.abort();
}

#[tokio::test]
async fn it_should_count_failures_in_a_row_while_the_store_keeps_failing() {
    let store = store_with_admins(1, usize::MAX, 0).await;
    let projections = Projections::new(Duration::hours(1));
    let follower = projections.follow(store.clone());

    let waited = projections
        .wait_for(Position(1), StdDuration::from_millis(500))
        .await;
    assert!(waited.is_err(), "nothing can be applied");
    assert!(projections.feed_failures() >= 1);
    follower.abort();
}

#[tokio::test]
async fn it_should_report_a_failed_replay_instead_of_waiting_for_ever() {
    let store = store_with_admins(2, 1, 0).await;
    let projections = Projections::new(Duration::hours(1));

    let replayed = tokio::time::timeout(StdDuration::from_secs(10), projections.replay(store))
        .await
        .expect("the replay ends");

    assert_eq!(replayed, Err(StoreError::Backend("disk unplugged".into())));
}

#[tokio::test]
async fn it_should_replay_everything_the_log_holds() {
    let store = store_with_admins(5, 0, 0).await;
    let projections = Projections::new(Duration::hours(1));

    let reached = projections.replay(store).await.unwrap();

    assert_eq!(reached, Position(5));
    assert_eq!(projections.read(|m| m.position()), Position(5));
}

#[tokio::test]
async fn it_should_give_up_waiting_for_a_position_that_never_comes() {
    let store = store_with_admins(1, 0, 0).await;
    let projections = Projections::new(Duration::hours(1));
    let follower = projections.follow(store);

    let waited = projections
        .wait_for(Position(2), StdDuration::from_millis(200))
        .await
        .unwrap_err();

    assert_eq!(waited.wanted, Position(2));
    assert_eq!(waited.reached, Position(1));
    follower.abort();
}

#[tokio::test]
async fn it_should_report_a_resubscribed_feed_on_a_quiet_log_as_healthy() {
    // The first feed delivers everything (one page), then fails; the log stays quiet after.
    let store = store_with_admins(3, 1, 1).await;
    let projections = Projections::new(Duration::hours(1));
    let follower = projections.follow(store.clone());
    projections
        .wait_for(Position(3), StdDuration::from_secs(10))
        .await
        .unwrap();

    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    while store.subscriptions.load(Ordering::SeqCst) < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never healthy again"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    // Once more after the pause, to be sure the gauge is not just not yet raised.
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert_eq!(projections.feed_failures(), 0);
    follower.abort();
}
