//! `roster migrate`: a copy that verifies and serves the same users, a killed copy resumed to
//! an identical one, a following copy stopped by SIGTERM, a target that is not a prefix refused.

use crate::support::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

/// A `roster serve` on `store`, on a free loopback port, killed when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve(store: &Path) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let child = command(&["--bind", &bind, "--store", &url(store), "serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let served = Served {
        child,
        base: format!("http://{bind}"),
    };
    for _ in 0..200 {
        let ready = reqwest::get(format!("{}/readyz", served.base)).await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return served;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server on {} never became ready", store.display());
}

async fn graphql(served: &Served, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", served.base))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// Every username the server lists to its administrator, newest first.
async fn listed_users(store: &Path) -> Vec<String> {
    let served = serve(store).await;
    let login = graphql(
        &served,
        None,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
        json!({ "u": ADMIN, "p": ADMIN_PASSWORD }),
    )
    .await;
    let token = login["data"]["login"]["token"].as_str().unwrap().to_owned();
    let page = graphql(
        &served,
        Some(&token),
        "{ users(first: 100) { totalCount edges { node { username displayName email } } } }",
        json!({}),
    )
    .await;
    let users = &page["data"]["users"];
    assert_eq!(users["totalCount"], 61, "{page}");
    users["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"].to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_verifies_and_serves_the_same_users() {
    let dir = tempfile::tempdir().unwrap();
    let source = populated(&dir, 60);
    let target = dir.path().join("target").join("events.db");
    let migrated = roster(&["migrate", "--from", &url(&source), "--to", &url(&target)]);
    assert_eq!(migrated.code, 0, "{migrated:?}");
    assert!(
        migrated.stdout.trim_end().ends_with(
            "0 were there already; source and target hold 183 events each in 183 streams, \
             and every stream's checksum matches"
        ),
        "{migrated:?}"
    );
    assert_eq!(
        rows(&target),
        rows(&source),
        "every column of every row, in order"
    );
    let verified = roster(&["verify", "--store", &url(&target)]);
    assert_eq!(verified.code, 0, "{verified:?}");
    let from_source = listed_users(&source).await;
    let from_copy = listed_users(&target).await;
    assert_eq!(from_copy.len(), 61);
    assert_eq!(from_copy, from_source);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_copy_is_resumed_to_an_identical_one() {
    let dir = tempfile::tempdir().unwrap();
    let source = populated(&dir, 2_000);
    let total = event_count(&source);
    let target = dir.path().join("target").join("events.db");
    let (from, to) = (url(&source), url(&target));
    // One event per transaction, each one synced: slow enough to be killed half way.
    let mut copying = command(&["migrate", "--from", &from, "--to", &to, "--batch", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while event_count(&target) < 50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    copying.kill().unwrap();
    copying.wait().unwrap();
    let left = event_count(&target);
    assert!(left < total, "killed half way: {left} of {total}");

    let resumed = roster(&["migrate", "--from", &from, "--to", &to]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(
        resumed
            .stdout
            .contains(&format!("copied {} events in ", total - left))
            && resumed
                .stdout
                .contains(&format!("{left} were there already")),
        "{resumed:?}"
    );
    assert_eq!(
        rows(&target),
        rows(&source),
        "nothing written twice, nothing lost"
    );
    let again = roster(&["migrate", "--from", &from, "--to", &to]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.starts_with("copied 0 events in "), "{again:?}");
}

#[test]
fn a_target_that_is_not_a_prefix_of_the_source_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let source = populated(&dir, 5);
    let other = fixture_copy(&dir);
    let before = rows(&other);
    let refused = roster(&["migrate", "--from", &url(&source), "--to", &url(&other)]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "the target is not empty and not a copy of the source's first events: its event \
             at position 1 is"
        ) && refused.stderr.trim_end().ends_with("nothing was written"),
        "{refused:?}"
    );
    assert_eq!(rows(&other), before);
    let unknown = roster(&[
        "migrate",
        "--from",
        &url(&source),
        "--to",
        &url(&dir.path().join("new.db")),
        "--transform",
        "shuffle",
    ]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("no transform is named \"shuffle\" (known: upcast)")
    );
    assert!(!dir.path().join("new.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_following_copy_takes_new_events_until_stopped_then_compares() {
    use roster_domain::store::{Actor, EventStore, Expected, Metadata, NewEvent, StreamAppend};
    let dir = tempfile::tempdir().unwrap();
    let source = populated(&dir, 10);
    let target = dir.path().join("target").join("events.db");
    let following = command(&[
        "migrate",
        "--from",
        &url(&source),
        "--to",
        &url(&target),
        "--follow",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let total = event_count(&source);
    while event_count(&target) < total {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The deployment goes on writing while the copy follows it.
    let store = roster_store::SqliteStore::open(&source).unwrap();
    let later = NewEvent {
        event_id: uuid::Uuid::now_v7(),
        event_type: "UserDisabled".to_owned(),
        schema_version: 1,
        data: "{}".to_owned(),
        metadata: Metadata {
            actor: Actor::System,
            correlation_id: uuid::Uuid::now_v7(),
            causation_id: uuid::Uuid::now_v7(),
            occurred_at: chrono::Utc::now(),
        },
    };
    let stream = rows(&source)[3][1].clone();
    store
        .append(vec![StreamAppend {
            stream,
            expected: Expected::Exact(0),
            events: vec![later],
        }])
        .await
        .unwrap();
    drop(store);
    while event_count(&target) < total + 1 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &following.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let output = following.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.trim_end().ends_with(&format!(
            "source and target hold {} events each in 33 streams, and every stream's \
             checksum matches",
            total + 1
        )),
        "{stdout}"
    );
    assert_eq!(rows(&target), rows(&source));
}
