//! One rule, every door: each authorization rule is asked through GraphQL and through REST,
//! and both doors must give the same refusal (code and the guide's message) and change
//! nothing. REST calls 401 `UNAUTHORIZED` where GraphQL says `UNAUTHENTICATED`.

use super::support::{TestApp, error_code, error_message, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A GraphQL operation and the REST call that reaches the same use case.
struct Doors<'a> {
    graphql: &'a str,
    variables: Value,
    method: Method,
    path: String,
    body: Option<Value>,
}

/// Sends both, as `token`; asserts that both are refused alike and returns the refusal.
async fn refused_alike(app: &TestApp, token: Option<&str>, doors: Doors<'_>) -> (String, String) {
    let answer = app.gql(token, doors.graphql, doors.variables).await;
    let graphql = (
        error_code(&answer).to_owned(),
        error_message(&answer).to_owned(),
    );
    let (status, body) = app.rest(doors.method, &doors.path, token, doors.body).await;
    assert!(status.is_client_error(), "REST refused: {status} {body}");
    let rest_code = match body["error"].as_str().unwrap() {
        "UNAUTHORIZED" => "UNAUTHENTICATED",
        other => other,
    };
    let rest = (
        rest_code.to_owned(),
        body["message"].as_str().unwrap().to_owned(),
    );
    assert_eq!(graphql, rest, "the doors disagree on {}", doors.path);
    graphql
}

fn refusal(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

#[tokio::test]
async fn it_should_ask_for_an_administrator_at_every_door() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let member_id = app.create_user(&admin, "rulemember", "member-pass").await;
    let member = app.login("rulemember", "member-pass").await;
    let admin_only = [
        Doors {
            graphql: "{ users { totalCount } }",
            variables: json!({}),
            method: Method::GET,
            path: "/api/admin/users".into(),
            body: None,
        },
        Doors {
            graphql: "{ sessions { totalCount } }",
            variables: json!({}),
            method: Method::GET,
            path: "/api/admin/sessions".into(),
            body: None,
        },
        Doors {
            graphql: "query($id: ID) { auditLog(userId: $id) { totalCount } }",
            variables: json!({ "id": member_id }),
            method: Method::GET,
            path: format!("/api/admin/audit?userId={member_id}"),
            body: None,
        },
        Doors {
            graphql: "query($id: ID) { user(id: $id, asOf: \"2026-01-01T00:00:00Z\") { id } }",
            variables: json!({ "id": member_id }),
            method: Method::GET,
            path: format!("/api/admin/users/{member_id}?asOf=2026-01-01T00:00:00Z"),
            body: None,
        },
        Doors {
            graphql: "{ administrators { id } }",
            variables: json!({}),
            method: Method::GET,
            path: "/api/admin/administrators".into(),
            body: None,
        },
        Doors {
            graphql: "{ administrators(at: \"2026-01-01T00:00:00Z\") { id } }",
            variables: json!({}),
            method: Method::GET,
            path: "/api/admin/administrators?at=2026-01-01T00:00:00Z".into(),
            body: None,
        },
        Doors {
            graphql: "{ systemApiKeys { id } }",
            variables: json!({}),
            method: Method::GET,
            path: "/api/admin/api-keys".into(),
            body: None,
        },
        Doors {
            graphql: "mutation($id: ID!) { disableUser(id: $id) { id } }",
            variables: json!({ "id": member_id }),
            method: Method::POST,
            path: format!("/api/admin/users/{member_id}/disable"),
            body: None,
        },
        Doors {
            graphql: "mutation($id: ID!) { updateUser(id: $id, input: { isAdmin: true }) { id } }",
            variables: json!({ "id": member_id }),
            method: Method::PUT,
            path: format!("/api/admin/users/{member_id}"),
            body: Some(json!({ "isAdmin": true })),
        },
        Doors {
            graphql: "mutation { revokeAllSessions }",
            variables: json!({}),
            method: Method::DELETE,
            path: "/api/admin/sessions".into(),
            body: None,
        },
        Doors {
            graphql: "mutation($id: ID!) { removeUserTotp(userId: $id) { id } }",
            variables: json!({ "id": member_id }),
            method: Method::DELETE,
            path: format!("/api/admin/users/{member_id}/totp"),
            body: None,
        },
    ];
    for doors in admin_only {
        assert_eq!(
            refused_alike(&app, Some(&member), doors).await,
            refusal("FORBIDDEN", "Admin access required")
        );
    }
    // Nothing changed: the member is neither disabled nor promoted, and still signed in.
    let me = app
        .gql_ok(Some(&member), "{ me { isAdmin disabled } }", json!({}))
        .await;
    assert_eq!(me["me"], json!({ "isAdmin": false, "disabled": false }));
    app.stop().await;
}

