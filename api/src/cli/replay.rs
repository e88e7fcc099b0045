//! `roster replay`: rebuilds every read model from the log without serving, then checks what
//! it built. Prints the count of each event type, then one summary line: users, sessions,
//! events, time.

use super::operating::{OperationError, open_existing, progress, rate};
use chrono::{DateTime, Utc};
use clap::Args;
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::store::{DecodedRecord, Position};
use roster_domain::user::UserEvent;
use roster_projections::Projections;
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

/// `roster replay [--store URL] [--to TIME | --to-position N]`.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The event store (as `serve` takes it).
    #[arg(
        long,
        env = "ROSTER_STORE",
        default_value = "sqlite://./roster-data/events.db"
    )]
    pub store: String,
    /// Stop before the first event recorded after this time (RFC 3339): the models as they
    /// were then.
    #[arg(long, conflicts_with = "to_position")]
    pub to: Option<DateTime<Utc>>,
    /// Stop after the event at this position.
    #[arg(long)]
    pub to_position: Option<u64>,
}

/// What one replay counted on its way.
#[derive(Debug, Default)]
struct Tally {
    events: u64,
    by_type: BTreeMap<&'static str, u64>,
    unreadable: u64,
    /// Every user id ever created, deleted or not: a session's owner must be one of them.
    created: HashSet<UserId>,
}

impl Tally {
    fn count(&mut self, record: &DecodedRecord) {
        self.events += 1;
        match &record.event {
            Ok(event) => {
                *self.by_type.entry(event.event_type()).or_default() += 1;
                if let Event::User(id, UserEvent::Created(_)) = event {
                    self.created.insert(*id);
                }
            }
            Err(_) => self.unreadable += 1,
        }
    }
}

/// Runs `roster replay`.
pub async fn run(args: ReplayArgs) -> Result<(), OperationError> {
    let store = open_existing(&args.store, roster_domain::event::upcasters()).await?;
    let head = store.head().await?;
    let until = |record: &DecodedRecord| match (args.to, args.to_position) {
        (Some(time), _) => record.metadata.occurred_at <= time,
        (None, Some(last)) => record.position <= Position(last),
        (None, None) => true,
    };
    let projections = Projections::new(chrono::Duration::days(7));
    let bar = progress(head.0, "replaying");
    let mut tally = Tally::default();
    let started = Instant::now();
    let reached = projections
        .replay_while(store, |record| {
            if !until(record) {
                return false;
            }
            tally.count(record);
            if tally.events % 4096 == 0 {
                bar.set_position(record.position.0);
            }
            true
        })
        .await?;
    let elapsed = started.elapsed();
    bar.finish_and_clear();

    let (users, sessions, breaches) = projections.read(|models| {
        (
            models.users.count(),
            models.sessions.every_session().count(),
            models.invariant_breaches(|id| tally.created.contains(&id)),
        )
    });
    for (event_type, count) in &tally.by_type {
        println!("{event_type:<28} {count:>12}");
    }
    if tally.unreadable > 0 {
        println!("{:<28} {:>12}", "(unreadable, skipped)", tally.unreadable);
    }
    let summary = format!(
        "replayed {} events to position {reached} in {:.2} s ({} events/s): {users} users, \
         {sessions} sessions",
        tally.events,
        elapsed.as_secs_f64(),
        rate(tally.events, elapsed),
    );
    if breaches.is_empty() {
        println!("{summary}; invariants hold");
        return Ok(());
    }
    for breach in &breaches {
        println!("invariant broken: {breach}");
    }
    println!("{summary}; {} invariants broken", breaches.len());
    Err(OperationError::Failed(format!(
        "{} invariants broken (listed above)",
        breaches.len()
    )))
}
