//! The projection runner: follows the log through the store port and keeps [`ReadModels`]
//! current, with read-your-writes via [`Projections::wait_for`].
//!
//! Two stages run concurrently so replay uses both cores: one reads the log (catch-up, then
//! live) and decodes JSON into domain events; the other applies them under the write lock,
//! a whole chunk per lock, and publishes the new position.

use crate::activity::{self, AppliedActivity};
use crate::models::ReadModels;
use chrono::Duration;
use futures::StreamExt;
use roster_domain::event::Event;
use roster_domain::store::{EventStore, Metadata, Position, Recorded, StoreError};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration as StdDuration;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// Events decoded per chunk: big enough to amortise locking, small enough to keep the
/// latency of a live write low (a live chunk is whatever is ready, usually one command).
const CHUNK: usize = 4096;

/// Activity items kept for each watcher that has not read them yet. A watcher further behind
/// loses the oldest and is told so (`RecvError::Lagged`); the runner never waits for one.
const ACTIVITY_BUFFER: usize = 1024;

/// The read models, shared between the runner (the one writer) and any number of readers.
#[derive(Clone)]
pub struct Projections {
    models: Arc<RwLock<ReadModels>>,
    applied: Arc<watch::Sender<Position>>,
    activity: broadcast::Sender<AppliedActivity>,
}

/// The projections did not reach a position in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("projections did not reach position {wanted} in time (at {reached})")]
pub struct NotYetApplied {
    /// The position waited for.
    pub wanted: Position,
    /// The position reached.
    pub reached: Position,
}

/// One event read and decoded, ready to apply.
struct Decoded {
    position: Position,
    metadata: Metadata,
    event: Option<Event>,
}

impl Projections {
    /// Empty read models; sessions end after `idle_timeout` without activity.
    pub fn new(idle_timeout: Duration) -> Projections {
        let (applied, _) = watch::channel(Position::START);
        let (activity, _) = broadcast::channel(ACTIVITY_BUFFER);
        Projections {
            models: Arc::new(RwLock::new(ReadModels::with_idle_timeout(idle_timeout))),
            applied: Arc::new(applied),
            activity,
        }
    }

    /// Session and user-account activity, from now on, as [`Projections::follow`] applies it
    /// (see [`crate::activity`]). An item is sent once the models hold its event and before
    /// [`Projections::wait_for`] sees its position, so a reader that gets an item then queries
    /// sees the change, and a command that has waited for its position has queued its items.
    /// The buffer is bounded: a receiver that falls [`ACTIVITY_BUFFER`] items behind gets
    /// `RecvError::Lagged` and loses the oldest. Items are derived only while someone listens.
    pub fn watch_activity(&self) -> broadcast::Receiver<AppliedActivity> {
        self.activity.subscribe()
    }

    /// Reads the models. Keep `f` short: the runner waits for readers to finish.
    pub fn read<R>(&self, f: impl FnOnce(&ReadModels) -> R) -> R {
        let models = self.models.read().unwrap_or_else(PoisonError::into_inner);
        f(&models)
    }

    /// The position of the last event applied.
    pub fn position(&self) -> Position {
        *self.applied.borrow()
    }

    /// Waits until the event at `position` (and everything before it) has been applied.
    pub async fn wait_for(
        &self,
        position: Position,
        timeout: StdDuration,
    ) -> Result<(), NotYetApplied> {
        let mut applied = self.applied.subscribe();
        let reached = tokio::time::timeout(timeout, applied.wait_for(|p| *p >= position)).await;
        match reached {
            Ok(Ok(_)) => Ok(()),
            _ => Err(NotYetApplied {
                wanted: position,
                reached: self.position(),
            }),
        }
    }

    /// Applies stored events directly (for tests and tools that already hold them).
    pub fn apply_all(&self, events: &[Recorded]) {
        let mut models = self.models.write().unwrap_or_else(PoisonError::into_inner);
        for recorded in events {
            models.apply(recorded);
        }
        let position = models.position();
        drop(models);
        self.applied.send_replace(position);
    }

    /// Replays the whole log as it is now and returns the position reached.
    pub async fn replay(&self, store: Arc<dyn EventStore>) -> Result<Position, StoreError> {
        let head = store.head().await?;
        let follower = self.follow(store);
        let reached = self.wait_for(head, StdDuration::MAX).await;
        follower.abort();
        // Once the follower is gone, so are its reader and their buffers.
        let _ = follower.await;
        reached.map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(self.position())
    }

    /// Follows the log from the last applied position, forever: catch-up, then live. The
    /// returned task runs until aborted; after a store failure it resubscribes.
    pub fn follow(&self, store: Arc<dyn EventStore>) -> JoinHandle<()> {
        let projections = self.clone();
        tokio::spawn(async move {
            loop {
                let after = projections.position();
                let (chunks, mut decoded) = mpsc::channel::<Vec<Decoded>>(4);
                let reader = tokio::spawn(read_and_decode(store.clone(), after, chunks));
                // Aborting the follower (as `replay` does) must stop the reader too: a task
                // waiting on a live feed would otherwise keep its buffers until the store closes.
                let mut reader = AbortOnDrop(reader);
                while let Some(chunk) = decoded.recv().await {
                    projections.apply_decoded(chunk);
                }
                match (&mut reader.0).await {
                    Ok(Err(error)) => warn!(%error, "projection feed failed; resubscribing"),
                    Ok(Ok(())) => info!("projection feed ended; resubscribing"),
                    Err(_) => return,
                }
                tokio::time::sleep(StdDuration::from_millis(200)).await;
            }
        })
    }

    fn apply_decoded(&self, chunk: Vec<Decoded>) {
        let watched = self.activity.receiver_count() > 0;
        let mut activities = Vec::new();
        let mut models = self.models.write().unwrap_or_else(PoisonError::into_inner);
        for decoded in chunk {
            if watched && let Some(event) = &decoded.event {
                activity::derive(
                    &models,
                    decoded.position,
                    &decoded.metadata,
                    event,
                    &mut activities,
                );
            }
            models.apply_decoded(decoded.position, &decoded.metadata, decoded.event);
        }
        let position = models.position();
        drop(models);
        for item in activities {
            // An error only means every watcher has gone since the chunk began.
            let _ = self.activity.send(item);
        }
        self.applied.send_replace(position);
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The first stage: reads the feed, decodes chunks, hands them to the applying stage.
async fn read_and_decode(
    store: Arc<dyn EventStore>,
    after: Position,
    chunks: mpsc::Sender<Vec<Decoded>>,
) -> Result<(), StoreError> {
    let mut feed = store.subscribe_all(after).ready_chunks(CHUNK);
    while let Some(batch) = feed.next().await {
        let mut chunk = Vec::with_capacity(batch.len());
        for recorded in batch {
            let recorded = recorded?;
            let event = Event::decode(&recorded.stream, &recorded.event_type, &recorded.data).ok();
            chunk.push(Decoded {
                position: recorded.position,
                metadata: recorded.metadata,
                event,
            });
        }
        if chunks.send(chunk).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}
