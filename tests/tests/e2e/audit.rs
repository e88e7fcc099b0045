//! The audit log: `auditLog` over GraphQL and `GET /api/admin/audit` over REST.
//!
//! One file on purpose: its cases share one scripted history and read as an auditor's
//! questions in turn.

use crate::support::{TestApp, error_code, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ENTRY: &str = "position eventId type at actor { id username } subject { kind id label } \
                     changes { field before after } correlationId causationId";

fn log_query() -> String {
    format!(
        "query($user: ID, $actor: ID, $types: [String!], $first: Int, $after: String, \
         $last: Int, $before: String) {{ auditLog(userId: $user, actorId: $actor, \
         types: $types, first: $first, after: $after, last: $last, before: $before) {{ \
         edges {{ cursor node {{ {ENTRY} }} }} \
         pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} totalCount }} }}"
    )
}

/// The scripted history of `carol`: created, two fields edited, made admin, password reset
/// with her sessions ended, disabled, enabled, deleted. Returns her id and session token.
pub(crate) async fn scripted_history(app: &TestApp, admin: &str) -> (String, String) {
    let carol = app.create_user(admin, "carol", "carol-password-1").await;
    let token = app.login("carol", "carol-password-1").await;
    let second = app.login("carol", "carol-password-1").await;
    app.gql_ok(Some(&second), "mutation { logout }", json!({}))
        .await;
    let id = json!({ "id": carol });
    app.gql_ok(
        Some(admin),
        "mutation($id: ID!) { updateUser(id: $id, input: { displayName: \"Carol C\", \
         email: \"cc@example.org\" }) { id } }",
        id.clone(),
    )
    .await;
    app.gql_ok(
        Some(admin),
        "mutation($id: ID!) { grantAdmin(id: $id) { id } }",
        id.clone(),
    )
    .await;
    app.gql_ok(
        Some(admin),
        "mutation($id: ID!) { resetPassword(id: $id, password: \"carol-password-2\", \
         revokeSessions: true) { id } }",
        id.clone(),
    )
    .await;
    for mutation in ["disableUser", "enableUser"] {
        app.gql_ok(
            Some(admin),
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id }} }}"),
            id.clone(),
        )
        .await;
    }
    app.gql_ok(
        Some(admin),
        "mutation($id: ID!) { deleteUser(id: $id) }",
        id.clone(),
    )
    .await;
    (carol, token)
}

/// `type: [field before→after, ...]` for each node, as compact text.
fn summary(nodes: &[Value]) -> Vec<String> {
    nodes
        .iter()
        .map(|node| {
            let changes: Vec<String> = node["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    format!(
                        "{} {}->{}",
                        c["field"].as_str().unwrap(),
                        c["before"],
                        c["after"]
                    )
                })
                .collect();
            format!("{}: {}", node["type"].as_str().unwrap(), changes.join(", "))
        })
        .collect()
}

