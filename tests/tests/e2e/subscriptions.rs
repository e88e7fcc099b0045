//! `GET /graphql/ws`: the administrators' live feeds (`sessionActivity`, `userChanged`) over
//! graphql-transport-ws, who may watch them, and the heartbeat (signed-in users).
//!
//! One file on purpose: the feeds' tests share their probes and watchers.

use crate::graphql_ws::{FAILURE_GUARD, GraphqlSocket};
use crate::support::*;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const SESSION_ACTIVITY: &str =
    "subscription { sessionActivity { kind sessionId userId username at reason } }";
const USER_CHANGED: &str = "subscription { userChanged { kind userId at actorId } }";

/// graphql-transport-ws never says when a subscription is listening, so `probe` (an action
/// that makes an item for `id`) is repeated until one arrives. Tests skip probe items by user.
async fn until_live(socket: &mut GraphqlSocket, id: &str, probe: impl AsyncFn()) {
    let deadline = Instant::now() + FAILURE_GUARD;
    while Instant::now() < deadline {
        probe().await;
        while let Some(message) = socket.try_message(Duration::from_millis(250)).await {
            if message["id"] == id {
                assert_eq!(message["type"], "next", "{message}");
                return;
            }
        }
    }
    panic!("subscription {id} never delivered an item");
}

/// Probes a session feed: the administrator logs in once more.
async fn admin_logs_in(app: &TestApp) {
    app.admin_token().await;
}

/// Probes a user feed: the administrator renames themself (to a new name each time: an
/// update that changes nothing records nothing).
async fn admin_touches_profile(app: &TestApp, admin: &str, admin_id: &str) {
    static PROBES: AtomicU32 = AtomicU32::new(0);
    let name = format!("Admin {}", PROBES.fetch_add(1, Ordering::Relaxed));
    app.gql_ok(
        Some(admin),
        "mutation($id: ID!, $name: String) { updateUser(id: $id, input: { displayName: $name }) { id } }",
        json!({ "id": admin_id, "name": name }),
    )
    .await;
}

fn bearer(token: &str) -> Value {
    json!({ "authorization": format!("Bearer {token}") })
}

/// The item of a `next` payload.
fn item<'a>(payload: &'a Value, field: &str) -> &'a Value {
    assert!(
        payload.get("errors").is_none(),
        "unexpected errors: {payload}"
    );
    &payload["data"][field]
}

fn about(user_id: &str, field: &'static str) -> impl Fn(&Value) -> bool {
    let user_id = user_id.to_owned();
    move |payload| payload["data"][field]["userId"] == user_id.as_str()
}

/// No frame may carry a session token, a SHA-256 (64 hex digits) or a password hash.
#[track_caller]
fn assert_no_secrets(frames: &[String], tokens: &[&str]) {
    assert!(!frames.is_empty());
    for frame in frames {
        for token in tokens {
            assert!(
                !frame.contains(token),
                "a token crossed the socket: {frame}"
            );
        }
        assert!(!frame.contains("$argon2"), "a password hash: {frame}");
        let longest_hex_run = frame
            .split(|c: char| !c.is_ascii_hexdigit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_hex_run < 64, "something like a hash: {frame}");
    }
}

#[tokio::test]
async fn it_should_stream_session_starts_and_ends_to_an_administrator() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let bob_id = app.create_user(&admin, "bob", "password-1").await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&admin)).await;
    socket.subscribe("1", SESSION_ACTIVITY).await;
    until_live(&mut socket, "1", async || admin_logs_in(&app).await).await;

    let bob = app.login("bob", "password-1").await;
    let started = socket
        .next_where("1", about(&bob_id, "sessionActivity"))
        .await;
    let started = item(&started, "sessionActivity").clone();
    assert_eq!(started["kind"], "STARTED");
    assert_eq!(started["username"], "bob");
    assert_eq!(started["reason"], Value::Null);
    let session_id = started["sessionId"].as_str().unwrap().to_owned();
    let listed = app
        .gql_ok(
            Some(&admin),
            "query($u: ID) { sessions(userId: $u) { edges { node { id } } } }",
            json!({ "u": bob_id }),
        )
        .await;
    assert_eq!(
        listed["sessions"]["edges"][0]["node"]["id"], session_id,
        "an item arrives only once a query can see it"
    );

    app.gql_ok(Some(&bob), "mutation { logout }", json!({}))
        .await;
    let ended = socket
        .next_where("1", about(&bob_id, "sessionActivity"))
        .await;
    let ended = item(&ended, "sessionActivity");
    assert_eq!(ended["kind"], "ENDED");
    assert_eq!(ended["reason"], "LOGOUT");
    assert_eq!(ended["sessionId"], session_id.as_str());

    let bob_again = app.login("bob", "password-1").await;
    let revoked_id = app.current_session_id(&bob_again).await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { revokeSession(id: $id) }",
        json!({ "id": revoked_id }),
    )
    .await;
    let revoked = socket
        .next_where("1", |p| {
            p["data"]["sessionActivity"]["kind"] == "ENDED"
                && p["data"]["sessionActivity"]["userId"] == bob_id.as_str()
        })
        .await;
    assert_eq!(item(&revoked, "sessionActivity")["reason"], "REVOKED");
    assert_eq!(
        item(&revoked, "sessionActivity")["sessionId"],
        revoked_id.as_str()
    );

    let bob_last = app.login("bob", "password-1").await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { deleteUser(id: $id) }",
        json!({ "id": bob_id }),
    )
    .await;
    let deleted = socket
        .next_where("1", |p| {
            p["data"]["sessionActivity"]["kind"] == "ENDED"
                && p["data"]["sessionActivity"]["userId"] == bob_id.as_str()
        })
        .await;
    let deleted = item(&deleted, "sessionActivity");
    assert_eq!(
        deleted["reason"], "USER_DELETED",
        "derived: the log has no SessionEnded for a deleted user's sessions"
    );
    assert_eq!(deleted["username"], "bob");

    socket.complete("1").await;
    let frames = socket.close().await;
    assert_no_secrets(&frames, &[&admin, &bob, &bob_again, &bob_last]);
    app.stop().await;
}

