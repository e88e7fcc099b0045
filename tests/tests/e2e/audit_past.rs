//! The past: `user(asOf:)`, `administrators(at:)` and their REST doors, over the scripted
//! history of the audit tests (created, two fields edited, made admin, password reset with
//! her sessions ended, disabled, enabled, deleted).

use crate::audit::scripted_history;
use crate::support::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const AS_OF: &str = "query($id: ID, $name: String, $at: DateTime) { \
     user(id: $id, username: $name, asOf: $at) { id username displayName email isAdmin \
     disabled version stats { activeSessions } } }";

/// The events of `user`'s own stream, oldest first, as `(type, at)`.
async fn own_events(app: &TestApp, admin: &str, user: &str) -> Vec<(String, String)> {
    let types = [
        "UserCreated",
        "ProfileUpdated",
        "AdminGranted",
        "AdminRevoked",
        "PasswordReset",
        "UserDisabled",
        "UserEnabled",
        "UserDeleted",
    ];
    let answer = app
        .gql_ok(
            Some(admin),
            "query($id: ID, $types: [String!]) { auditLog(userId: $id, types: $types, \
             first: 100) { edges { node { type at } } } }",
            json!({ "id": user, "types": types }),
        )
        .await;
    let mut events: Vec<(String, String)> = answer["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            (
                node["type"].as_str().unwrap().to_owned(),
                node["at"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    events.reverse();
    events
}

/// One millisecond before the RFC 3339 time `at`.
fn just_before(at: &str) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(at).unwrap();
    (at - chrono::Duration::milliseconds(1)).to_rfc3339()
}

async fn as_of(
    app: &TestApp,
    admin: &str,
    id: Option<&str>,
    name: Option<&str>,
    at: &str,
) -> Value {
    let answer = app
        .gql_ok(
            Some(admin),
            AS_OF,
            json!({ "id": id, "name": name, "at": at }),
        )
        .await;
    answer["user"].clone()
}

#[tokio::test]
async fn it_should_answer_each_step_of_an_accounts_history_as_of_its_time() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (carol, _) = scripted_history(&app, &admin).await;
    let events = own_events(&app, &admin, &carol).await;
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "UserCreated",
            "ProfileUpdated",
            "AdminGranted",
            "PasswordReset",
            "UserDisabled",
            "UserEnabled",
            "UserDeleted"
        ]
    );
    // (admin, disabled, working sessions) after each step. Carol was deleted at the end, so
    // her personal values read as erased at every instant (crypto-shredding).
    let steps = [
        (false, false, 0),
        (false, false, 1),
        (true, false, 1),
        (true, false, 0),
        (true, true, 0),
        (true, false, 0),
    ];
    for (version, ((_, at), (admin_flag, disabled, sessions))) in
        events.iter().zip(steps).enumerate()
    {
        let then = as_of(&app, &admin, Some(&carol), None, at).await;
        assert_eq!(
            then,
            json!({
                "id": carol,
                "username": "(erased)",
                "displayName": "(erased)",
                "email": "(erased)",
                "isAdmin": admin_flag,
                "disabled": disabled,
                "version": version,
                "stats": { "activeSessions": sessions },
            }),
            "as of {at}, after step {version}"
        );
        // The name finds the account that held it then.
        let by_name = as_of(&app, &admin, None, Some("carol"), at).await;
        assert_eq!(by_name["id"], json!(carol));
    }
    let created = &events[0].1;
    let deleted = &events[6].1;
    assert_eq!(
        as_of(&app, &admin, Some(&carol), None, &just_before(created)).await,
        Value::Null
    );
    assert_eq!(
        as_of(&app, &admin, Some(&carol), None, deleted).await,
        Value::Null
    );
    assert_eq!(
        as_of(&app, &admin, Some(&carol), None, &just_before(deleted)).await["disabled"],
        json!(false)
    );
    // Today she does not exist.
    let now = chrono::Utc::now().to_rfc3339();
    assert_eq!(
        as_of(&app, &admin, Some(&carol), None, &now).await,
        Value::Null
    );

    // The REST door answers the same account, and 404 when it did not exist.
    let at = &events[2].1;
    let (status, body) = app
        .rest(
            Method::GET,
            &format!("/api/admin/users/{carol}?asOf={}", urlencode(at)),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["displayName"], json!("(erased)"));
    assert_eq!(body["isAdmin"], json!(true));
    assert_eq!(body["_count"]["sessions"], json!(1));
    let (status, _) = app
        .rest(
            Method::GET,
            &format!("/api/admin/users/{carol}?asOf={}", urlencode(deleted)),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

async fn administrators(app: &TestApp, admin: &str, at: Option<&str>) -> Vec<String> {
    let answer = app
        .gql_ok(
            Some(admin),
            "query($at: DateTime) { administrators(at: $at) { username } }",
            json!({ "at": at }),
        )
        .await;
    answer["administrators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn it_should_tell_who_held_the_admin_role_across_a_grant_and_a_revoke() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let dave = app.create_user(&admin, "dave", "dave-password").await;
    let id = json!({ "id": dave });
    for mutation in ["grantAdmin", "revokeAdmin"] {
        app.gql_ok(
            Some(&admin),
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id }} }}"),
            id.clone(),
        )
        .await;
    }
    let events = own_events(&app, &admin, &dave).await;
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["UserCreated", "AdminGranted", "AdminRevoked"]);
    let (granted, revoked) = (&events[1].1, &events[2].1);

    assert_eq!(
        administrators(&app, &admin, Some(&just_before(granted))).await,
        ["admin"]
    );
    assert_eq!(
        administrators(&app, &admin, Some(granted)).await,
        ["admin", "dave"]
    );
    assert_eq!(
        administrators(&app, &admin, Some(&just_before(revoked))).await,
        ["admin", "dave"]
    );
    assert_eq!(administrators(&app, &admin, Some(revoked)).await, ["admin"]);
    assert_eq!(administrators(&app, &admin, None).await, ["admin"]);

    let (status, body) = app
        .rest(
            Method::GET,
            &format!("/api/admin/administrators?at={}", urlencode(granted)),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let names: Vec<&str> = body["administrators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "dave"]);
    app.stop().await;
}

#[tokio::test]
async fn it_should_keep_a_deleted_administrators_past_and_who_deleted_them() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let (carol, _) = scripted_history(&app, &admin).await;
    let events = own_events(&app, &admin, &carol).await;
    let (granted, deleted) = (&events[2].1, &events[6].1);
    assert_eq!(
        administrators(&app, &admin, Some(granted)).await,
        ["admin", "(erased)"] // carol's username went with her deletion
    );
    assert_eq!(administrators(&app, &admin, Some(deleted)).await, ["admin"]);

    let answer = app
        .gql_ok(
            Some(&admin),
            "query($id: ID) { auditLog(userId: $id, types: [\"UserDeleted\"]) { edges { node { \
             at actor { id username } subject { kind id label } } } } }",
            json!({ "id": carol }),
        )
        .await;
    let node = &answer["auditLog"]["edges"][0]["node"];
    assert_eq!(
        node["actor"],
        json!({ "id": admin_id, "username": "admin" })
    );
    assert_eq!(
        node["subject"],
        json!({ "kind": "user", "id": carol, "label": "(erased)" })
    );
    assert_eq!(node["at"].as_str(), Some(deleted.as_str()));
    app.stop().await;
}
