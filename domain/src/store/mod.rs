//! The event store port: the one interface every storage adapter implements, and the envelope
//! types that cross it.
//!
//! Streams are named `<kind>-<id>`. Revisions count from 0 within a stream; positions count from
//! 1 across the whole log, in commit order. Nothing here does I/O: the adapters live in
//! `roster-store`, which has two, both atomic across streams: `SqliteStore` (embedded
//! SQLite, the default) and `MemoryStore` (in memory, nothing kept: for tests and
//! `ROSTER_STORE=memory://`).

mod envelope;
mod upcast;

pub use envelope::{
    Actor, AppendError, Appended, EventData, Expected, Metadata, NewEvent, Position, Recorded,
    Revision, StoreError, StreamAppend,
};
pub use upcast::{UpcastFn, Upcasters};

use crate::event::{DecodeError, Event};
use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::BoxStream;

/// A live feed of the whole log: every event after the starting position (catch-up), then every
/// event appended later, in global order. It ends only when the store is closed or fails.
pub type EventFeed = BoxStream<'static, Result<Recorded, StoreError>>;

/// One event of the whole log, decoded into its domain event for a reader such as a projection.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedRecord {
    /// Its global position.
    pub position: Position,
    /// Actor, correlation, causation and time.
    pub metadata: Metadata,
    /// The domain event, or why it cannot be read (a newer version may have written it).
    pub event: Result<Event, DecodeError>,
}

impl DecodedRecord {
    /// Decodes a stored event (after upcasting).
    pub fn decode(recorded: Recorded) -> DecodedRecord {
        DecodedRecord {
            event: Event::decode(&recorded.stream, &recorded.event_type, &recorded.data),
            position: recorded.position,
            metadata: recorded.metadata,
        }
    }
}

/// Like [`EventFeed`], decoded, in pages: each item holds the next events in order (possibly
/// none). It ends like an [`EventFeed`]: when the store closes, or right after an error.
pub type DecodedFeed = BoxStream<'static, Result<Vec<DecodedRecord>, StoreError>>;

/// How many events the default [`EventStore::subscribe_decoded`] gathers into a page at most.
const DECODED_PAGE: usize = 4096;

/// An append-only log of events, partitioned into streams, with optimistic concurrency.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends to one or more streams at once.
    ///
    /// Every stream's expectation is checked first; if any fails, nothing is written and the
    /// first failing stream is reported as [`AppendError::Conflict`]. A [`StreamAppend`] with
    /// no events is a pure check: it asserts the stream's revision without writing to it, which
    /// is how a command guards a rule that depends on another aggregate. An adapter must
    /// therefore write all the streams of a batch atomically, or none of them.
    ///
    /// Idempotency: a batch is recognised as re-sent by its first event id. If every event id
    /// of the batch is already stored, in the same streams, the original result is returned
    /// and nothing is written; a batch that is only partly stored, or that reuses an event id
    /// in another stream, is [`AppendError::Invalid`].
    ///
    /// Times are stored to the microsecond: `Metadata::occurred_at` reads back truncated.
    async fn append(&self, batch: Vec<StreamAppend>) -> Result<Appended, AppendError>;

    /// Every event of one stream from `from` (inclusive), in revision order. A stream that does
    /// not exist reads as empty.
    async fn read_stream(&self, stream: &str, from: Revision) -> Result<Vec<Recorded>, StoreError>;

    /// Up to `max` events of the whole log with a position strictly after `after`, in order.
    async fn read_all(&self, after: Position, max: usize) -> Result<Vec<Recorded>, StoreError>;

    /// The events at the given positions, in position order, each once; a position with no
    /// event (not yet written, or 0) is skipped. What an audit page reads: the positions come
    /// from an index, and only those events are read.
    async fn read_positions(&self, positions: &[Position]) -> Result<Vec<Recorded>, StoreError>;

    /// Appends events recorded in another store, verbatim: what `roster migrate` writes.
    ///
    /// Each event keeps its id, stream, revision, type, schema version, data and metadata;
    /// its `position` is ignored and the event takes the next position of this log, in the
    /// order given. All of `events` are written atomically, or none. Nothing is upcast.
    ///
    /// - Each event's revision must be the next of its stream here (0 for a stream this log
    ///   does not hold yet; earlier events of the same call count): otherwise
    ///   [`AppendError::Conflict`] with the stream, the expectation the event implies and the
    ///   stream's actual revision.
    /// - An event id already stored, or twice in the call, is [`AppendError::Invalid`]: an
    ///   import is never idempotent by itself; a caller resumes by reading where this log
    ///   stops.
    ///
    /// Returns the position of the last event written ([`EventStore::head`] when `events` is
    /// empty). Times are stored to the microsecond, as [`EventStore::append`] stores them.
    async fn import(&self, events: Vec<Recorded>) -> Result<Position, AppendError>;

    /// The position of the last committed event ([`Position::START`] for an empty log).
    async fn head(&self) -> Result<Position, StoreError>;

    /// Catch-up then live subscription to the whole log, starting strictly after `after`.
    fn subscribe_all(&self, after: Position) -> EventFeed;

    /// [`EventStore::subscribe_all`], decoded into domain events, a page at a time: what a
    /// replay reads. An adapter may decode where it reads (the SQLite one does, on its reader
    /// threads, straight from the row), so a replay's decoding runs beside its applying.
    fn subscribe_decoded(&self, after: Position) -> DecodedFeed {
        let mut failed = false;
        self.subscribe_all(after)
            .ready_chunks(DECODED_PAGE)
            .flat_map(move |chunk| {
                // Everything before a failure is delivered, then the failure, then nothing, as
                // the feed does.
                let mut pages = Vec::with_capacity(2);
                let mut page = Vec::with_capacity(chunk.len());
                for recorded in chunk {
                    if failed {
                        break;
                    }
                    match recorded {
                        Ok(recorded) => page.push(DecodedRecord::decode(recorded)),
                        Err(error) => {
                            failed = true;
                            if !page.is_empty() {
                                pages.push(Ok(std::mem::take(&mut page)));
                            }
                            pages.push(Err(error));
                        }
                    }
                }
                if !page.is_empty() {
                    pages.push(Ok(page));
                }
                futures::stream::iter(pages)
            })
            .boxed()
    }
}
