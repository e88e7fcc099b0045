//! `roster events` and `roster export`, the real binary on a real SQLite store, run while a
//! server has the same store open: what they print, that an unknown user is an error that
//! writes nothing, that `--follow` prints what is committed later, and that neither ever shows
//! the password hash, a session token or an API key.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failure should stop it loudly

use roster_api::auth::{Credential, RequestContext};
use roster_api::config::{Config, Secret, StoreLocation};
use roster_api::secrets::PasswordHasher;
use roster_api::server::{self, Server};
use roster_api::service::identity::identify_token;
use roster_api::service::policy::KeyringScope;
use roster_api::service::users::{NewUser, UserChanges};
use roster_api::service::{AppState, api_keys, auth, users};
use roster_domain::user::CreatedVia;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const API_KEY: &str = "sk-offline-test-key-9f8e7d6c5b4a";

struct Store {
    _dir: tempfile::TempDir,
    url: String,
    server: Server,
    carol: String,
    token: String,
    hash: String,
}

async fn signed_in(state: &AppState, username: &str, password: &str) -> (RequestContext, String) {
    let outcome = auth::login(
        state,
        &RequestContext::anonymous(),
        username,
        password,
        false,
    )
    .await
    .unwrap();
    let token = outcome.logged_in().unwrap().token.expose().to_owned();
    let (identity, credential) = identify_token(state, Some(&token));
    assert_eq!(credential, Credential::Valid);
    let ctx = RequestContext {
        identity,
        credential,
        ..RequestContext::anonymous()
    };
    (ctx, token)
}

/// A server on a fresh store where `carol` was created, signed in, added an API key, and had
/// her display name changed and the admin role granted.
async fn store_with_carol() -> Store {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.db");
    let mut config = Config::defaults(StoreLocation::Sqlite(file.clone()));
    config.admin_username = Some("admin".to_owned());
    config.admin_password = Some(Secret::new("admin-password"));
    config.secret_key = Some(Secret::new("ab".repeat(32)));
    let hasher = PasswordHasher::insecure_fast_for_tests().unwrap();
    let (server, _) = server::start(config, hasher).await.unwrap();
    let state = server.state().clone();
    let (admin, _) = signed_in(&state, "admin", "admin-password").await;
    let new = NewUser {
        username: "carol".to_owned(),
        password: "carol-password".to_owned(),
        ..NewUser::default()
    };
    let carol = users::create(&state, &admin, new, CreatedVia::Admin)
        .await
        .unwrap()
        .user
        .id
        .to_string();
    let (carol_ctx, token) = signed_in(&state, "carol", "carol-password").await;
    api_keys::add(
        &state,
        &carol_ctx,
        KeyringScope::Own,
        "openai",
        Some("mine"),
        API_KEY,
    )
    .await
    .unwrap();
    let changes = UserChanges {
        display_name: Some("Carol C".to_owned()),
        is_admin: Some(true),
        ..UserChanges::default()
    };
    users::update(&state, &admin, &carol, changes, None)
        .await
        .unwrap();
    let created = state
        .commands
        .store()
        .read_stream(&format!("user-{carol}"), 0)
        .await
        .unwrap();
    let data: Value = serde_json::from_str(&created[0].data).unwrap();
    let hash = data["password_hash"].as_str().unwrap().to_owned();
    assert!(hash.starts_with("$argon2id$"));
    Store {
        url: format!("sqlite://{}", file.display()),
        _dir: dir,
        server,
        carol,
        token,
        hash,
    }
}

fn roster(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env_remove("ROSTER_STORE")
        .output()
        .unwrap()
}

fn assert_no_secret(text: &str, store: &Store) {
    assert!(!text.contains(&store.hash), "a password hash");
    assert!(!text.contains(&store.token), "a session token");
    assert!(!text.contains(API_KEY), "an API key");
    let digest = hex_sha256(&store.token);
    assert!(!text.contains(&digest), "a session token's hash");
}

