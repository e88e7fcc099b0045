//! `roster verify`: reads the whole log and checks what the store promises. On the first
//! failure it names the position, the stream and the reason, and exits with 1.
//!
//! - positions strictly increase;
//! - each stream's revisions run 0, 1, 2, … without a gap;
//! - event ids are unique;
//! - every event decodes, after upcasting, into a domain event;
//! - every envelope is complete: an actor, a correlation and a causation id, a time.

use super::operating::{OperationError, open_existing, progress, rate, read_from};
use clap::Args;
use roster_domain::event::Event;
use roster_domain::store::{Position, Recorded, StoreError, Upcasters};
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use uuid::Uuid;

/// Events read at once.
const PAGE: usize = 8192;

/// `roster verify [--store URL]`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The event store (as `serve` takes it).
    #[arg(
        long,
        env = "ROSTER_STORE",
        default_value = "sqlite://./roster-data/events.db"
    )]
    pub store: String,
}

/// What the checks remember of the log read so far.
#[derive(Default)]
struct Checker {
    last_position: Position,
    next_revision: HashMap<String, u64>,
    ids: HashSet<Uuid>,
    upcasters: Upcasters,
}

impl Checker {
    /// The first thing wrong with `event`, given everything before it.
    fn check(&mut self, event: Recorded) -> Result<(), String> {
        if event.position <= self.last_position {
            return Err(format!(
                "position {} does not follow position {}",
                event.position, self.last_position
            ));
        }
        self.last_position = event.position;
        if !self.ids.insert(event.event_id) {
            return Err(format!("event id {} is stored twice", event.event_id));
        }
        let expected = match self.next_revision.get_mut(&event.stream) {
            Some(next) => {
                let expected = *next;
                *next += 1;
                expected
            }
            None => {
                self.next_revision.insert(event.stream.clone(), 1);
                0
            }
        };
        if event.revision != expected {
            return Err(format!(
                "revision {} where the stream's next is {expected}",
                event.revision
            ));
        }
        let metadata = &event.metadata;
        if metadata.correlation_id.is_nil() {
            return Err("the envelope has no correlation id".to_owned());
        }
        if metadata.causation_id.is_nil() {
            return Err("the envelope has no causation id".to_owned());
        }
        if metadata.occurred_at <= chrono::DateTime::UNIX_EPOCH {
            return Err("the envelope has no time".to_owned());
        }
        let event_type = event.event_type.clone();
        let version = event.schema_version;
        let current = self
            .upcasters
            .apply(event)
            .map_err(|e| format!("{event_type} version {version} cannot be upcast: {e}"))?;
        Event::decode(&current.stream, &current.event_type, &current.data)
            .map(drop)
            // The decoder's reason may quote the data, which may be personal: type and
            // version only.
            .map_err(|_| format!("{event_type} version {version} does not decode"))
    }
}

/// Runs `roster verify`.
pub async fn run(args: VerifyArgs) -> Result<(), OperationError> {
    let store = open_existing(&args.store, Upcasters::none()).await?;
    let head = store.head().await?;
    let bar = progress(head.0, "verifying");
    let started = Instant::now();
    let mut pages = read_from(store, Position::START, PAGE, false);
    let mut checker = Checker {
        upcasters: roster_domain::event::upcasters(),
        ..Checker::default()
    };
    let mut events: u64 = 0;
    while let Some(page) = pages.recv().await {
        let page = page.map_err(|error| match error {
            StoreError::Corrupt { position, reason } => OperationError::Failed(format!(
                "position {position}: the stored row cannot be read: {reason}"
            )),
            other => other.into(),
        })?;
        for event in page {
            let (position, stream) = (event.position, event.stream.clone());
            checker.check(event).map_err(|reason| {
                OperationError::Failed(format!("position {position}, stream {stream}: {reason}"))
            })?;
            events += 1;
        }
        bar.set_position(checker.last_position.0);
    }
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    println!(
        "verified {events} events in {} streams up to position {} in {:.2} s ({} events/s): \
         the log is sound",
        checker.next_revision.len(),
        checker.last_position,
        elapsed.as_secs_f64(),
        rate(events, elapsed)
    );
    Ok(())
}
