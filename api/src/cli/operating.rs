//! What the operator commands (`replay`, `verify`, `migrate`) share: opening a store by URL,
//! the progress bar, and exit codes a script can trust.
//!
//! Exit codes: 0 the work is done and the store is sound; 1 the store fails a check (a
//! broken invariant, a damaged log, a copy that differs from its source); 2 the command could
//! not do its work (a bad argument, a store that cannot be opened, a target refused).

use crate::config::StoreLocation;
use indicatif::{ProgressBar, ProgressStyle};
use roster_domain::store::{EventStore, Position, Recorded, StoreError, Upcasters};
use roster_store::{MemoryStore, SqliteStore};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a reader that follows the log waits before looking for new events again.
const FOLLOW_PAUSE: Duration = Duration::from_millis(500);

/// How an operator command ended, short of doing its work.
#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    /// The store does not hold up to a check (exit code 1).
    #[error("{0}")]
    Failed(String),
    /// The command could not do its work (exit code 2).
    #[error("{0}")]
    Unable(String),
}

impl From<StoreError> for OperationError {
    fn from(error: StoreError) -> Self {
        OperationError::Unable(error.to_string())
    }
}

/// The exit code of an operator command, printing its failure (`roster NAME: reason`).
pub fn exit_code(name: &str, outcome: Result<(), OperationError>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("roster {name}: {error}");
            ExitCode::from(match error {
                OperationError::Failed(_) => 1,
                OperationError::Unable(_) => 2,
            })
        }
    }
}

/// Opens the store at `url` that must exist already (a path that holds no database is an
/// error, never a new empty store), reading through `upcasters`.
pub async fn open_existing(
    url: &str,
    upcasters: Upcasters,
) -> Result<Arc<dyn EventStore>, OperationError> {
    match location(url)? {
        StoreLocation::Sqlite(path) if !path.is_file() => Err(OperationError::Unable(format!(
            "there is no store at {}",
            path.display()
        ))),
        location => open(location, upcasters).await,
    }
}

/// Opens (creating on first use) the store at `location`, reading through `upcasters`.
pub async fn open(
    location: StoreLocation,
    upcasters: Upcasters,
) -> Result<Arc<dyn EventStore>, OperationError> {
    match location {
        StoreLocation::Sqlite(path) => {
            let store =
                tokio::task::spawn_blocking(move || SqliteStore::open_with(path, upcasters))
                    .await
                    .map_err(|e| OperationError::Unable(e.to_string()))??;
            Ok(Arc::new(store))
        }
        StoreLocation::Memory => Ok(Arc::new(MemoryStore::with_upcasters(upcasters))),
    }
}

/// Parses a store URL (`sqlite://PATH`, `memory://`).
pub fn location(url: &str) -> Result<StoreLocation, OperationError> {
    StoreLocation::parse(url).map_err(|e| OperationError::Unable(e.to_string()))
}

/// A progress bar over `total` events on standard error (rate and time left), hidden when
/// standard error is not a terminal, so scripts and logs get the summary line only.
pub fn progress(total: u64, verb: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let template = format!("{verb} {{bar:40}} {{pos}}/{{len}} events, {{per_sec}}, {{eta}} left");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Events per second, for summaries.
pub fn rate(events: u64, elapsed: Duration) -> u64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        (events as f64 / seconds) as u64
    } else {
        events
    }
}

/// Resolves on Ctrl-C or SIGTERM: what stops `serve` and `migrate --follow`.
pub async fn interrupted() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// A store's events after `after`, page by page, one page ahead; with `follow`, new
/// events as they come, until the receiver is dropped.
pub fn read_from(
    store: Arc<dyn EventStore>,
    mut after: Position,
    batch: usize,
    follow: bool,
) -> mpsc::Receiver<Result<Vec<Recorded>, StoreError>> {
    let (pages, receiver) = mpsc::channel(2);
    tokio::spawn(async move {
        loop {
            let page = match store.read_all(after, batch).await {
                Ok(page) if page.is_empty() && follow => {
                    tokio::select! {
                        () = tokio::time::sleep(FOLLOW_PAUSE) => continue,
                        () = pages.closed() => return,
                    }
                }
                Ok(page) if page.is_empty() => return,
                other => other,
            };
            let last = page
                .as_ref()
                .ok()
                .and_then(|page| page.last())
                .map(|e| e.position);
            let failed = page.is_err();
            if pages.send(page).await.is_err() || failed {
                return;
            }
            if let Some(last) = last {
                after = last;
            }
        }
    });
    receiver
}
