//! The administrator guide, walked end to end against the real server.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const USERS: &str = "{ users { totalCount edges { cursor node { id username isAdmin stats { personas activeSessions apiKeys } } } pageInfo { hasNextPage endCursor } } }";

#[tokio::test]
async fn it_should_walk_the_managing_users_guide_end_to_end() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    // Create user → the new user can log in immediately.
    let alice = app.create_user(&admin, "alice", "alice-pass-1").await;
    let alice_first = app.login("alice", "alice-pass-1").await;
    assert_eq!(app.me(&alice_first).await.as_deref(), Some("alice"));

    // A duplicate username (in any letter case) is refused with the guide's message.
    let duplicate = app
        .gql(
            Some(&admin),
            "mutation { createUser(input: { username: \"ALICE\", password: \"whatever1\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&duplicate), "CONFLICT");
    assert_eq!(error_message(&duplicate), "Username already exists");

    // The list is newest first, with the guide's statistics.
    let bob = app.create_user(&admin, "bob", "bob-pass-1").await;
    let data = app.gql_ok(Some(&admin), USERS, json!({})).await;
    let names: Vec<&str> = data["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "alice", "admin"]);
    assert_eq!(data["users"]["totalCount"], 3);
    let alice_row = &data["users"]["edges"][1]["node"];
    assert_eq!(alice_row["id"], alice.as_str());
    assert_eq!(
        alice_row["stats"],
        json!({ "personas": 0, "activeSessions": 1, "apiKeys": 0 })
    );

    // A non-admin is told "Admin access required".
    let refused = app.gql(Some(&alice_first), USERS, json!({})).await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    assert_eq!(error_message(&refused), "Admin access required");

    // Granting admin works on the user's very next request, with the same session.
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { grantAdmin(id: $id) { isAdmin } }",
        json!({ "id": alice }),
    )
    .await;
    let data = app.gql_ok(Some(&alice_first), USERS, json!({})).await;
    assert_eq!(data["users"]["totalCount"], 3);

    // Reset password: the old one fails, the new one works, other sessions survive.
    let alice_second = app.login("alice", "alice-pass-1").await;
    let reset = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { resetPassword(id: $id, password: \"alice-pass-2\") { username } }",
            json!({ "id": alice }),
        )
        .await;
    assert_eq!(reset["resetPassword"]["username"], "alice");
    let old = app
        .gql(
            None,
            "mutation { login(username: \"alice\", password: \"alice-pass-1\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&old), "UNAUTHENTICATED");
    assert_eq!(error_message(&old), "Invalid username or password");
    let alice_third = app.login("alice", "alice-pass-2").await;
    assert_eq!(app.me(&alice_first).await.as_deref(), Some("alice"));
    assert_eq!(app.me(&alice_second).await.as_deref(), Some("alice"));

    // Revoke all of a user's sessions → their tokens get 401.
    let ended = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { revokeUserSessions(userId: $id) }",
            json!({ "id": alice }),
        )
        .await;
    assert_eq!(ended["revokeUserSessions"], 3);
    for token in [&alice_first, &alice_second, &alice_third] {
        let (status, body) = app
            .rest(Method::GET, "/api/auth/me", Some(token), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "UNAUTHORIZED");
        assert_eq!(body["message"], "Session expired");
    }
    // Emergency: everyone but the calling admin is logged out.
    let bob_token = app.login("bob", "bob-pass-1").await;
    let ended = app
        .gql_ok(Some(&admin), "mutation { revokeAllSessions }", json!({}))
        .await;
    assert_eq!(ended["revokeAllSessions"], 1);
    let (status, _) = app
        .rest(Method::GET, "/api/auth/me", Some(&bob_token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me(&admin).await.as_deref(), Some("admin"));

    // Delete a user: their sessions, personas, keys, ontologies and annotations go too.
    let alice_token = app.login("alice", "alice-pass-2").await;
    app.gql_ok(
        Some(&alice_token),
        "mutation {
            createPersona(name: \"Research bot\") { id }
            createApiKey(input: { provider: \"anthropic\", key: \"sk-ant-secret-9876\" }) { last4 }
            createOntology(name: \"Vehicles\") { id }
            createAnnotation(name: \"Frame 12\") { id }
        }",
        json!({}),
    )
    .await;
    let stats = app
        .gql_ok(Some(&admin), "{ stats { personas apiKeys } }", json!({}))
        .await;
    assert_eq!(stats["stats"], json!({ "personas": 1, "apiKeys": 1 }));
    // "Consider exporting user data before deletion": the history stays reviewable after
    // (`roster export --user alice` writes it all; here, the account as it was).
    let before_deletion = chrono::Utc::now();
    let deleted = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { deleteUser(id: $id) }",
            json!({ "id": alice }),
        )
        .await;
    assert_eq!(deleted["deleteUser"], true);
    assert_eq!(app.me(&alice_token).await, None);
    let (status, _) = app
        .rest(Method::GET, "/api/auth/me", Some(&alice_token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let after = app
        .gql_ok(
            Some(&admin),
            "query($id: ID!) { user(id: $id) { id } stats { users personas apiKeys activeSessions } }",
            json!({ "id": alice }),
        )
        .await;
    assert_eq!(after["user"], serde_json::Value::Null);
    let then = app
        .gql_ok(
            Some(&admin),
            "query($id: ID!, $at: DateTime) { user(id: $id, asOf: $at) { username \
             stats { personas apiKeys } } }",
            json!({ "id": alice, "at": before_deletion }),
        )
        .await;
    assert_eq!(
        then["user"],
        // Her username went with her deletion (crypto-shredding); what she held stays.
        json!({ "username": "(erased)", "stats": { "personas": 1, "apiKeys": 1 } })
    );
    assert_eq!(
        after["stats"],
        json!({ "users": 2, "personas": 0, "apiKeys": 0, "activeSessions": 1 })
    );
    let sessions = app
        .gql_ok(
            Some(&admin),
            "query($id: ID!) { sessions(userId: $id) { totalCount } }",
            json!({ "id": alice }),
        )
        .await;
    assert_eq!(sessions["sessions"]["totalCount"], 0);

    // Deleting yourself is refused.
    let admin_id = app.gql_ok(Some(&admin), "{ me { id } }", json!({})).await["me"]["id"].clone();
    let yourself = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { deleteUser(id: $id) }",
            json!({ "id": admin_id }),
        )
        .await;
    assert_eq!(error_code(&yourself), "FORBIDDEN");
    assert_eq!(error_message(&yourself), "Cannot delete yourself");

    // Registration is off by default.
    let register = app
        .gql(
            None,
            "mutation { register(input: { username: \"carol\", password: \"carol-pass\" }) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&register), "FORBIDDEN");
    assert_eq!(error_message(&register), "Registration is disabled");

    // Restart on the same store: everything is still there, sessions included, and the
    // statistics are the same.
    app.gql_ok(
        Some(&admin),
        "mutation($bob: ID!) { a: createPersona(name: \"Bob's helper\", ownerId: $bob) { id } b: createPersona(name: \"Bob's other\", ownerId: $bob) { id } }",
        json!({ "bob": bob }),
    )
    .await;
    const COUNTS: &str = "query($bob: ID!) { stats { users admins activeSessions personas apiKeys systemApiKeys } user(id: $bob) { stats { personas activeSessions apiKeys } } }";
    let before = app
        .gql_ok(Some(&admin), COUNTS, json!({ "bob": bob }))
        .await;
    assert_eq!(before["user"]["stats"]["personas"], 2);
    let app = app.restart().await;
    let after = app
        .gql_ok(Some(&admin), COUNTS, json!({ "bob": bob }))
        .await;
    assert_eq!(after, before);
    let data = app.gql_ok(Some(&admin), USERS, json!({})).await;
    let names: Vec<&str> = data["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob", "admin"]);
    assert_eq!(data["users"]["edges"][0]["node"]["id"], bob.as_str());
    assert!(!app.login("bob", "bob-pass-1").await.is_empty());
    let gone = app
        .gql(
            None,
            "mutation { login(username: \"alice\", password: \"alice-pass-2\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_message(&gone), "Invalid username or password");
    app.stop().await;
}

#[tokio::test]
async fn it_should_let_people_register_only_when_registration_is_on_and_never_as_admin() {
    let app = spawn_app_with(|config| config.allow_registration = true).await;
    let data = app
        .gql_ok(
            None,
            "mutation { register(input: { username: \"carol\", displayName: \"Carol\", email: \"carol@example.org\", password: \"carol-pass\" }) { token user { username isAdmin } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["register"]["user"],
        json!({ "username": "carol", "isAdmin": false })
    );
    let token = data["register"]["token"].as_str().unwrap();
    assert_eq!(app.me(token).await.as_deref(), Some("carol"));

    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/register",
            None,
            Some(json!({ "username": "dave", "password": "dave-pass", "displayName": "Dave", "isAdmin": true })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["user"]["isAdmin"], false);
    assert_eq!(body["user"]["username"], "dave");

    // A taken email or username is refused, in any letter case.
    for (username, email, message) in [
        ("erin", "CAROL@example.org", "Email already exists"),
        ("Carol", "carol2@example.org", "Username already exists"),
    ] {
        let (status, body) = app
            .rest(
                Method::POST,
                "/api/auth/register",
                None,
                Some(json!({ "username": username, "email": email, "password": "erin-pass" })),
            )
            .await;
        assert_eq!(
            (status, body),
            (
                StatusCode::CONFLICT,
                json!({ "error": "CONFLICT", "message": message })
            )
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn it_should_bootstrap_the_first_administrator_only_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let app = app.restart().await;
    let data = app
        .gql_ok(Some(&admin), "{ users { totalCount } }", json!({}))
        .await;
    assert_eq!(data["users"]["totalCount"], 1, "no second administrator");
    app.stop().await;
}

#[tokio::test]
async fn it_should_generate_the_first_password_when_none_is_configured() {
    use roster_api::auth::RequestContext;
    use roster_api::config::{Config, StoreLocation};
    use roster_api::secrets::PasswordHasher;
    use roster_api::service::bootstrap::Bootstrapped;

    let config = Config::defaults(StoreLocation::Memory);
    let hasher = PasswordHasher::insecure_fast_for_tests().unwrap();
    let (server, bootstrapped) = roster_api::server::start(config, hasher).await.unwrap();
    let Bootstrapped::Created {
        username,
        generated_password: Some(password),
    } = bootstrapped
    else {
        panic!("expected a generated password, got {bootstrapped:?}");
    };
    assert_eq!(username, "admin");
    assert!(password.expose().len() >= 20);
    assert!(!format!("{password:?}").contains(password.expose()));
    let logged_in = roster_api::service::auth::login(
        server.state(),
        &RequestContext::anonymous(),
        "admin",
        password.expose(),
        false,
    )
    .await
    .unwrap()
    .logged_in()
    .expect("no second factor yet");
    assert!(logged_in.user.user.is_admin);
}

#[tokio::test]
async fn it_should_never_write_a_password_a_token_or_an_api_key_into_the_log() {
    use roster_domain::store::{EventStore, Position};

    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "sam", "sam-secret-pass").await;
    let sam = app.login("sam", "sam-secret-pass").await;
    app.gql_ok(
        Some(&sam),
        "mutation { createApiKey(input: { provider: \"openai\", key: \"sk-sam-plaintext-7777\" }) { id } }",
        json!({}),
    )
    .await;
    let (dir, config) = app.stop().await;
    let roster_api::config::StoreLocation::Sqlite(path) = &config.store else {
        panic!("SQLite store expected");
    };
    let store = roster_store::SqliteStore::open(path).unwrap();
    let log = store.read_all(Position::START, usize::MAX).await.unwrap();
    assert!(log.len() > 5);
    for recorded in &log {
        for secret in [
            "sam-secret-pass",
            ADMIN_PASSWORD,
            sam.as_str(),
            admin.as_str(),
            "sk-sam-plaintext",
        ] {
            assert!(
                !recorded.data.contains(secret),
                "{} holds a secret",
                recorded.event_type
            );
        }
    }
    drop(store);
    drop(dir);
}
