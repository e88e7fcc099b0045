//! The shredding store: personal fields sealed in the file, opened on every read, erased once
//! the owner is deleted; reservation streams stored under a keyed hash; the key file durable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test arrangement

use chrono::Utc;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::reservation::UsernameEvent;
use roster_domain::store::{
    Actor, AppendError, EventStore, Expected, Metadata, NewEvent, Position, StreamAppend,
};
use roster_domain::user::{CreatedVia, UserCreated, UserEvent};
use roster_domain::values::{DisplayName, Email, PasswordHash, Username};
use roster_store::SqliteStore;
use roster_store::shredding::{ERASED, NameScheme, PersonalKeys, ShreddingStore};
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

const NAME: &str = "quentin-private";
const EMAIL: &str = "quentin.private@example.org";

fn open(folder: &Path) -> (Arc<SqliteStore>, ShreddingStore) {
    let sqlite = Arc::new(SqliteStore::open(folder.join("events.db")).unwrap());
    let keys = PersonalKeys::open_file(&folder.join("keys"), NameScheme::Keyed).unwrap();
    let store = ShreddingStore::new(sqlite.clone(), Arc::new(keys));
    (sqlite, store)
}

fn append_of(event: Event, expected: Expected) -> StreamAppend {
    let encoded = event.encode().unwrap();
    StreamAppend {
        stream: event.stream().to_string(),
        expected,
        events: vec![NewEvent {
            event_id: Uuid::now_v7(),
            event_type: encoded.event_type.to_owned(),
            schema_version: encoded.schema_version,
            data: encoded.data,
            metadata: Metadata {
                actor: Actor::System,
                correlation_id: Uuid::now_v7(),
                causation_id: Uuid::now_v7(),
                occurred_at: Utc::now(),
            },
        }],
    }
}

fn creation(user: UserId) -> Event {
    Event::User(
        user,
        UserEvent::Created(UserCreated {
            username: Username::parse(NAME).unwrap(),
            display_name: DisplayName::parse("Quentin Private").unwrap(),
            email: Some(Email::parse(EMAIL).unwrap()),
            password_hash: PasswordHash::from_phc(
                "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into(),
            ),
            is_admin: false,
            via: CreatedVia::Admin,
            must_change_password: false,
        }),
    )
}

fn file_holds(folder: &Path, needle: &str) -> bool {
    std::fs::read_dir(folder).unwrap().any(|entry| {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

fn username_of(event: &Event) -> String {
    match event {
        Event::User(_, UserEvent::Created(created)) => created.username.as_str().to_owned(),
        other => panic!("not a creation: {other:?}"),
    }
}

#[tokio::test]
async fn it_should_seal_on_the_way_in_open_on_the_way_out_and_erase_with_the_key() {
    let folder = tempfile::tempdir().unwrap();
    let (sqlite, store) = open(folder.path());
    let user = UserId(Uuid::now_v7());
    let username = Username::parse(NAME).unwrap();
    store
        .append(vec![
            append_of(creation(user), Expected::NoStream),
            append_of(
                Event::Username(username.key(), UsernameEvent::Reserved { user_id: user }),
                Expected::NoStream,
            ),
        ])
        .await
        .unwrap();

    // Through the shredding store: as written. Beneath it: sealed, under a hashed name.
    let read = store.read_stream(&format!("user-{user}"), 0).await.unwrap();
    let decoded = Event::decode(&read[0].stream, &read[0].event_type, &read[0].data).unwrap();
    assert_eq!(username_of(&decoded), NAME);
    let raw = sqlite.read_all(Position::START, 10).await.unwrap();
    assert!(
        raw.iter()
            .all(|r| !r.data.contains(NAME) && !r.stream.contains(NAME))
    );
    assert!(raw[0].data.contains("$sealed:"), "{}", raw[0].data);
    let reservation = format!("username-{}", username.key());
    assert_eq!(store.read_stream(&reservation, 0).await.unwrap().len(), 1);
    sqlite.close().await;
    assert!(!file_holds(folder.path(), NAME) && !file_holds(folder.path(), EMAIL));

    // Deleting the user destroys the key: the same bytes now read as erased, for good.
    let (_, store) = open(folder.path());
    let deleted = Event::User(user, UserEvent::Deleted {});
    store
        .append(vec![append_of(deleted, Expected::Exact(0))])
        .await
        .unwrap();
    let (_, reopened) = open(folder.path());
    assert!(reopened.keys().is_forgotten(user));
    let read = reopened.read_all(Position::START, 10).await.unwrap();
    let decoded = Event::decode(&read[0].stream, &read[0].event_type, &read[0].data).unwrap();
    assert_eq!(username_of(&decoded), ERASED);
    // A deleted user's personal data is never written again.
    let again = reopened
        .append(vec![append_of(creation(user), Expected::Any)])
        .await;
    assert!(matches!(again, Err(AppendError::Store(_))), "{again:?}");
}

#[tokio::test]
async fn it_should_report_a_conflict_under_the_name_the_domain_gave() {
    let folder = tempfile::tempdir().unwrap();
    let (_, store) = open(folder.path());
    let key = Username::parse(NAME).unwrap().key();
    let reserve = |user| {
        append_of(
            Event::Username(key.clone(), UsernameEvent::Reserved { user_id: user }),
            Expected::NoStream,
        )
    };
    store
        .append(vec![reserve(UserId(Uuid::now_v7()))])
        .await
        .unwrap();
    let second = store.append(vec![reserve(UserId(Uuid::now_v7()))]).await;
    match second {
        Err(AppendError::Conflict { stream, .. }) => assert_eq!(stream, format!("username-{key}")),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn it_should_seal_a_plaintext_log_event_by_event_for_a_migration() {
    let source = tempfile::tempdir().unwrap();
    let plain = SqliteStore::open(source.path().join("events.db")).unwrap();
    let user = UserId(Uuid::now_v7());
    let key = Username::parse(NAME).unwrap().key();
    plain
        .append(vec![
            append_of(creation(user), Expected::NoStream),
            append_of(
                Event::Username(key.clone(), UsernameEvent::Reserved { user_id: user }),
                Expected::NoStream,
            ),
        ])
        .await
        .unwrap();
    let log = plain.read_all(Position::START, 10).await.unwrap();

    let target = tempfile::tempdir().unwrap();
    let keys = PersonalKeys::open_file(&target.path().join("keys"), NameScheme::Keyed).unwrap();
    let sealed: Vec<_> = log
        .iter()
        .map(|r| roster_store::shredding::seal_recorded(&keys, r.clone()).unwrap())
        .collect();
    assert!(
        sealed
            .iter()
            .all(|r| !r.data.contains(NAME) && !r.stream.contains(NAME))
    );
    assert_eq!(sealed[0].stream, log[0].stream);
    assert_ne!(sealed[1].stream, log[1].stream);
    // Sealing twice changes nothing; opening gives back the event as the source held it.
    let again = roster_store::shredding::seal_recorded(&keys, sealed[0].clone()).unwrap();
    assert_eq!(again.data, sealed[0].data);
    let opened = roster_store::shredding::open_recorded(&keys, sealed[0].clone());
    assert_eq!(opened.data, log[0].data);
}
