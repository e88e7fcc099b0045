//! What only the SQLite adapter promises: the file, its settings, and what survives a restart.
#![allow(
    clippy::unwrap_used,
    reason = "test code, helpers included: a failed step must stop the test"
)]

use chrono::Utc;
use roster_domain::store::{
    Actor, AppendError, EventStore, Expected, Metadata, NewEvent, Position, StoreError,
    StreamAppend, Upcasters,
};
use roster_store::SqliteStore;
use std::path::Path;
use uuid::Uuid;

fn event(event_type: &str, data: &str) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        data: data.to_owned(),
        metadata: Metadata {
            actor: Actor::System,
            correlation_id: Uuid::now_v7(),
            causation_id: Uuid::now_v7(),
            occurred_at: Utc::now(),
        },
    }
}

fn create(stream: &str, events: Vec<NewEvent>) -> Vec<StreamAppend> {
    vec![StreamAppend {
        stream: stream.to_owned(),
        expected: Expected::NoStream,
        events,
    }]
}

fn raw_count(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT count(*) FROM events", [], |row| row.get(0))
        .unwrap()
}

#[tokio::test]
async fn it_should_keep_an_acknowledged_append_after_the_store_is_dropped_and_reopened() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("events.db");
    let store = SqliteStore::open(&path).unwrap();
    let appended = store
        .append(create(
            "user-1",
            vec![event("Noted", "{}"), event("Noted", "{}")],
        ))
        .await
        .unwrap();
    let written = store.read_stream("user-1", 0).await.unwrap();
    drop(store);

    assert_eq!(raw_count(&path), 2);
    let reopened = SqliteStore::open(&path).unwrap();
    assert_eq!(reopened.read_stream("user-1", 0).await.unwrap(), written);
    assert_eq!(reopened.head().await.unwrap(), appended.last_position);

    // Revisions and positions carry on from where the file left off.
    let next = reopened
        .append(vec![StreamAppend {
            stream: "user-1".to_owned(),
            expected: Expected::Exact(1),
            events: vec![event("Noted", "{}")],
        }])
        .await
        .unwrap();
    assert_eq!(next.revisions, vec![("user-1".to_owned(), Some(2))]);
    assert!(next.last_position > appended.last_position);
}

#[tokio::test]
async fn it_should_create_the_folder_and_the_file_on_first_use() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder
        .path()
        .join("roster-data")
        .join("nested")
        .join("events.db");
    assert!(!path.exists());

    let store = SqliteStore::open(&path).unwrap();

    assert!(path.is_file());
    assert_eq!(store.path(), path);
    assert_eq!(store.head().await.unwrap(), Position::START);
    assert_eq!(store.writer_settings().await.unwrap().layout_version, 1);
}

#[tokio::test]
async fn it_should_write_in_wal_mode_with_full_sync() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("events.db");
    let store = SqliteStore::open(&path).unwrap();

    let settings = store.writer_settings().await.unwrap();

    assert_eq!(settings.journal_mode, "wal");
    assert_eq!(settings.synchronous, 2, "2 is FULL");
    assert!(settings.foreign_keys);
    // WAL is a property of the file, so any connection sees it.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn it_should_upcast_history_written_before_the_upcaster_existed() {
    fn add_locale(mut data: serde_json::Value) -> serde_json::Value {
        if let Some(fields) = data.as_object_mut() {
            fields.insert("locale".to_owned(), "en".into());
        }
        data
    }
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("events.db");
    let store = SqliteStore::open(&path).unwrap();
    store
        .append(create(
            "user-1",
            vec![event("UserCreated", r#"{"name":"ann"}"#)],
        ))
        .await
        .unwrap();
    drop(store);

    let upcasters = Upcasters::none().register("UserCreated", 1, add_locale);
    let reopened = SqliteStore::open_with(&path, upcasters).unwrap();
    let read = reopened.read_stream("user-1", 0).await.unwrap();

    assert_eq!(read[0].schema_version, 2);
    let data: serde_json::Value = serde_json::from_str(&read[0].data).unwrap();
    assert_eq!(data, serde_json::json!({ "name": "ann", "locale": "en" }));
    // The file itself still holds version 1: history is never rewritten.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let stored: i64 = conn
        .query_row("SELECT schema_version FROM events", [], |row| row.get(0))
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn it_should_refuse_appends_after_close_but_keep_what_was_written() {
    use futures::StreamExt;
    let folder = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(folder.path().join("events.db")).unwrap();
    store
        .append(create("user-1", vec![event("Noted", "{}")]))
        .await
        .unwrap();
    let feed = store.subscribe_all(Position::START);

    store.close().await;
    store.close().await;

    assert_eq!(
        store
            .append(create("user-2", vec![event("Noted", "{}")]))
            .await,
        Err(AppendError::Store(StoreError::Closed))
    );
    assert_eq!(store.read_stream("user-1", 0).await.unwrap().len(), 1);
    let fed: Vec<_> = tokio::time::timeout(std::time::Duration::from_secs(30), feed.collect())
        .await
        .unwrap();
    assert_eq!(fed.len(), 1);
}

#[tokio::test]
async fn it_should_refuse_a_file_written_by_a_newer_roster() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("events.db");
    drop(SqliteStore::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();

    let refused = SqliteStore::open(&path);

    assert!(matches!(refused, Err(StoreError::Backend(message)) if message.contains("99")));
}
