//! `roster events`: the audit log in the terminal, offline, on the store itself (beside a
//! running server or not): JSON Lines when piped, a table on a terminal; `--follow` keeps
//! printing new events until interrupted.

use super::time::parse_time;
use crate::auth::RequestContext;
use crate::config::StoreLocation;
use crate::rest::shapes::audit_entry;
use crate::server::open_offline;
use crate::service::audit::{self, AuditEntry, EventsQuery};
use clap::{Args, ValueEnum};
use roster_domain::store::Position;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// How many positions of the log one pass reads.
const SPAN: u64 = 4096;

/// How often `--follow` looks for new events.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// `roster events` flags.
#[derive(Debug, Clone, Args)]
pub struct EventsArgs {
    /// The event store (default: the one `serve` uses, `ROSTER_STORE`).
    #[arg(long)]
    pub store: Option<String>,
    /// Only events about this user (id or username).
    #[arg(long)]
    pub user: Option<String>,
    /// Only events caused by this user (id or username), or `system`.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only events of this type (repeat for several), e.g. `ProfileUpdated`.
    #[arg(long = "type")]
    pub types: Vec<String>,
    /// Only events at or after this time (RFC 3339, or a date: midnight UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// Only events before this time.
    #[arg(long)]
    pub to: Option<String>,
    /// Keep printing new events until interrupted.
    #[arg(long)]
    pub follow: bool,
    /// `json` (JSON Lines, the default when piped) or `table` (the default on a terminal).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// How events are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object a line, as `GET /api/admin/audit` shows an entry.
    Json,
    /// Aligned columns for people.
    Table,
}

/// Runs `roster events`; `default_store` is the store `serve` would use.
pub async fn run(args: EventsArgs, default_store: &str) -> Result<(), String> {
    let location = StoreLocation::parse(args.store.as_deref().unwrap_or(default_store))
        .map_err(|e| e.to_string())?;
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let mut query = EventsQuery {
        user: args.user,
        actor: args.actor,
        types: args.types,
        from: args.from.as_deref().map(parse_time).transpose()?,
        to: args.to.as_deref().map(parse_time).transpose()?,
        ..EventsQuery::default()
    };
    let offline = open_offline(&location).await.map_err(|e| e.to_string())?;
    let ctx = RequestContext::operator();
    let mut out = std::io::stdout().lock();
    // A reader that stops early (`| head`) ends the command, quietly.
    let written = |result: std::io::Result<()>| match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e.to_string()),
        Ok(()) => Ok(true),
    };
    if format == Format::Table && !written(writeln!(out, "{}", table_header()))? {
        return Ok(());
    }
    loop {
        let head = offline.position();
        while query.after < head {
            query.until = Position(head.0.min(query.after.0 + SPAN));
            let entries = audit::events(offline.state(), &ctx, &query)
                .await
                .map_err(|e| e.to_string())?;
            for entry in &entries {
                let line = match format {
                    Format::Json => audit_entry(entry).to_string(),
                    Format::Table => table_row(entry),
                };
                if !written(writeln!(out, "{line}"))? {
                    return Ok(());
                }
            }
            query.after = query.until;
        }
        if !written(out.flush())? {
            return Ok(());
        }
        if !args.follow {
            return Ok(());
        }
        tokio::time::sleep(FOLLOW_EVERY).await;
    }
}

fn table_header() -> String {
    format!(
        "{:>8}  {:<20}  {:<24}  {:<20}  {:<28}  CHANGES",
        "POSITION", "AT (UTC)", "TYPE", "ACTOR", "SUBJECT"
    )
}

fn table_row(entry: &AuditEntry) -> String {
    let actor = entry.actor.username.as_deref().unwrap_or(&entry.actor.id);
    let subject = entry.subject.as_ref().map_or(String::new(), |s| {
        format!("{} {}", s.kind, s.label.as_deref().unwrap_or(&s.id))
    });
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let changes: Vec<String> = entry
        .changes
        .iter()
        .map(|c| format!("{}: {} -> {}", c.field, shown(&c.before), shown(&c.after)))
        .collect();
    format!(
        "{:>8}  {:<20}  {:<24}  {:<20}  {:<28}  {}",
        entry.position.0,
        entry.at.format("%Y-%m-%d %H:%M:%S"),
        entry.event_type,
        actor,
        subject,
        changes.join("; ")
    )
}
