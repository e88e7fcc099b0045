//! Two-factor authentication end to end, through GraphQL (over HTTP and WebSocket) and REST:
//! enrolling, confirming, logging in with a challenge and a code computed here from the
//! enrolled secret (as an authenticator app does), replayed codes, recovery codes, turning it
//! off, an administrator removing it, and no secret or recovery code in the database.
//!
//! One file on purpose: the two-factor flow is one story, told through each door in turn.

use crate::graphql_ws::GraphqlSocket;
use crate::support::*;
use reqwest::header::SET_COOKIE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use totp_rs::Totp;

const ENROLL: &str = "mutation { enrollTotp { secret otpauthUri qrSvg } }";
const CONFIRM: &str = "mutation($code: String!) { confirmTotp(code: $code) }";
const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt user { username } totpRequired challenge } }";
const LOGIN_TOTP: &str = "mutation($c: String!, $code: String!) { loginTotp(challenge: $c, code: $code) { token expiresAt user { username totpEnabled } totpRequired challenge } }";
const DISABLE: &str = "mutation($code: String!) { disableMyTotp(code: $code) }";
const REMOVE: &str = "mutation($id: ID!) { removeUserTotp(userId: $id) { id totpEnabled } }";

/// The enrolled secret, as an authenticator app reads it from the `otpauth://` URI.
struct App(Totp);

impl App {
    fn scan(otpauth_uri: &str) -> App {
        App(Totp::from_url(otpauth_uri).expect("an otpauth URI an app reads"))
    }

    /// The code the app shows `offset` seconds from now (±30: the neighbouring step). Not in
    /// the last two seconds of a step: the server checks it against its own clock a moment
    /// later, and a code of the previous step must still be within its window then.
    async fn code(&self, offset: i64) -> String {
        let into_step = unix_now() % 30;
        if into_step >= 28 {
            tokio::time::sleep(Duration::from_secs(30 - into_step)).await;
        }
        self.0
            .generate(unix_now().saturating_add_signed(offset))
            .to_string()
    }

