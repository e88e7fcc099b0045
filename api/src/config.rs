//! Typed settings, checked once at start-up. Every layer reads them; they import nothing of
//! Roster's (the command line that fills them lives in `cli`).
//!
//! The process environment is read in two places only: the flags' environment fallbacks
//! (`cli`), and the `<PROVIDER>_API_KEY` snapshot taken here ([`EnvApiKeys::from_process`]),
//! so the rest of the server receives everything it may know through [`Config`].

use chrono::Duration;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration as StdDuration;

/// Where the events live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// The embedded SQLite file.
    Sqlite(PathBuf),
    /// In memory: nothing survives a restart (tests, demos).
    Memory,
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// `ROSTER_STORE` is not a URL Roster knows.
    #[error("ROSTER_STORE must be sqlite://PATH or memory://; got {0}")]
    UnknownStore(String),
    /// A duration setting is zero.
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
    /// An entry of `ROSTER_ALLOWED_ORIGINS` is not `scheme://host[:port]`.
    #[error("ROSTER_ALLOWED_ORIGINS takes origins like https://admin.example.org; got {0}")]
    BadOrigin(String),
}

/// A web origin, `http(s)://host[:port]`, as browsers send it in `Origin`: lowercased, without
/// a trailing slash or the scheme's default port, so two spellings of one origin compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    /// Parses an origin; `None` for anything else (a path, credentials, `null`, another
    /// scheme).
    pub fn parse(value: &str) -> Option<Origin> {
        let value = value.trim().to_ascii_lowercase();
        let (scheme, authority) = value.split_once("://")?;
        let default_port = match scheme {
            "http" => ":80",
            "https" => ":443",
            _ => return None,
        };
        let authority = authority.strip_suffix('/').unwrap_or(authority);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ', '\\']) {
            return None;
        }
        let authority = authority.strip_suffix(default_port).unwrap_or(authority);
        Some(Origin(format!("{scheme}://{authority}")))
    }

    /// The origin as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl StoreLocation {
    /// Parses a store URL.
    pub fn parse(url: &str) -> Result<StoreLocation, ConfigError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError::UnknownStore(url.to_owned()));
            }
            return Ok(StoreLocation::Sqlite(PathBuf::from(path)));
        }
        if url == "memory://" || url == "memory" {
            return Ok(StoreLocation::Memory);
        }
        Err(ConfigError::UnknownStore(url.to_owned()))
    }
}

/// A secret setting: its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The `<PROVIDER>_API_KEY` variables present at start-up: the last fallback of the effective
/// API key resolution (user → system → environment).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EnvApiKeys(BTreeMap<String, Secret>);

impl EnvApiKeys {
    /// Every `*_API_KEY` variable of the process environment.
    pub fn from_process() -> EnvApiKeys {
        EnvApiKeys::from_pairs(std::env::vars())
    }

    /// From explicit `(variable, value)` pairs (tests).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> EnvApiKeys {
        EnvApiKeys(
            pairs
                .into_iter()
                .filter(|(name, value)| {
                    name.ends_with("_API_KEY") && name.len() > "_API_KEY".len() && !value.is_empty()
                })
                .map(|(name, value)| (name, Secret::new(value)))
                .collect(),
        )
    }

    /// The key in variable `name` (e.g. `OPENAI_API_KEY`).
    pub fn get(&self, name: &str) -> Option<&Secret> {
        self.0.get(name)
    }

    /// The provider names the environment has keys for (`OPENAI_API_KEY` → `openai`).
    pub fn providers(&self) -> Vec<String> {
        self.0
            .keys()
            .filter_map(|name| name.strip_suffix("_API_KEY"))
            .map(str::to_ascii_lowercase)
            .collect()
    }
}

impl fmt::Debug for EnvApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// Limits on one GraphQL operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphqlLimits {
    /// Deepest selection nesting.
    pub depth: usize,
    /// Largest complexity (one per field, multiplied through lists by `first`).
    pub complexity: usize,
    /// Most directives on one field.
    pub directives: usize,
}

impl Default for GraphqlLimits {
    fn default() -> Self {
        GraphqlLimits {
            depth: 12,
            complexity: 2000,
            directives: 4,
        }
    }
}

/// How the pacing of failed logins per account grows (see `auth::LoginThrottle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before any delay.
    pub free_failures: u32,
    /// The first delay.
    pub base_delay: StdDuration,
    /// The longest delay between two checked attempts.
    pub max_delay: StdDuration,
    /// The furthest ahead an attempt is queued; beyond it, attempts are refused unchecked.
    pub max_wait: StdDuration,
    /// An account quiet for this long is forgotten.
    pub forget_after: StdDuration,
    /// Most accounts tracked at once.
    pub max_accounts: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            free_failures: 5,
            base_delay: StdDuration::from_millis(250),
            max_delay: StdDuration::from_secs(8),
            // Below the default request timeout (30 s), so a queued login is answered.
            max_wait: StdDuration::from_secs(20),
            forget_after: StdDuration::from_secs(15 * 60),
            max_accounts: 10_000,
        }
    }
}

/// The budgets for password guesses across accounts (see `auth::GuessBudget`): per client
/// address and for the whole server, spent by wrong guesses and registrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuessPolicy {
    /// Guesses one address may make at once.
    pub address_burst: u32,
    /// One more guess for an address each time this passes.
    pub address_refill_every: StdDuration,
    /// Guesses the whole server takes at once.
    pub server_burst: u32,
    /// One more guess for the server each time this passes.
    pub server_refill_every: StdDuration,
    /// Most addresses tracked at once (those with a full budget are forgotten first).
    pub max_addresses: usize,
}

