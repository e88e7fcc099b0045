//! Typed settings, read once at start-up from flags and the environment.
//!
//! This is the only place that reads the process environment: the `<PROVIDER>_API_KEY`
//! fallback keys are captured here too, as a snapshot, so the rest of the server receives
//! everything it may know through [`Config`].

use crate::auth::ThrottlePolicy;
use chrono::Duration;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration as StdDuration;

/// The `roster` command line.
#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Roster: event-sourced user administration (GraphQL, REST, sessions, API keys)"
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Server settings.
    #[command(flatten)]
    pub settings: Settings,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum CliCommand {
    /// Serve the API (the default).
    Serve,
    /// Print the GraphQL schema (SDL), as committed in `api/schema.graphql`.
    Schema,
    /// Run a benchmark and print its figures as one JSON line.
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
}

/// Every setting, as flags with environment fallbacks (`roster --help` lists them).
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Event store: `sqlite://PATH` (embedded, the default) or `memory://` (nothing kept).
    #[arg(
        long,
        env = "ROSTER_STORE",
        default_value = "sqlite://./roster-data/events.db"
    )]
    pub store: String,

    /// Let people register their own (non-admin) accounts.
    #[arg(long, env = "ALLOW_REGISTRATION", default_value_t = false, action = ArgAction::Set)]
    pub allow_registration: bool,

    /// First-run bootstrap: the first administrator's username (default `admin`).
    #[arg(long, env = "ROSTER_ADMIN_USERNAME")]
    pub admin_username: Option<String>,

    /// First-run bootstrap: the first administrator's password (generated and printed once
    /// when absent).
    #[arg(long, env = "ROSTER_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// How long a session lasts, in days (30 with "remember me").
    #[arg(long, env = "SESSION_TIMEOUT_DAYS", default_value_t = 7)]
    pub session_timeout_days: u32,

    /// How long a "remember me" session lasts, in days.
    #[arg(long, env = "SESSION_REMEMBER_DAYS", default_value_t = 30)]
    pub session_remember_days: u32,

    /// A session ends after this many minutes without use (default: 7 days).
    #[arg(long, env = "SESSION_IDLE_TIMEOUT_MINUTES", default_value_t = 7 * 24 * 60)]
    pub session_idle_timeout_minutes: u32,

    /// 32 bytes (64 hex digits or base64) that seal stored model-service API keys. Without it
    /// Roster keeps a generated key in `secret.key` beside the SQLite database (back it up
    /// with the database), or an ephemeral one for `memory://`.
    #[arg(long, env = "ROSTER_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// The model service's credential for `POST /api/service/resolve-key`. Without it that
    /// endpoint is off.
    #[arg(long, env = "ROSTER_SERVICE_TOKEN", hide_env_values = true)]
    pub service_token: Option<String>,

    /// Mark the session cookie `Secure` (set this when Roster is served over HTTPS; a request
    /// forwarded with `X-Forwarded-Proto: https` gets it anyway).
    #[arg(long, env = "ROSTER_SECURE_COOKIES", default_value_t = false, action = ArgAction::Set)]
    pub secure_cookies: bool,

    /// Development mode: GraphQL field suggestions in error messages.
    #[arg(long, env = "ROSTER_DEV", default_value_t = false, action = ArgAction::Set)]
    pub development: bool,

    /// Largest request body accepted, in bytes (larger: 413).
    #[arg(long, env = "ROSTER_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,

    /// A request that takes longer than this many seconds is answered with 408.
    #[arg(long, env = "ROSTER_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Log filter (tracing's `EnvFilter` syntax).
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log: String,
}

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
    #[error(
        "ROSTER_STORE must be sqlite://PATH or memory:// (kurrentdb:// needs a build with KurrentDB support); got {0}"
    )]
    UnknownStore(String),
    /// A duration setting is zero.
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
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
    /// Always mark the cookie `Secure`.
    pub secure_cookies: bool,
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
    /// Log filter.
    pub log: String,
}

