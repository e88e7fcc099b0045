//! The in-memory adapter, for unit tests: the same append rules and feed as SQLite, over a
//! `Vec` behind a mutex. Nothing survives the process.

use crate::append::{self, AppendTarget};
use crate::feed::{self, PAGE};
use async_trait::async_trait;
use chrono::SubsecRound;
use futures::FutureExt;
use roster_domain::store::{
    AppendError, Appended, EventFeed, EventStore, NewEvent, Position, Recorded, Revision,
    StoreError, StreamAppend, Upcasters,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;
use uuid::Uuid;

/// An event store that lives in memory. Cheap to create; meant for tests.
///
/// Times are kept to the microsecond, as SQLite keeps them, so a test cannot pass here and fail
/// there because of a nanosecond.
#[derive(Debug)]
pub struct MemoryStore {
    shared: Arc<Shared>,
    /// Dropped with the store, which is what ends its feeds.
    head: watch::Sender<Position>,
}

#[derive(Debug)]
struct Shared {
    log: Mutex<Log>,
    upcasters: Upcasters,
}

/// Position `p` is `events[p - 1]`.
#[derive(Debug, Default)]
struct Log {
    events: Vec<Recorded>,
    /// Indexes into `events`, in revision order.
    streams: HashMap<String, Vec<usize>>,
    ids: HashMap<Uuid, usize>,
}

impl MemoryStore {
    /// An empty store that reads every event at its current schema version (Roster's
    /// upcasters, [`roster_domain::event::upcasters`]).
    pub fn new() -> Self {
        Self::with_upcasters(roster_domain::event::upcasters())
    }

    /// An empty store that upcasts old schema versions on every read.
    pub fn with_upcasters(upcasters: Upcasters) -> Self {
        let (head, _) = watch::channel(Position::START);
        let shared = Arc::new(Shared {
            log: Mutex::new(Log::default()),
            upcasters,
        });
        Self { shared, head }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl Shared {
    fn lock(&self) -> Result<MutexGuard<'_, Log>, StoreError> {
        // A panic while the lock was held may have left the log half-written: refuse to go on.
        self.log
            .lock()
            .map_err(|_| StoreError::Backend("memory store lock poisoned".to_owned()))
    }

    fn upcast(&self, events: Vec<Recorded>) -> Result<Vec<Recorded>, StoreError> {
        events
            .into_iter()
            .map(|event| self.upcasters.apply(event))
            .collect()
    }

    fn read_all(&self, after: Position, max: usize) -> Result<Vec<Recorded>, StoreError> {
        let page = {
            let log = self.lock()?;
            let start = usize::try_from(after.0)
                .map_or(log.events.len(), |start| start.min(log.events.len()));
            let end = start.saturating_add(max).min(log.events.len());
            log.events[start..end].to_vec()
        };
        self.upcast(page)
    }
}

#[async_trait]
impl EventStore for MemoryStore {
    async fn append(&self, batch: Vec<StreamAppend>) -> Result<Appended, AppendError> {
        let appended = {
            let mut log = self.shared.lock()?;
            let mut staged = Staged {
                log: &log,
                pending: Vec::new(),
            };
            let appended = append::append(&mut staged, &batch)?;
            let pending = staged.pending;
            log.commit(pending);
            appended
        };
        self.head.send_if_modified(|head| {
            let moved = appended.last_position > *head;
            if moved {
                *head = appended.last_position;
            }
            moved
        });
        Ok(appended)
    }

    async fn import(&self, events: Vec<Recorded>) -> Result<Position, AppendError> {
        let last = {
            let mut log = self.shared.lock()?;
            let mut staged = Staged {
                log: &log,
                pending: Vec::new(),
            };
            let last = append::import(&mut staged, events)?;
            let pending = staged.pending;
            log.commit(pending);
            last
        };
        self.head.send_if_modified(|head| {
            let moved = last > *head;
            if moved {
                *head = last;
            }
            moved
        });
        Ok(last)
    }

    async fn read_stream(&self, stream: &str, from: Revision) -> Result<Vec<Recorded>, StoreError> {
        let events = {
            let log = self.shared.lock()?;
            let indexes = log.streams.get(stream).map_or(&[][..], Vec::as_slice);
            let from = usize::try_from(from)
                .unwrap_or(usize::MAX)
                .min(indexes.len());
            indexes[from..]
                .iter()
                .map(|&index| log.events[index].clone())
                .collect::<Vec<_>>()
        };
        self.shared.upcast(events)
    }

    async fn read_all(&self, after: Position, max: usize) -> Result<Vec<Recorded>, StoreError> {
        self.shared.read_all(after, max)
    }

    async fn read_positions(&self, positions: &[Position]) -> Result<Vec<Recorded>, StoreError> {
        let mut wanted: Vec<u64> = positions.iter().map(|position| position.0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let events = {
            let log = self.shared.lock()?;
            wanted
                .into_iter()
                .filter_map(|position| {
                    let index = usize::try_from(position.checked_sub(1)?).ok()?;
                    log.events.get(index).cloned()
                })
                .collect::<Vec<_>>()
        };
        self.shared.upcast(events)
    }

    async fn head(&self) -> Result<Position, StoreError> {
        Ok(position_of(self.shared.lock()?.events.len()))
    }

    fn subscribe_all(&self, after: Position) -> EventFeed {
        let shared = Arc::clone(&self.shared);
        let read_page: feed::ReadPage = Box::new(move |after| {
            let page = shared.read_all(after, PAGE);
            async move { page }.boxed()
        });
        feed::follow(read_page, self.head.subscribe(), after)
    }
}

fn position_of(count: usize) -> Position {
    Position(u64::try_from(count).unwrap_or(u64::MAX))
}

impl Log {
    fn commit(&mut self, pending: Vec<Recorded>) {
        for event in pending {
            let index = self.events.len();
            self.streams
                .entry(event.stream.clone())
                .or_default()
                .push(index);
            self.ids.insert(event.event_id, index);
            self.events.push(event);
        }
    }
}

/// The log plus the events of the append in progress, which reach the log only if the whole
/// append succeeds: the memory adapter's savepoint.
struct Staged<'a> {
    log: &'a Log,
    pending: Vec<Recorded>,
}

impl AppendTarget for Staged<'_> {
    fn current_revision(&mut self, stream: &str) -> Result<Option<Revision>, StoreError> {
        Ok(self
            .log
            .streams
            .get(stream)
            .and_then(|indexes| indexes.last())
            .map(|&index| self.log.events[index].revision))
    }

    fn locate(&mut self, event_id: Uuid) -> Result<Option<(String, Position)>, StoreError> {
        Ok(self.log.ids.get(&event_id).map(|&index| {
            let event = &self.log.events[index];
            (event.stream.clone(), event.position)
        }))
    }

    fn revision_at(&mut self, stream: &str, at: Position) -> Result<Option<Revision>, StoreError> {
        let indexes = self.log.streams.get(stream).map_or(&[][..], Vec::as_slice);
        Ok(indexes
            .iter()
            .map(|&index| &self.log.events[index])
            .take_while(|event| event.position <= at)
            .last()
            .map(|event| event.revision))
    }

    fn head(&mut self) -> Result<Position, StoreError> {
        Ok(position_of(self.log.events.len() + self.pending.len()))
    }

    fn insert(
        &mut self,
        stream: &str,
        revision: Revision,
        event: &NewEvent,
    ) -> Result<Position, AppendError> {
        if self.log.ids.contains_key(&event.event_id) {
            return Err(AppendError::Invalid(format!(
                "event {} is already stored; this batch was partly stored before",
                event.event_id
            )));
        }
        let position = position_of(self.log.events.len() + self.pending.len() + 1);
        let mut metadata = event.metadata.clone();
        metadata.occurred_at = metadata.occurred_at.trunc_subsecs(6);
        self.pending.push(Recorded {
            event_id: event.event_id,
            stream: stream.to_owned(),
            revision,
            position,
            event_type: event.event_type.clone(),
            schema_version: event.schema_version,
            data: event.data.clone(),
            metadata,
        });
        Ok(position)
    }
}
