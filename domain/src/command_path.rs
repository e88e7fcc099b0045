//! The command path: load → evolve → decide → append with the loaded revisions.
//!
//! Every stream `decide` read is guarded in the same atomic append (written streams with their
//! loaded revision, read-only ones as pure checks), so no decision rests on state that changed
//! underneath it. On a conflict the stale stream is refreshed and the command decided again,
//! a bounded number of times. Runtime-agnostic: it only awaits the store.
//!
//! States of streams written or read recently are kept in a [`StreamCache`], so most commands
//! on an existing account decide without a read; the revision guard makes a stale entry cost a
//! conflict and a re-read, never a wrong decision.

use crate::decision::{Command, Loaded};
use crate::error::DomainError;
use crate::event::{DecodeError, Event};
use crate::store::{
    Actor, AppendError, EventStore, Expected, Metadata, NewEvent, Position, Revision, StoreError,
    StreamAppend,
};
use crate::stream::StreamId;
use crate::stream_cache::{DEFAULT_CAPACITY, StreamCache};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tracing::{debug, instrument, warn};
use uuid::Uuid;

/// How many times a command is decided again after losing a race before giving up.
pub const MAX_DECISIONS: usize = 16;
/// How many times the same batch (same event ids, so never written twice) is re-sent after a
/// store failure.
pub const MAX_RESENDS: usize = 3;

/// Who sends a command, and the ids that tie its events together for an auditor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandMeta {
    /// Who.
    pub actor: Actor,
    /// This command's id; the causation id of every event it produces.
    pub command_id: Uuid,
    /// Shared by every command of one request.
    pub correlation_id: Uuid,
    /// When the command was received.
    pub occurred_at: DateTime<Utc>,
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// Position of its last event; `None` when there was nothing to change. The API waits for
    /// the projections to reach it before answering (read-your-writes).
    pub position: Option<Position>,
    /// The events appended, in order.
    pub events: Vec<Event>,
    /// The revision of every stream the decision read, as of this command (its own events
    /// included); a stream without events is absent.
    pub revisions: BTreeMap<StreamId, Revision>,
}

impl Executed {
    /// The revision `stream` is at after this command, if the decision read it.
    pub fn revision(&self, stream: &StreamId) -> Option<Revision> {
        self.revisions.get(stream).copied()
    }
}