impl Config {
    /// Checks the parsed settings; `env_api_keys` is the environment snapshot.
    pub fn from_settings(
        settings: Settings,
        env_api_keys: EnvApiKeys,
    ) -> Result<Config, ConfigError> {
        if settings.session_timeout_days == 0 {
            return Err(ConfigError::Zero("SESSION_TIMEOUT_DAYS"));
        }
        if settings.session_remember_days == 0 {
            return Err(ConfigError::Zero("SESSION_REMEMBER_DAYS"));
        }
        if settings.session_idle_timeout_minutes == 0 {
            return Err(ConfigError::Zero("SESSION_IDLE_TIMEOUT_MINUTES"));
        }
        if settings.request_timeout_secs == 0 {
            return Err(ConfigError::Zero("ROSTER_REQUEST_TIMEOUT_SECS"));
        }
        let non_empty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        Ok(Config {
            bind: settings.bind,
            store: StoreLocation::parse(&settings.store)?,
            allow_registration: settings.allow_registration,
            admin_username: non_empty(settings.admin_username),
            admin_password: non_empty(settings.admin_password).map(Secret::new),
            session_lifetime: Duration::days(i64::from(settings.session_timeout_days)),
            remember_lifetime: Duration::days(i64::from(settings.session_remember_days)),
            idle_timeout: Duration::minutes(i64::from(settings.session_idle_timeout_minutes)),
            secret_key: non_empty(settings.secret_key).map(Secret::new),
            service_token: non_empty(settings.service_token).map(Secret::new),
            env_api_keys,
            secure_cookies: settings.secure_cookies,
            development: settings.development,
            body_limit: settings.body_limit,
            request_timeout: StdDuration::from_secs(settings.request_timeout_secs),
            graphql_limits: GraphqlLimits::default(),
            login_throttle: ThrottlePolicy::default(),
            log: settings.log,
        })
    }

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
            development: false,
            body_limit: 1024 * 1024,
            request_timeout: StdDuration::from_secs(30),
            graphql_limits: GraphqlLimits::default(),
            login_throttle: ThrottlePolicy::default(),
            log: "info".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn it_should_default_to_the_embedded_store_on_localhost() {
        let cli = Cli::try_parse_from(["roster"]).unwrap();
        let config = Config::from_settings(cli.settings, EnvApiKeys::default()).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.store,
            StoreLocation::Sqlite(PathBuf::from("./roster-data/events.db"))
        );
        assert!(!config.allow_registration);
        assert_eq!(config.session_lifetime, Duration::days(7));
        assert_eq!(config.remember_lifetime, Duration::days(30));
    }

    #[test]
    fn it_should_list_every_environment_variable_in_help() {
        let help = Cli::command().render_long_help().to_string();
        for var in [
            "ROSTER_BIND",
            "ROSTER_STORE",
            "ALLOW_REGISTRATION",
            "ROSTER_ADMIN_USERNAME",
            "ROSTER_ADMIN_PASSWORD",
            "SESSION_TIMEOUT_DAYS",
            "SESSION_IDLE_TIMEOUT_MINUTES",
            "ROSTER_SECRET_KEY",
            "ROSTER_SERVICE_TOKEN",
            "RUST_LOG",
        ] {
            assert!(help.contains(var), "{var} missing from --help");
        }
    }

    #[test]
    fn it_should_refuse_unknown_stores_and_zero_durations() {
        assert!(matches!(
            StoreLocation::parse("postgres://x"),
            Err(ConfigError::UnknownStore(_))
        ));
        let cli = Cli::try_parse_from(["roster", "--session-timeout-days", "0"]).unwrap();
        assert_eq!(
            Config::from_settings(cli.settings, EnvApiKeys::default()).err(),
            Some(ConfigError::Zero("SESSION_TIMEOUT_DAYS"))
        );
    }

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
}