    /// A code of an hour ago: wrong now (but for a one-in-a-million coincidence).
    fn stale_code(&self) -> String {
        self.0.generate(unix_now() - 3600).to_string()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Enrols `token`'s account over GraphQL; returns the enrolment.
async fn enroll(app: &TestApp, token: &str) -> Value {
    app.gql_ok(Some(token), ENROLL, json!({})).await["enrollTotp"].clone()
}

/// Turns two-factor authentication on for `token`'s account over GraphQL (with a code of the
/// previous step, so the current one is still free); returns the app and the recovery codes.
async fn turn_on(app: &TestApp, token: &str) -> (App, Vec<String>) {
    let enrollment = enroll(app, token).await;
    let authenticator = App::scan(enrollment["otpauthUri"].as_str().unwrap());
    let data = app
        .gql_ok(
            Some(token),
            CONFIRM,
            json!({ "code": authenticator.code(-30).await }),
        )
        .await;
    let codes = data["confirmTotp"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (authenticator, codes)
}

/// A GraphQL login that must be answered with a challenge; returns it.
async fn challenge(app: &TestApp, username: &str, password: &str) -> String {
    let data = app
        .gql_ok(None, LOGIN, json!({ "u": username, "p": password }))
        .await;
    let payload = &data["login"];
    assert_eq!(
        (&payload["token"], &payload["expiresAt"], &payload["user"]),
        (&Value::Null, &Value::Null, &Value::Null),
        "no session from the password alone: {payload}"
    );
    assert_eq!(payload["totpRequired"], true);
    payload["challenge"]
        .as_str()
        .expect("a challenge")
        .to_owned()
}

async fn login_totp(app: &TestApp, challenge: &str, code: &str) -> Value {
    app.gql(None, LOGIN_TOTP, json!({ "c": challenge, "code": code }))
        .await
}

async fn totp_enabled(app: &TestApp, token: &str) -> bool {
    let data = app
        .gql_ok(Some(token), "{ me { totpEnabled } }", json!({}))
        .await;
    data["me"]["totpEnabled"].as_bool().unwrap()
}

#[tokio::test]
async fn it_should_enrol_confirm_and_log_in_with_a_code_or_a_recovery_code_over_graphql() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "tara", "tara-password").await;
    let tara = app.login("tara", "tara-password").await;

    let enrollment = enroll(&app, &tara).await;
    let secret = enrollment["secret"].as_str().unwrap();
    let uri = enrollment["otpauthUri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Roster:tara?"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    let svg = enrollment["qrSvg"].as_str().unwrap();
    assert!(svg.contains("<svg") && svg.ends_with("</svg>"));
    assert!(!totp_enabled(&app, &tara).await, "pending until confirmed");

    // Enrolling again replaces the pending secret: a code of the first no longer confirms.
    let first = App::scan(uri);
    let enrollment = enroll(&app, &tara).await;
    let authenticator = App::scan(enrollment["otpauthUri"].as_str().unwrap());
    let refused = app
        .gql(Some(&tara), CONFIRM, json!({ "code": first.code(0).await }))
        .await;
    assert_eq!(
        (error_code(&refused), error_message(&refused)),
        ("VALIDATION", "Invalid two-factor code")
    );
    let refused = app
        .gql(
            Some(&tara),
            CONFIRM,
            json!({ "code": authenticator.stale_code() }),
        )
        .await;
    assert_eq!(error_code(&refused), "VALIDATION");

    let data = app
        .gql_ok(
            Some(&tara),
            CONFIRM,
            json!({ "code": authenticator.code(-30).await }),
        )
        .await;
    let recovery: Vec<&str> = data["confirmTotp"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert!(
        recovery
            .iter()
            .all(|c| c.len() == 19 && c.matches('-').count() == 3)
    );
    let distinct: std::collections::BTreeSet<_> = recovery.iter().collect();
    assert_eq!(distinct.len(), 10);
    assert!(totp_enabled(&app, &tara).await);

    // The password alone gets a challenge; a wrong code does not spend it.
    let first_challenge = challenge(&app, "tara", "tara-password").await;
    let wrong = login_totp(&app, &first_challenge, &authenticator.stale_code()).await;
    assert_eq!(
        (error_code(&wrong), error_message(&wrong)),
        ("UNAUTHENTICATED", "Invalid two-factor code")
    );
    let code = authenticator.code(0).await;
    let done = login_totp(&app, &first_challenge, &code).await;
    let session = done["data"]["loginTotp"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("a session: {done}"));
    assert_eq!(done["data"]["loginTotp"]["totpRequired"], false);
    assert_eq!(
        done["data"]["loginTotp"]["user"],
        json!({ "username": "tara", "totpEnabled": true })
    );
    assert_eq!(app.me(session).await.as_deref(), Some("tara"));

    // A challenge completes once.
    let again = login_totp(&app, &first_challenge, &authenticator.code(30).await).await;
    assert_eq!(
        (error_code(&again), error_message(&again)),
        ("UNAUTHENTICATED", "Invalid or expired login challenge")
    );

    // A code (its time step) is accepted once.
    let second_challenge = challenge(&app, "tara", "tara-password").await;
    let replayed = login_totp(&app, &second_challenge, &code).await;
    assert_eq!(
        (error_code(&replayed), error_message(&replayed)),
        ("UNAUTHENTICATED", "Invalid two-factor code")
    );

    // A recovery code works once, typed either way.
    let done = login_totp(&app, &second_challenge, recovery[0]).await;
    assert!(done["data"]["loginTotp"]["token"].is_string(), "{done}");
    let third_challenge = challenge(&app, "tara", "tara-password").await;
    let reused = login_totp(&app, &third_challenge, recovery[0]).await;
    assert_eq!(error_message(&reused), "Invalid two-factor code");
    let typed = recovery[1].to_lowercase().replace('-', " ");
    let done = login_totp(&app, &third_challenge, &typed).await;
    assert!(done["data"]["loginTotp"]["token"].is_string(), "{done}");

    // Turning it off takes a valid code; then the password alone logs in again.
    let refused = app.gql(Some(&tara), DISABLE, json!({ "code": code })).await;
    assert_eq!(
        (error_code(&refused), error_message(&refused)),
        ("VALIDATION", "Invalid two-factor code")
    );
    assert!(totp_enabled(&app, &tara).await);
    let data = app
        .gql_ok(
            Some(&tara),
            DISABLE,
            json!({ "code": authenticator.code(30).await }),
        )
        .await;
    assert_eq!(data["disableMyTotp"], true);
    assert!(!totp_enabled(&app, &tara).await);
    let data = app
        .gql_ok(None, LOGIN, json!({ "u": "tara", "p": "tara-password" }))
        .await;
    assert!(data["login"]["token"].is_string(), "{data}");
    assert_eq!(data["login"]["totpRequired"], false);
    assert_eq!(data["login"]["challenge"], Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn it_should_enrol_confirm_and_log_in_with_a_code_or_a_recovery_code_over_rest() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "uma", "uma-password").await;
    let uma = app.login("uma", "uma-password").await;
    let login = json!({ "username": "uma", "password": "uma-password" });

    let (status, enrollment) = app
        .rest(Method::POST, "/api/auth/totp/enroll", Some(&uma), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{enrollment}");
    assert!(enrollment["secret"].is_string() && enrollment["qrSvg"].is_string());
    let authenticator = App::scan(enrollment["otpauthUri"].as_str().unwrap());
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/totp/confirm",
            Some(&uma),
            Some(json!({ "code": authenticator.stale_code() })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "VALIDATION");
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/totp/confirm",
            Some(&uma),
            Some(json!({ "code": authenticator.code(-30).await })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let recovery: Vec<String> = body["recoveryCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let (_, profile) = app
        .rest(Method::GET, "/api/user/profile", Some(&uma), None)
        .await;
    assert_eq!(profile["totpEnabled"], true);

    // The password alone: a challenge, no token, no cookie.
    let rest_challenge = async || {
        let response = app
            .request(Method::POST, "/api/auth/login", None)
            .json(&login)
            .send()
            .await
            .unwrap();
        assert!(response.headers().get(SET_COOKIE).is_none());
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["totpRequired"], true);
        assert!(body.get("token").is_none(), "{body}");
        body["challenge"].as_str().unwrap().to_owned()
    };
    let first = rest_challenge().await;
    let code = authenticator.code(0).await;
    let response = app
        .request(Method::POST, "/api/auth/totp/login", None)
        .json(&json!({ "challenge": first, "code": code }))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers().get(SET_COOKIE).is_some(),
        "the session cookie"
    );
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["username"], "uma");
    assert!(body["expiresAt"].is_string());
    assert_eq!(
        app.me(body["token"].as_str().unwrap()).await.as_deref(),
        Some("uma")
    );

    let totp_login = async |challenge: &str, code: &str| {
        app.rest(
            Method::POST,
            "/api/auth/totp/login",
            None,
            Some(json!({ "challenge": challenge, "code": code })),
        )
        .await
    };
    let (status, body) = totp_login(&first, &authenticator.code(30).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "single use: {body}");
    assert_eq!(body["message"], "Invalid or expired login challenge");
    let second = rest_challenge().await;
    let (status, body) = totp_login(&second, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("UNAUTHORIZED")),
        "replayed: {body}"
    );
    let (status, body) = totp_login(&second, &recovery[9]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let third = rest_challenge().await;
    let (status, _) = totp_login(&third, &recovery[9]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a recovery code works once"
    );

    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/totp/disable",
            Some(&uma),
            Some(json!({ "code": recovery[9] })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/totp/disable",
            Some(&uma),
            Some(json!({ "code": recovery[3] })),
        )
        .await;
    assert_eq!(
        (status, &body),
        (StatusCode::OK, &json!({ "success": true }))
    );
    let (status, body) = app
        .rest(Method::POST, "/api/auth/login", None, Some(login))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["token"].is_string(), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn it_should_start_no_session_from_the_password_alone_at_any_door() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "vera", "vera-password").await;
    let vera = app.login("vera", "vera-password").await;
    turn_on(&app, &vera).await;

    challenge(&app, "vera", "vera-password").await;
    let (status, body) = app
        .rest(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "username": "vera", "password": "vera-password" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "totpRequired": true, "challenge": body["challenge"] })
    );
    let mut socket = GraphqlSocket::connect(&app, json!({})).await;
    socket
        .subscribe(
            "1",
            "mutation { login(username: \"vera\", password: \"vera-password\") { token user { id } totpRequired challenge } }",
        )
        .await;
    let answer = socket.next_where("1", |_| true).await;
    let payload = &answer["data"]["login"];
    assert_eq!(payload["token"], Value::Null, "{answer}");
    assert_eq!(payload["user"], Value::Null);
    assert_eq!(payload["totpRequired"], true);
    assert!(payload["challenge"].is_string());
    socket.close().await;
    // Only the first session, from before two-factor authentication was on.
    let data = app
        .gql_ok(Some(&vera), "{ mySessions { id } }", json!({}))
        .await;
    assert_eq!(data["mySessions"].as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn it_should_let_an_administrator_remove_a_second_factor_as_an_audited_event() {
    use roster_domain::store::{Actor, EventStore, Position};

    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.my_id(&admin).await;
    let wes_id = app.create_user(&admin, "wes", "wes-password").await;
    let wes = app.login("wes", "wes-password").await;
    turn_on(&app, &wes).await;
    challenge(&app, "wes", "wes-password").await;

    let data = app
        .gql_ok(Some(&admin), REMOVE, json!({ "id": wes_id }))
        .await;
    assert_eq!(
        data["removeUserTotp"],
        json!({ "id": wes_id, "totpEnabled": false })
    );
    let data = app
        .gql_ok(None, LOGIN, json!({ "u": "wes", "p": "wes-password" }))
        .await;
    assert!(data["login"]["token"].is_string(), "{data}");

    // Again, through REST.
    turn_on(&app, &wes).await;
    assert!(totp_enabled(&app, &wes).await);
    let (status, body) = app
        .rest(
            Method::DELETE,
            &format!("/api/admin/users/{wes_id}/totp"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["totpEnabled"], false);
    assert!(!totp_enabled(&app, &wes).await);

    let (dir, config) = app.stop().await;
    let roster_api::config::StoreLocation::Sqlite(path) = &config.store else {
        panic!("SQLite store expected");
    };
    let store = roster_store::SqliteStore::open(path).unwrap();
    let log = store.read_all(Position::START, usize::MAX).await.unwrap();
    let removals: Vec<_> = log
        .iter()
        .filter(|r| r.event_type == "TotpRemoved")
        .collect();
    assert_eq!(removals.len(), 2);
    for removal in removals {
        assert_eq!(removal.stream, format!("totp-{wes_id}"));
        assert_eq!(
            removal.metadata.actor,
            Actor::User(admin_id.parse().unwrap())
        );
    }
    drop(store);
    drop(dir);
}

#[tokio::test]
async fn it_should_refuse_a_challenge_once_the_password_was_reset() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let xia_id = app.create_user(&admin, "xia", "xia-password").await;
    let xia = app.login("xia", "xia-password").await;
    let (authenticator, _) = turn_on(&app, &xia).await;
    let pending = challenge(&app, "xia", "xia-password").await;
    app.gql_ok(
        Some(&admin),
        "mutation($id: ID!) { resetPassword(id: $id, password: \"xia-password-2\") { id } }",
        json!({ "id": xia_id }),
    )
    .await;
    let refused = login_totp(&app, &pending, &authenticator.code(0).await).await;
    assert_eq!(
        (error_code(&refused), error_message(&refused)),
        ("UNAUTHENTICATED", "Invalid or expired login challenge")
    );
    // The new password's challenge works, with the same (unspent) code.
    let fresh = challenge(&app, "xia", "xia-password-2").await;
    let done = login_totp(&app, &fresh, &authenticator.code(0).await).await;
    assert!(done["data"]["loginTotp"]["token"].is_string(), "{done}");
    app.stop().await;
}

#[tokio::test]
async fn it_should_never_write_a_totp_secret_a_recovery_code_or_a_challenge_into_the_database() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "yan", "yan-password").await;
    let yan = app.login("yan", "yan-password").await;
    let enrollment = enroll(&app, &yan).await;
    let secret = enrollment["secret"].as_str().unwrap().to_owned();
    let authenticator = App::scan(enrollment["otpauthUri"].as_str().unwrap());
    let data = app
        .gql_ok(
            Some(&yan),
            CONFIRM,
            json!({ "code": authenticator.code(-30).await }),
        )
        .await;
    let recovery: Vec<String> = data["confirmTotp"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let pending = challenge(&app, "yan", "yan-password").await;
    let done = login_totp(&app, &pending, &recovery[0]).await;
    assert!(done["data"]["loginTotp"]["token"].is_string(), "{done}");

    let (dir, config) = app.stop().await;
    let roster_api::config::StoreLocation::Sqlite(path) = &config.store else {
        panic!("SQLite store expected");
    };
    // Every file of the store: the database, and its write-ahead log if one is left.
    let folder = path.parent().unwrap();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().starts_with("events.db") {
            bytes.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    assert!(bytes.len() > 4096, "the database was read");
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"TotpEnabled"), "the events are there");
    let raw_secret = totp_rs::Secret::try_from_base32(&secret)
        .unwrap()
        .as_bytes()
        .to_vec();
    let mut secrets: Vec<Vec<u8>> = vec![
        secret.clone().into_bytes(),
        raw_secret,
        pending.into_bytes(),
    ];
    for code in &recovery {
        secrets.push(code.clone().into_bytes());
        secrets.push(code.replace('-', "").into_bytes());
    }
    for needle in &secrets {
        assert!(!contains(needle), "a secret is in the database");
    }
    drop(dir);
}
