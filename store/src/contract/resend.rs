//! Idempotency: a retried append (its reply was lost) is recognised by its event ids.

use super::{MakeStore, append_one, event, events, must, part};
use roster_domain::store::{AppendError, Expected, Position, Upcasters};

/// Re-sending a whole batch returns the original result, even after the streams moved on,
/// and stores nothing twice.
pub async fn a_resent_batch_returns_the_original_result(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    let batch = vec![
        part("username-ann", Expected::NoStream, vec![]),
        part("user-1", Expected::NoStream, events(2)),
    ];
    let original = must(store.append(batch.clone()).await);

    let at_once = must(store.append(batch.clone()).await);
    append_one(store, "user-1", Expected::Exact(1), events(1)).await;
    append_one(store, "username-ann", Expected::NoStream, events(1)).await;
    let later = must(store.append(batch).await);

    assert_eq!(at_once, original);
    assert_eq!(later, original);
    assert_eq!(must(store.read_all(Position::START, 100).await).len(), 4);
    assert_eq!(must(store.read_stream("user-1", 0).await).len(), 3);
}

/// A batch of which only some events are stored is refused and writes nothing, whichever of
/// its events was stored; so is an event id re-sent to another stream.
pub async fn a_partly_resent_batch_is_invalid(make: MakeStore) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    let stored = event(0);
    let before = append_one(store, "user-1", Expected::NoStream, vec![stored.clone()]).await;

    let attempts = vec![
        vec![part(
            "user-1",
            Expected::Exact(0),
            vec![stored.clone(), event(1)],
        )],
        vec![part(
            "user-1",
            Expected::Exact(0),
            vec![event(1), stored.clone()],
        )],
        vec![
            part("user-2", Expected::NoStream, events(1)),
            part("user-1", Expected::Exact(0), vec![stored.clone()]),
        ],
        vec![part("user-2", Expected::NoStream, vec![stored])],
    ];
    for batch in attempts {
        let outcome = store.append(batch).await;
        assert!(
            matches!(outcome, Err(AppendError::Invalid(_))),
            "expected Invalid, got {outcome:?}"
        );
    }
    assert_eq!(must(store.head().await), before.last_position);
    assert!(must(store.read_stream("user-2", 0).await).is_empty());
}