/// Why a command did not go through.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExecuteError {
    /// A domain rule refused it (the typed refusal, for the API to map).
    #[error(transparent)]
    Rejected(#[from] DomainError),
    /// It kept losing races for the same streams (CONFLICT; the client may retry).
    #[error("too much concurrent activity on {stream}; try again")]
    Contended {
        /// The stream it kept conflicting on.
        stream: String,
    },
    /// A stored event could not be read (INTERNAL).
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// An event could not be serialised (INTERNAL).
    #[error("cannot encode event: {0}")]
    Encode(String),
    /// The store failed or refused a malformed append (INTERNAL).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Runs commands against an event store.
#[derive(Clone)]
pub struct CommandPath {
    store: Arc<dyn EventStore>,
    new_event_id: Arc<dyn Fn() -> Uuid + Send + Sync>,
    cache: Arc<StreamCache>,
}

impl CommandPath {
    /// A command path over `store`, naming events with `new_event_id` (UUID v7 in production;
    /// the domain itself has no source of randomness or time).
    pub fn new(
        store: Arc<dyn EventStore>,
        new_event_id: Arc<dyn Fn() -> Uuid + Send + Sync>,
    ) -> CommandPath {
        CommandPath::with_cache(store, new_event_id, DEFAULT_CAPACITY)
    }

    /// Like [`CommandPath::new`], caching the states of about `capacity` to twice as many
    /// streams (0: read every stream a decision needs from the store, every time).
    pub fn with_cache(
        store: Arc<dyn EventStore>,
        new_event_id: Arc<dyn Fn() -> Uuid + Send + Sync>,
        capacity: usize,
    ) -> CommandPath {
        CommandPath {
            store,
            new_event_id,
            cache: Arc::new(StreamCache::new(capacity)),
        }
    }

    /// The store commands are appended to.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// Decides `command` and appends its events.
    #[instrument(name = "command", skip_all, fields(command = short_type_name::<C>(), actor = %meta.actor))]
    pub async fn execute<C: Command>(
        &self,
        meta: CommandMeta,
        command: &C,
    ) -> Result<Executed, ExecuteError> {
        let mut loaded = Loaded::new();
        let mut last_conflict = String::new();
        for _ in 0..MAX_DECISIONS {
            let events = match self.decide(meta.actor, command, &mut loaded).await {
                Err(ExecuteError::Rejected(refusal)) => {
                    // Streams are loaded one after another, so a refusal may rest on a mix of
                    // older and newer state (a username read as free just before a rival took
                    // it, then its email read as taken). A refusal stands only if everything
                    // it read is still current; otherwise decide again on fresh state.
                    if let Some(changed) = self.refresh(&mut loaded).await? {
                        last_conflict = changed.to_string();
                        continue;
                    }
                    return Err(ExecuteError::Rejected(refusal));
                }
                other => other?,
            };
            if events.is_empty() {
                // "Nothing to change" may rest on a cached state as stale as a refusal's.
                if let Some(changed) = self.refresh(&mut loaded).await? {
                    last_conflict = changed.to_string();
                    continue;
                }
                return Ok(Executed {
                    position: None,
                    events,
                    revisions: revisions(&loaded),
                });
            }
            let batch = self.batch(meta, &loaded, &events)?;
            match self.append(batch).await {
                Ok(position) => {
                    debug!(events = events.len(), %position, "command appended");
                    self.remember_appended(&mut loaded, &events);
                    return Ok(Executed {
                        position: Some(position),
                        events,
                        revisions: revisions(&loaded),
                    });
                }
                Err(AppendError::Conflict { stream, actual, .. }) => {
                    debug!(%stream, "lost a race; deciding again");
                    self.forget_if_ahead(&mut loaded, &stream, actual);
                    // Only the first failing stream is reported, but others may be stale too;
                    // deciding on a mix of fresh and stale state could refuse for the wrong
                    // reason, so every stream read is brought up to date (incrementally).
                    self.refresh(&mut loaded).await?;
                    last_conflict = stream;
                }
                Err(AppendError::Invalid(reason)) => {
                    return Err(ExecuteError::Store(StoreError::Backend(reason)));
                }
                Err(AppendError::Store(e)) => return Err(e.into()),
            }
        }
        warn!(stream = %last_conflict, "command gave up after repeated conflicts");
        Err(ExecuteError::Contended {
            stream: last_conflict,
        })
    }

    /// Decides until every stream the decision read is loaded.
    async fn decide<C: Command>(
        &self,
        actor: Actor,
        command: &C,
        loaded: &mut Loaded,
    ) -> Result<Vec<Event>, ExecuteError> {
        loop {
            loaded.clear_reads();
            let decision = command.decide(actor, loaded);
            let missing = loaded.missing();
            if missing.is_empty() {
                return decision.map_err(|e| ExecuteError::Rejected(e.into()));
            }
            let mut unknown = Vec::with_capacity(missing.len());
            for stream in missing {
                match self.cache.get(&stream) {
                    Some(cached) => loaded.insert(stream, cached),
                    None => unknown.push(stream),
                }
            }
            if !unknown.is_empty() {
                self.load(loaded, &unknown).await?;
            }
        }
    }

    /// Brings every stream the last decision read up to date; the first that had changed.
    async fn refresh(&self, loaded: &mut Loaded) -> Result<Option<StreamId>, ExecuteError> {
        let read = loaded.read_set();
        let streams: Vec<StreamId> = read.iter().map(|(id, _)| id.clone()).collect();
        self.load(loaded, &streams).await?;
        Ok(read
            .into_iter()
            .find(|(id, before)| loaded.get(id).map(|l| l.revision) != Some(*before))
            .map(|(id, _)| id))
    }

    /// Loads `streams`, or brings already loaded ones up to date. The reads run concurrently:
    /// a command usually needs several small streams, and their latencies need not add up.
    async fn load(&self, loaded: &mut Loaded, streams: &[StreamId]) -> Result<(), ExecuteError> {
        let reads = streams.iter().map(|stream| {
            let from = loaded
                .get(stream)
                .and_then(|l| l.revision)
                .map_or(0, |r| r + 1);
            let name = stream.to_string();
            async move {
                let events = self.store.read_stream(&name, from).await;
                (name, events)
            }
        });
        let results = futures::future::join_all(reads).await;
        for (stream, (name, events)) in streams.iter().zip(results) {
            let entry = loaded.stream_mut(stream);
            for recorded in events? {
                let event = Event::decode_in(stream.clone(), &recorded.event_type, &recorded.data)
                    .map_err(|e| DecodeError::Unreadable {
                        stream: name.clone(),
                        event_type: recorded.event_type.clone(),
                        reason: e.to_string(),
                    })?;
                entry.state.evolve(&event);
                entry.revision = Some(recorded.revision);
            }
            self.cache.put(stream, entry);
        }
        Ok(())
    }

    /// A conflict usually means the store moved on; if instead it is behind what was loaded
    /// (a cached state the store never had: a file restored from a backup), that state is
    /// dropped, here and in the cache, so the stream is read again from its start.
    fn forget_if_ahead(&self, loaded: &mut Loaded, stream: &str, actual: Option<u64>) {
        let Some(id) = StreamId::parse(stream) else {
            return;
        };
        if loaded.get(&id).is_some_and(|l| actual < l.revision) {
            warn!(%stream, "a cached stream state is ahead of the store; reading it again");
            self.cache.forget(&id);
            loaded.forget(&id);
        }
    }

    /// Caches the state of every stream the command read, as of its own append: the written
    /// ones with their new events folded in, the read-only ones as they were checked. A stream
    /// written without being read has an unknown revision, so any cached state of it goes.
    fn remember_appended(&self, loaded: &mut Loaded, events: &[Event]) {
        let read: BTreeMap<StreamId, Option<u64>> = loaded.read_set().into_iter().collect();
        let mut written: BTreeMap<StreamId, u64> = BTreeMap::new();
        for event in events {
            let stream = event.stream();
            if read.contains_key(&stream) {
                loaded.stream_mut(&stream).state.evolve(event);
            }
            *written.entry(stream).or_default() += 1;
        }
        for (stream, revision) in &read {
            let entry = loaded.stream_mut(stream);
            if let Some(&count) = written.get(stream) {
                entry.revision = Some(revision.map_or(count - 1, |r| r + count));
            }
            self.cache.put(stream, entry);
        }
        for stream in written.keys().filter(|s| !read.contains_key(s)) {
            self.cache.forget(stream);
        }
    }

    /// One atomic append: written streams at their loaded revision, read-only ones as checks.
    fn batch(
        &self,
        meta: CommandMeta,
        loaded: &Loaded,
        events: &[Event],
    ) -> Result<Vec<StreamAppend>, ExecuteError> {
        let read: BTreeMap<StreamId, Option<u64>> = loaded.read_set().into_iter().collect();
        let metadata = Metadata {
            actor: meta.actor,
            correlation_id: meta.correlation_id,
            causation_id: meta.command_id,
            occurred_at: meta.occurred_at,
        };
        let mut batch: Vec<StreamAppend> = Vec::new();
        let mut written = BTreeSet::new();
        for event in events {
            let stream = event.stream();
            let data = event
                .encode()
                .map_err(|e| ExecuteError::Encode(e.to_string()))?;
            let new_event = NewEvent {
                event_id: (self.new_event_id)(),
                event_type: data.event_type.to_owned(),
                schema_version: data.schema_version,
                data: data.data,
                metadata: metadata.clone(),
            };
            let name = stream.to_string();
            match batch.iter_mut().find(|a| a.stream == name) {
                Some(append) => append.events.push(new_event),
                None => batch.push(StreamAppend {
                    stream: name,
                    // A stream written without being read (e.g. adding to the admin set)
                    // depends on nothing it could have missed.
                    expected: read
                        .get(&stream)
                        .map_or(Expected::Any, |r| Expected::from_current(*r)),
                    events: vec![new_event],
                }),
            }
            written.insert(stream);
        }
        for (stream, revision) in read {
            if !written.contains(&stream) {
                batch.push(StreamAppend {
                    stream: stream.to_string(),
                    expected: Expected::from_current(revision),
                    events: vec![],
                });
            }
        }
        Ok(batch)
    }

    /// Appends, re-sending the identical batch after a store failure: its event ids make a
    /// second arrival harmless if the first was written but its answer lost.
    async fn append(&self, batch: Vec<StreamAppend>) -> Result<Position, AppendError> {
        let mut resends = 0;
        loop {
            match self.store.append(batch.clone()).await {
                Ok(appended) => return Ok(appended.last_position),
                Err(AppendError::Store(e)) if resends < MAX_RESENDS && e != StoreError::Closed => {
                    resends += 1;
                    warn!(error = %e, resends, "append failed; re-sending the same events");
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// The revision of every stream the last decision read, as loaded (after
/// [`CommandPath::remember_appended`], with the command's own events).
fn revisions(loaded: &Loaded) -> BTreeMap<StreamId, Revision> {
    loaded
        .read_set()
        .into_iter()
        .filter_map(|(stream, revision)| Some((stream, revision?)))
        .collect()
}

fn short_type_name<C>() -> &'static str {
    let full = std::any::type_name::<C>();
    full.rsplit("::").next().unwrap_or(full)
}
