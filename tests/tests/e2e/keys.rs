//! Model-service API keys: sealed storage, effective key resolution, the key service.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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
    let admin_id = app.gql_ok(Some(&admin), "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
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
async fn it_should_refuse_key_storage_without_a_secret_key_and_the_service_without_a_token() {
    let app = spawn_app_with(|config| {
        config.secret_key = None;
        config.service_token = None;
    })
    .await;
    let admin = app.admin_token().await;
    let refused = app
        .gql(
            Some(&admin),
            "mutation { createApiKey(input: { provider: \"openai\", key: \"sk-1234\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), "UNAVAILABLE");
    assert!(error_message(&refused).contains("ROSTER_SECRET_KEY"));
    let (status, _) = resolve(&app, Some(SERVICE_TOKEN), "x", "openai").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    app.stop().await;
}

#[tokio::test]
async fn it_should_keep_stored_keys_readable_across_a_restart() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.gql_ok(Some(&admin), "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
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
