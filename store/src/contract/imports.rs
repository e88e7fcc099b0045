//! Importing events recorded elsewhere, verbatim (what `roster migrate` writes).

use super::{MakeStore, append_one, events, must, part};
use roster_domain::store::{AppendError, Expected, Position, Recorded, Upcasters};

/// Two streams written in one source store, interleaved: `a` gets three events, `b` two.
async fn a_source_log(make: MakeStore) -> (super::Fresh, Vec<Recorded>) {
    let fresh = make(Upcasters::none());
    let store = fresh.store.as_ref();
    let mut sent = events(5).into_iter();
    for (stream, expected) in [
        ("user-a", Expected::NoStream),
        ("user-b", Expected::NoStream),
        ("user-a", Expected::Exact(0)),
        ("user-b", Expected::Exact(0)),
        ("user-a", Expected::Exact(1)),
    ] {
        let event = sent.next().into_iter().collect();
        must(store.append(vec![part(stream, expected, event)]).await);
    }
    let log = must(store.read_all(Position::START, usize::MAX).await);
    (fresh, log)
}

/// Imported events keep id, stream, revision, type, version, data and metadata, in order,
/// over as many imports as the caller likes; each returns the last position written.
pub async fn imports_events_verbatim_in_order(make: MakeStore) {
    let (_source, log) = a_source_log(make).await;
    let target = make(Upcasters::none());
    let store = target.store.as_ref();
    assert_eq!(must(store.import(vec![]).await), Position::START);
    assert_eq!(must(store.import(log[..2].to_vec()).await), Position(2));
    assert_eq!(must(store.import(log[2..].to_vec()).await), Position(5));
    let copied = must(store.read_all(Position::START, usize::MAX).await);
    assert_eq!(copied, log, "the copy is the source, field for field");
    // What was imported is a log like any other: appends go on from it.
    append_one(store, "user-b", Expected::Exact(1), events(1)).await;
}

/// An event that is not the next of its stream, or whose id is stored, is refused, and with
/// it the whole import: nothing is written.
pub async fn refuses_an_import_out_of_order_or_twice(make: MakeStore) {
    let (_source, log) = a_source_log(make).await;
    let target = make(Upcasters::none());
    let store = target.store.as_ref();

    // user-a's revision 1 before its revision 0.
    let skipping = vec![log[0].clone(), log[1].clone(), log[4].clone()];
    let refused = store.import(skipping).await;
    assert_eq!(
        refused,
        Err(AppendError::Conflict {
            stream: "user-a".to_owned(),
            expected: Expected::Exact(1),
            actual: Some(0),
        })
    );
    assert_eq!(must(store.head().await), Position::START, "nothing written");

    must(store.import(log[..3].to_vec()).await);
    let again = store.import(log[2..].to_vec()).await;
    assert!(
        matches!(
            again,
            Err(AppendError::Conflict { .. } | AppendError::Invalid(_))
        ),
        "an event imported twice is refused: {again:?}"
    );
    let mut twice = log[3].clone();
    let same_id = Recorded {
        stream: "user-c".to_owned(),
        revision: 0,
        ..log[0].clone()
    };
    twice.position = Position(9);
    let refused = store.import(vec![twice, same_id]).await;
    assert!(
        matches!(refused, Err(AppendError::Invalid(_))),
        "a stored id under another stream is invalid: {refused:?}"
    );
    assert_eq!(
        must(store.head().await),
        Position(3),
        "nothing more written"
    );
}
