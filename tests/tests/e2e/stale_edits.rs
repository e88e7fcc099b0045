//! Stale-edit protection, through both doors: a user's `version` (the revision of the
//! account's event stream), `expectedVersion` on every administrator's change to an account
//! in GraphQL, `ETag` and `If-Match` in REST. An edit resting on a version someone else's
//! change replaced is refused with the account as it is now, and changes nothing.

use crate::support::*;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const STALE: &str = "The account was changed by someone else; reload and try again";

const READ: &str =
    "query($id: ID!) { user(id: $id) { displayName email isAdmin disabled version } }";

const UPDATE: &str = "mutation($id: ID!, $input: UpdateUserInput!, $v: Int) {
    updateUser(id: $id, input: $input, expectedVersion: $v) { displayName version } }";

/// The user as GraphQL shows it to `token`.
async fn read(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql_ok(Some(token), READ, json!({ "id": id })).await["user"].clone()
}

/// A second administrator, logged in.
async fn second_admin(app: &TestApp, admin: &str) -> String {
    let id = app.create_user(admin, "ada", "ada-pass").await;
    app.gql_ok(
        Some(admin),
        "mutation($id: ID!) { grantAdmin(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    app.login("ada", "ada-pass").await
}

/// `extensions` of a GraphQL response's first error.
fn extensions(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]
}

#[tokio::test]
async fn it_should_refuse_the_second_of_two_admins_editing_from_the_same_version() {
    let app = spawn_app().await;
    let first = app.admin_token().await;
    let second = second_admin(&app, &first).await;
    let vera = app.create_user(&first, "vera", "vera-pass").await;

    // Both open Vera's record: the same version.
    let seen_by_first = read(&app, &first, &vera).await;
    let seen_by_second = read(&app, &second, &vera).await;
    assert_eq!(seen_by_first, seen_by_second);
    let version = seen_by_first["version"].as_i64().unwrap();
    assert_eq!(version, 0, "a new account is at version 0");

    let saved = app
        .gql_ok(
            Some(&first),
            UPDATE,
            json!({ "id": vera, "input": { "displayName": "Vera First" }, "v": version }),
        )
        .await;
    assert_eq!(
        saved["updateUser"],
        json!({ "displayName": "Vera First", "version": version + 1 })
    );

    let refused = app
        .gql(
            Some(&second),
            UPDATE,
            json!({
                "id": vera,
                "input": { "displayName": "Vera Second", "email": "second@example.org" },
                "v": version,
            }),
        )
        .await;
    assert_eq!(error_code(&refused), "CONFLICT");
    assert_eq!(error_message(&refused), STALE);
    let current = json!({
        "displayName": "Vera First",
        "email": "vera@example.org",
        "isAdmin": false,
        "disabled": false,
        "version": version + 1,
    });
    assert_eq!(extensions(&refused)["currentVersion"], version + 1);
    assert_eq!(extensions(&refused)["current"], current);
    assert_eq!(
        read(&app, &second, &vera).await,
        current,
        "the first's change stands"
    );

    // Reloaded, the second administrator's edit goes through.
    let saved = app
        .gql_ok(
            Some(&second),
            UPDATE,
            json!({ "id": vera, "input": { "displayName": "Vera Second" }, "v": version + 1 }),
        )
        .await;
    assert_eq!(saved["updateUser"]["version"], version + 2);
    app.stop().await;
}