#[tokio::test]
async fn it_should_ask_for_a_signed_in_user_at_every_door() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "ruleleaver", "leaver-pass").await;
    let leaver = app.login("ruleleaver", "leaver-pass").await;
    app.gql_ok(Some(&leaver), "mutation { logout }", json!({}))
        .await;
    let mine = || Doors {
        graphql: "{ mySessions { id } }",
        variables: json!({}),
        method: Method::GET,
        path: "/api/sessions".into(),
        body: None,
    };
    assert_eq!(
        refused_alike(&app, None, mine()).await,
        refusal("UNAUTHENTICATED", "Authentication required")
    );
    assert_eq!(
        refused_alike(&app, Some(&leaver), mine()).await,
        refusal("UNAUTHENTICATED", "Session expired")
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_send_everyone_to_logout_for_their_current_session_at_every_door() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "rulekeeper", "keeper-pass").await;
    let member = app.login("rulekeeper", "keeper-pass").await;
    let member_session = app.current_session_id(&member).await;
    let own = Doors {
        graphql: "mutation($id: ID!) { revokeMySession(id: $id) }",
        variables: json!({ "id": member_session }),
        method: Method::DELETE,
        path: format!("/api/sessions/{member_session}"),
        body: None,
    };
    let logout = refusal("VALIDATION", "Use logout to end the current session");
    assert_eq!(refused_alike(&app, Some(&member), own).await, logout);
    let admin_session = app.current_session_id(&admin).await;
    let any = Doors {
        graphql: "mutation($id: ID!) { revokeSession(id: $id) }",
        variables: json!({ "id": admin_session }),
        method: Method::DELETE,
        path: format!("/api/admin/sessions/{admin_session}"),
        body: None,
    };
    assert_eq!(refused_alike(&app, Some(&admin), any).await, logout);
    // Both sessions still work.
    assert_eq!(app.me(&member).await.as_deref(), Some("rulekeeper"));
    assert_eq!(app.me(&admin).await.as_deref(), Some("admin"));
    app.stop().await;
}

#[tokio::test]
async fn it_should_keep_the_callers_session_when_an_administrator_ends_their_own_sessions() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let other_admin_session = app.admin_token().await;
    let spare = app.admin_token().await;
    let ended = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { revokeUserSessions(userId: $id) }",
            json!({ "id": admin_id }),
        )
        .await;
    assert_eq!(ended["revokeUserSessions"], 2, "the two other sessions");
    assert_eq!(app.me(&admin).await.as_deref(), Some("admin"));
    assert_eq!(app.me(&other_admin_session).await, None);
    assert_eq!(app.me(&spare).await, None);
    // The REST door does the same.
    let third = app.admin_token().await;
    let (status, body) = app
        .rest(
            Method::DELETE,
            &format!("/api/admin/users/{admin_id}/sessions"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({ "success": true, "revoked": 1 }))
    );
    assert_eq!(app.me(&admin).await.as_deref(), Some("admin"));
    assert_eq!(app.me(&third).await, None);
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_what_is_not_the_callers_alike_at_every_door() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    app.create_user(&admin, "ruleprober", "prober-pass").await;
    let member = app.login("ruleprober", "prober-pass").await;
    let admin_session = app.current_session_id(&admin).await;
    let not_yours = Doors {
        graphql: "mutation($id: ID!) { revokeMySession(id: $id) }",
        variables: json!({ "id": admin_session }),
        method: Method::DELETE,
        path: format!("/api/sessions/{admin_session}"),
        body: None,
    };
    assert_eq!(
        refused_alike(&app, Some(&member), not_yours).await,
        refusal("FORBIDDEN", "Cannot revoke another user's session")
    );
    let delete_self = Doors {
        graphql: "mutation($id: ID!) { deleteUser(id: $id) }",
        variables: json!({ "id": admin_id }),
        method: Method::DELETE,
        path: format!("/api/admin/users/{admin_id}"),
        body: None,
    };
    assert_eq!(
        refused_alike(&app, Some(&admin), delete_self).await,
        refusal("FORBIDDEN", "Cannot delete yourself")
    );
    let unknown = Doors {
        graphql: "mutation($id: ID!) { resetPassword(id: $id, password: \"new-pass-1\") { id } }",
        variables: json!({ "id": "not-an-id" }),
        method: Method::POST,
        path: "/api/admin/users/not-an-id/reset-password".into(),
        body: Some(json!({ "password": "new-pass-1" })),
    };
    assert_eq!(
        refused_alike(&app, Some(&admin), unknown).await,
        refusal("NOT_FOUND", "User not found")
    );
    assert_eq!(app.me(&admin).await.as_deref(), Some("admin"));
    app.stop().await;
}
