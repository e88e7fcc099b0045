//! Editing an account, over REST and GraphQL: every change of an edit applies, or none does.
//! A refused edit leaves the account exactly as it was and writes nothing to the log (the
//! log's head, as `/readyz` reports it, does not move).

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The log's last position.
async fn head(app: &TestApp) -> Value {
    app.rest(Method::GET, "/readyz", None, None).await.1["head"].clone()
}

/// Sends a refused edit and checks that the account (as read from `read`) and the log are
/// exactly as before.
async fn assert_refused_unchanged(
    app: &TestApp,
    token: &str,
    (method, path, body): (Method, &str, Value),
    read: &str,
    expected: (StatusCode, &str),
) {
    let before = app.rest(Method::GET, read, Some(token), None).await;
    let head_before = head(app).await;
    let (status, refusal) = app.rest(method, path, Some(token), Some(body)).await;
    assert_eq!(
        (status, refusal["message"].as_str()),
        (expected.0, Some(expected.1))
    );
    assert_eq!(app.rest(Method::GET, read, Some(token), None).await, before);
    assert_eq!(head(app).await, head_before, "nothing appended");
}

#[tokio::test]
async fn it_should_change_nothing_when_the_current_password_is_wrong() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "vera", "vera-pass").await;
    let vera = app.login("vera", "vera-pass").await;
    let edit = json!({
        "displayName": "Vera V.",
        "email": "vera@new.example.org",
        "currentPassword": "not-vera-pass",
        "newPassword": "vera-pass-2",
    });
    assert_refused_unchanged(
        &app,
        &vera,
        (Method::PUT, "/api/user/profile", edit),
        "/api/user/profile",
        (StatusCode::BAD_REQUEST, "Current password is incorrect"),
    )
    .await;
    assert!(!app.login("vera", "vera-pass").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn it_should_change_nothing_when_an_edit_would_demote_the_last_administrator() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let path = format!("/api/admin/users/{admin_id}");
    assert_refused_unchanged(
        &app,
        &admin,
        (
            Method::PUT,
            &path,
            json!({ "displayName": "Renamed", "isAdmin": false, "password": "new-password" }),
        ),
        &path,
        (
            StatusCode::CONFLICT,
            "Cannot remove the last active administrator",
        ),
    )
    .await;
    let before = app.rest(Method::GET, &path, Some(&admin), None).await;
    let refused = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { updateUser(id: $id, input: { displayName: \"Renamed\", isAdmin: false }) { id } }",
            json!({ "id": admin_id }),
        )
        .await;
    assert_eq!(error_code(&refused), "CONFLICT");
    assert_eq!(
        app.rest(Method::GET, &path, Some(&admin), None).await,
        before
    );
    assert!(
        !app.admin_token().await.is_empty(),
        "password unchanged too"
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_change_nothing_when_one_value_is_invalid() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "walt", "walt-pass").await;
    let walt = app.login("walt", "walt-pass").await;
    let path = format!("/api/admin/users/{id}");
    let edit = json!({ "displayName": "Walter", "email": "not-an-email" });
    let message = "Email address is not valid";
    assert_refused_unchanged(
        &app,
        &admin,
        (Method::PUT, &path, edit.clone()),
        &path,
        (StatusCode::BAD_REQUEST, message),
    )
    .await;
    assert_refused_unchanged(
        &app,
        &walt,
        (Method::PUT, "/api/user/profile", edit),
        "/api/user/profile",
        (StatusCode::BAD_REQUEST, message),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn it_should_apply_every_change_of_a_graphql_edit() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "xena", "xena-pass").await;
    let xena = app.login("xena", "xena-pass").await;
    let data = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { updateUser(id: $id, input: { displayName: \"Xena X.\", email: \"xena@new.example.org\", isAdmin: true, password: \"xena-pass-2\" }) { displayName email isAdmin } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["updateUser"],
        json!({ "displayName": "Xena X.", "email": "xena@new.example.org", "isAdmin": true })
    );
    assert!(!app.login("xena", "xena-pass-2").await.is_empty());
    assert_eq!(
        app.me(&xena).await.as_deref(),
        Some("xena"),
        "sessions remain valid"
    );

    // Null fields keep their values; a null password keeps the current one.
    let data = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { updateUser(id: $id, input: { email: \"\", password: null }) { displayName email isAdmin } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["updateUser"],
        json!({ "displayName": "Xena X.", "email": null, "isAdmin": true })
    );
    assert!(!app.login("xena", "xena-pass-2").await.is_empty());

    let data = app
        .gql_ok(
            Some(&xena),
            "mutation { updateMyProfile(displayName: \"Xena\", email: \"xena@example.org\") { displayName email isAdmin } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["updateMyProfile"],
        json!({ "displayName": "Xena", "email": "xena@example.org", "isAdmin": true })
    );
    let taken = app
        .gql(
            Some(&admin),
            "mutation { updateMyProfile(email: \"XENA@example.org\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&taken), "CONFLICT");
    assert_eq!(error_message(&taken), "Email already exists");
    app.stop().await;
}