pub(crate) fn nodes_of(answer: &Value) -> Vec<Value> {
    answer["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

/// Carol's whole history, newest first, as `summary` gives it. She was deleted, so her
/// personal values read as erased (what they were while she lived: `shredding.rs`).
const CAROL: &[&str] = &[
    "ActiveAdminRemoved: ",
    "EmailReleased: ",
    "UsernameReleased: ",
    "UserDeleted: deleted \"false\"->\"true\"",
    "ActiveAdminAdded: ",
    "UserEnabled: disabled \"true\"->\"false\"",
    "ActiveAdminRemoved: ",
    "UserDisabled: disabled \"false\"->\"true\"",
    "PasswordReset: password null->null",
    "ActiveAdminAdded: ",
    "AdminGranted: isAdmin \"false\"->\"true\"",
    "EmailReleased: ",
    "EmailReserved: ",
    "ProfileUpdated: displayName \"(erased)\"->\"(erased)\", \
     email \"(erased)\"->\"(erased)\"",
    "SessionEnded: reason null->\"logout\"",
    "SessionStarted: ",
    "SessionStarted: ",
    "EmailReserved: ",
    "UsernameReserved: ",
    "UserCreated: username null->\"(erased)\", displayName null->\"(erased)\", \
     email null->\"(erased)\", isAdmin null->\"false\"",
];

/// Every page of `auditLog` for `variables`, following `first`/`after` to the end.
async fn forward(app: &TestApp, admin: &str, mut variables: Value, size: i32) -> Vec<Value> {
    let mut all = Vec::new();
    variables["first"] = json!(size);
    loop {
        let answer = app
            .gql_ok(Some(admin), &log_query(), variables.clone())
            .await;
        let page = &answer["auditLog"];
        let got = nodes_of(&answer);
        assert!(got.len() <= size as usize);
        assert_eq!(page["pageInfo"]["hasPreviousPage"], json!(!all.is_empty()));
        all.extend(got);
        if page["pageInfo"]["hasNextPage"] == json!(false) {
            return all;
        }
        variables["after"] = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn it_should_explain_a_users_history_newest_first_with_its_changes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let (carol, _) = scripted_history(&app, &admin).await;

    let answer = app
        .gql_ok(
            Some(&admin),
            &log_query(),
            json!({ "user": carol, "first": 50 }),
        )
        .await;

    let nodes = nodes_of(&answer);
    assert_eq!(summary(&nodes), CAROL);
    assert_eq!(answer["auditLog"]["totalCount"], json!(CAROL.len()));
    let positions: Vec<i64> = nodes
        .iter()
        .map(|n| n["position"].as_i64().unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] > w[1]), "newest first");
    let created = nodes.last().unwrap();
    assert_eq!(
        created["actor"],
        json!({ "id": admin_id, "username": "admin" })
    );
    assert_eq!(
        created["subject"],
        json!({ "kind": "user", "id": carol, "label": "(erased)" })
    );
    let ended = &nodes[14];
    assert_eq!(ended["subject"]["kind"], json!("session"));
    // Her username went with her deletion: who she was reads as erased everywhere, the ids
    // that tie her entries together stay.
    assert_eq!(ended["subject"]["label"], json!("(erased)"));
    assert_eq!(ended["actor"]["username"], json!("(erased)"));
    assert_eq!(ended["actor"]["id"], json!(carol));
    assert_eq!(nodes[3]["subject"]["label"], json!("(erased)"));

    let typed = app
        .gql_ok(
            Some(&admin),
            &log_query(),
            json!({ "user": carol, "types": ["AdminGranted", "UserDisabled"] }),
        )
        .await;
    assert_eq!(
        summary(&nodes_of(&typed)),
        [
            "UserDisabled: disabled \"false\"->\"true\"",
            "AdminGranted: isAdmin \"false\"->\"true\"",
        ]
    );
    assert_eq!(typed["auditLog"]["totalCount"], json!(2));
}

#[tokio::test]
async fn it_should_page_both_ways() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (carol, _) = scripted_history(&app, &admin).await;

    let pages = forward(&app, &admin, json!({ "user": carol }), 3).await;
    assert_eq!(summary(&pages), CAROL);

    // Backwards from the end, three at a time.
    let mut backwards: Vec<Value> = Vec::new();
    let mut variables = json!({ "user": carol, "last": 3 });
    loop {
        let answer = app
            .gql_ok(Some(&admin), &log_query(), variables.clone())
            .await;
        let page = &answer["auditLog"];
        let got = nodes_of(&answer);
        assert!(got.len() <= 3);
        assert_eq!(
            page["pageInfo"]["hasNextPage"],
            json!(!backwards.is_empty())
        );
        assert_eq!(page["totalCount"], json!(CAROL.len()));
        let mut older = std::mem::take(&mut backwards);
        backwards = got;
        backwards.append(&mut older);
        if page["pageInfo"]["hasPreviousPage"] == json!(false) {
            break;
        }
        variables["before"] = page["pageInfo"]["startCursor"].clone();
    }
    assert_eq!(summary(&backwards), CAROL);

    // A window between two cursors.
    let answer = app
        .gql_ok(
            Some(&admin),
            &log_query(),
            json!({ "user": carol, "first": 4 }),
        )
        .await;
    let fourth = answer["auditLog"]["edges"][3]["cursor"].clone();
    let answer = app
        .gql_ok(
            Some(&admin),
            &log_query(),
            json!({ "user": carol, "last": 2, "before": fourth }),
        )
        .await;
    assert_eq!(summary(&nodes_of(&answer)), CAROL[1..3]);
    let info = &answer["auditLog"]["pageInfo"];
    assert_eq!(info["hasPreviousPage"], json!(true));
    assert_eq!(info["hasNextPage"], json!(true));

    // The same over REST, with `cursor` and `limit`.
    let mut rest = Vec::new();
    let mut path = format!("/api/admin/audit?userId={carol}&limit=4");
    loop {
        let (status, body) = app.rest(Method::GET, &path, Some(&admin), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        rest.extend(body["entries"].as_array().unwrap().iter().cloned());
        match body["nextCursor"].as_str() {
            Some(next) => path = format!("/api/admin/audit?userId={carol}&limit=4&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(summary(&rest), CAROL);
    let graphql: Vec<Value> = pages.iter().map(|n| n["eventId"].clone()).collect();
    let by_rest: Vec<Value> = rest.iter().map(|n| n["eventId"].clone()).collect();
    assert_eq!(graphql, by_rest);
    assert_eq!(rest[3]["subject"], pages[3]["subject"]);
    assert_eq!(rest[3]["changes"], pages[3]["changes"]);
}

#[tokio::test]
async fn it_should_list_what_an_actor_did() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let (carol, _) = scripted_history(&app, &admin).await;

    let by_admin = forward(&app, &admin, json!({ "actor": admin_id }), 20).await;
    assert!(by_admin.iter().all(|n| n["actor"]["id"] == json!(admin_id)));
    let types: Vec<&str> = by_admin
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    for done in [
        "UserCreated",
        "ProfileUpdated",
        "AdminGranted",
        "PasswordReset",
        "UserDisabled",
        "UserEnabled",
        "UserDeleted",
    ] {
        assert!(types.contains(&done), "{done} missing from {types:?}");
    }
    assert!(
        !types.contains(&"SessionEnded"),
        "carol logged out, not the admin"
    );

    // Both: what the admin did to carol (her logins and logout are hers).
    let both = forward(
        &app,
        &admin,
        json!({ "user": carol, "actor": admin_id }),
        50,
    )
    .await;
    let expected: Vec<&str> = CAROL
        .iter()
        .copied()
        .filter(|line| !line.starts_with("Session"))
        .collect();
    assert_eq!(summary(&both), expected);

    let (status, body) = app
        .rest(
            Method::GET,
            &format!("/api/admin/audit?actorId={admin_id}&type=UserDeleted"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["entries"].as_array().unwrap().len(), 1);
    assert_eq!(body["entries"][0]["subject"]["label"], json!("(erased)"));
    assert_eq!(body["nextCursor"], Value::Null);
}

#[tokio::test]
async fn it_should_answer_administrators_only_and_ask_for_a_user_or_an_actor() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let dave = app.create_user(&admin, "dave", "dave-password-1").await;
    let token = app.login("dave", "dave-password-1").await;

    let refused = app
        .gql(Some(&token), &log_query(), json!({ "user": dave }))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let (status, _) = app
        .rest(
            Method::GET,
            &format!("/api/admin/audit?userId={dave}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let anonymous = app.gql(None, &log_query(), json!({ "user": dave })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");

    let filtered = app
        .gql(
            Some(&admin),
            &log_query(),
            json!({ "types": ["UserCreated"] }),
        )
        .await;
    assert_eq!(error_code(&filtered), "VALIDATION");
    assert!(
        filtered["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Give userId or actorId")
    );
    let (status, _) = app
        .rest(
            Method::GET,
            "/api/admin/audit?type=UserCreated",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn it_should_page_the_whole_log_without_a_user_or_an_actor() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (carol, _) = scripted_history(&app, &admin).await;

    let whole = forward(&app, &admin, json!({}), 7).await;
    let answer = app
        .gql_ok(Some(&admin), &log_query(), json!({ "first": 1 }))
        .await;
    let total = answer["auditLog"]["totalCount"].as_u64().unwrap() as usize;
    assert_eq!(whole.len(), total);
    let positions: Vec<u64> = whole
        .iter()
        .map(|n| n["position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions, (1..=total as u64).rev().collect::<Vec<_>>());
    let about_carol: Vec<Value> = whole
        .iter()
        .filter(|n| {
            n["subject"]["id"] == json!(carol)
                // Her sessions are labelled by her username, erased with her.
                || (n["subject"]["kind"] == json!("session")
                    && n["subject"]["label"] == json!("(erased)"))
        })
        .cloned()
        .collect();
    assert_eq!(summary(&about_carol), CAROL);
    let (status, body) = app
        .rest(Method::GET, "/api/admin/audit?limit=2", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["entries"][0]["eventId"], whole[0]["eventId"]);
    assert!(body["nextCursor"].is_string());
}

#[tokio::test]
async fn it_should_show_no_password_hash_and_no_token() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let (carol, token) = scripted_history(&app, &admin).await;
    let token_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()));

    let mut answers = Vec::new();
    for variables in [json!({ "user": carol }), json!({ "actor": admin_id })] {
        let mut variables = variables;
        variables["first"] = json!(50);
        answers.push(
            app.gql(Some(&admin), &log_query(), variables)
                .await
                .to_string(),
        );
    }
    for path in [
        format!("/api/admin/audit?userId={carol}&limit=100"),
        format!("/api/admin/audit?actorId={admin_id}&limit=100"),
    ] {
        let (status, body) = app.rest(Method::GET, &path, Some(&admin), None).await;
        assert_eq!(status, StatusCode::OK);
        answers.push(body.to_string());
    }
    for answer in &answers {
        assert!(answer.contains("PasswordReset"), "{answer}");
        assert!(!answer.contains("$argon2"), "a hash shows: {answer}");
        assert!(!answer.contains(&token), "the token shows");
        assert!(!answer.contains(&token_hash), "the token's hash shows");
    }
}

#[tokio::test]
async fn it_should_show_a_personas_transfer_and_filter_by_time() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let erin = app.create_user(&admin, "erin", "erin-password-1").await;
    let frank = app.create_user(&admin, "frank", "frank-password-1").await;
    let created = app
        .gql_ok(
            Some(&admin),
            "mutation($owner: ID) { createPersona(name: \"Helper\", ownerId: $owner) { id } }",
            json!({ "owner": erin }),
        )
        .await;
    let persona = created["createPersona"]["id"].as_str().unwrap().to_owned();
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!, $to: ID!) { transferPersona(id: $id, toUserId: $to) { id } }",
        json!({ "id": persona, "to": frank }),
    )
    .await;

    for user in [&erin, &frank] {
        let answer = app
            .gql_ok(
                Some(&admin),
                &log_query(),
                json!({ "user": user, "types": ["PersonaTransferred"] }),
            )
            .await;
        let nodes = nodes_of(&answer);
        assert_eq!(nodes.len(), 1, "the transfer is about both owners");
        assert_eq!(
            nodes[0]["subject"],
            json!({ "kind": "persona", "id": persona, "label": "Helper" })
        );
        assert_eq!(
            nodes[0]["changes"],
            json!([{ "field": "owner", "before": erin, "after": frank }])
        );
    }
    let answer = app
        .gql_ok(
            Some(&admin),
            &log_query(),
            json!({ "user": erin, "types": ["PersonaCreated"] }),
        )
        .await;
    assert_eq!(
        nodes_of(&answer)[0]["changes"],
        json!([
            { "field": "name", "before": null, "after": "Helper" },
            { "field": "owner", "before": null, "after": erin },
        ])
    );

    // Times: `from` inclusive, `to` exclusive.
    let all = app
        .gql_ok(Some(&admin), &log_query(), json!({ "user": erin }))
        .await;
    let total = all["auditLog"]["totalCount"].as_u64().unwrap();
    let time_query = "query($user: ID, $from: DateTime, $to: DateTime) { auditLog(userId: $user, \
                      from: $from, to: $to) { totalCount } }";
    let count = |answer: &Value| answer["auditLog"]["totalCount"].as_u64().unwrap();
    let future = json!({ "user": erin, "from": "2999-01-01T00:00:00Z" });
    assert_eq!(
        count(&app.gql_ok(Some(&admin), time_query, future).await),
        0
    );
    let past =
        json!({ "user": erin, "from": "2000-01-01T00:00:00Z", "to": "2999-01-01T00:00:00Z" });
    assert_eq!(
        count(&app.gql_ok(Some(&admin), time_query, past).await),
        total
    );
    let oldest = nodes_of(&all).last().unwrap()["at"].clone();
    let at_first = json!({ "user": erin, "to": oldest });
    assert_eq!(
        count(&app.gql_ok(Some(&admin), time_query, at_first).await),
        0
    );
    let (status, body) = app
        .rest(
            Method::GET,
            &format!("/api/admin/audit?userId={erin}&from=2999-01-01T00:00:00Z"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["entries"], json!([]));
    let (status, _) = app
        .rest(
            Method::GET,
            &format!("/api/admin/audit?userId={erin}&from=yesterday"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
