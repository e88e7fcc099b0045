//! The rest of the GraphQL contract: pagination, search, user lookup, sessions, personas,
//! the committed schema, subscriptions.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn it_should_page_search_and_filter_users_newest_first() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for name in ["user-a", "user-b", "user-c", "user-d"] {
        app.create_user(&admin, name, "password-1").await;
    }
    let query = "query($after: String) { users(first: 2, after: $after) { totalCount edges { cursor node { username } } pageInfo { hasNextPage endCursor } } }";
    let first = app.gql_ok(Some(&admin), query, json!({})).await;
    let names = |data: &serde_json::Value| -> Vec<String> {
        data["users"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["username"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&first), ["user-d", "user-c"]);
    assert_eq!(first["users"]["totalCount"], 5);
    assert_eq!(first["users"]["pageInfo"]["hasNextPage"], true);
    let after = first["users"]["pageInfo"]["endCursor"].clone();
    let second = app
        .gql_ok(Some(&admin), query, json!({ "after": after }))
        .await;
    assert_eq!(names(&second), ["user-b", "user-a"]);
    let after = second["users"]["pageInfo"]["endCursor"].clone();
    let third = app
        .gql_ok(Some(&admin), query, json!({ "after": after }))
        .await;
    assert_eq!(names(&third), [ADMIN]);
    assert_eq!(third["users"]["pageInfo"]["hasNextPage"], false);

    let search = app
        .gql_ok(
            Some(&admin),
            "{ users(search: \"USER-B\") { totalCount edges { node { username } } } admins: users(isAdmin: true) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(search["users"]["totalCount"], 1);
    assert_eq!(search["admins"]["totalCount"], 1);
    let bad = app
        .gql(
            Some(&admin),
            "{ users(after: \"garbage\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad), "VALIDATION");
    app.stop().await;
}

#[tokio::test]
async fn it_should_show_a_user_to_admins_and_to_themself_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mia = app.create_user(&admin, "mia", "mia-pass").await;
    app.create_user(&admin, "ned", "ned-pass").await;
    let token = app.login("mia", "mia-pass").await;
    let own = app
        .gql_ok(
            Some(&token),
            "query($id: ID!) { user(id: $id) { username email } }",
            json!({ "id": mia }),
        )
        .await;
    assert_eq!(
        own["user"],
        json!({ "username": "mia", "email": "mia@example.org" })
    );
    let other = app
        .gql(
            Some(&token),
            "{ user(username: \"ned\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&other), "FORBIDDEN");
    let by_name = app
        .gql_ok(
            Some(&admin),
            "{ user(username: \"NED\") { username } }",
            json!({}),
        )
        .await;
    assert_eq!(by_name["user"]["username"], "ned");
    app.stop().await;
}

#[tokio::test]
async fn it_should_page_sessions_for_admins() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let olga = app.create_user(&admin, "olga", "olga-pass").await;
    for _ in 0..3 {
        app.login("olga", "olga-pass").await;
    }
    let query = "query($u: ID, $after: String) { sessions(userId: $u, first: 2, after: $after) { totalCount edges { cursor node { user { username } current } } pageInfo { hasNextPage endCursor } } }";
    let page = app.gql_ok(Some(&admin), query, json!({ "u": olga })).await;
    assert_eq!(page["sessions"]["totalCount"], 3);
    assert_eq!(page["sessions"]["edges"].as_array().unwrap().len(), 2);
    assert_eq!(
        page["sessions"]["edges"][0]["node"]["user"]["username"],
        "olga"
    );
    let after = page["sessions"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .gql_ok(Some(&admin), query, json!({ "u": olga, "after": after }))
        .await;
    assert_eq!(rest["sessions"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(rest["sessions"]["pageInfo"]["hasNextPage"], false);
    let everyone = app
        .gql_ok(
            Some(&admin),
            "{ sessions { totalCount edges { node { current } } } }",
            json!({}),
        )
        .await;
    assert_eq!(everyone["sessions"]["totalCount"], 4);
    let token = app.login("olga", "olga-pass").await;
    let refused = app
        .gql(Some(&token), "{ sessions { totalCount } }", json!({}))
        .await;
    assert_eq!(error_message(&refused), "Admin access required");
    app.stop().await;
}

#[tokio::test]
async fn it_should_create_transfer_and_delete_personas_and_count_them() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pat = app.create_user(&admin, "pat", "pat-pass").await;
    let quinn = app.create_user(&admin, "quinn", "quinn-pass").await;
    let token = app.login("pat", "pat-pass").await;
    let created = app
        .gql_ok(
            Some(&token),
            "mutation { createPersona(name: \"Analyst\") { id name ownerId } }",
            json!({}),
        )
        .await;
    assert_eq!(created["createPersona"]["ownerId"], pat.as_str());
    let persona = created["createPersona"]["id"].as_str().unwrap().to_owned();
    let stats = app
        .gql_ok(
            Some(&token),
            "{ me { stats { personas } } myPersonas { name } }",
            json!({}),
        )
        .await;
    assert_eq!(stats["me"]["stats"]["personas"], 1);
    assert_eq!(stats["myPersonas"], json!([{ "name": "Analyst" }]));

    let refused = app
        .gql(
            Some(&token),
            "mutation($id: ID!, $to: ID!) { transferPersona(id: $id, toUserId: $to) { id } }",
            json!({ "id": persona, "to": quinn }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let moved = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!, $to: ID!) { transferPersona(id: $id, toUserId: $to) { ownerId } }",
            json!({ "id": persona, "to": quinn }),
        )
        .await;
    assert_eq!(moved["transferPersona"]["ownerId"], quinn.as_str());
    let not_yours = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { deletePersona(id: $id) }",
            json!({ "id": persona }),
        )
        .await;
    assert_eq!(error_code(&not_yours), "FORBIDDEN");
    let deleted = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { deletePersona(id: $id) }",
            json!({ "id": persona }),
        )
        .await;
    assert_eq!(deleted["deletePersona"], true);
    let gone = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { deletePersona(id: $id) }",
            json!({ "id": persona }),
        )
        .await;
    assert_eq!(error_code(&gone), "NOT_FOUND");
    app.stop().await;
}