#[tokio::test]
async fn it_should_guard_every_admin_change_to_an_account_with_its_version() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "walt", "walt-pass").await;
    let changes = [
        "grantAdmin(id: $id, expectedVersion: $v) { version }",
        "revokeAdmin(id: $id, expectedVersion: $v) { version }",
        "resetPassword(id: $id, password: \"walt-pass-2\", expectedVersion: $v) { version }",
        "disableUser(id: $id, expectedVersion: $v) { version }",
        "enableUser(id: $id, expectedVersion: $v) { version }",
        "updateUser(id: $id, input: { displayName: \"Walt W.\" }, expectedVersion: $v) { version }",
    ];
    for (n, change) in changes.into_iter().enumerate() {
        let mutation = format!("mutation($id: ID!, $v: Int) {{ {change} }}");
        let version = n as i64;
        let before = read(&app, &admin, &id).await;
        assert_eq!(before["version"], version);
        // An older version, or (for the first change) one the account has not reached.
        let stale_version = if version > 0 {
            version - 1
        } else {
            version + 1
        };

        let stale = app
            .gql(
                Some(&admin),
                &mutation,
                json!({ "id": id, "v": stale_version }),
            )
            .await;
        assert_eq!(error_code(&stale), "CONFLICT", "{change}: {stale}");
        assert_eq!(extensions(&stale)["current"], before, "{change}");
        assert_eq!(
            read(&app, &admin, &id).await,
            before,
            "{change} changed nothing"
        );

        let data = app
            .gql_ok(Some(&admin), &mutation, json!({ "id": id, "v": version }))
            .await;
        let answered = data.as_object().unwrap().values().next().unwrap();
        assert_eq!(answered["version"], version + 1, "{change}");
    }

    let delete = "mutation($id: ID!, $v: Int) { deleteUser(id: $id, expectedVersion: $v) }";
    let stale = app
        .gql(Some(&admin), delete, json!({ "id": id, "v": 2 }))
        .await;
    assert_eq!(error_code(&stale), "CONFLICT");
    assert_eq!(read(&app, &admin, &id).await["version"], 6, "still there");
    let deleted = app
        .gql_ok(Some(&admin), delete, json!({ "id": id, "v": 6 }))
        .await;
    assert_eq!(deleted["deleteUser"], true);
    app.stop().await;
}

#[tokio::test]
async fn it_should_change_nothing_about_a_change_sent_without_a_version() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "nora", "nora-pass").await;
    for name in ["Nora One", "Nora Two"] {
        let data = app
            .gql_ok(
                Some(&admin),
                UPDATE,
                json!({ "id": id, "input": { "displayName": name } }),
            )
            .await;
        assert_eq!(data["updateUser"]["displayName"], name);
    }
    assert_eq!(read(&app, &admin, &id).await["version"], 2);
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_a_negative_expected_version_as_invalid() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "nell", "nell-pass").await;
    let body = app
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "id": id, "input": { "displayName": "Nell N." }, "v": -1 }),
        )
        .await;
    assert_eq!(error_code(&body), "VALIDATION");
    assert_eq!(read(&app, &admin, &id).await["version"], 0);
    app.stop().await;
}

#[tokio::test]
async fn it_should_let_exactly_one_of_twenty_concurrent_updates_from_one_version_land() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "rita", "rita-pass").await;
    let version = read(&app, &admin, &id).await["version"].as_i64().unwrap();

    let updates = (0..20).map(|n| {
        let variables =
            json!({ "id": id, "input": { "displayName": format!("Rita {n}") }, "v": version });
        let (app, admin) = (&app, &admin);
        async move { app.gql(Some(admin), UPDATE, variables).await }
    });
    let answers = join_all(updates).await;

    let landed: Vec<&Value> = answers
        .iter()
        .filter(|a| a.get("errors").is_none())
        .collect();
    assert_eq!(landed.len(), 1, "exactly one lands: {answers:?}");
    let winner = &landed[0]["data"]["updateUser"];
    assert_eq!(winner["version"], version + 1);
    for refused in answers.iter().filter(|a| a.get("errors").is_some()) {
        assert_eq!(error_code(refused), "CONFLICT", "{refused}");
        assert_eq!(extensions(refused)["currentVersion"], version + 1);
        assert_eq!(
            extensions(refused)["current"]["displayName"],
            winner["displayName"]
        );
    }
    let now = read(&app, &admin, &id).await;
    assert_eq!(now["displayName"], winner["displayName"]);
    assert_eq!(now["version"], version + 1);
    app.stop().await;
}

/// A REST call with an optional `If-Match`: status, `ETag` and JSON body.
async fn rest_if_match(
    app: &TestApp,
    (method, path): (Method, &str),
    token: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = app.request(method, path, Some(token));
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let etag = response
        .headers()
        .get("etag")
        .map(|tag| tag.to_str().unwrap().to_owned());
    let (status, body) = json_of(response).await;
    (status, etag, body)
}