#[tokio::test]
async fn it_should_stream_user_account_changes_to_an_administrator() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&admin)).await;
    socket.subscribe("changes", USER_CHANGED).await;
    until_live(&mut socket, "changes", async || {
        admin_touches_profile(&app, &admin, &admin_id).await
    })
    .await;

    let carol_id = app.create_user(&admin, "carol", "password-1").await;
    let by_id = |id: &str| json!({ "id": id });
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { grantAdmin(id: $id) { id } }",
        by_id(&carol_id),
    )
    .await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { resetPassword(id: $id, password: \"password-2\") { id } }",
        by_id(&carol_id),
    )
    .await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { deleteUser(id: $id) }",
        by_id(&carol_id),
    )
    .await;

    let mut kinds = Vec::new();
    while kinds.last() != Some(&"DELETED".to_owned()) {
        let payload = socket
            .next_where("changes", about(&carol_id, "userChanged"))
            .await;
        let change = item(&payload, "userChanged");
        assert_eq!(change["actorId"], admin_id.as_str());
        assert!(change["at"].as_str().is_some());
        kinds.push(change["kind"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        kinds,
        ["CREATED", "ADMIN_GRANTED", "PASSWORD_RESET", "DELETED"]
    );

    let frames = socket.close().await;
    assert_no_secrets(&frames, &[&admin]);
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_the_feeds_to_non_admins_and_to_sockets_without_a_session() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "dave", "password-1").await;
    let dave = app.login("dave", "password-1").await;

    let mut socket = GraphqlSocket::connect(&app, bearer(&dave)).await;
    for (id, query) in [("a", SESSION_ACTIVITY), ("b", USER_CHANGED)] {
        socket.subscribe(id, query).await;
        let refused = socket.error_then_complete(id).await;
        assert_eq!(error_code(&refused), "FORBIDDEN");
        assert_eq!(error_message(&refused), "Admin access required");
    }
    socket.close().await;

    let mut anonymous = GraphqlSocket::connect(&app, json!({})).await;
    anonymous.subscribe("a", SESSION_ACTIVITY).await;
    let refused = anonymous.error_then_complete("a").await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED");
    assert_eq!(error_message(&refused), "Authentication required");
    anonymous.close().await;

    let mut rejected = GraphqlSocket::connect(&app, bearer("not-a-session-token")).await;
    rejected.subscribe("a", USER_CHANGED).await;
    let refused = rejected.error_then_complete("a").await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED");
    assert_eq!(error_message(&refused), "Session expired");
    rejected.close().await;
    app.stop().await;
}

#[tokio::test]
async fn it_should_beat_for_signed_in_users_only() {
    let app = spawn_app().await;
    let mut anonymous = GraphqlSocket::connect(&app, json!({})).await;
    anonymous
        .subscribe("hb", "subscription { heartbeat }")
        .await;
    let refused = anonymous.error_then_complete("hb").await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED");
    anonymous.close().await;

    let admin = app.admin_token().await;
    app.create_user(&admin, "hal", "hal-pass").await;
    let member = app.login("hal", "hal-pass").await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&member)).await;
    socket.subscribe("hb", "subscription { heartbeat }").await;
    let first = socket.next_where("hb", |_| true).await;
    assert_eq!(first, json!({ "data": { "heartbeat": 0 } }));
    let second = socket.next_where("hb", |_| true).await;
    assert_eq!(second, json!({ "data": { "heartbeat": 1 } }));
    socket.complete("hb").await;
    socket.close().await;
    app.stop().await;
}

