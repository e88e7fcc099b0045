//! Reads: one stream, the whole log in pages, positions, the head, what an envelope keeps,
//! and upcasting on every read path.

use super::{MakeStore, a_time, append_one, event, events, must, part};
use futures::StreamExt;
use roster_domain::store::{
    Actor, Expected, Metadata, NewEvent, Position, Recorded, StreamAppend, Upcasters,
};
use std::time::Duration;
use uuid::Uuid;

/// A stream reads from the given revision on; a missing stream, or a revision past its end,
/// reads as empty; other streams never show up.
pub async fn reads_a_stream_from_a_revision(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    for n in 0..5 {
        append_one(store, "user-1", Expected::Any, vec![event(n)]).await;
        append_one(store, "user-2", Expected::Any, vec![event(n)]).await;
    }

    let tail = must(store.read_stream("user-1", 2).await);

    let revisions: Vec<u64> = tail.iter().map(|e| e.revision).collect();
    assert_eq!(revisions, vec![2, 3, 4]);
    assert!(tail.iter().all(|e| e.stream == "user-1"));
    assert!(must(store.read_stream("user-1", 5).await).is_empty());
    assert!(must(store.read_stream("user-1", u64::MAX).await).is_empty());
    assert!(must(store.read_stream("user-3", 0).await).is_empty());
}

/// Chosen positions read exactly those events, in position order, each once, whatever order
/// they were asked in; positions with no event (0, past the head) are skipped; upcasters apply.
pub async fn reads_chosen_positions(make: MakeStore) {
    let fresh = make(Upcasters::none().register("UserCreated", 1, rename_name_to_username));
    let store = fresh.store.as_ref();
    for (n, stream) in ["a-1", "b-1", "a-1", "c-1", "b-1", "a-1"]
        .iter()
        .enumerate()
    {
        append_one(store, stream, Expected::Any, vec![event(n as u64)]).await;
    }
    let mut v1 = event(9);
    v1.event_type = "UserCreated".to_owned();
    v1.data = r#"{"name":"ann","admin":false}"#.to_owned();
    append_one(store, "user-1", Expected::NoStream, vec![v1]).await;
    let whole = must(store.read_all(Position::START, 100).await);

    let wanted = [5, 2, 0, 99, 2, 7, 3].map(Position);
    let read = must(store.read_positions(&wanted).await);

    let positions: Vec<u64> = read.iter().map(|e| e.position.0).collect();
    assert_eq!(positions, vec![2, 3, 5, 7]);
    for recorded in &read {
        let index = usize::try_from(recorded.position.0 - 1).unwrap_or(usize::MAX);
        assert_eq!(recorded, &whole[index]);
    }
    assert_eq!(read[3].schema_version, 2);
    assert!(must(store.read_positions(&[]).await).is_empty());
}

/// Pages of the whole log, each after the last position of the one before, add up to the
/// whole log in order.
pub async fn reads_the_whole_log_in_pages_in_order(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    for (n, stream) in ["a-1", "b-1", "c-1", "a-1", "b-1"].iter().enumerate() {
        append_one(store, stream, Expected::Any, events(n as u64 + 1)).await;
    }
    let whole = must(store.read_all(Position::START, 1000).await);
    assert_eq!(whole.len(), 15);

    let mut paged = Vec::new();
    let mut after = Position::START;
    loop {
        let page = must(store.read_all(after, 4).await);
        assert!(page.len() <= 4);
        let Some(last) = page.last() else { break };
        after = last.position;
        paged.extend(page);
    }

    assert_eq!(paged, whole);
    assert!(must(store.read_all(Position::START, 0).await).is_empty());
    assert!(must(store.read_all(after, 10).await).is_empty());
}

/// Positions start after [`Position::START`] and grow with every event, whatever its stream.
pub async fn positions_increase_strictly_across_streams(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    let mut acknowledged = Vec::new();
    for n in 0..6 {
        let stream = format!("user-{}", n % 3);
        let appended = append_one(store, &stream, Expected::Any, vec![event(n)]).await;
        acknowledged.push(appended.last_position);
    }

    let read: Vec<Position> = must(store.read_all(Position::START, 100).await)
        .iter()
        .map(|e| e.position)
        .collect();

    assert_eq!(read, acknowledged);
    assert!(read[0] > Position::START);
    assert!(read.windows(2).all(|pair| pair[0] < pair[1]));
}

