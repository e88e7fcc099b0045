//! Every setting as a flag with an environment fallback (`roster --help` lists them), and
//! their check into a [`Config`].

use crate::config::{Config, ConfigError, EnvApiKeys, Origin, Secret, SocketLimits, StoreLocation};
use chrono::Duration;
use clap::{ArgAction, Args};
use std::net::SocketAddr;
use std::time::Duration as StdDuration;

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

    /// Mark the session cookie `Secure` (named `__Host-session_token`) on every response.
    /// Default: true, unless the server is bound to a loopback address (then only requests
    /// forwarded with `X-Forwarded-Proto: https` get it).
    #[arg(long, env = "ROSTER_SECURE_COOKIES", action = ArgAction::Set)]
    pub secure_cookies: Option<bool>,

    /// Comma-separated origins (`https://admin.example.org`) besides the server's own from
    /// which browsers may send cookie-authenticated requests and open subscription sockets.
    #[arg(long, env = "ROSTER_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Serve GraphiQL at `/graphiql` and answer introspection queries. Default: true in
    /// development mode or when the server is bound to a loopback address, false otherwise.
    #[arg(long, env = "ROSTER_GRAPHIQL", action = ArgAction::Set)]
    pub graphiql: Option<bool>,

    /// The bearer token `/metrics` requires. Without it `/metrics` answers only clients on a
    /// loopback address that came through no proxy.
    #[arg(long, env = "ROSTER_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Most subscription sockets open at once from one client address (more: 429).
    #[arg(long, env = "ROSTER_MAX_SOCKETS_PER_IP", default_value_t = 16)]
    pub max_sockets_per_ip: usize,

    /// Most operations running at once on one subscription socket.
    #[arg(long, env = "ROSTER_MAX_OPERATIONS_PER_SOCKET", default_value_t = 32)]
    pub max_operations_per_socket: usize,

    /// Development mode: GraphQL field suggestions in error messages (and GraphiQL by
    /// default).
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

