//! Model-service API keys: sealed storage, the vault key (configured, or the key file beside
//! the database), effective key resolution, the key service.

use crate::support::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use roster_api::config::{Config, StoreLocation};
use roster_api::secrets::PasswordHasher;
use roster_domain::store::{EventStore, Position};
use serde_json::{Value, json};
use std::path::PathBuf;

async fn resolve(
    app: &TestApp,
    token: Option<&str>,
    user: &str,
    provider: &str,
) -> (StatusCode, Value) {
    app.rest(
        Method::POST,
        "/api/service/resolve-key",
        token,
        Some(json!({ "userId": user, "provider": provider })),
    )
    .await
}

#[tokio::test]
async fn it_should_resolve_the_users_key_then_the_systems_then_the_environments() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let lena = app.create_user(&admin, "lena", "lena-pass").await;
    let token = app.login("lena", "lena-pass").await;

    // Only the environment has an openai key.
    let (status, body) = resolve(&app, Some(SERVICE_TOKEN), &lena, "openai").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "apiKey": "sk-env-0000", "keyId": "env", "source": "env" })
    );

    let system = app
        .gql_ok(
            Some(&admin),
            "mutation { createSystemApiKey(input: { provider: \"openai\", name: \"Team\", key: \"sk-system-2222\" }) { id last4 } }",
            json!({}),
        )
        .await;
    assert_eq!(system["createSystemApiKey"]["last4"], "2222");
    let (_, body) = resolve(&app, Some(SERVICE_TOKEN), &lena, "openai").await;
    assert_eq!(body["apiKey"], "sk-system-2222");
    assert_eq!(body["source"], "system");

    let own = app
        .gql_ok(
            Some(&token),
            "mutation { createApiKey(input: { provider: \"openai\", key: \"sk-lena-3333\" }) { id name last4 } }",
            json!({}),
        )
        .await;
    assert_eq!(own["createApiKey"]["name"], "openai");
    let (_, body) = resolve(&app, Some(SERVICE_TOKEN), &lena, "openai").await;
    assert_eq!(body["apiKey"], "sk-lena-3333");
    assert_eq!(body["source"], "user");
    assert_eq!(body["keyId"], own["createApiKey"]["id"]);

    // The user sees which source applies, never a key.
    let effective = app
        .gql_ok(
            Some(&token),
            "{ effectiveApiKeys { provider source last4 } myApiKeys { provider last4 usageCount lastUsedAt } }",
            json!({}),
        )
        .await;
    assert_eq!(
        effective["effectiveApiKeys"],
        json!([{ "provider": "openai", "source": "USER", "last4": "3333" }])
    );
    assert_eq!(effective["myApiKeys"][0]["usageCount"], 1);
    assert!(effective["myApiKeys"][0]["lastUsedAt"].is_string());
    assert!(!effective.to_string().contains("sk-lena"));

    // A non-admin cannot see or create system keys.
    let refused = app
        .gql(Some(&token), "{ systemApiKeys { id } }", json!({}))
        .await;
    assert_eq!(error_message(&refused), "Admin access required");

    // Without a key anywhere: 404.
    let (status, body) = resolve(&app, Some(SERVICE_TOKEN), &lena, "mistral").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "No API key found for provider mistral");

    // Deleting the user takes their keys: the system key applies to nobody deleted.
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { deleteUser(id: $id) }",
        json!({ "id": lena }),
    )
    .await;
    let (status, _) = resolve(&app, Some(SERVICE_TOKEN), &lena, "openai").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn it_should_give_plaintext_keys_only_to_the_model_service() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let (status, body) = resolve(&app, None, &admin_id, "openai").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "UNAUTHORIZED");
    let (status, _) = resolve(&app, Some("wrong-token"), &admin_id, "openai").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = resolve(&app, Some(&admin), &admin_id, "openai").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a session token is not the service token"
    );
    let (status, _) = app
        .rest(
            Method::POST,
            "/api/service/resolve-key",
            None,
            Some(json!({ "userId": admin_id, "provider": "openai" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = app
        .request(
            Method::POST,
            "/api/service/resolve-key",
            Some(SERVICE_TOKEN),
        )
        .header("origin", "http://evil.example")
        .json(&json!({ "userId": admin_id, "provider": "openai" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "never to a browser"
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_the_key_service_without_a_service_token() {
    let app = spawn_app_with(|config| config.service_token = None).await;
    let (status, body) = resolve(&app, Some(SERVICE_TOKEN), "x", "openai").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("ROSTER_SERVICE_TOKEN")
    );
    app.stop().await;
}

fn key_file_of(config: &Config) -> PathBuf {
    let StoreLocation::Sqlite(database) = &config.store else {
        panic!("SQLite store expected");
    };
    database.parent().unwrap().join("secret.key")
}

#[tokio::test]
async fn it_should_store_keys_with_no_secret_key_set_in_a_private_key_file_beside_the_database() {
    let app = spawn_app_with(|config| config.secret_key = None).await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    app.gql_ok(
        Some(&admin),
        "mutation { createApiKey(input: { provider: \"openai\", key: \"sk-no-setup-4242\" }) { id } }",
        json!({}),
    )
    .await;
    let key_file = key_file_of(&app.config);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only: {mode:o}");
    }
    let vault_key = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(vault_key.len(), 64, "32 bytes in hex");

    // A restart reads the same key: the stored key still opens.
    let app = app.restart().await;
    let (status, body) = resolve(&app, Some(SERVICE_TOKEN), &admin_id, "openai").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["apiKey"], "sk-no-setup-4242");
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap().trim(),
        vault_key,
        "not replaced"
    );

    // The key is nowhere in the log, in hex or in base64.
    let (dir, config) = app.stop().await;
    let StoreLocation::Sqlite(database) = &config.store else {
        unreachable!()
    };
    let store = roster_store::SqliteStore::open(database).unwrap();
    let log = store.read_all(Position::START, usize::MAX).await.unwrap();
    let base64 = STANDARD.encode(hex::decode(&vault_key).unwrap());
    for recorded in &log {
        let text = format!("{} {:?}", recorded.data, recorded.metadata);
        for form in [&vault_key, &vault_key.to_uppercase(), &base64] {
            assert!(
                !text.contains(form.as_str()),
                "{} holds the key",
                recorded.event_type
            );
        }
    }
    drop(store);
    drop(dir);
}

#[tokio::test]
async fn it_should_prefer_the_configured_secret_key_and_write_no_key_file() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.gql_ok(
        Some(&admin),
        "mutation { createApiKey(input: { provider: \"openai\", key: \"sk-configured-1111\" }) { id } }",
        json!({}),
    )
    .await;
    assert!(!key_file_of(&app.config).exists());
    app.stop().await;
}

#[tokio::test]
async fn it_should_store_keys_on_the_memory_store_with_an_ephemeral_key() {
    let app = spawn_app_with(|config| {
        config.store = StoreLocation::Memory;
        config.secret_key = None;
    })
    .await;
    let admin = app.admin_token().await;
    let data = app
        .gql_ok(
            Some(&admin),
            "mutation { createApiKey(input: { provider: \"openai\", key: \"sk-memory-2222\" }) { last4 } }",
            json!({}),
        )
        .await;
    assert_eq!(data["createApiKey"]["last4"], "2222");
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_to_start_when_the_key_file_is_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    config.secret_key = None;
    let key_file = key_file_of(&config);
    std::fs::create_dir_all(key_file.parent().unwrap()).unwrap();
    std::fs::write(&key_file, "half a key").unwrap();
    let hasher = PasswordHasher::insecure_fast_for_tests().unwrap();
    let Err(error) = roster_api::server::start(config, hasher).await else {
        panic!("started with a malformed key file");
    };
    let message = error.to_string();
    assert!(
        message.contains("secret.key") && message.contains("malformed"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        "half a key",
        "never replaced"
    );
}

#[tokio::test]
async fn it_should_keep_stored_keys_readable_across_a_restart() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    app.gql_ok(
        Some(&admin),
        "mutation { createApiKey(input: { provider: \"anthropic\", key: \"sk-ant-5555\" }) { id } }",
        json!({}),
    )
    .await;
    let app = app.restart().await;
    let (status, body) = resolve(&app, Some(SERVICE_TOKEN), &admin_id, "anthropic").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["apiKey"], "sk-ant-5555");
    app.stop().await;
}

#[tokio::test]
async fn it_should_update_and_delete_own_and_system_keys_over_graphql() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let uma_id = app.create_user(&admin, "uma", "uma-pass").await;
    let uma = app.login("uma", "uma-pass").await;
    let created = app
        .gql_ok(
            Some(&uma),
            "mutation { createApiKey(input: { provider: \"openai\", key: \"sk-uma-1111\" }) { id } }",
            json!({}),
        )
        .await;
    let own = created["createApiKey"]["id"].as_str().unwrap().to_owned();
    const UPDATE_OWN: &str = "mutation($id: ID!) { updateApiKey(id: $id, name: \"Rotated\", key: \"sk-uma-2222\") { id name last4 } }";
    let not_yours = app
        .gql(Some(&admin), UPDATE_OWN, json!({ "id": own }))
        .await;
    assert_eq!(error_code(&not_yours), "NOT_FOUND");
    let updated = app
        .gql_ok(Some(&uma), UPDATE_OWN, json!({ "id": own }))
        .await;
    assert_eq!(
        updated["updateApiKey"],
        json!({ "id": own, "name": "Rotated", "last4": "2222" })
    );
    let (_, body) = resolve(&app, Some(SERVICE_TOKEN), &uma_id, "openai").await;
    assert_eq!(body["apiKey"], "sk-uma-2222");
    let deleted = app
        .gql_ok(
            Some(&uma),
            "mutation($id: ID!) { deleteApiKey(id: $id) }",
            json!({ "id": own }),
        )
        .await;
    assert_eq!(deleted["deleteApiKey"], true);
    let left = app
        .gql_ok(Some(&uma), "{ myApiKeys { id } }", json!({}))
        .await;
    assert_eq!(left["myApiKeys"], json!([]));

    let created = app
        .gql_ok(
            Some(&admin),
            "mutation { createSystemApiKey(input: { provider: \"openai\", name: \"Team\", key: \"sk-sys-3333\" }) { id } }",
            json!({}),
        )
        .await;
    let system = created["createSystemApiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const UPDATE_SYSTEM: &str = "mutation($id: ID!) { updateSystemApiKey(id: $id, name: \"Team 2\", key: \"sk-sys-4444\") { name last4 } }";
    let refused = app
        .gql(Some(&uma), UPDATE_SYSTEM, json!({ "id": system }))
        .await;
    assert_eq!(error_message(&refused), "Admin access required");
    let updated = app
        .gql_ok(Some(&admin), UPDATE_SYSTEM, json!({ "id": system }))
        .await;
    assert_eq!(
        updated["updateSystemApiKey"],
        json!({ "name": "Team 2", "last4": "4444" })
    );
    let (_, body) = resolve(&app, Some(SERVICE_TOKEN), &uma_id, "openai").await;
    assert_eq!(
        (body["apiKey"].clone(), body["source"].clone()),
        (json!("sk-sys-4444"), json!("system"))
    );
    let deleted = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { deleteSystemApiKey(id: $id) }",
            json!({ "id": system }),
        )
        .await;
    assert_eq!(deleted["deleteSystemApiKey"], true);
    let left = app
        .gql_ok(Some(&admin), "{ systemApiKeys { id } }", json!({}))
        .await;
    assert_eq!(left["systemApiKeys"], json!([]));
    app.stop().await;
}
