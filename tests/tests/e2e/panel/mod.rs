//! The Admin Panel in a real browser (headless Chromium through chromedriver) against the
//! real server: the administrator guide walked by clicking, a non-administrator who sees no
//! panel, the forced password change, and GraphiQL running a query offline. A screenshot of
//! each tab is saved under `target/screenshots/`.
//!
//! - `browser`: starting Chromium, waiting for what the page shows, screenshots.
//! - `visitor`: what a user who is no administrator sees, and GraphiQL.

mod browser;
mod visitor;

use crate::support::*;
use browser::Browser;
use fantoccini::key::Key;
use serde_json::json;

/// Logs in through `/login` and waits for the page the login leads to.
async fn log_in(browser: &Browser, app: &TestApp, username: &str, password: &str) {
    browser.goto(&app.url("/login")).await;
    browser.fill("#login-username", username).await;
    browser.fill("#login-password", password).await;
    browser.click("#login-form button[type=submit]").await;
    browser.shown("#topbar .whoami").await;
}

/// The row of `username` in the Users table, with `text` in it.
async fn user_row(browser: &Browser, username: &str, text: &str) -> fantoccini::elements::Element {
    browser
        .shown_with(
            &format!("#pane-users tr[data-username=\"{username}\"]"),
            text,
        )
        .await
}

/// Answers the open confirmation dialog titled `title` with its action; returns its text.
async fn confirm(browser: &Browser, title: &str) -> String {
    let text = browser.dialog(title).await;
    browser.click("dialog[open] button[type=submit]").await;
    browser.gone("dialog[open]").await;
    text
}

