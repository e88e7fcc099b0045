//! A decorator around the real store that injects one mishap or counts what it is asked.

use async_trait::async_trait;
use roster_domain::store::{
    AppendError, Appended, EventFeed, EventStore, Position, Recorded, Revision, StoreError,
    StreamAppend,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::sync::Mutex;

/// Delegates everything to the inner store, letting a test hook run before the first append.
pub struct Decorated<F> {
    inner: std::sync::RwLock<Arc<dyn EventStore>>,
    before_first_append: Mutex<Option<F>>,
    lose_first_answer: AtomicBool,
    /// Refuse every append with a conflict, as if a rival always got there first.
    always_conflict: bool,
    /// How many appends were asked for.
    pub appends: AtomicUsize,
    /// How many stream reads were asked for.
    pub reads: AtomicUsize,
}

impl<F> Decorated<F> {
    /// The store everything is delegated to now.
    pub fn inner(&self) -> Arc<dyn EventStore> {
        Arc::clone(&self.inner.read().unwrap())
    }

    /// Delegates to `store` from now on, as if the file had been swapped underneath.
    pub fn switch_to(&self, store: Arc<dyn EventStore>) {
        *self.inner.write().unwrap() = store;
    }
}

#[async_trait]
impl<F> EventStore for Decorated<F>
where
    F: FnOnce(Arc<dyn EventStore>) -> futures::future::BoxFuture<'static, ()> + Send + 'static,
{
    async fn append(&self, batch: Vec<StreamAppend>) -> Result<Appended, AppendError> {
        self.appends.fetch_add(1, Ordering::SeqCst);
        if self.always_conflict {
            let first = &batch[0];
            return Err(AppendError::Conflict {
                stream: first.stream.clone(),
                expected: first.expected,
                actual: Some(u64::MAX),
            });
        }
        if let Some(hook) = self.before_first_append.lock().await.take() {
            hook(self.inner()).await;
        }
        let result = self.inner().append(batch).await;
        if result.is_ok() && self.lose_first_answer.swap(false, Ordering::SeqCst) {
            // Written, but the caller never hears so: as if the connection dropped.
            return Err(AppendError::Store(StoreError::Backend(
                "connection lost".into(),
            )));
        }
        result
    }

    async fn import(&self, events: Vec<Recorded>) -> Result<Position, AppendError> {
        self.inner().import(events).await
    }

    async fn read_stream(&self, stream: &str, from: Revision) -> Result<Vec<Recorded>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner().read_stream(stream, from).await
    }

    async fn read_all(&self, after: Position, max: usize) -> Result<Vec<Recorded>, StoreError> {
        self.inner().read_all(after, max).await
    }

    async fn read_positions(&self, positions: &[Position]) -> Result<Vec<Recorded>, StoreError> {
        self.inner().read_positions(positions).await
    }

    async fn head(&self) -> Result<Position, StoreError> {
        self.inner().head().await
    }

    fn subscribe_all(&self, after: Position) -> EventFeed {
        self.inner().subscribe_all(after)
    }
}

/// Runs once, before the first append reaches the store.
pub type Hook = Box<
    dyn FnOnce(Arc<dyn EventStore>) -> futures::future::BoxFuture<'static, ()> + Send + 'static,
>;

/// The store with a hook and, if asked, the first answer lost.
pub fn decorate(
    inner: Arc<dyn EventStore>,
    hook: Option<Hook>,
    lose_first_answer: bool,
) -> Arc<dyn EventStore> {
    decorated(inner, hook, lose_first_answer, false)
}

/// A store whose every append conflicts; the returned handle counts the attempts.
pub fn always_conflicting(inner: Arc<dyn EventStore>) -> Arc<Decorated<Hook>> {
    decorated(inner, None, false, true)
}

/// The store decorated as asked; the returned handle counts appends and reads.
pub fn decorated(
    inner: Arc<dyn EventStore>,
    hook: Option<Hook>,
    lose_first_answer: bool,
    always_conflict: bool,
) -> Arc<Decorated<Hook>> {
    Arc::new(Decorated {
        inner: std::sync::RwLock::new(inner),
        before_first_append: Mutex::new(hook),
        lose_first_answer: AtomicBool::new(lose_first_answer),
        always_conflict,
        appends: AtomicUsize::new(0),
        reads: AtomicUsize::new(0),
    })
}
