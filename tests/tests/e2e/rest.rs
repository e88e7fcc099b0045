//! Every REST route, with FOVEA's shapes.
//!
//! One file for the whole REST surface on purpose: it is the checklist of FOVEA's routes and
//! shapes, read top to bottom.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn keys_of(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn it_should_serve_the_auth_routes() {
    let app = spawn_app().await;
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "username": ADMIN, "password": ADMIN_PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys_of(&body["user"]),
        ["displayName", "email", "id", "isAdmin", "username"]
    );
    assert_eq!(body["user"]["isAdmin"], true);
    let token = body["token"].as_str().unwrap().to_owned();

    let (status, body) = app
        .rest(Method::GET, "/api/auth/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["username"], ADMIN);

    let (status, body) = app.rest(Method::GET, "/api/auth/me", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({ "error": "UNAUTHORIZED", "message": "Authentication required" })
    );

    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/register",
            None,
            Some(json!({ "username": "newbie", "password": "newbie-pass" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Registration is disabled");

    let (status, body) = app
        .rest(Method::POST, "/api/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "success": true }));
    let (status, _) = app
        .rest(Method::GET, "/api/auth/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "username": ADMIN })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "VALIDATION");
    app.stop().await;
}

#[tokio::test]
async fn it_should_serve_the_admin_user_routes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let (status, created) = app
        .rest(
            Method::POST,
            "/api/admin/users",
            Some(&admin),
            Some(json!({
                "username": "henry",
                "password": "henry-pass",
                "displayName": "Henry",
                "email": "henry@example.org",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        keys_of(&created),
        [
            "_count",
            "createdAt",
            "disabled",
            "displayName",
            "email",
            "id",
            "isAdmin",
            "mustChangePassword",
            "totpEnabled",
            "updatedAt",
            "username",
            "version"
        ]
    );
    assert_eq!(
        created["_count"],
        json!({ "personas": 0, "sessions": 0, "apiKeys": 0 })
    );
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, body) = app
        .rest(
            Method::POST,
            "/api/admin/users",
            Some(&admin),
            Some(json!({ "username": "Henry", "password": "henry-pass" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        json!({ "error": "CONFLICT", "message": "Username already exists" })
    );
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/admin/users",
            Some(&admin),
            Some(json!({ "username": "henry2", "password": "henry-pass", "email": "HENRY@example.org" })),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::CONFLICT,
            json!({ "error": "CONFLICT", "message": "Email already exists" })
        ),
        "emails are unique too, in any letter case"
    );
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/admin/users",
            Some(&admin),
            Some(json!({ "username": "ab", "password": "henry-pass" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "VALIDATION");
    assert_eq!(
        body["message"],
        "Username must be between 3 and 50 characters"
    );

    let henry = app.login("henry", "henry-pass").await;
    let (status, list) = app
        .rest(Method::GET, "/api/admin/users", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list[0]["username"], "henry", "newest first");
    assert_eq!(list[1]["username"], ADMIN);
    assert_eq!(list[0]["_count"]["sessions"], 1);

    let (status, body) = app
        .rest(Method::GET, "/api/admin/users", Some(&henry), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({ "error": "FORBIDDEN", "message": "Admin access required" })
    );

    let path = format!("/api/admin/users/{id}");
    let (status, body) = app.rest(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["displayName"], "Henry");

    // No password means keep the current one.
    let (status, body) = app
        .rest(
            Method::PUT,
            &path,
            Some(&admin),
            Some(json!({ "displayName": "Henry H.", "isAdmin": true, "password": "" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["displayName"], "Henry H.");
    assert_eq!(body["isAdmin"], true);
    assert!(!app.login("henry", "henry-pass").await.is_empty());
    let (status, body) = app
        .rest(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({ "email": "", "password": "henry-pass-2" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["email"], Value::Null);
    assert!(!app.login("henry", "henry-pass-2").await.is_empty());
    assert_eq!(
        app.me(&henry).await.as_deref(),
        Some("henry"),
        "sessions remain valid"
    );

    let admin_id = app.my_id(&admin).await;
    let (status, body) = app
        .rest(
            Method::DELETE,
            &format!("/api/admin/users/{admin_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Cannot delete yourself");

    let (status, body) = app.rest(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "success": true }));
    let (status, body) = app.rest(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "NOT_FOUND");
    let (status, _) = app
        .rest(Method::GET, "/api/auth/me", Some(&henry), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn it_should_serve_the_session_routes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let ida = app.create_user(&admin, "ida", "ida-pass").await;
    let ida_old = app.login("ida", "ida-pass").await;
    let ida_new = app
        .request(Method::POST, "/api/auth/login", None)
        .header("user-agent", "RosterTest/1.0")
        .json(&json!({ "username": "ida", "password": "ida-pass" }))
        .send()
        .await
        .unwrap();
    let ida_new = json_of(ida_new).await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, mine) = app
        .rest(Method::GET, "/api/sessions", Some(&ida_new), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(
        keys_of(&mine[0]),
        [
            "createdAt",
            "expiresAt",
            "id",
            "ipAddress",
            "isCurrent",
            "lastSeenAt",
            "token",
            "userAgent"
        ]
    );
    assert_eq!(mine[0]["isCurrent"], true);
    assert_eq!(mine[0]["userAgent"], "RosterTest/1.0");
    assert_eq!(mine[0]["ipAddress"], "127.0.0.1");
    let masked = mine[0]["token"].as_str().unwrap();
    assert!(masked.starts_with("...") && masked.len() == 11, "{masked}");
    let old_id = mine[1]["id"].as_str().unwrap().to_owned();

    // Someone else's session cannot be revoked through the user route, even by an admin.
    let (status, body) = app
        .rest(
            Method::DELETE,
            &format!("/api/sessions/{old_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Cannot revoke another user's session");
    let (status, body) = app
        .rest(
            Method::DELETE,
            &format!("/api/sessions/{old_id}"),
            Some(&ida_new),
            None,
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    assert_eq!(app.me(&ida_old).await, None);

    let (status, all) = app
        .rest(Method::GET, "/api/admin/sessions", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (status, filtered) = app
        .rest(
            Method::GET,
            &format!("/api/admin/sessions?userId={ida}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let filtered = filtered.as_array().unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(
        filtered[0]["user"],
        json!({ "id": ida, "username": "ida", "displayName": "ida Example" })
    );
    let (status, _) = app
        .rest(Method::GET, "/api/admin/sessions", Some(&ida_new), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let session = filtered[0]["id"].as_str().unwrap();
    let (status, body) = app
        .rest(
            Method::DELETE,
            &format!("/api/admin/sessions/{session}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    assert_eq!(app.me(&ida_new).await, None);
    let (status, _) = app
        .rest(
            Method::DELETE,
            &format!("/api/admin/sessions/{session}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn it_should_serve_the_api_key_routes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let jack_id = app.create_user(&admin, "jack", "jack-pass").await;
    let jack = app.login("jack", "jack-pass").await;

    let (status, key) = app
        .rest(
            Method::POST,
            "/api/api-keys",
            Some(&jack),
            Some(
                json!({ "provider": "openai", "keyName": "Work", "apiKey": "sk-jack-secret-4321" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        keys_of(&key),
        [
            "createdAt",
            "id",
            "isActive",
            "keyMask",
            "keyName",
            "lastUsed",
            "provider",
            "updatedAt",
            "usageCount"
        ]
    );
    assert_eq!(key["keyMask"], "...4321");
    assert_eq!(key["usageCount"], 0);
    assert!(!key.to_string().contains("sk-jack-secret"));
    let id = key["id"].as_str().unwrap().to_owned();
    let path = format!("/api/api-keys/{id}");
    let (status, one) = app.rest(Method::GET, &path, Some(&jack), None).await;
    assert_eq!((status, &one), (StatusCode::OK, &key));
    let (status, body) = app.rest(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("NOT_FOUND")),
        "another user's key is not found"
    );

    // The model service's use shows as lastUsed and usageCount.
    let (status, _) = app
        .rest(
            Method::POST,
            "/api/service/resolve-key",
            Some(SERVICE_TOKEN),
            Some(json!({ "userId": jack_id, "provider": "openai" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, used) = app.rest(Method::GET, &path, Some(&jack), None).await;
    assert_eq!(used["usageCount"], 1);
    let last_used: chrono::DateTime<chrono::Utc> =
        used["lastUsed"].as_str().unwrap().parse().unwrap();
    assert!(last_used <= chrono::Utc::now());

    let (status, body) = app
        .rest(
            Method::POST,
            "/api/api-keys",
            Some(&jack),
            Some(json!({ "provider": "OpenAI", "keyName": "Again", "apiKey": "sk-other" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["message"], "API key for this provider already exists");

    let (status, list) = app
        .rest(Method::GET, "/api/api-keys", Some(&jack), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, _) = app
        .rest(Method::GET, "/api/api-keys", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, list) = app
        .rest(Method::GET, "/api/api-keys", Some(&admin), None)
        .await;
    assert_eq!(
        (status, list),
        (StatusCode::OK, json!([])),
        "keys are per user"
    );

    let (status, updated) = app
        .rest(
            Method::PUT,
            &format!("/api/api-keys/{id}"),
            Some(&jack),
            Some(json!({ "keyName": "Rotated", "apiKey": "sk-jack-new-8765" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["keyName"], "Rotated");
    assert_eq!(updated["keyMask"], "...8765");
    let (status, _) = app
        .rest(
            Method::DELETE,
            &format!("/api/api-keys/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another user's key is not found"
    );
    let (status, body) = app
        .rest(
            Method::DELETE,
            &format!("/api/api-keys/{id}"),
            Some(&jack),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["success"], true);

    // System keys: administrators only.
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/admin/api-keys",
            Some(&jack),
            Some(json!({ "provider": "openai", "keyName": "System", "apiKey": "sk-sys-1111" })),
        )
        .await;
    assert_eq!(
        (status, body["message"].clone()),
        (StatusCode::FORBIDDEN, json!("Admin access required"))
    );
    let (status, key) = app
        .rest(
            Method::POST,
            "/api/admin/api-keys",
            Some(&admin),
            Some(json!({ "provider": "openai", "keyName": "System", "apiKey": "sk-sys-1111" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(key["keyMask"], "...1111");
    let (status, list) = app
        .rest(Method::GET, "/api/admin/api-keys", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let system_path = format!("/api/admin/api-keys/{}", key["id"].as_str().unwrap());
    let rotation = json!({ "keyName": "System 2", "apiKey": "sk-sys-2222" });
    let (status, _) = app
        .rest(
            Method::PUT,
            &system_path,
            Some(&jack),
            Some(rotation.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, updated) = app
        .rest(Method::PUT, &system_path, Some(&admin), Some(rotation))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (updated["keyName"].as_str(), updated["keyMask"].as_str()),
        (Some("System 2"), Some("...2222"))
    );
    let (status, _) = app
        .rest(Method::DELETE, &system_path, Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app
        .rest(Method::GET, "/api/admin/api-keys", Some(&admin), None)
        .await;
    assert_eq!(list, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn it_should_serve_the_profile_routes_without_ever_touching_the_admin_flag() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "kate", "kate-pass").await;
    let kate = app.login("kate", "kate-pass").await;
    let other = app.login("kate", "kate-pass").await;

    let (status, profile) = app
        .rest(Method::GET, "/api/user/profile", Some(&kate), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys_of(&profile),
        [
            "createdAt",
            "displayName",
            "email",
            "id",
            "isAdmin",
            "mustChangePassword",
            "totpEnabled",
            "updatedAt",
            "username"
        ]
    );
    let (status, profile) = app
        .rest(
            Method::PUT,
            "/api/user/profile",
            Some(&kate),
            Some(json!({ "displayName": "Kate K.", "email": "kate@new.example.org", "isAdmin": true })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["displayName"], "Kate K.");
    assert_eq!(profile["email"], "kate@new.example.org");
    assert_eq!(profile["isAdmin"], false);

    let (status, body) = app
        .rest(
            Method::PUT,
            "/api/user/profile",
            Some(&kate),
            Some(json!({ "newPassword": "kate-pass-2" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "VALIDATION");
    let (status, body) = app
        .rest(
            Method::PUT,
            "/api/user/profile",
            Some(&kate),
            Some(json!({ "currentPassword": "wrong-pass", "newPassword": "kate-pass-2" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Current password is incorrect");
    let (status, _) = app
        .rest(
            Method::PUT,
            "/api/user/profile",
            Some(&kate),
            Some(json!({ "currentPassword": "kate-pass", "newPassword": "kate-pass-2" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.me(&kate).await.as_deref(), Some("kate"));
    assert_eq!(app.me(&other).await, None, "other sessions end");
    let (status, _) = app.rest(Method::GET, "/api/user/profile", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn it_should_answer_unknown_routes_with_the_error_shape() {
    let app = spawn_app().await;
    let (status, body) = app.rest(Method::GET, "/api/nothing-here", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "NOT_FOUND");
    app.stop().await;
}

#[tokio::test]
async fn it_should_answer_a_wrong_method_with_405_in_the_error_shape() {
    let app = spawn_app().await;
    for (method, path, allowed) in [
        (Method::DELETE, "/api/auth/login", "POST"),
        (Method::PATCH, "/api/admin/api-keys/x", "PUT"),
        (Method::PUT, "/graphql", "POST"),
    ] {
        let response = app
            .request(method.clone(), path, None)
            .send()
            .await
            .unwrap();
        let allow = response.headers()["allow"].to_str().unwrap().to_owned();
        assert!(allow.contains(allowed), "{method} {path}: Allow: {allow}");
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(
            body,
            json!({ "error": "METHOD_NOT_ALLOWED", "message": "Method not allowed" })
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn it_should_disable_enable_and_reset_through_the_admin_user_routes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "parity", "parity-pass").await;
    let before = app.login("parity", "parity-pass").await;
    let path = |action: &str| format!("/api/admin/users/{id}/{action}");

    let (status, body) = app
        .rest(Method::POST, &path("disable"), Some(&admin), None)
        .await;
    assert_eq!(
        (status, body["disabled"].clone()),
        (StatusCode::OK, json!(true))
    );
    assert_eq!(
        app.me(&before).await,
        None,
        "a disabled user's session stops"
    );
    let (status, body) = app
        .rest(Method::POST, &path("enable"), Some(&admin), None)
        .await;
    assert_eq!(
        (status, body["disabled"].clone()),
        (StatusCode::OK, json!(false))
    );

    let during = app.login("parity", "parity-pass").await;
    let (status, body) = app
        .rest(
            Method::POST,
            &path("reset-password"),
            Some(&admin),
            Some(json!({ "password": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(app.me(&during).await.as_deref(), Some("parity"));
    let (status, body) = app
        .rest(
            Method::POST,
            &path("reset-password"),
            Some(&admin),
            Some(
                json!({ "password": "parity-new", "revokeSessions": true, "requireChange": true }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["mustChangePassword"], true);
    assert_eq!(app.me(&during).await, None, "sessions ended with the reset");
    app.login("parity", "parity-new").await;
    app.stop().await;
}
