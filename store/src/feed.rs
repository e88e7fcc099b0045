//! Catch-up then live: the one subscription loop both adapters use.
//!
//! A feed remembers the last position it yielded and only ever asks for events strictly after
//! it, so the switch from catch-up to live can neither skip nor repeat an event: there is no
//! switch at all, only pages read whenever the head has moved past that position. The head is a
//! `watch` channel the writer bumps after each commit; a watch keeps only the newest value, so a
//! slow feed never queues notifications, and it wakes a feed whose position is already behind.
//!
//! While catching up, the next page is read on another task while the consumer works through
//! the current one, so a replay costs about the larger of reading and applying, not their sum.

use futures::StreamExt;
use futures::future::BoxFuture;
use roster_domain::store::{EventFeed, Position, Recorded, StoreError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How many events a feed reads at once while it catches up.
pub(crate) const PAGE: usize = 4096;

/// Reads up to [`PAGE`] events strictly after the given position.
pub(crate) type ReadPage =
    Box<dyn Fn(Position) -> BoxFuture<'static, Result<Vec<Recorded>, StoreError>> + Send + Sync>;

struct Follow {
    read_page: ReadPage,
    head: watch::Receiver<Position>,
    last: Position,
    page: std::vec::IntoIter<Recorded>,
    /// The page after `page`, already being read.
    ahead: Option<JoinHandle<Result<Vec<Recorded>, StoreError>>>,
    failed: bool,
}

/// Every event after `after`, then every event committed later. The feed ends once the head's
/// sender is gone (the store closed) and everything committed before that has been yielded, or
/// right after yielding a read error.
pub(crate) fn follow(
    read_page: ReadPage,
    head: watch::Receiver<Position>,
    after: Position,
) -> EventFeed {
    let state = Follow {
        read_page,
        head,
        last: after,
        page: Vec::new().into_iter(),
        ahead: None,
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
            state.last = event.position;
            return Some((Ok(event), state));
        }
        let fetched = match state.ahead.take() {
            Some(ahead) => ahead.await.unwrap_or_else(|_| {
                Err(StoreError::Backend("a page read ahead was lost".to_owned()))
            }),
            None => (state.read_page)(state.last).await,
        };
        match fetched {
            Ok(events) if !events.is_empty() => {
                state.ahead = read_ahead(&state.read_page, &events);
                state.page = events.into_iter();
            }
            Ok(_) => {
                let last = state.last;
                // `wait_for` looks at the current value first, and on a closed channel it has
                // still seen the final head: a commit just before closing is not lost.
                if state.head.wait_for(|head| *head > last).await.is_err() {
                    return None;
                }
            }
            Err(error) => {
                state.failed = true;
                return Some((Err(error), state));
            }
        }
    }
}

/// Starts reading the page after a full one, which is likely not the last. A page that is not
/// full means the feed has reached the head, where a read ahead would find nothing.
fn read_ahead(
    read_page: &ReadPage,
    page: &[Recorded],
) -> Option<JoinHandle<Result<Vec<Recorded>, StoreError>>> {
    let last = page.last().filter(|_| page.len() >= PAGE)?.position;
    // A feed polled outside a Tokio runtime (the memory store allows it) just reads in turn.
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    Some(runtime.spawn(read_page(last)))
}