impl Settings {
    /// Checks the parsed settings into a [`Config`]; `env_api_keys` is the environment
    /// snapshot.
    pub fn into_config(self, env_api_keys: EnvApiKeys) -> Result<Config, ConfigError> {
        let settings = self;
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
        if settings.max_sockets_per_ip == 0 {
            return Err(ConfigError::Zero("ROSTER_MAX_SOCKETS_PER_IP"));
        }
        if settings.max_operations_per_socket == 0 {
            return Err(ConfigError::Zero("ROSTER_MAX_OPERATIONS_PER_SOCKET"));
        }
        let allowed_origins = settings
            .allowed_origins
            .iter()
            .filter(|origin| !origin.trim().is_empty())
            .map(|origin| {
                Origin::parse(origin).ok_or_else(|| ConfigError::BadOrigin(origin.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // A server bound to loopback is reached from this machine only, over plain HTTP unless
        // a local proxy says otherwise: there a `Secure` cookie would never come back, and
        // GraphiQL serves its developer. Anywhere else both default to the safe side.
        let loopback = settings.bind.ip().is_loopback();
        let non_empty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let store = StoreLocation::parse(&settings.store)?;
        Ok(Config {
            bind: settings.bind,
            store: store.clone(),
            allow_registration: settings.allow_registration,
            admin_username: non_empty(settings.admin_username),
            admin_password: non_empty(settings.admin_password).map(Secret::new),
            session_lifetime: Duration::days(i64::from(settings.session_timeout_days)),
            remember_lifetime: Duration::days(i64::from(settings.session_remember_days)),
            idle_timeout: Duration::minutes(i64::from(settings.session_idle_timeout_minutes)),
            secret_key: non_empty(settings.secret_key).map(Secret::new),
            service_token: non_empty(settings.service_token).map(Secret::new),
            env_api_keys,
            secure_cookies: settings.secure_cookies.unwrap_or(!loopback),
            allowed_origins,
            graphiql: settings
                .graphiql
                .unwrap_or(settings.development || loopback),
            metrics_token: non_empty(settings.metrics_token).map(Secret::new),
            sockets: SocketLimits {
                per_address: settings.max_sockets_per_ip,
                operations: settings.max_operations_per_socket,
                ..SocketLimits::default()
            },
            development: settings.development,
            body_limit: settings.body_limit,
            request_timeout: StdDuration::from_secs(settings.request_timeout_secs),
            log: settings.log,
            // Policies with no flag: the documented defaults are the policy.
            ..Config::defaults(store)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use crate::config::StoreLocation;
    use chrono::Duration;
    use clap::{CommandFactory, Parser};
    use std::path::PathBuf;

    #[test]
    fn it_should_default_to_the_embedded_store_on_localhost() {
        let cli = Cli::try_parse_from(["roster"]).unwrap();
        let config = cli.settings.into_config(EnvApiKeys::default()).unwrap();
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
            "ROSTER_SECURE_COOKIES",
            "ROSTER_ALLOWED_ORIGINS",
            "ROSTER_GRAPHIQL",
            "ROSTER_METRICS_TOKEN",
            "ROSTER_MAX_SOCKETS_PER_IP",
            "ROSTER_MAX_OPERATIONS_PER_SOCKET",
            "RUST_LOG",
        ] {
            assert!(help.contains(var), "{var} missing from --help");
        }
    }

    #[test]
    fn it_should_keep_cookies_plain_and_graphiql_on_only_on_a_loopback_address() {
        let config = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).unwrap();
            cli.settings.into_config(EnvApiKeys::default()).unwrap()
        };
        let local = config(&["roster"]);
        assert!(!local.secure_cookies && local.graphiql);
        let public = config(&["roster", "--bind", "0.0.0.0:8080"]);
        assert!(public.secure_cookies && !public.graphiql);
        assert!(public.metrics_token.is_none());
        let chosen = config(&[
            "roster",
            "--bind",
            "0.0.0.0:8080",
            "--secure-cookies",
            "false",
            "--graphiql",
            "true",
        ]);
        assert!(!chosen.secure_cookies && chosen.graphiql);
        let development = config(&["roster", "--bind", "0.0.0.0:8080", "--development", "true"]);
        assert!(development.graphiql);
        assert_eq!(local.sockets, SocketLimits::default());
        assert_eq!(
            (local.sockets.per_address, local.sockets.operations),
            (16, 32)
        );
    }

    #[test]
    fn it_should_read_allowed_origins_and_refuse_malformed_ones() {
        let cli = Cli::try_parse_from([
            "roster",
            "--allowed-origins",
            "https://Admin.Example.org,http://localhost:3000/",
        ])
        .unwrap();
        let config = cli.settings.into_config(EnvApiKeys::default()).unwrap();
        let origins: Vec<&str> = config.allowed_origins.iter().map(Origin::as_str).collect();
        assert_eq!(
            origins,
            ["https://admin.example.org", "http://localhost:3000"]
        );
        let cli =
            Cli::try_parse_from(["roster", "--allowed-origins", "admin.example.org"]).unwrap();
        assert_eq!(
            cli.settings.into_config(EnvApiKeys::default()).err(),
            Some(ConfigError::BadOrigin("admin.example.org".to_owned()))
        );
    }

    #[test]
    fn it_should_refuse_unknown_stores_and_zero_durations() {
        assert!(matches!(
            StoreLocation::parse("postgres://x"),
            Err(ConfigError::UnknownStore(_))
        ));
        let cli = Cli::try_parse_from(["roster", "--session-timeout-days", "0"]).unwrap();
        assert_eq!(
            cli.settings.into_config(EnvApiKeys::default()).err(),
            Some(ConfigError::Zero("SESSION_TIMEOUT_DAYS"))
        );
    }
}
