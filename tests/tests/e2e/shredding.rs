//! Crypto-shredding: a user's personal data is sealed under their own key from the first
//! event, and deleting them destroys the key, so nothing on disk still reads as their data.

use crate::support::*;
use reqwest::Method;
use roster_api::config::StoreLocation;
use serde_json::{Value, json};
use std::path::Path;

const USERNAME: &str = "zebulon-shred";
const DISPLAY_NAME: &str = "Zebulon Shredsworth";
const NEW_DISPLAY_NAME: &str = "Zebulon Q. Shredsworth";
const EMAIL: &str = "zebulon.shred@example.org";
const USER_AGENT: &str = "ShredBrowser/7.1 (Zebulon's laptop)";
const PASSWORD: &str = "zebulon-password";

/// Every personal value the account ever had, in the forms a search of raw bytes would find.
fn needles() -> Vec<&'static str> {
    vec![
        USERNAME,
        DISPLAY_NAME,
        NEW_DISPLAY_NAME,
        EMAIL,
        "ShredBrowser",
        "Shredsworth",
    ]
}

/// The files of the store's folder that hold any of `needles`, with the needle found.
fn files_holding(folder: &Path, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for needle in needles {
            if bytes
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
            {
                found.push(format!("{} holds {needle:?}", path.display()));
            }
        }
    }
    found
}

fn store_folder(app: &TestApp) -> std::path::PathBuf {
    let StoreLocation::Sqlite(database) = &app.config.store else {
        panic!("the test server runs on SQLite");
    };
    database.parent().unwrap().to_path_buf()
}

