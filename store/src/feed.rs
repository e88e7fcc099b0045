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

/// Reads the events with a position in `(after, until]`, a span of at most [`PAGE`] positions.
pub(crate) type ReadRange = Arc<
    dyn Fn(Position, Position) -> BoxFuture<'static, Result<Vec<Recorded>, StoreError>>
        + Send
        + Sync,
>;

type Read = BoxFuture<'static, Result<Vec<Recorded>, StoreError>>;

/// A span being read: on a task of its own, or (outside a Tokio runtime) when awaited.
enum Ahead {
    Spawned(JoinHandle<Result<Vec<Recorded>, StoreError>>),
    Inline(Read),
}

impl Ahead {
    async fn events(self) -> Result<Vec<Recorded>, StoreError> {
        match self {
            Ahead::Spawned(task) => task.await.unwrap_or_else(|_| {
                Err(StoreError::Backend("a page read ahead was lost".to_owned()))
            }),
            Ahead::Inline(read) => read.await,
        }
    }
}

struct Follow {
    read_range: ReadRange,
    head: watch::Receiver<Position>,
    /// Every position up to here has been yielded or is being read.
    scheduled: Position,
    page: std::vec::IntoIter<Recorded>,
    /// The reads of the next spans, in order.
    ahead: VecDeque<Ahead>,
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
    let state = Follow {
        read_range,
        head,
        scheduled: after,
        page: Vec::new().into_iter(),
        ahead: VecDeque::new(),
        failed: false,
    };
    futures::stream::unfold(state, next).boxed()
}

async fn next(mut state: Follow) -> Option<(Result<Recorded, StoreError>, Follow)> {
    loop {
        if state.failed {
            return None;
        }
        if let Some(event) = state.page.next() {
            return Some((Ok(event), state));
        }
        let head = *state.head.borrow();
        state.read_ahead(head);
        match state.ahead.pop_front() {
            Some(read) => match read.events().await {
                Ok(events) => state.page = events.into_iter(),
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

impl Follow {
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