impl Default for GuessPolicy {
    fn default() -> Self {
        GuessPolicy {
            // 30 wrong guesses at once, then one every 2 s (30 a minute) per address.
            address_burst: 30,
            address_refill_every: StdDuration::from_secs(2),
            // 300 at once, then 20 a second for the whole server.
            server_burst: 300,
            server_refill_every: StdDuration::from_millis(50),
            max_addresses: 100_000,
        }
    }
}

/// Bounds on the subscription sockets (`/graphql/ws`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketLimits {
    /// Most sockets open at once from one client address.
    pub per_address: usize,
    /// Most operations (subscriptions, queries, mutations) running at once on one socket.
    pub operations: usize,
    /// A socket that has not sent `connection_init` this long after opening is closed.
    pub init_timeout: StdDuration,
    /// How often the server pings an open socket; one silent for [`SocketLimits::SILENT_PINGS`]
    /// pings in a row (not even a pong) is closed.
    pub keepalive: StdDuration,
}

impl SocketLimits {
    /// How many pings in a row a socket may leave unanswered before it is closed.
    pub const SILENT_PINGS: u32 = 3;
}

impl Default for SocketLimits {
    fn default() -> Self {
        SocketLimits {
            per_address: 16,
            operations: 32,
            init_timeout: StdDuration::from_secs(10),
            keepalive: StdDuration::from_secs(15),
        }
    }
}

/// The server's settings, checked and typed.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address.
    pub bind: SocketAddr,
    /// Event store.
    pub store: StoreLocation,
    /// Self-registration allowed.
    pub allow_registration: bool,
    /// Bootstrap admin username.
    pub admin_username: Option<String>,
    /// Bootstrap admin password.
    pub admin_password: Option<Secret>,
    /// Lifetime of an ordinary session.
    pub session_lifetime: Duration,
    /// Lifetime of a "remember me" session.
    pub remember_lifetime: Duration,
    /// A session ends after this long without use.
    pub idle_timeout: Duration,
    /// Seals API keys; without it, the key file beside the database does.
    pub secret_key: Option<Secret>,
    /// The model service's credential.
    pub service_token: Option<Secret>,
    /// Environment fallback API keys.
    pub env_api_keys: EnvApiKeys,
    /// Mark the session cookie `Secure` (and name it `__Host-session_token`) on every
    /// response; without it, only on requests that reached Roster over TLS.
    pub secure_cookies: bool,
    /// Origins besides the server's own from which a browser may send cookie-authenticated
    /// requests and open subscription sockets.
    pub allowed_origins: Vec<Origin>,
    /// Serve GraphiQL at `/graphiql` and answer introspection queries.
    pub graphiql: bool,
    /// The bearer token `/metrics` requires; without it `/metrics` answers loopback clients
    /// only.
    pub metrics_token: Option<Secret>,
    /// Bounds on subscription sockets.
    pub sockets: SocketLimits,
    /// Development mode (field suggestions).
    pub development: bool,
    /// Largest request body.
    pub body_limit: usize,
    /// Longest request.
    pub request_timeout: StdDuration,
    /// GraphQL operation limits.
    pub graphql_limits: GraphqlLimits,
    /// Pacing of failed logins per account (not a flag: the defaults are the policy; tests
    /// shorten the delays).
    pub login_throttle: ThrottlePolicy,
    /// Budgets of wrong guesses per address and for the server (not a flag either).
    pub guess_budget: GuessPolicy,
    /// Log filter.
    pub log: String,
}

impl Config {
    /// The documented defaults on `store`, without reading flags or the environment: the
    /// starting point of tests and tools that build a server in-process.
    pub fn defaults(store: StoreLocation) -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            store,
            allow_registration: false,
            admin_username: None,
            admin_password: None,
            session_lifetime: Duration::days(7),
            remember_lifetime: Duration::days(30),
            idle_timeout: Duration::days(7),
            secret_key: None,
            service_token: None,
            env_api_keys: EnvApiKeys::default(),
            secure_cookies: false,
            allowed_origins: Vec::new(),
            graphiql: true,
            metrics_token: None,
            sockets: SocketLimits::default(),
            development: false,
            body_limit: 1024 * 1024,
            request_timeout: StdDuration::from_secs(30),
            graphql_limits: GraphqlLimits::default(),
            login_throttle: ThrottlePolicy::default(),
            guess_budget: GuessPolicy::default(),
            log: "info".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_keep_only_provider_key_variables_and_never_print_them() {
        let keys = EnvApiKeys::from_pairs([
            ("OPENAI_API_KEY".to_owned(), "sk-secret".to_owned()),
            ("HOME".to_owned(), "/root".to_owned()),
            ("_API_KEY".to_owned(), "x".to_owned()),
        ]);
        assert_eq!(keys.providers(), vec!["openai".to_owned()]);
        assert!(!format!("{keys:?}").contains("sk-secret"));
    }

    #[test]
    fn it_should_compare_origins_as_browsers_send_them() {
        let parsed = |value| Origin::parse(value).map(|o| o.as_str().to_owned());
        assert_eq!(
            parsed("HTTPS://Admin.Example.org:443/").as_deref(),
            Some("https://admin.example.org")
        );
        assert_eq!(
            parsed("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(parsed("http://[::1]:80").as_deref(), Some("http://[::1]"));
        for refused in [
            "null",
            "example.org",
            "ftp://example.org",
            "https://example.org/path",
            "https://user@example.org",
            "https://",
        ] {
            assert_eq!(Origin::parse(refused), None, "{refused}");
        }
    }
}
