//! The `roster` binary: parse the settings, start the server, serve until Ctrl-C or SIGTERM.

use clap::Parser;
use roster_api::cli::operating::{exit_code, interrupted};
use roster_api::cli::{Cli, CliCommand, migrate, replay, verify};
use roster_api::config::{Config, EnvApiKeys};
use roster_api::secrets::PasswordHasher;
use roster_api::service::bootstrap::Bootstrapped;
use roster_api::{graphql, server};
use std::process::ExitCode;
use tokio::net::TcpListener;
use tracing::{error, info};
use tracing_subscriber::EnvFilter;

// Requests, commands and replays allocate many small, short-lived values on many threads,
// where glibc's allocator spends more time and keeps more memory per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(CliCommand::Schema) => {
            print!("{}", graphql::sdl());
            return ExitCode::SUCCESS;
        }
        Some(CliCommand::Bench(bench)) => {
            return match roster_api::cli::bench::run(bench).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("roster bench: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(CliCommand::Events(args)) => {
            return offline(
                "events",
                roster_api::cli::events::run(args, &cli.settings.store).await,
            );
        }
        Some(CliCommand::Export(args)) => {
            return offline(
                "export",
                roster_api::cli::export::run(args, &cli.settings.store).await,
            );
        }
        Some(CliCommand::Replay(args)) => return exit_code("replay", replay::run(args).await),
        Some(CliCommand::Verify(args)) => return exit_code("verify", verify::run(args).await),
        Some(CliCommand::Migrate(args)) => return exit_code("migrate", migrate::run(args).await),
        Some(CliCommand::Serve) | None => {}
    }
    let config = match cli.settings.into_config(EnvApiKeys::from_process()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("roster: {e}");
            return ExitCode::FAILURE;
        }
    };
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    match serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!(error = %e, "roster stopped with an error");
            ExitCode::FAILURE
        }
    }
}

/// The exit of an offline command: its error on standard error, and a failure code.
fn offline(command: &str, outcome: Result<(), String>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roster {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let bind = config.bind;
    let hasher = PasswordHasher::owasp()?;
    let (server, bootstrapped) = server::start(config, hasher).await?;
    if let Bootstrapped::Created {
        username,
        generated_password: Some(password),
    } = &bootstrapped
    {
        // Printed once, to standard output only: never to the log, never into an event.
        println!(
            "\nFirst run: created administrator '{username}' with password: {}\nLog in and change it.\n",
            password.expose()
        );
    }
    let listener = TcpListener::bind(bind).await?;
    info!(address = %listener.local_addr()?, "roster listening (GraphiQL at /graphiql)");
    server::run(listener, server, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    interrupted().await;
    info!("shutting down");
}
