//! Appends: expectations, conflicts, atomicity across streams, checks, malformed batches.

use super::{MakeStore, append_one, event, events, must, part};
use roster_domain::store::{AppendError, Appended, Expected, Position, Upcasters};

/// `NoStream` on a stream that does not exist writes revisions from 0.
pub async fn appends_to_a_new_stream_with_no_stream(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    let written = events(2);

    let appended = append_one(store, "user-1", Expected::NoStream, written.clone()).await;

    assert_eq!(appended.revisions, vec![("user-1".to_owned(), Some(1))]);
    let read = must(store.read_stream("user-1", 0).await);
    assert_eq!(read.len(), 2);
    for (revision, (stored, sent)) in read.iter().zip(&written).enumerate() {
        assert_eq!(stored.revision, revision as u64);
        assert_eq!(stored.stream, "user-1");
        assert_eq!(stored.event_id, sent.event_id);
        assert_eq!(stored.data, sent.data);
    }
    assert!(read[0].position < read[1].position);
    assert_eq!(read[1].position, appended.last_position);
}

/// `Exact(last revision)` goes through and continues the revisions.
pub async fn appends_at_the_exact_revision(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    append_one(store, "user-1", Expected::NoStream, events(1)).await;

    let appended = append_one(store, "user-1", Expected::Exact(0), events(2)).await;

    assert_eq!(appended.revisions, vec![("user-1".to_owned(), Some(2))]);
    let revisions: Vec<u64> = must(store.read_stream("user-1", 0).await)
        .iter()
        .map(|e| e.revision)
        .collect();
    assert_eq!(revisions, vec![0, 1, 2]);
}

/// One batch writes several streams, in request order, and reports each one's new revision.
pub async fn appends_to_several_streams_at_once(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    append_one(store, "user-2", Expected::NoStream, events(1)).await;

    let appended = must(
        store
            .append(vec![
                part("user-1", Expected::NoStream, events(1)),
                part("user-2", Expected::Exact(0), events(2)),
            ])
            .await,
    );

    assert_eq!(
        appended.revisions,
        vec![
            ("user-1".to_owned(), Some(0)),
            ("user-2".to_owned(), Some(2))
        ]
    );
    let log = must(store.read_all(Position::START, 10).await);
    let streams: Vec<&str> = log.iter().map(|e| e.stream.as_str()).collect();
    assert_eq!(streams, vec!["user-2", "user-1", "user-2", "user-2"]);
    assert_eq!(log[3].position, appended.last_position);
    assert_eq!(must(store.head().await), appended.last_position);
}

/// `NoStream` on a stream that has events is a typed conflict naming its revision.
pub async fn refuses_no_stream_when_the_stream_exists(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    append_one(store, "user-1", Expected::NoStream, events(2)).await;

    let refused = store
        .append(vec![part("user-1", Expected::NoStream, events(1))])
        .await;

    assert_eq!(
        refused,
        Err(AppendError::Conflict {
            stream: "user-1".to_owned(),
            expected: Expected::NoStream,
            actual: Some(1),
        })
    );
    assert_eq!(must(store.read_stream("user-1", 0).await).len(), 2);
}

/// `Exact` with the wrong revision, or on a missing stream, is a typed conflict.
pub async fn refuses_a_wrong_exact_revision(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    append_one(store, "user-1", Expected::NoStream, events(2)).await;

    let stale = store
        .append(vec![part("user-1", Expected::Exact(0), events(1))])
        .await;
    let missing = store
        .append(vec![part("user-9", Expected::Exact(0), events(1))])
        .await;

    assert_eq!(
        stale,
        Err(AppendError::Conflict {
            stream: "user-1".to_owned(),
            expected: Expected::Exact(0),
            actual: Some(1),
        })
    );
    assert_eq!(
        missing,
        Err(AppendError::Conflict {
            stream: "user-9".to_owned(),
            expected: Expected::Exact(0),
            actual: None,
        })
    );
    assert_eq!(must(store.read_stream("user-1", 0).await).len(), 2);
    assert!(must(store.read_stream("user-9", 0).await).is_empty());
}

/// When one stream's expectation fails, no stream of the batch is written, and the first
/// failing stream is the one reported.
pub async fn a_failed_multi_stream_append_writes_nothing(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    let before = append_one(store, "user-1", Expected::NoStream, events(1)).await;

    let refused = store
        .append(vec![
            part("username-ann", Expected::NoStream, events(1)),
            part("user-1", Expected::Exact(7), events(1)),
            part("user-2", Expected::Exact(3), events(1)),
        ])
        .await;

    assert_eq!(
        refused,
        Err(AppendError::Conflict {
            stream: "user-1".to_owned(),
            expected: Expected::Exact(7),
            actual: Some(0),
        })
    );
    assert!(must(store.read_stream("username-ann", 0).await).is_empty());
    assert_eq!(must(store.read_stream("user-1", 0).await).len(), 1);
    assert_eq!(must(store.head().await), before.last_position);
}

/// A part with no events asserts its stream's revision without writing to it.
pub async fn a_check_only_part_passes_or_fails(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();

    let passed = must(
        store
            .append(vec![
                part("username-ann", Expected::NoStream, vec![]),
                part("user-1", Expected::NoStream, events(1)),
            ])
            .await,
    );
    assert_eq!(
        passed.revisions,
        vec![
            ("username-ann".to_owned(), None),
            ("user-1".to_owned(), Some(0))
        ]
    );
    assert!(must(store.read_stream("username-ann", 0).await).is_empty());

    let taken = append_one(store, "username-ann", Expected::NoStream, events(1)).await;
    let failed = store
        .append(vec![
            part("username-ann", Expected::NoStream, vec![]),
            part("user-2", Expected::NoStream, events(1)),
        ])
        .await;
    assert_eq!(
        failed,
        Err(AppendError::Conflict {
            stream: "username-ann".to_owned(),
            expected: Expected::NoStream,
            actual: Some(0),
        })
    );
    assert!(must(store.read_stream("user-2", 0).await).is_empty());

    // A batch of checks only reports the head at that moment.
    let checked = must(
        store
            .append(vec![part("username-ann", Expected::Exact(0), vec![])])
            .await,
    );
    assert_eq!(
        checked,
        Appended {
            last_position: taken.last_position,
            revisions: vec![("username-ann".to_owned(), Some(0))],
        }
    );
    assert_eq!(must(store.head().await), taken.last_position);
}

/// `Any` writes to a missing stream and to an existing one alike.
pub async fn any_appends_whether_the_stream_exists_or_not(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();

    let first = append_one(store, "session-1", Expected::Any, events(1)).await;
    let second = append_one(store, "session-1", Expected::Any, events(1)).await;

    assert_eq!(first.revisions, vec![("session-1".to_owned(), Some(0))]);
    assert_eq!(second.revisions, vec![("session-1".to_owned(), Some(1))]);
}

/// No streams, a stream twice, an event id twice or a nameless stream: invalid, nothing written.
pub async fn malformed_batches_are_invalid(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    let twice = event(0);

    let batches = vec![
        vec![],
        vec![
            part("user-1", Expected::Any, events(1)),
            part("user-1", Expected::Any, events(1)),
        ],
        vec![part("user-1", Expected::Any, vec![twice.clone(), twice])],
        vec![part("", Expected::Any, events(1))],
    ];
    for batch in batches {
        let outcome = store.append(batch).await;
        assert!(
            matches!(outcome, Err(AppendError::Invalid(_))),
            "expected Invalid, got {outcome:?}"
        );
    }
    assert_eq!(must(store.head().await), Position::START);
}
