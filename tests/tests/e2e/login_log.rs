//! What a failed login leaves in the log: a fingerprint of the username (the first 16 hex
//! digits of the SHA-256 of its lowercased form), the client's address and the request's
//! correlation id; never the username or the password as typed.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Every log line written while it is the thread's subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn it_should_log_a_failed_login_with_a_username_hash_the_address_and_the_correlation_id() {
    // The test's runtime runs the server on this thread too, so a subscriber for this thread
    // sees what the server logs for these requests, and nothing of other tests.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let app = spawn_app().await;

    let (status, _) = app
        .rest(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "username": "Mallory.Example", "password": "hunter2-Secret" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let body = app
        .gql(
            None,
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { expiresAt } }",
            json!({ "u": ADMIN, "p": "not-the-admin-password" }),
        )
        .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    app.stop().await;

    let log = captured.text();
    let refused: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("login refused"))
        .collect();
    assert_eq!(refused.len(), 2, "{log}");
    for (line, username) in refused.iter().zip(["mallory.example", ADMIN]) {
        let fingerprint = hex::encode(&Sha256::digest(username.as_bytes())[..8]);
        assert!(line.contains(&format!("user={fingerprint}")), "{line}");
        assert!(line.contains("ip=127.0.0.1"), "{line}");
        let correlation_id = line
            .split("correlation_id=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no correlation id in {line}"));
        assert!(correlation_id.parse::<uuid::Uuid>().is_ok(), "{line}");
    }
    assert_ne!(refused[0], refused[1]);
    let lowercase = log.to_lowercase();
    for secret in ["mallory", "hunter2", "not-the-admin-password"] {
        assert!(!lowercase.contains(secret), "{secret} in the log:\n{log}");
    }
}