#[tokio::test]
async fn it_should_tag_a_user_with_its_version_and_honour_if_match_over_rest() {
    let app = spawn_app().await;
    let first = app.admin_token().await;
    let second = second_admin(&app, &first).await;
    let id = app.create_user(&first, "rosa", "rosa-pass").await;
    let path = format!("/api/admin/users/{id}");
    let get = || (Method::GET, path.as_str());

    let (status, etag, seen) = rest_if_match(&app, get(), &second, None, None).await;
    assert_eq!((status, etag.as_deref()), (StatusCode::OK, Some("\"0\"")));
    assert_eq!(seen["version"], 0);

    let (status, etag, saved) = rest_if_match(
        &app,
        (Method::PUT, &path),
        &first,
        Some("\"0\""),
        Some(json!({ "displayName": "Rosa First" })),
    )
    .await;
    assert_eq!((status, etag.as_deref()), (StatusCode::OK, Some("\"1\"")));
    assert_eq!(saved["displayName"], "Rosa First");

    // The second administrator saves the form they loaded at version 0.
    let (status, _, refused) = rest_if_match(
        &app,
        (Method::PATCH, &path),
        &second,
        Some("\"0\""),
        Some(json!({ "displayName": "Rosa Second" })),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(refused["error"], "PRECONDITION_FAILED");
    assert_eq!(refused["message"], STALE);
    assert_eq!(refused["details"]["currentVersion"], 1);
    assert_eq!(
        refused["details"]["current"],
        json!({
            "displayName": "Rosa First",
            "email": "rosa@example.org",
            "isAdmin": false,
            "disabled": false,
            "version": 1,
        })
    );
    let (_, etag, now) = rest_if_match(&app, get(), &second, None, None).await;
    assert_eq!(
        (etag.as_deref(), &now["displayName"]),
        (Some("\"1\""), &json!("Rosa First"))
    );

    // The account's other writes are guarded the same way, and answer the new tag.
    let writes: [(Method, String, Option<Value>); 3] = [
        (Method::POST, format!("{path}/disable"), None),
        (Method::POST, format!("{path}/enable"), None),
        (
            Method::POST,
            format!("{path}/reset-password"),
            Some(json!({ "password": "rosa-pass-2" })),
        ),
    ];
    for (n, (method, write, body)) in writes.into_iter().enumerate() {
        let version = 1 + n;
        let (status, _, _) = rest_if_match(
            &app,
            (method.clone(), &write),
            &second,
            Some(&format!("\"{}\"", version - 1)),
            body.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{write}");
        let (status, etag, answered) = rest_if_match(
            &app,
            (method, &write),
            &second,
            Some(&format!("\"{version}\"")),
            body,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{write}: {answered}");
        assert_eq!(etag, Some(format!("\"{}\"", version + 1)), "{write}");
        assert_eq!(answered["version"], version + 1);
    }

    // Without If-Match nothing is checked; a tag that is not a quoted version is refused.
    let (status, etag, _) = rest_if_match(
        &app,
        (Method::PATCH, &path),
        &first,
        None,
        Some(json!({ "displayName": "Rosa R." })),
    )
    .await;
    assert_eq!((status, etag.as_deref()), (StatusCode::OK, Some("\"5\"")));
    for tag in ["5", "W/\"5\"", "*", "\"five\""] {
        let (status, _, body) = rest_if_match(
            &app,
            (Method::PATCH, &path),
            &first,
            Some(tag),
            Some(json!({ "displayName": "Rosa Bad" })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{tag}");
        assert_eq!(body["error"], "VALIDATION");
    }

    let (status, _, _) =
        rest_if_match(&app, (Method::DELETE, &path), &first, Some("\"4\""), None).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, etag, body) =
        rest_if_match(&app, (Method::DELETE, &path), &first, Some("\"5\""), None).await;
    assert_eq!((status, etag.as_deref()), (StatusCode::OK, Some("\"6\"")));
    assert_eq!(body, json!({ "success": true }));
    let (status, _, _) = rest_if_match(&app, get(), &first, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}
