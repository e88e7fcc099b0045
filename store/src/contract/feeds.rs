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

/// Appends 100 events to each of the new streams `user-0`, `user-1`, … up to `streams`.
async fn append_streams_of_100(store: &dyn roster_domain::store::EventStore, streams: u64) {
    for n in 0..streams {
        let stream = format!("user-{n}");
        append_one(store, &stream, Expected::NoStream, events(100)).await;
    }
}

/// A feed started on a log that is being written yields every event exactly once, in order:
/// more than a page of history, then everything appended while it caught up and after.
pub async fn a_feed_catches_up_then_follows_without_gap_or_duplicate(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.clone();
    // 5,000 events: more than one catch-up page of 4,096.
    append_streams_of_100(store.as_ref(), 50).await;
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

/// The decoded feed is the feed, decoded: the same events in the same order, with the same
/// metadata, upcast first; catch-up across pages, then live.
pub async fn a_decoded_feed_is_the_feed_decoded(make: MakeStore) {
    use roster_domain::admins::AdminsEvent;
    use roster_domain::event::Event;
    use roster_domain::ids::UserId;
    use roster_domain::store::{DecodedRecord, NewEvent};

    // An older shape of ActiveAdminAdded, `{"admin": …}`, that an upcaster renames.
    fn rename_admin(mut value: serde_json::Value) -> serde_json::Value {
        if let Some(id) = value.as_object_mut().and_then(|o| o.remove("admin")) {
            value["user_id"] = id;
        }
        value
    }
    let fresh = make(Upcasters::none().register("ActiveAdminAdded", 0, rename_admin));
    let store = fresh.store.clone();
    let admin = UserId(uuid::Uuid::now_v7());
    let current = Event::Admins(AdminsEvent::Added { user_id: admin });
    let encoded = must(current.encode());
    let with = |event_type: &str, version: u32, data: String| NewEvent {
        event_type: event_type.to_owned(),
        schema_version: version,
        data,
        ..super::event(0)
    };
    let old_data = serde_json::json!({ "admin": admin.0 }).to_string();
    append_one(
        store.as_ref(),
        "admins-active",
        Expected::NoStream,
        vec![
            with(
                encoded.event_type,
                encoded.schema_version,
                encoded.data.clone(),
            ),
            with(encoded.event_type, 0, old_data),
        ],
    )
    .await;
    // Undecodable events (not Roster's) on either side of a page boundary.
    append_streams_of_100(store.as_ref(), 45).await;

    let mut decoded = Vec::new();
    let mut pages = store.subscribe_decoded(Position::START);
    while decoded.len() < 4_502 {
        match tokio::time::timeout(Duration::from_secs(30), pages.next()).await {
            Ok(Some(page)) => decoded.extend(must(page)),
            _ => panic!("the decoded feed stopped after {} events", decoded.len()),
        }
    }
    let log = must(store.read_all(Position::START, 10_000).await);
    let expected: Vec<DecodedRecord> = log.into_iter().map(DecodedRecord::decode).collect();
    assert_eq!(decoded, expected);
    assert_eq!(decoded[0].event, Ok(current.clone()));
    assert_eq!(decoded[1].event, Ok(current), "upcast before decoding");
    assert!(decoded[2].event.is_err(), "not an event Roster knows");

    // Live: an event appended now arrives on the same feed.
    let later = append_one(store.as_ref(), "user-late", Expected::NoStream, events(1)).await;
    let next = loop {
        match tokio::time::timeout(Duration::from_secs(30), pages.next()).await {
            Ok(Some(page)) => {
                if let Some(first) = must(page).into_iter().next() {
                    break first;
                }
            }
            _ => panic!("the decoded feed did not follow the log"),
        }
    };
    assert_eq!(next.position, later.last_position);
}
