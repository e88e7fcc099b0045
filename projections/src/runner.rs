//! The projection runner: follows the log through the store port and keeps [`ReadModels`]
//! current, with read-your-writes via [`Projections::wait_for`].
//!
//! The store's decoded feed reads and decodes the log (catch-up, then live) on its own reader
//! threads, pages ahead; the follower applies each page under one write lock and publishes the
//! new position. So a replay reads, decodes and applies at once, on every core.

use crate::activity::{self, AppliedActivity};
use crate::models::ReadModels;
use chrono::{DateTime, Duration, Utc};
use futures::{FutureExt, StreamExt};
use roster_domain::event::DecodeError;
use roster_domain::store::{DecodedRecord, EventStore, Position, Recorded, StoreError};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration as StdDuration;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tracing::{error, info, warn};

/// Activity items kept for each watcher that has not read them yet. A watcher further behind
/// loses the oldest and is told so (`RecvError::Lagged`); the runner never waits for one.
const ACTIVITY_BUFFER: usize = 1024;

/// The read models, shared between the runner (the one writer) and any number of readers.
#[derive(Clone)]
pub struct Projections {
    models: Arc<RwLock<ReadModels>>,
    applied: Arc<watch::Sender<Position>>,
    activity: broadcast::Sender<AppliedActivity>,
    feed_failures: Arc<AtomicU64>,
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

impl Projections {
    /// Empty read models; sessions end after `idle_timeout` without activity.
    pub fn new(idle_timeout: Duration) -> Projections {
        let (applied, _) = watch::channel(Position::START);
        let (activity, _) = broadcast::channel(ACTIVITY_BUFFER);
        Projections {
            models: Arc::new(RwLock::new(ReadModels::with_idle_timeout(idle_timeout))),
            applied: Arc::new(applied),
            activity,
            feed_failures: Arc::new(AtomicU64::new(0)),
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

    /// Applies stored events directly (for tests and tools that already hold them), the way
    /// the feed's pages are applied.
    pub fn apply_all(&self, events: &[Recorded]) {
        let page = events.iter().cloned().map(DecodedRecord::decode).collect();
        self.apply_page(page);
    }

    /// Drops sessions that expired (or went idle) more than a grace period before `now`, so
    /// memory follows live sessions, not every session ever started; how many went. Call it
    /// every few minutes: it looks at every session.
    pub fn prune_expired(&self, now: DateTime<Utc>) -> usize {
        self.models
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .prune_expired(now)
    }

    /// How many times in a row the feed has failed since events last arrived (0: healthy).
    /// Readiness and metrics report it; the follower keeps retrying with a growing pause.
    pub fn feed_failures(&self) -> u64 {
        self.feed_failures.load(Ordering::Relaxed)
    }

    /// Replays the whole log as it is now and returns the position reached, or the store's
    /// error if it fails on the way (a replay is a one-off: it does not retry).
    pub async fn replay(&self, store: Arc<dyn EventStore>) -> Result<Position, StoreError> {
        let head = store.head().await?;
        let mut pages = store.subscribe_decoded(self.position());
        while self.position() < head {
            match pages.next().await {
                Some(page) => self.apply_page(page?),
                None => return Err(StoreError::Closed),
            }
        }
        Ok(self.position())
    }

    /// Replays the log as it is now, like [`Projections::replay`], showing each event to
    /// `visit` before it is applied; the replay stops before the first event `visit` refuses
    /// (what the models looked like up to there: `roster replay --to`). Returns the position
    /// reached.
    pub async fn replay_while(
        &self,
        store: Arc<dyn EventStore>,
        mut visit: impl FnMut(&DecodedRecord) -> bool,
    ) -> Result<Position, StoreError> {
        let head = store.head().await?;
        let mut pages = store.subscribe_decoded(self.position());
        while self.position() < head {
            let Some(page) = pages.next().await else {
                return Err(StoreError::Closed);
            };
            let mut page = page?;
            if let Some(stop) = page.iter().position(|record| !visit(record)) {
                page.truncate(stop);
                self.apply_page(page);
                break;
            }
            self.apply_page(page);
        }
        Ok(self.position())
    }

    /// Follows the log from the last applied position, forever: catch-up, then live. The
    /// returned task runs until aborted; after a store failure it subscribes again after a
    /// pause that doubles with each failure in a row, up to [`MAX_PAUSE`]. A panic while
    /// applying (a bug) ends it, loudly, and readiness shows it.
    pub fn follow(&self, store: Arc<dyn EventStore>) -> JoinHandle<()> {
        let projections = self.clone();
        tokio::spawn(async move {
            let following = AssertUnwindSafe(projections.clone().keep_following(store));
            if following.catch_unwind().await.is_err() {
                projections.feed_failures.store(u64::MAX, Ordering::Relaxed);
                error!("the projection follower panicked: read models no longer follow the log");
            }
        })
    }

    async fn keep_following(self, store: Arc<dyn EventStore>) {
        let mut failures: u64 = 0;
        loop {
            let mut pages = store.subscribe_decoded(self.position());
            if failures > 0 {
                // Subscribed again: healthy once it has delivered what the store holds, which
                // on a quiet log is no page at all.
                let caught_up = store.head().await.is_ok_and(|head| self.position() >= head);
                if caught_up {
                    self.feed_failures.store(0, Ordering::Relaxed);
                }
            }
            let failed = loop {
                match pages.next().await {
                    Some(Ok(page)) if page.is_empty() => {}
                    Some(Ok(page)) => {
                        failures = 0;
                        self.feed_failures.store(0, Ordering::Relaxed);
                        self.apply_page(page);
                    }
                    Some(Err(error)) => break Some(error),
                    None => break None,
                }
            };
            // The feed's reads already started finish on their own; nothing waits for them.
            drop(pages);
            match failed {
                Some(error) => {
                    failures += 1;
                    self.feed_failures.store(failures, Ordering::Relaxed);
                    warn!(%error, failures, "projection feed failed; subscribing again");
                }
                None => info!("projection feed ended; subscribing again"),
            }
            tokio::time::sleep(pause_after(failures)).await;
        }
    }

    /// Applies one page under one write lock, then publishes activity and the position.
    fn apply_page(&self, page: Vec<DecodedRecord>) {
        let watched = self.activity.receiver_count() > 0;
        let mut activities = Vec::new();
        let mut unreadable = None;
        let mut models = self.models.write().unwrap_or_else(PoisonError::into_inner);
        for decoded in page {
            let event = match decoded.event {
                Ok(event) => Some(event),
                Err(error) => {
                    if unreadable.is_none() {
                        unreadable = Some((decoded.position, error));
                    }
                    None
                }
            };
            if watched && let Some(event) = &event {
                activity::derive(
                    &models,
                    decoded.position,
                    &decoded.metadata,
                    event,
                    &mut activities,
                );
            }
            models.apply_decoded(decoded.position, &decoded.metadata, event);
        }
        let position = models.position();
        let skipped = models.skipped();
        drop(models);
        if let Some((at, error)) = unreadable {
            // Only where and what kind: a decoding error may quote the data it failed on.
            let kind = match error {
                DecodeError::UnknownStream(_) => "an unknown stream",
                DecodeError::Unreadable { .. } => "an unknown type or shape",
            };
            warn!(position = %at, kind, skipped, "read models skip events they cannot read");
        }
        for item in activities {
            // An error only means every watcher has gone since the page began.
            let _ = self.activity.send(item);
        }
        self.applied.send_replace(position);
    }
}

/// The longest pause between two attempts to follow a failing store.
pub const MAX_PAUSE: StdDuration = StdDuration::from_secs(10);

/// 200 ms after the first failure, doubling, at most [`MAX_PAUSE`].
fn pause_after(failures: u64) -> StdDuration {
    let doublings = u32::try_from(failures.saturating_sub(1))
        .unwrap_or(u32::MAX)
        .min(16);
    StdDuration::from_millis(200)
        .saturating_mul(1 << doublings)
        .min(MAX_PAUSE)
}
