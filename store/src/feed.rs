//! Catch-up then live: the one subscription loop both adapters use.
//!
//! A feed reads the log in spans of positions that follow one another, `(a, b]` then `(b, c]`,
//! each ending at or before the head it saw, so the switch from catch-up to live can neither
//! skip nor repeat an event: there is no switch at all, only spans read whenever the head has
//! moved past the last one. The head is a `watch` channel the writer bumps after each commit
//! (so every event up to it is readable); a watch keeps only the newest value, so a slow feed
//! never queues notifications, and it wakes a feed whose position is already behind.
//!
//! While catching up, the next spans are read on other tasks while the consumer works through
//! the current one, so a replay costs about the larger of reading and applying, not their sum.

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use roster_domain::store::{EventFeed, Position, Recorded, StoreError};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How many events a feed reads at once while it catches up.
pub(crate) const PAGE: usize = 4096;

/// How many pages a catching-up feed reads ahead of the one being consumed. Two keep a reader
/// busy while the other hands its page over, on separate connections and blocking threads.
const AHEAD: usize = 2;

/// Reads up to [`PAGE`] events strictly after the given position.
pub(crate) type ReadPage =
    Box<dyn Fn(Position) -> BoxFuture<'static, Result<Vec<Recorded>, StoreError>> + Send + Sync>;

/// Reads the events with a position in `(after, until]`, a span of at most [`PAGE`] positions,
/// as `T`: stored events, or events already decoded for a projection.
pub(crate) type ReadRange<T = Recorded> =
    Arc<dyn Fn(Position, Position) -> BoxFuture<'static, Result<Vec<T>, StoreError>> + Send + Sync>;

type Read<T> = BoxFuture<'static, Result<Vec<T>, StoreError>>;

/// A span being read: on a task of its own, or (outside a Tokio runtime) when awaited.
enum Ahead<T> {
    Spawned(JoinHandle<Result<Vec<T>, StoreError>>),
    Inline(Read<T>),
}

impl<T> Ahead<T> {
    async fn events(self) -> Result<Vec<T>, StoreError> {
        match self {
            Ahead::Spawned(task) => task.await.unwrap_or_else(|_| {
                Err(StoreError::Backend("a page read ahead was lost".to_owned()))
            }),
            Ahead::Inline(read) => read.await,
        }
    }
}

struct Follow<T> {
    read_range: ReadRange<T>,
    head: watch::Receiver<Position>,
    /// Every position up to here has been yielded or is being read.
    scheduled: Position,
    /// The reads of the next spans, in order.
    ahead: VecDeque<Ahead<T>>,
    failed: bool,
}

/// Every event after `after`, then every event committed later, reading pages one at a time.
/// The feed ends once the head's sender is gone (the store closed) and everything committed
/// before that has been yielded, or right after yielding a read error.
pub(crate) fn follow(
    read_page: ReadPage,
    head: watch::Receiver<Position>,
    after: Position,
) -> EventFeed {
    // A span holds at most PAGE positions, so its events are among the PAGE after its start.
    let read_page = Arc::new(read_page);
    let read_range: ReadRange = Arc::new(move |after, until| {
        let page = read_page(after);
        Box::pin(async move {
            let mut events = page.await?;
            events.retain(|e| e.position <= until);
            Ok(events)
        })
    });
    follow_ranges(read_range, head, after)
}

/// Like [`follow`], for a store that reads spans of positions directly, so several can be
/// read at once: each span ends where the next begins, whatever the events in it.
pub(crate) fn follow_ranges(
    read_range: ReadRange,
    head: watch::Receiver<Position>,
    after: Position,
) -> EventFeed {
    follow_pages(read_range, head, after)
        .flat_map(|page| match page {
            Ok(events) => futures::stream::iter(events.into_iter().map(Ok)).left_stream(),
            Err(error) => futures::stream::once(async { Err(error) }).right_stream(),
        })
        .boxed()
}

/// The spans themselves, each yielded whole as it was read (a span may be empty): the feed
/// for a consumer that works a page at a time. It ends like [`follow`].
pub(crate) fn follow_pages<T: Send + 'static>(
    read_range: ReadRange<T>,
    head: watch::Receiver<Position>,
    after: Position,
) -> BoxStream<'static, Result<Vec<T>, StoreError>> {
    let state = Follow {
        read_range,
        head,
        scheduled: after,
        ahead: VecDeque::new(),
        failed: false,
    };
    futures::stream::unfold(state, next_page).boxed()
}

async fn next_page<T: Send + 'static>(
    mut state: Follow<T>,
) -> Option<(Result<Vec<T>, StoreError>, Follow<T>)> {
    loop {
        if state.failed {
            return None;
        }
        let head = *state.head.borrow();
        state.read_ahead(head);
        match state.ahead.pop_front() {
            Some(read) => match read.events().await {
                Ok(events) => {
                    // Keep the readers busy while the consumer works through this page.
                    let head = *state.head.borrow();
                    state.read_ahead(head);
                    return Some((Ok(events), state));
                }
                Err(error) => {
                    state.failed = true;
                    return Some((Err(error), state));
                }
            },
            None => {
                let scheduled = state.scheduled;
                // `wait_for` looks at the current value first, and on a closed channel it has
                // still seen the final head: a commit just before closing is not lost.
                if state.head.wait_for(|head| *head > scheduled).await.is_err() {
                    return None;
                }
            }
        }
    }
}

impl<T: Send + 'static> Follow<T> {
    /// Starts reading the spans up to `head`, up to [`AHEAD`] of them besides the current
    /// page. Positions are read in spans that follow one another, so however the reads
    /// interleave, the feed yields each event once and in order.
    fn read_ahead(&mut self, head: Position) {
        // A feed polled outside a Tokio runtime (the memory store allows it) reads in turn.
        let runtime = tokio::runtime::Handle::try_current().ok();
        let depth = if runtime.is_some() { AHEAD } else { 1 };
        while self.ahead.len() < depth && self.scheduled < head {
            let after = self.scheduled;
            let until = Position(head.0.min(after.0.saturating_add(PAGE as u64)));
            let read = (self.read_range)(after, until);
            self.ahead.push_back(match &runtime {
                Some(runtime) => Ahead::Spawned(runtime.spawn(read)),
                None => Ahead::Inline(read),
            });
            self.scheduled = until;
        }
    }
}
