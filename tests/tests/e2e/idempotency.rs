//! `Idempotency-Key`: a request runs once under its key and its repeats get the first answer
//! (`Idempotent-Replayed: true`), across a restart and under concurrency; another request
//! under the key is refused with 422; a key belongs to its caller; requests whose answer
//! carries a secret refuse the header.

use crate::support::*;
use futures::future::join_all;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CREATE: &str =
    "mutation($input: CreateUserInput!) { createUser(input: $input) { id username } }";

/// A request with an `Idempotency-Key` and a JSON body: status, headers and body text.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    key: &str,
    body: &Value,
) -> (StatusCode, HeaderMap, String) {
    let response = app
        .request(method, path, token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

fn replayed(headers: &HeaderMap) -> bool {
    headers
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

fn new_user(username: &str) -> Value {
    json!({ "username": username, "password": "pass-1234", "email": format!("{username}@example.org") })
}

/// How many accounts hold `search` in their name.
async fn count(app: &TestApp, token: &str, search: &str) -> i64 {
    let data = app
        .gql_ok(
            Some(token),
            "query($s: String) { users(first: 50, search: $s) { totalCount } }",
            json!({ "s": search }),
        )
        .await;
    data["users"]["totalCount"].as_i64().unwrap()
}

#[tokio::test]
async fn it_should_create_one_account_for_a_repeated_rest_request_and_answer_it_again() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = new_user("carol");
    let (status, headers, first) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&admin),
        "key-1",
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(!replayed(&headers));

    let (status, headers, second) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&admin),
        "key-1",
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(replayed(&headers));
    assert_eq!(second, first, "the first answer, word for word");
    assert_eq!(
        headers.get("content-type").unwrap(),
        "application/json",
        "with its content type"
    );
    assert_eq!(count(&app, &admin, "carol").await, 1);

    // The same key with another body: refused, nothing created.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&admin),
        "key-1",
        &new_user("carla"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = serde_json::from_str(&refused).unwrap();
    assert_eq!(refused["error"], "VALIDATION");
    assert_eq!(
        refused["message"],
        "Idempotency-Key was used with a different request"
    );
    assert_eq!(count(&app, &admin, "carla").await, 0);
}

#[tokio::test]
async fn it_should_replay_an_edit_with_its_etag() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "dora", "dora-pass").await;
    let path = format!("/api/admin/users/{id}");
    let body = json!({ "displayName": "Dora D" });
    let (status, headers, first) =
        send(&app, Method::PUT, &path, Some(&admin), "edit", &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again, second) = send(&app, Method::PUT, &path, Some(&admin), "edit", &body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(replayed(&again));
    assert_eq!(second, first);
    assert_eq!(again.get("etag"), headers.get("etag"));
    // Nothing changed a second time: the account is still at the version of the one edit.
    let (_, read) = app.rest(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(read["version"], 1);
}

#[tokio::test]
async fn it_should_create_one_account_for_a_repeated_graphql_mutation() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({ "query": CREATE, "variables": { "input": new_user("erin") } });
    let (status, headers, first) =
        send(&app, Method::POST, "/graphql", Some(&admin), "gql-1", &body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!replayed(&headers));
    assert!(first.contains("\"createUser\""), "{first}");
    let (status, headers, second) =
        send(&app, Method::POST, "/graphql", Some(&admin), "gql-1", &body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(replayed(&headers));
    assert_eq!(second, first);
    assert_eq!(count(&app, &admin, "erin").await, 1);

    // A query with a key runs as usual: nothing to keep.
    let query = json!({ "query": "{ me { username } }" });
    let (status, headers, _) =
        send(&app, Method::POST, "/graphql", Some(&admin), "q", &query).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!replayed(&headers));
    let (_, headers, _) = send(&app, Method::POST, "/graphql", Some(&admin), "q", &query).await;
    assert!(!replayed(&headers));
}