fn hex_sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn lines(output: &Output) -> Vec<Value> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn it_should_print_a_users_events_as_json_lines_or_a_table_beside_a_running_server() {
    let store = store_with_carol().await;
    let events = lines(&roster(&[
        "events", "--store", &store.url, "--user", "carol",
    ]));
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "UserCreated",
            "UsernameReserved",
            "SessionStarted",
            "ApiKeyAdded",
            "ProfileUpdated",
            "AdminGranted",
            "ActiveAdminAdded"
        ]
    );
    let updated = &events[4];
    assert_eq!(updated["actor"]["username"], "admin");
    assert_eq!(updated["subject"]["id"], store.carol.as_str());
    assert_eq!(updated["changes"][0]["field"], "displayName");
    assert_eq!(updated["changes"][0]["after"], "Carol C");

    // The same by id, narrowed by type and actor.
    let narrowed = lines(&roster(&[
        "events",
        "--store",
        &store.url,
        "--user",
        &store.carol,
        "--actor",
        "admin",
        "--type",
        "AdminGranted",
        "--type",
        "UserCreated",
    ]));
    let types: Vec<&str> = narrowed
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["UserCreated", "AdminGranted"]);
    let after_all = lines(&roster(&[
        "events",
        "--store",
        &store.url,
        "--user",
        "carol",
        "--from",
        "2999-01-01",
    ]));
    assert!(after_all.is_empty());

    let everything = roster(&["events", "--store", &store.url]);
    let all = lines(&everything);
    assert!(all.len() > events.len());
    let table = roster(&["events", "--store", &store.url, "--format", "table"]);
    assert!(table.status.success());
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.starts_with("POSITION"));
    assert!(table.contains("ProfileUpdated") && table.contains("displayName: carol -> Carol C"));
    for text in [String::from_utf8(everything.stdout).unwrap(), table] {
        assert_no_secret(&text, &store);
    }
    drop(store.server);
}

#[tokio::test(flavor = "multi_thread")]
async fn it_should_export_everything_about_a_user_and_no_secret() {
    let store = store_with_carol().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("carol.json");
    let out_arg = out.display().to_string();
    let done = roster(&[
        "export", "--store", &store.url, "--user", "carol", "--out", &out_arg,
    ]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert_no_secret(&text, &store);
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["profile"]["id"], store.carol.as_str());
    assert_eq!(export["profile"]["displayName"], "Carol C");
    assert_eq!(export["profile"]["isAdmin"], true);
    assert_eq!(export["profile"]["deleted"], Value::Null);
    assert_eq!(export["adminHistory"].as_array().unwrap().len(), 2);
    assert_eq!(export["adminHistory"][1]["isAdmin"], true);
    assert_eq!(export["adminHistory"][1]["actor"]["username"], "admin");
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(export["sessions"][0]["endedAt"], Value::Null);
    let key = &export["apiKeys"][0];
    assert_eq!(
        (&key["provider"], &key["name"], &key["last4"]),
        (
            &Value::from("openai"),
            &Value::from("mine"),
            &Value::from("5b4a")
        )
    );
    assert_eq!(export["history"].as_array().unwrap().len(), 7);

    // To standard output, by id, the same document.
    let printed = roster(&["export", "--store", &store.url, "--user", &store.carol]);
    assert!(printed.status.success());
    let printed: Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(printed["history"], export["history"]);
    drop(store.server);
}

#[tokio::test(flavor = "multi_thread")]
async fn it_should_refuse_an_unknown_user_and_write_nothing() {
    let store = store_with_carol().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nobody.json");
    let out_arg = out.display().to_string();
    let refused = roster(&[
        "export", "--store", &store.url, "--user", "nobody", "--out", &out_arg,
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("No user \"nobody\""));
    assert!(!out.exists());
    assert!(refused.stdout.is_empty());
    let missing = dir.path().join("none.db").display().to_string();
    let no_store = roster(&["events", "--store", &format!("sqlite://{missing}")]);
    assert!(!no_store.status.success());
    assert!(!Path::new(&missing).exists(), "nothing created");
    drop(store.server);
}

#[tokio::test(flavor = "multi_thread")]
async fn it_should_follow_events_committed_after_it_started() {
    let store = store_with_carol().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args([
            "events", "--store", &store.url, "--user", "carol", "--follow",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if send.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    // A bound on waiting, not a timing assertion: only a broken follower takes this long.
    let next = || lines.recv_timeout(Duration::from_secs(60)).unwrap();
    for _ in 0..7 {
        next();
    }
    let state = store.server.state().clone();
    let (admin, _) = signed_in(&state, "admin", "admin-password").await;
    users::disable(&state, &admin, &store.carol, None)
        .await
        .unwrap();
    let disabled: Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(disabled["type"], "UserDisabled");
    assert_eq!(disabled["changes"][0]["field"], "disabled");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(store.server);
}
