//! `spawn_app()`: the real server on port 0 over a fresh SQLite store, and typed helpers.

use reqwest::{Client, Method, Response, StatusCode};
use roster_api::config::{Config, EnvApiKeys, Secret, StoreLocation};
use roster_api::secrets::PasswordHasher;
use roster_api::server;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The bootstrap administrator of every test server.
pub const ADMIN: &str = "admin";
/// Their password.
pub const ADMIN_PASSWORD: &str = "admin-password";
/// The model service's token on every test server.
pub const SERVICE_TOKEN: &str = "service-token-for-tests";

/// A running server.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its settings (to restart it the same way).
    pub config: Config,
    dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<std::io::Result<()>>>,
    client: Client,
}

/// Settings for a test server on `dir`: bootstrap admin, a vault key, a service token.
pub fn test_config(dir: &TempDir) -> Config {
    let mut config = Config::defaults(StoreLocation::Sqlite(
        dir.path().join("roster").join("events.db"),
    ));
    config.admin_username = Some(ADMIN.to_owned());
    config.admin_password = Some(Secret::new(ADMIN_PASSWORD));
    config.secret_key = Some(Secret::new("ab".repeat(32)));
    config.service_token = Some(Secret::new(SERVICE_TOKEN));
    config.env_api_keys =
        EnvApiKeys::from_pairs([("OPENAI_API_KEY".to_owned(), "sk-env-0000".to_owned())]);
    config
}

/// Starts the server with the test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the server with the test settings changed by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut config = test_config(&dir);
    adjust(&mut config);
    start(dir, config).await
}

async fn start(dir: TempDir, config: Config) -> TestApp {
    let hasher = PasswordHasher::insecure_fast_for_tests().expect("hasher");
    let (server, _) = server::start(config.clone(), hasher)
        .await
        .expect("server starts");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let addr = listener.local_addr().expect("local address");
    let (shutdown, stop) = oneshot::channel::<()>();
    let served = tokio::spawn(server::run(listener, server, async move {
        let _ = stop.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        config,
        dir,
        shutdown: Some(shutdown),
        served: Some(served),
        client: Client::new(),
    }
}

impl TestApp {
    /// Starts the server with `config` on a store folder made beforehand.
    pub async fn start_on(dir: TempDir, config: Config) -> TestApp {
        start(dir, config).await
    }

    /// Stops the server gracefully and waits until its store is closed.
    pub async fn stop(mut self) -> (TempDir, Config) {
        self.shutdown_and_wait().await;
        (self.dir, self.config)
    }

    async fn shutdown_and_wait(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.expect("server task").expect("server ran");
        }
    }

    /// Signals shutdown without waiting (to test graceful shutdown).
    pub fn signal_shutdown(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }

    /// Waits for the server task to finish.
    pub async fn wait_stopped(&mut self) -> std::io::Result<()> {
        self.served.take().expect("running").await.expect("task")
    }

    /// Stops the server and starts it again on the same store.
    pub async fn restart(self) -> TestApp {
        let (dir, config) = self.stop().await;
        start(dir, config).await
    }

    /// A full URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with an optional bearer token.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// A REST call with a JSON body (or none); returns status and JSON body.
    pub async fn rest(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut builder = self.request(method, path, token);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        let response = builder.send().await.expect("request sent");
        json_of(response).await
    }

    /// A GraphQL POST; returns the whole response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let response = self
            .request(Method::POST, "/graphql", token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), StatusCode::OK, "GraphQL answers 200");
        response.json().await.expect("JSON body")
    }

    /// A GraphQL POST that must succeed; returns `data`.
    pub async fn gql_ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Logs in over GraphQL and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let data = self
            .gql_ok(
                None,
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
                json!({ "u": username, "p": password }),
            )
            .await;
        data["login"]["token"].as_str().expect("token").to_owned()
    }

    /// Logs the bootstrap administrator in.
    pub async fn admin_token(&self) -> String {
        self.login(ADMIN, ADMIN_PASSWORD).await
    }

    /// Creates a user (as `admin_token`) and returns its id.
    pub async fn create_user(&self, admin_token: &str, username: &str, password: &str) -> String {
        let data = self
            .gql_ok(
                Some(admin_token),
                "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
                json!({ "input": {
                    "username": username,
                    "displayName": format!("{username} Example"),
                    "email": format!("{username}@example.org"),
                    "password": password,
                }}),
            )
            .await;
        data["createUser"]["id"].as_str().expect("id").to_owned()
    }

    /// The id of the user `token` belongs to.
    pub async fn my_id(&self, token: &str) -> String {
        let data = self.gql_ok(Some(token), "{ me { id } }", json!({})).await;
        data["me"]["id"].as_str().expect("signed in").to_owned()
    }

    /// The id of the session `token` came with.
    pub async fn current_session_id(&self, token: &str) -> String {
        let data = self
            .gql_ok(Some(token), "{ mySessions { id current } }", json!({}))
            .await;
        let sessions = data["mySessions"].as_array().expect("sessions");
        let current = sessions.iter().find(|s| s["current"] == true);
        current.expect("a current session")["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// The Prometheus text of `/metrics` (readable from this machine without a token).
    pub async fn metrics(&self) -> String {
        let response = self.request(Method::GET, "/metrics", None).send().await;
        response.expect("request sent").text().await.expect("body")
    }

    /// The `me` query: the username, or `None` when the token does not work.
    pub async fn me(&self, token: &str) -> Option<String> {
        let data = self
            .gql_ok(Some(token), "{ me { username } }", json!({}))
            .await;
        data["me"]["username"].as_str().map(str::to_owned)
    }
}

/// Status and JSON body (Null when the body is not JSON).
pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The `extensions.code` of a GraphQL response's first error.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

/// The message of a GraphQL response's first error.
pub fn error_message(body: &Value) -> &str {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {body}"))
}