#[tokio::test]
async fn it_should_keep_the_answer_across_a_restart() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = new_user("fay");
    let (status, _, first) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&admin),
        "survives",
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let app = app.restart().await;
    let (status, headers, second) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&admin),
        "survives",
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(replayed(&headers));
    assert_eq!(second, first);
    assert_eq!(count(&app, &admin, "fay").await, 1);
}

#[tokio::test]
async fn it_should_run_one_of_ten_identical_requests_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = new_user("gwen");
    let answers = join_all((0..10).map(|_| {
        send(
            &app,
            Method::POST,
            "/api/admin/users",
            Some(&admin),
            "race",
            &body,
        )
    }))
    .await;
    let ran: Vec<_> = answers
        .iter()
        .filter(|(status, headers, _)| *status == StatusCode::CREATED && !replayed(headers))
        .collect();
    assert_eq!(ran.len(), 1, "exactly one ran: {answers:?}");
    let first = &ran[0].2;
    for (status, headers, text) in &answers {
        match *status {
            StatusCode::CREATED => assert_eq!(text, first, "a repeat gets the first answer"),
            StatusCode::CONFLICT => {
                assert!(!replayed(headers));
                let body: Value = serde_json::from_str(text).unwrap();
                assert_eq!(
                    body["message"],
                    "A request with this Idempotency-Key is in progress"
                );
            }
            other => panic!("unexpected {other}: {text}"),
        }
    }
    assert_eq!(count(&app, &admin, "gwen").await, 1);
    // Once it is over, a repeat gets the answer.
    let (status, headers, text) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&admin),
        "race",
        &body,
    )
    .await;
    assert_eq!((status, replayed(&headers)), (StatusCode::CREATED, true));
    assert_eq!(&text, first);
}

#[tokio::test]
async fn it_should_scope_a_key_to_its_caller() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let ada = app.create_user(&admin, "ada", "ada-pass").await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { grantAdmin(id: $id) { id } }",
        json!({ "id": ada }),
    )
    .await;
    let ada = app.login("ada", "ada-pass").await;
    let (status, _, _) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&admin),
        "shared",
        &new_user("hana"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // Ada's request under the same key runs: it is hers, not a repeat of the first.
    let (status, headers, text) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&ada),
        "shared",
        &new_user("hana"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(!replayed(&headers));
    assert!(text.contains("Username already exists"), "{text}");
    let (status, headers, _) = send(
        &app,
        Method::POST,
        "/api/admin/users",
        Some(&ada),
        "shared",
        &new_user("ines"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "her key holds her own request"
    );
    assert!(!replayed(&headers));
}

#[tokio::test]
async fn it_should_refuse_the_key_where_the_answer_carries_a_secret() {
    let app = spawn_app().await;
    let credentials = json!({ "username": ADMIN, "password": ADMIN_PASSWORD });
    let (status, _, text) = send(
        &app,
        Method::POST,
        "/api/auth/login",
        None,
        "login",
        &credentials,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("Idempotency-Key"), "{text}");
    assert!(!text.contains("token\":\""), "no session started: {text}");

    let admin = app.admin_token().await;
    for path in [
        "/api/auth/totp/enroll",
        "/api/auth/register",
        "/api/service/resolve-key",
    ] {
        let (status, _, text) = send(&app, Method::POST, path, Some(&admin), "k", &json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {text}");
    }
    let login = json!({
        "query": "mutation { logout ...L } fragment L on Mutation { login(username: \"admin\", password: \"x\") { token } }",
    });
    let (status, _, text) = send(&app, Method::POST, "/graphql", None, "gql-login", &login).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let enroll = json!({ "query": "mutation { enrollTotp { secret } }" });
    let (status, _, _) = send(&app, Method::POST, "/graphql", Some(&admin), "e", &enroll).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn it_should_refuse_a_key_that_is_empty_too_long_or_not_printable_ascii() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for key in [String::new(), "k".repeat(256), "tab\tkey".to_owned()] {
        let (status, _, text) = send(
            &app,
            Method::POST,
            "/api/admin/users",
            Some(&admin),
            &key,
            &new_user("ivy"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key:?}: {text}");
    }
    assert_eq!(count(&app, &admin, "ivy").await, 0);
}