#[tokio::test]
async fn it_should_walk_the_administrator_guide_in_a_real_browser() {
    let Some(browser) = Browser::start("the Admin Panel walk").await else {
        return;
    };
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    // Log in; the shield's dropdown leads to the Admin Panel.
    log_in(&browser, &app, ADMIN, ADMIN_PASSWORD).await;
    browser.goto(&app.url("/account")).await;
    browser.click("#admin-menu-button").await;
    browser.click("#admin-menu a[href=\"/admin\"]").await;
    browser.shown("#tab-users[aria-selected=true]").await;
    user_row(&browser, ADMIN, "Admin").await;
    // The tabs follow the arrow keys.
    browser.press("#tab-users", Key::Right).await;
    browser.shown("#tab-sessions[aria-selected=true]").await;
    browser.focused("#tab-sessions").await;
    browser.press("#tab-sessions", Key::Left).await;
    browser.shown("#tab-users[aria-selected=true]").await;

    // Create User: the guide's rules, its messages beside the field.
    browser.click("#create-user").await;
    browser.dialog("Create User").await;
    browser.focused("#create-username").await;
    browser.fill("#create-username", "al").await;
    browser.fill("#create-password", "secret1").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser
        .shown_with(
            "[data-error-for=username]",
            "Username must be between 3 and 50 characters",
        )
        .await;
    browser.fill("#create-username", "alice").await;
    browser.fill("#create-displayName", "Alice Example").await;
    browser.fill("#create-email", "alice@example.org").await;
    browser.fill("#create-password", "12345").await;
    browser.click("#create-isAdmin").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser
        .shown_with(
            "[data-error-for=password]",
            "Password must be at least 6 characters",
        )
        .await;
    browser.fill("#create-password", "secret1").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser.gone("dialog[open]").await;
    user_row(&browser, "alice", "Admin").await;
    // The focus went into the dialog and came back to the button that opened it.
    browser.focused("#create-user").await;
    browser.click("#create-user").await;
    browser.fill("#create-username", "ALICE").await;
    browser.fill("#create-password", "secret1").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser
        .shown_with("[data-error-for=username]", "Username already exists")
        .await;
    browser.click("dialog[open] button.secondary").await;
    browser.gone("dialog[open]").await;

    // A change made elsewhere shows without a reload (the live feed).
    app.create_user(&admin, "erin", "secret1").await;
    user_row(&browser, "erin", "erin Example").await;

    // Alice's belongings and sessions show in her counts.
    let alice_id = app.my_id(&app.login("alice", "secret1").await).await;
    app.gql_ok(
        Some(&admin),
        "mutation($o: ID) { createPersona(name: \"Reviewer\", ownerId: $o) { id } }",
        json!({ "o": alice_id }),
    )
    .await;
    let alice = app.login("alice", "secret1").await;
    app.gql_ok(
        Some(&alice),
        "mutation { createApiKey(input: {provider: \"openai\", key: \"sk-alice-1234\"}) { id } }",
        json!({}),
    )
    .await;
    browser.reload().await;
    let row = user_row(&browser, "alice", "Alice Example").await;
    for (count, expected) in [("personas", "1"), ("sessions", "2"), ("apiKeys", "1")] {
        let cell = row
            .find(fantoccini::Locator::Css(&format!("[data-count={count}]")))
            .await
            .unwrap();
        assert_eq!(cell.text().await.unwrap(), expected, "{count}");
    }
    browser.screenshot("users").await;

    // Edit: a new display name, no longer an administrator.
    browser.click("button[aria-label=\"Edit alice\"]").await;
    browser.dialog("Edit alice").await;
    browser.fill("#edit-displayName", "Alice Liddell").await;
    browser.click("#edit-isAdmin").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser.gone("dialog[open]").await;
    let row = user_row(&browser, "alice", "Alice Liddell").await;
    assert!(!row.text().await.unwrap().contains("Admin"));

    // Reset the password, ending her sessions and requiring a change.
    browser
        .click("tr[data-username=\"alice\"] [data-action=reset]")
        .await;
    browser.dialog("Reset the password of alice").await;
    browser.fill("#reset-password", "another1").await;
    browser.click("#reset-requireChange").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser.gone("dialog[open]").await;
    user_row(&browser, "alice", "Must change password").await;
    assert_eq!(app.me(&alice).await, None, "her sessions ended");

    // Sessions: filter by user, revoke one, then all of hers.
    let first = app.login("alice", "another1").await;
    let _second = app.login("alice", "another1").await;
    browser.click("#tab-sessions").await;
    browser.fill("#session-user", "alice").await;
    browser
        .click("#pane-sessions form button[type=submit]")
        .await;
    browser
        .shown_with("[data-testid=sessions-count]", "of 2")
        .await;
    assert!(
        !browser
            .present("#pane-sessions tr[data-username=\"admin\"]")
            .await
    );
    browser
        .click("#pane-sessions tr[data-username=\"alice\"] button")
        .await;
    confirm(&browser, "Revoke session").await;
    browser
        .shown_with("[data-testid=sessions-count]", "of 1")
        .await;
    browser.screenshot("sessions").await;
    browser.click("#revoke-user-sessions").await;
    confirm(&browser, "Revoke all sessions").await;
    browser
        .shown_with("#sessions-table", "No active sessions.")
        .await;
    assert_eq!(app.me(&first).await, None);

    // Log out everyone, behind a confirmation: the administrator's own session stays.
    app.create_user(&admin, "bob", "secret1").await;
    let bob = app.login("bob", "secret1").await;
    browser.click("#session-clear").await;
    browser.shown_with("#pane-sessions tbody", "bob").await;
    browser.click("#logout-everyone").await;
    confirm(&browser, "Log out everyone").await;
    browser
        .gone("#pane-sessions tr[data-username=\"bob\"]")
        .await;
    assert_eq!(app.me(&bob).await, None);
    let admin = app.admin_token().await;
    browser
        .shown("#pane-sessions tr[data-username=\"admin\"] .badge.current")
        .await;

    // Disable, then delete with the confirmation of what goes; never oneself.
    browser.click("#tab-users").await;
    browser
        .click("tr[data-username=\"alice\"] [data-action=disable]")
        .await;
    confirm(&browser, "Disable alice").await;
    user_row(&browser, "alice", "Disabled").await;
    let refused = app
        .gql(
            None,
            "mutation { login(username: \"alice\", password: \"another1\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_message(&refused), "Account is disabled", "{refused}");
    let own_delete = browser.shown("button[aria-label=\"Delete admin\"]").await;
    assert!(own_delete.attr("disabled").await.unwrap().is_some());
    browser.click("button[aria-label=\"Delete alice\"]").await;
    let listed = confirm(&browser, "Delete alice").await;
    for item in [
        "1 persona",
        "1 API key",
        "0 active sessions",
        "their ontologies",
        "their annotations",
    ] {
        assert!(listed.contains(item), "{item} in {listed}");
    }
    browser.gone("tr[data-username=\"alice\"]").await;
    let gone = app
        .gql_ok(
            Some(&admin),
            "{ user(username: \"alice\") { id } }",
            json!({}),
        )
        .await;
    assert!(gone["user"].is_null(), "{gone}");

    // The other tabs.
    browser.click("#tab-keys").await;
    browser.click("#add-system-key").await;
    browser.fill("#key-provider", "anthropic").await;
    browser.fill("#key-key", "sk-system-9876").await;
    browser.click("dialog[open] button[type=submit]").await;
    browser
        .shown_with("#pane-keys tr[data-provider=anthropic]", "…9876")
        .await;
    browser.screenshot("system-api-keys").await;
    browser.click("#tab-stats").await;
    browser
        .shown_with("#pane-stats .stats", "System API keys")
        .await;
    browser.screenshot("statistics").await;
    browser.click("#tab-audit").await;
    browser.fill("#audit-who", "alice").await;
    browser.click("#pane-audit form button[type=submit]").await;
    browser
        .shown_with("#audit-who-error", "a deleted user is found by id")
        .await;
    browser.fill("#audit-who", &alice_id).await;
    browser.click("#pane-audit form button[type=submit]").await;
    browser.shown_with("#audit-table", "UserDeleted").await;
    // Her deletion erased her personal data: the edit is still there, its values are not.
    browser
        .shown_with("#audit-table", "displayName: (erased) → (erased)")
        .await;
    browser.screenshot("audit").await;
    browser.goto(&app.url("/account")).await;
    browser.shown(".badge.current").await;
    browser.screenshot("my-account").await;

    // Search and paging by the server: 25 a page, newest first.
    for n in 0..25 {
        app.create_user(&admin, &format!("user{n:02}"), "secret1")
            .await;
    }
    browser.goto(&app.url("/admin#users")).await;
    browser
        .shown_with("[data-testid=users-count]", "1–25 of 28")
        .await;
    browser.shown("#pane-users tr[data-username=user24]").await;
    browser.click("#pane-users [data-action=next]").await;
    browser
        .shown_with("[data-testid=users-count]", "26–28 of 28")
        .await;
    browser.shown("#pane-users tr[data-username=admin]").await;
    browser.click("#pane-users [data-action=previous]").await;
    browser
        .shown_with("[data-testid=users-count]", "1–25 of 28")
        .await;
    browser.fill("#user-search", "eri").await;
    browser
        .shown_with("[data-testid=users-count]", "1–1 of 1")
        .await;
    browser.shown("#pane-users tr[data-username=erin]").await;
    browser.fill("#user-search", "").await;

    // A narrow window: the page does not scroll sideways, only the table inside it does.
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.goto(&app.url("/admin#users")).await;
    user_row(&browser, "erin", "erin Example").await;
    let fits = browser
        .client
        .execute(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fits,
        json!(true),
        "the page scrolls sideways on a narrow window"
    );
    browser.screenshot("users-narrow").await;

    browser.close().await;
    app.stop().await;
}