#[tokio::test]
async fn it_should_take_the_session_from_the_upgrade_request_when_init_names_none() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let upgrades = [
        ("cookie", format!("session_token={admin}")),
        ("authorization", format!("Bearer {admin}")),
    ];
    for (header, value) in upgrades {
        let mut socket = GraphqlSocket::open(&app, &[(header, value)]).await;
        socket.init(json!({})).await;
        socket.subscribe("1", USER_CHANGED).await;
        until_live(&mut socket, "1", async || {
            admin_touches_profile(&app, &admin, &admin_id).await
        })
        .await;
        socket.close().await;
    }
    app.stop().await;
}

#[tokio::test]
async fn it_should_end_the_feed_when_the_watchers_session_is_revoked_or_their_user_disabled() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    for name in ["erin", "frank"] {
        let id = app.create_user(&admin, name, "password-1").await;
        app.gql_ok(
            Some(&admin),
            "mutation($id: ID!) { grantAdmin(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    }

    let erin = app.login("erin", "password-1").await;
    let erin_session = app.current_session_id(&erin).await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&erin)).await;
    socket.subscribe("1", USER_CHANGED).await;
    until_live(&mut socket, "1", async || {
        admin_touches_profile(&app, &admin, &admin_id).await
    })
    .await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { revokeSession(id: $id) }",
        json!({ "id": erin_session }),
    )
    .await;
    let ended = socket.error_then_complete("1").await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED");
    socket.close().await;

    let frank = app.login("frank", "password-1").await;
    let frank_id = app.my_id(&frank).await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&frank)).await;
    socket.subscribe("1", SESSION_ACTIVITY).await;
    until_live(&mut socket, "1", async || admin_logs_in(&app).await).await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { disableUser(id: $id) { id } }",
        json!({ "id": frank_id }),
    )
    .await;
    let ended = socket.error_then_complete("1").await;
    assert_eq!(error_code(&ended), "UNAUTHENTICATED");
    socket.close().await;
    app.stop().await;
}

/// The payload of the single answer to operation `id` (a query or mutation over the socket).
async fn answer(socket: &mut GraphqlSocket, id: &str, operation: &str) -> Value {
    socket.subscribe(id, operation).await;
    let payload = socket.next_where(id, |_| true).await;
    let done = socket.message().await;
    assert_eq!(
        (done["id"].as_str(), done["type"].as_str()),
        (Some(id), Some("complete"))
    );
    payload
}

#[tokio::test]
async fn it_should_run_every_operation_on_a_socket_as_the_caller_is_now() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let gwen_id = app.create_user(&admin, "gwen", "password-1").await;
    let promote = "mutation($id: ID!) { grantAdmin(id: $id) { id } }";
    app.gql_ok(Some(&admin), promote, json!({ "id": gwen_id }))
        .await;
    let gwen = app.login("gwen", "password-1").await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&gwen)).await;
    let listed = answer(&mut socket, "1", "{ users { totalCount } }").await;
    assert_eq!(listed["data"]["users"]["totalCount"], 2, "{listed}");

    let demote = "mutation($id: ID!) { revokeAdmin(id: $id) { id } }";
    app.gql_ok(Some(&admin), demote, json!({ "id": gwen_id }))
        .await;
    let refused = answer(&mut socket, "2", "{ users { totalCount } }").await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let refused = answer(&mut socket, "3", "mutation { revokeAllSessions }").await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let me = answer(&mut socket, "4", "{ me { username isAdmin } }").await;
    assert_eq!(
        me["data"]["me"],
        json!({ "username": "gwen", "isAdmin": false })
    );
    assert!(app.me(&admin).await.is_some(), "nobody was logged out");
    socket.close().await;
    app.stop().await;
}

#[tokio::test]
async fn it_should_close_a_socket_once_its_session_ends() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let second = app.admin_token().await;
    let second_session = app.current_session_id(&second).await;
    let mut socket = GraphqlSocket::connect(&app, bearer(&second)).await;
    let listed = answer(&mut socket, "1", "{ users { totalCount } }").await;
    assert_eq!(listed["data"]["users"]["totalCount"], 1, "{listed}");
    assert!(
        !socket
            .closed_by_server_within(Duration::from_millis(300))
            .await,
        "open while the session works"
    );
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { revokeSession(id: $id) }",
        json!({ "id": second_session }),
    )
    .await;
    assert!(
        socket.closed_by_server_within(FAILURE_GUARD).await,
        "the revoked session's socket is closed"
    );
    app.stop().await;
}