#[tokio::test]
async fn it_should_refuse_demoting_the_last_administrator() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.gql_ok(Some(&admin), "{ me { id } }", json!({})).await["me"]["id"].clone();
    let refused = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { revokeAdmin(id: $id) { id } }",
            json!({ "id": admin_id }),
        )
        .await;
    assert_eq!(error_code(&refused), "CONFLICT");
    assert_eq!(
        error_message(&refused),
        "Cannot remove the last active administrator"
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_read_an_explicit_null_flag_as_false() {
    let app = spawn_app().await;
    let data = app
        .gql_ok(
            None,
            "mutation($remember: Boolean) { login(username: \"admin\", password: \"admin-password\", rememberMe: $remember) { token expiresAt } }",
            json!({ "remember": null }),
        )
        .await;
    let expires: chrono::DateTime<chrono::Utc> = data["login"]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        (expires - chrono::Utc::now()).num_days(),
        6,
        "an ordinary 7-day session"
    );
    let admin = data["login"]["token"].as_str().unwrap().to_owned();
    let id = app.create_user(&admin, "rita", "rita-pass").await;
    let rita = app.login("rita", "rita-pass").await;
    let reset = app
        .gql_ok(
            Some(&admin),
            "mutation($id: ID!) { resetPassword(id: $id, password: \"rita-pass-2\", revokeSessions: null, requireChange: null) { mustChangePassword } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(reset["resetPassword"]["mustChangePassword"], false);
    assert_eq!(
        app.me(&rita).await.as_deref(),
        Some("rita"),
        "sessions kept"
    );
    app.stop().await;
}

#[tokio::test]
async fn it_should_revoke_a_session_for_administrators_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "yan", "yan-pass").await;
    let yan = app.login("yan", "yan-pass").await;
    let other = app.login("yan", "yan-pass").await;
    let current = app
        .gql_ok(Some(&yan), "{ mySessions { id current } }", json!({}))
        .await;
    let session = current["mySessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .clone();
    const REVOKE: &str = "mutation($id: ID!) { revokeSession(id: $id) }";
    let refused = app
        .gql(Some(&other), REVOKE, json!({ "id": session }))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let revoked = app
        .gql_ok(Some(&admin), REVOKE, json!({ "id": session }))
        .await;
    assert_eq!(revoked["revokeSession"], true);
    assert_eq!(app.me(&yan).await, None);
    assert_eq!(
        app.me(&other).await.as_deref(),
        Some("yan"),
        "only that one"
    );
    let again = app
        .gql(Some(&admin), REVOKE, json!({ "id": session }))
        .await;
    assert_eq!(error_code(&again), "NOT_FOUND");
    app.stop().await;
}

#[tokio::test]
async fn it_should_delete_ontologies_and_annotations_for_their_owner_or_an_admin() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "zoe", "zoe-pass").await;
    app.create_user(&admin, "abe", "abe-pass").await;
    let zoe = app.login("zoe", "zoe-pass").await;
    let abe = app.login("abe", "abe-pass").await;
    let created = app
        .gql_ok(
            Some(&zoe),
            "mutation { createOntology(name: \"Vehicles\") { id } createAnnotation(name: \"Frame 7\") { id } }",
            json!({}),
        )
        .await;
    for (mutation, id, by_admin) in [
        ("deleteOntology", &created["createOntology"]["id"], false),
        ("deleteAnnotation", &created["createAnnotation"]["id"], true),
    ] {
        let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) }}");
        let not_yours = app.gql(Some(&abe), &query, json!({ "id": id })).await;
        assert_eq!(error_code(&not_yours), "FORBIDDEN", "{mutation}");
        let deleter = if by_admin { &admin } else { &zoe };
        let deleted = app.gql_ok(Some(deleter), &query, json!({ "id": id })).await;
        assert_eq!(deleted[mutation], true);
        let gone = app.gql(Some(&zoe), &query, json!({ "id": id })).await;
        assert_eq!(error_code(&gone), "NOT_FOUND", "{mutation}");
    }
    app.stop().await;
}
