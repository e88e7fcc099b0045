//! The contract every `EventStore` adapter must pass, written once.
//!
//! Each check is a `pub async fn` that takes a [`MakeStore`] and panics on a breach, so an
//! adapter's test file is one line: `roster_store::contract_suite!(fresh_store);` expands to
//! one `#[tokio::test]` per check, and a check added here cannot be forgotten by an adapter.
//! Compiled only with the `contract` feature, which the crate's own tests turn on.

mod appends;
mod concurrency;
mod feeds;
mod imports;
mod reads;
mod resend;

pub use appends::*;
pub use concurrency::*;
pub use feeds::*;
pub use imports::*;
pub use reads::*;
pub use resend::*;

use chrono::{DateTime, TimeZone, Utc};
use roster_domain::store::{
    Actor, Appended, EventStore, Expected, Metadata, NewEvent, StreamAppend, Upcasters,
};
use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;
use uuid::Uuid;

/// A fresh, empty store for one check, and whatever must outlive it (a temporary folder).
pub struct Fresh {
    /// The store under test. Declared first so it is dropped before `keep`.
    pub store: Arc<dyn EventStore>,
    /// Kept alive until the check ends, then dropped after the store.
    pub keep: Box<dyn Any + Send>,
}

impl Fresh {
    /// A store and what it needs kept alive (`()` if nothing).
    pub fn new(store: impl EventStore, keep: impl Any + Send) -> Self {
        Self {
            store: Arc::new(store),
            keep: Box::new(keep),
        }
    }
}

/// Makes a fresh, empty store that applies the given upcasters on read.
pub type MakeStore = fn(Upcasters) -> Fresh;

/// Expands to one `#[tokio::test]` per contract check, each calling the check with `$make`.
#[macro_export]
macro_rules! contract_suite {
    ($make:path) => {
        $crate::contract_suite!(@each $make;
            appends_to_a_new_stream_with_no_stream,
            appends_at_the_exact_revision,
            appends_to_several_streams_at_once,
            refuses_no_stream_when_the_stream_exists,
            refuses_a_wrong_exact_revision,
            a_failed_multi_stream_append_writes_nothing,
            a_check_only_part_passes_or_fails,
            any_appends_whether_the_stream_exists_or_not,
            malformed_batches_are_invalid,
            a_resent_batch_returns_the_original_result,
            a_partly_resent_batch_is_invalid,
            imports_events_verbatim_in_order,
            refuses_an_import_out_of_order_or_twice,
            reads_a_stream_from_a_revision,
            reads_the_whole_log_in_pages_in_order,
            reads_chosen_positions,
            positions_increase_strictly_across_streams,
            head_is_the_last_committed_position,
            metadata_round_trips,
            upcasters_apply_on_every_read,
            a_feed_catches_up_then_follows_without_gap_or_duplicate,
            a_feed_starts_after_the_given_position,
            a_feed_ends_when_the_store_is_dropped,
            a_decoded_feed_is_the_feed_decoded,
            concurrent_appends_to_distinct_streams_all_succeed,
            concurrent_appends_at_the_same_revision_have_one_winner,
        );
    };
    (@each $make:path; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                $crate::contract::$check($make).await;
            }
        )*
    };
}

/// The value of a result the check cannot go on without; the panic names the error.
#[track_caller]
fn must<T, E: Debug>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("expected success, got {error:?}"),
    }
}

/// A time with exactly microsecond precision, which every adapter must keep.
fn a_time() -> DateTime<Utc> {
    match Utc.timestamp_opt(1_767_225_600, 123_456_000) {
        chrono::LocalResult::Single(time) => time,
        _ => panic!("a fixed time is valid"),
    }
}

/// An event of type `Noted`, version 1, carrying `n`.
fn event(n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "Noted".to_owned(),
        schema_version: 1,
        data: serde_json::json!({ "n": n }).to_string(),
        metadata: Metadata {
            actor: Actor::System,
            correlation_id: Uuid::new_v4(),
            causation_id: Uuid::new_v4(),
            occurred_at: a_time(),
        },
    }
}

/// `count` events numbered from 0.
fn events(count: u64) -> Vec<NewEvent> {
    (0..count).map(event).collect()
}

/// One stream's part of a batch.
fn part(stream: &str, expected: Expected, events: Vec<NewEvent>) -> StreamAppend {
    StreamAppend {
        stream: stream.to_owned(),
        expected,
        events,
    }
}

/// Appends to one stream and insists that it works.
async fn append_one(
    store: &dyn EventStore,
    stream: &str,
    expected: Expected,
    events: Vec<NewEvent>,
) -> Appended {
    must(store.append(vec![part(stream, expected, events)]).await)
}