/// The head is the last committed position; failed appends and checks do not move it.
pub async fn head_is_the_last_committed_position(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    assert_eq!(must(store.head().await), Position::START);

    let appended = append_one(store, "user-1", Expected::NoStream, events(3)).await;
    assert_eq!(must(store.head().await), appended.last_position);

    let refused = store
        .append(vec![part("user-1", Expected::NoStream, events(1))])
        .await;
    assert!(refused.is_err());
    append_one(store, "user-1", Expected::Exact(2), vec![]).await;
    assert_eq!(must(store.head().await), appended.last_position);
}

/// Everything an event carries comes back as it went in, on every read path, with its time
/// to the microsecond.
pub async fn metadata_round_trips(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    let user = Uuid::now_v7();
    let sent = [Actor::User(user), Actor::System].map(|actor| NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "ProfileUpdated".to_owned(),
        schema_version: 3,
        data: r#"{"display_name":"Zoë \"Z\" Ünal","note":"日本"}"#.to_owned(),
        metadata: Metadata {
            actor,
            correlation_id: Uuid::now_v7(),
            causation_id: Uuid::new_v4(),
            occurred_at: a_time(),
        },
    });
    let stream = format!("user-{user}");
    let appended = append_one(store, &stream, Expected::NoStream, sent.to_vec()).await;

    let from_stream = must(store.read_stream(&stream, 0).await);
    let from_log = must(store.read_all(Position::START, 10).await);
    let from_feed: Vec<Recorded> = tokio::time::timeout(
        Duration::from_secs(30),
        store
            .subscribe_all(Position::START)
            .take(2)
            .map(must)
            .collect(),
    )
    .await
    .unwrap_or_else(|_| panic!("the feed did not yield the two events"));

    assert_eq!(from_stream.len(), 2);
    for (revision, (stored, sent)) in from_stream.iter().zip(&sent).enumerate() {
        assert_eq!(stored.event_id, sent.event_id);
        assert_eq!(stored.stream, stream);
        assert_eq!(stored.revision, revision as u64);
        assert_eq!(stored.event_type, sent.event_type);
        assert_eq!(stored.schema_version, sent.schema_version);
        assert_eq!(stored.data, sent.data);
        assert_eq!(stored.metadata, sent.metadata);
    }
    assert_eq!(from_stream[1].position, appended.last_position);
    assert_eq!(from_log, from_stream);
    assert_eq!(from_feed, from_stream);
}

/// Renames `name` to `username`: the kind of step a schema change registers.
fn rename_name_to_username(mut data: serde_json::Value) -> serde_json::Value {
    if let Some(fields) = data.as_object_mut()
        && let Some(name) = fields.remove("name")
    {
        fields.insert("username".to_owned(), name);
    }
    data
}

/// A stored version-1 event reads as version 2 through every read path; an event type with
/// no step registered reads as stored.
pub async fn upcasters_apply_on_every_read(make: MakeStore) {
    let fresh = make(Upcasters::none().register("UserCreated", 1, rename_name_to_username));
    let store = fresh.store.as_ref();
    let mut v1 = event(0);
    v1.event_type = "UserCreated".to_owned();
    v1.data = r#"{"name":"ann","admin":false}"#.to_owned();
    let untouched = event(1);
    must(
        store
            .append(vec![StreamAppend {
                stream: "user-1".to_owned(),
                expected: Expected::NoStream,
                events: vec![v1, untouched.clone()],
            }])
            .await,
    );

    let from_stream = must(store.read_stream("user-1", 0).await);
    let from_log = must(store.read_all(Position::START, 10).await);
    let from_feed: Vec<Recorded> = tokio::time::timeout(
        Duration::from_secs(30),
        store
            .subscribe_all(Position::START)
            .take(2)
            .map(must)
            .collect(),
    )
    .await
    .unwrap_or_else(|_| panic!("the feed did not yield the two events"));

    for read in [&from_stream, &from_log, &from_feed] {
        assert_eq!(read[0].schema_version, 2);
        let data: serde_json::Value = must(serde_json::from_str(&read[0].data));
        assert_eq!(
            data,
            serde_json::json!({ "username": "ann", "admin": false })
        );
        assert_eq!(read[1].schema_version, 1);
        assert_eq!(read[1].data, untouched.data);
    }
}
