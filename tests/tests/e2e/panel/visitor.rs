//! What a user who is no administrator gets: My account without the shield, no panel at
//! `/admin`; the forced password change after a reset; and GraphiQL, served from the binary,
//! running a query with the page's session cookie.

use super::browser::Browser;
use super::log_in;
use crate::support::*;
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn it_should_show_a_user_their_account_and_no_panel_and_run_graphiql() {
    let Some(browser) = Browser::start("the visitor's pages").await else {
        return;
    };
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.gql_ok(
        Some(&admin),
        "mutation { createUser(input: {username: \"carol\", password: \"first-pass\", \
         mustChangePassword: true}) { id } }",
        json!({}),
    )
    .await;

    // The first login leads to the forced change; nothing else shows until it is done.
    log_in(&browser, &app, "carol", "first-pass").await;
    browser.shown("#forced-change").await;
    assert!(!browser.present("#sessions").await);
    browser
        .fill("#password-currentPassword", "first-pass")
        .await;
    browser.fill("#password-password", "second-pass").await;
    browser.fill("#password-repeat", "second-pass").await;
    browser.click("#password form button[type=submit]").await;
    browser.shown("#sessions .badge.current").await;
    browser.gone("#forced-change").await;

    // Her other sessions can be revoked from here; her own API keys added.
    let elsewhere = app.login("carol", "second-pass").await;
    browser.reload().await;
    let other = "#sessions tr:not(:has(.badge.current)) button";
    browser.click(other).await;
    browser.dialog("Revoke session").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser.gone(other).await;
    assert_eq!(app.me(&elsewhere).await, None);
    browser.click("#keys button.primary").await;
    browser.dialog("Add API key").await;
    browser.fill("#f-provider", "openai").await;
    browser.fill("#f-key", "sk-carol-4321").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser.shown_with("#my-keys", "…4321").await;

    // No shield in the bar, and no panel at /admin.
    assert!(!browser.present("#admin-menu-button").await);
    browser.goto(&app.url("/admin")).await;
    browser.shown_with("#denied", "Admin access required").await;
    assert!(!browser.present("#panel:not([hidden])").await);

    // GraphiQL renders from the binary's own files and runs a query as carol.
    browser.goto(&app.url("/graphiql")).await;
    browser.shown(".graphiql-container .CodeMirror").await;
    // Its docs come from the introspection query, which passes the limits.
    browser
        .click("button[aria-label=\"Show Documentation Explorer\"]")
        .await;
    browser
        .shown_with(".graphiql-doc-explorer", "mutation: Mutation")
        .await;
    browser.click(".graphiql-execute-button").await;
    browser
        .shown_with(".result-window", "\"username\": \"carol\"")
        .await;
    browser.screenshot("graphiql").await;
    // A subscription runs over /graphql/ws with the same cookie.
    browser
        .goto(&app.url("/graphiql?query=subscription%20%7B%20heartbeat%20%7D"))
        .await;
    browser.shown(".graphiql-container .CodeMirror").await;
    browser.click(".graphiql-execute-button").await;
    browser
        .shown_with(".result-window", "\"heartbeat\": ")
        .await;

    // Log out: back to the login page, and the pages ask for a login again.
    browser.goto(&app.url("/account")).await;
    browser.click("#logout").await;
    browser.shown("#login-form").await;
    browser.goto(&app.url("/account")).await;
    browser.shown("#login-form").await;

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn it_should_say_registration_is_disabled_or_register() {
    let Some(browser) = Browser::start("the registration pages").await else {
        return;
    };
    let app = spawn_app().await;
    browser.goto(&app.url("/register")).await;
    browser.shown_with("h2", "Registration is disabled").await;
    app.stop().await;

    let app = spawn_app_with(|config| config.allow_registration = true).await;
    browser.goto(&app.url("/register")).await;
    browser.fill("#register-username", "admin").await;
    browser.fill("#register-password", "secret1").await;
    browser.click("#register-form button[type=submit]").await;
    browser
        .shown_with("[data-error-for=username]", "Username already exists")
        .await;
    browser.fill("#register-username", "dave").await;
    browser.click("#register-form button[type=submit]").await;
    browser.shown_with("#topbar .whoami", "dave").await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn it_should_take_the_panel_from_an_administrator_demoted_meanwhile() {
    let Some(browser) = Browser::start("the demoted administrator").await else {
        return;
    };
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let frank = app.create_user(&admin, "frank", "secret1").await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { grantAdmin(id: $id) { id } }",
        json!({ "id": frank }),
    )
    .await;
    log_in(&browser, &app, "frank", "secret1").await;
    browser.shown("#tab-users[aria-selected=true]").await;
    browser
        .shown("#pane-users tr[data-username=\"frank\"]")
        .await;

    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { revokeAdmin(id: $id) { id } }",
        json!({ "id": frank }),
    )
    .await;
    // The panel goes at the next action at the latest; the live feed, which ends with
    // FORBIDDEN, may take it first, and then there is no tab left to click.
    if let Ok(tab) = browser.client.find(Locator::Css("#tab-stats")).await {
        let _ = tab.click().await;
    }
    browser.shown_with("#denied", "Admin access required").await;
    browser.gone("#panel").await;
    browser.close().await;
    app.stop().await;
}