/// Creates the account, edits it, and logs it in from a named browser; returns its id.
async fn a_full_account(app: &TestApp, admin: &str) -> String {
    let created = app
        .gql_ok(
            Some(admin),
            "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
            json!({ "input": {
                "username": USERNAME, "displayName": DISPLAY_NAME, "email": EMAIL,
                "password": PASSWORD,
            }}),
        )
        .await;
    let id = created["createUser"]["id"].as_str().unwrap().to_owned();
    app.gql_ok(
        Some(admin),
        "mutation($id: ID!) { updateUser(id: $id, input: { displayName: \"Zebulon Q. Shredsworth\" }) { id } }",
        json!({ "id": id }),
    )
    .await;
    let response = app
        .request(Method::POST, "/api/auth/login", None)
        .header("user-agent", USER_AGENT)
        .json(&json!({ "username": USERNAME, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    id
}

async fn history(app: &TestApp, admin: &str, user: &str) -> Vec<Value> {
    let answer = app
        .gql_ok(
            Some(admin),
            "query($user: ID) { auditLog(userId: $user, first: 50) { edges { node { \
             type actor { username } changes { field before after } } } } }",
            json!({ "user": user }),
        )
        .await;
    crate::audit::nodes_of(&answer)
}

#[tokio::test]
async fn it_should_never_write_personal_data_readably_and_erase_it_with_the_user() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = a_full_account(&app, &admin).await;
    let folder = store_folder(&app);

    // While the account lives, Roster shows it as ever...
    let user = app
        .gql_ok(
            Some(&admin),
            "query($id: ID!) { user(id: $id) { username displayName email } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(user["user"]["username"], USERNAME);
    assert_eq!(user["user"]["displayName"], NEW_DISPLAY_NAME);
    assert_eq!(user["user"]["email"], EMAIL);
    let alive = history(&app, &admin, &id).await;
    let edit = alive
        .iter()
        .find(|e| e["type"] == "ProfileUpdated")
        .unwrap();
    assert_eq!(
        edit["changes"],
        json!([{ "field": "displayName", "before": DISPLAY_NAME, "after": NEW_DISPLAY_NAME }])
    );
    let creation = alive.iter().find(|e| e["type"] == "UserCreated").unwrap();
    assert_eq!(creation["changes"][0]["after"], USERNAME);
    assert_eq!(creation["changes"][2]["after"], EMAIL);
    // ...but no file of the store holds any of it readably, not even the stream names.
    assert_eq!(files_holding(&folder, &needles()), Vec::<String>::new());

    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { deleteUser(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    let app = app.restart().await;
    let admin = app.admin_token().await;

    // The history stays reviewable (who did what, when) with the personal values erased.
    let entries = history(&app, &admin, &id).await;
    let types: Vec<&str> = entries
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"UserDeleted"), "{types:?}");
    assert!(types.contains(&"UserCreated"), "{types:?}");
    let deletion = entries.iter().find(|e| e["type"] == "UserDeleted").unwrap();
    assert_eq!(deletion["actor"]["username"], ADMIN);
    let text = serde_json::to_string(&entries).unwrap();
    for needle in needles() {
        assert!(!text.contains(needle), "{needle} still shows in {text}");
    }
    assert!(text.contains("(erased)"), "{text}");
    let folder = store_folder(&app);
    assert_eq!(files_holding(&folder, &needles()), Vec::<String>::new());

    // The username is free again, and a new holder's data is their own.
    let again = app.create_user(&admin, USERNAME, PASSWORD).await;
    assert_ne!(again, id);
    assert!(app.login(USERNAME, PASSWORD).await.len() > 10);
}

/// A log written before personal data was sealed: one administrator, in plaintext, reserved
/// under their readable name. Returns the store's settings.
async fn a_plaintext_log(app_dir: &tempfile::TempDir) -> roster_api::config::Config {
    use roster_api::secrets::PasswordHasher;
    use roster_domain::command_path::{CommandMeta, CommandPath};
    use roster_domain::ids::UserId;
    use roster_domain::store::Actor;
    use roster_domain::user::{CreateUser, CreatedVia};
    use roster_domain::values::{DisplayName, Email, Password, Username};
    use std::sync::Arc;

    let config = test_config(app_dir);
    let StoreLocation::Sqlite(database) = &config.store else {
        unreachable!("test_config is on SQLite")
    };
    let store = Arc::new(roster_store::SqliteStore::open(database).unwrap());
    let hasher = PasswordHasher::insecure_fast_for_tests().unwrap();
    let hash = hasher
        .hash(&Password::parse(PASSWORD).unwrap())
        .await
        .unwrap();
    let path = CommandPath::new(store.clone(), Arc::new(uuid::Uuid::now_v7));
    let create = CreateUser {
        user_id: UserId(uuid::Uuid::now_v7()),
        username: Username::parse(USERNAME).unwrap(),
        display_name: DisplayName::parse(DISPLAY_NAME).unwrap(),
        email: Some(Email::parse(EMAIL).unwrap()),
        password_hash: hash,
        is_admin: true,
        must_change_password: false,
        via: CreatedVia::Bootstrap,
    };
    let meta = CommandMeta {
        actor: Actor::System,
        command_id: uuid::Uuid::now_v7(),
        correlation_id: uuid::Uuid::now_v7(),
        occurred_at: chrono::Utc::now(),
    };
    path.execute(meta, &create).await.unwrap();
    store.close().await;
    config
}

#[tokio::test]
async fn it_should_keep_serving_a_log_begun_before_sealing_with_its_names_unique() {
    let dir = tempfile::tempdir().unwrap();
    let config = a_plaintext_log(&dir).await;
    let app = TestApp::start_on(dir, config).await;

    // The older account logs in, and its name is still taken (its reservation is readable).
    let admin = app.login(USERNAME, PASSWORD).await;
    let taken = app
        .gql(
            Some(&admin),
            "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
            json!({ "input": { "username": USERNAME, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_message(&taken), "Username already exists", "{taken}");
}

#[tokio::test]
async fn it_should_refuse_a_sealed_log_whose_key_file_is_missing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, USERNAME, PASSWORD).await;
    let (dir, config) = app.stop().await;
    let StoreLocation::Sqlite(database) = &config.store else {
        unreachable!("test_config is on SQLite")
    };
    std::fs::remove_file(roster_store::shredding::key_file_beside(database)).unwrap();

    let hasher = roster_api::secrets::PasswordHasher::insecure_fast_for_tests().unwrap();
    let refused = roster_api::server::start(config, hasher).await;
    let message = refused.err().expect("refused").to_string();
    assert!(message.contains("personal-data key file"), "{message}");
    assert!(message.contains("restore it"), "{message}");
    drop(dir);
}
