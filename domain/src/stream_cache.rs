//! The folded state of streams this process wrote or read recently, so that a command on a
//! stream it just wrote (the profile edit after a creation, the logout after a login) decides
//! without reading the stream back.
//!
//! A cached state may be stale: another process, or a writer that bypasses the command path,
//! may have appended since. That never makes a decision wrong, only slower: every stream a
//! decision read is guarded by its revision in the append, so a stale one fails with a
//! conflict and is read afresh; and a refusal or a "nothing to change" stands only once every
//! stream it read has been checked against the store.
//!
//! Bounded by two generations: entries are added to the young map; when it is full, the old
//! map is dropped and the young one becomes old. A hit in the old map moves the entry back to
//! the young one, so streams in use stay while the rest age out, at O(1) per operation.

use crate::decision::LoadedStream;
use crate::stream::StreamId;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// How many streams a generation holds by default: two generations of this many user,
/// reservation and session states are a few tens of MiB at most.
pub const DEFAULT_CAPACITY: usize = 16_384;

/// Recently seen stream states, shared by every clone of a command path.
#[derive(Debug)]
pub struct StreamCache {
    generations: Mutex<Generations>,
}

#[derive(Debug)]
struct Generations {
    young: HashMap<StreamId, LoadedStream>,
    old: HashMap<StreamId, LoadedStream>,
    capacity: usize,
}

impl StreamCache {
    /// A cache keeping between `capacity` and twice as many streams; 0 keeps none.
    pub fn new(capacity: usize) -> StreamCache {
        StreamCache {
            generations: Mutex::new(Generations {
                young: HashMap::new(),
                old: HashMap::new(),
                capacity,
            }),
        }
    }

    /// The cached state of `stream`, if any.
    pub fn get(&self, stream: &StreamId) -> Option<LoadedStream> {
        let mut generations = self.lock();
        if let Some(found) = generations.young.get(stream) {
            return Some(found.clone());
        }
        let found = generations.old.remove(stream)?;
        generations.insert(stream.clone(), found.clone());
        Some(found)
    }

    /// Records the state of `stream` as of its revision. A state older than the one cached
    /// is ignored, so a slow command cannot overwrite what a faster one learned.
    pub fn put(&self, stream: &StreamId, state: &LoadedStream) {
        let mut generations = self.lock();
        if generations.capacity == 0 {
            return;
        }
        let newer_cached = generations
            .young
            .get(stream)
            .or_else(|| generations.old.get(stream))
            .is_some_and(|cached| cached.revision > state.revision);
        if !newer_cached {
            generations.old.remove(stream);
            generations.insert(stream.clone(), state.clone());
        }
    }

    /// Forgets `stream` (its cached state proved wrong and could not be brought up to date).
    pub fn forget(&self, stream: &StreamId) {
        let mut generations = self.lock();
        generations.young.remove(stream);
        generations.old.remove(stream);
    }

    /// How many streams are cached.
    pub fn len(&self) -> usize {
        let generations = self.lock();
        generations.young.len() + generations.old.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // The maps hold only copies of states; a panic elsewhere cannot leave them half-built.
        self.generations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Generations {
    fn insert(&mut self, stream: StreamId, state: LoadedStream) {
        if self.young.len() >= self.capacity && !self.young.contains_key(&stream) {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(stream, state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::AggregateState;
    use crate::ids::UserId;
    use uuid::Uuid;

    fn stream(n: u64) -> StreamId {
        StreamId::User(UserId(Uuid::from_u64_pair(0, n)))
    }

    fn at(stream: &StreamId, revision: u64) -> LoadedStream {
        LoadedStream {
            revision: Some(revision),
            state: AggregateState::initial(stream),
        }
    }

    #[test]
    fn it_should_keep_what_is_in_use_and_let_the_rest_age_out() {
        let cache = StreamCache::new(2);
        cache.put(&stream(1), &at(&stream(1), 0));
        cache.put(&stream(2), &at(&stream(2), 0));
        cache.put(&stream(3), &at(&stream(3), 0)); // 1 and 2 become old
        assert!(cache.get(&stream(1)).is_some()); // 1 is young again
        cache.put(&stream(4), &at(&stream(4), 0)); // young was full: 3 and 1 old, 2 gone
        cache.put(&stream(5), &at(&stream(5), 0)); // young 4, 5
        cache.put(&stream(6), &at(&stream(6), 0)); // old 4, 5, young 6: 3 and 1 gone
        assert!(cache.get(&stream(2)).is_none());
        assert!(cache.get(&stream(3)).is_none());
        assert!(cache.get(&stream(5)).is_some());
        assert!(cache.len() <= 4);
    }

    #[test]
    fn it_should_not_replace_a_newer_state_by_an_older_one() {
        let cache = StreamCache::new(8);
        cache.put(&stream(1), &at(&stream(1), 5));
        cache.put(&stream(1), &at(&stream(1), 3));
        assert_eq!(cache.get(&stream(1)).and_then(|s| s.revision), Some(5));
        cache.forget(&stream(1));
        assert!(cache.get(&stream(1)).is_none());
    }

    #[test]
    fn it_should_keep_nothing_with_no_capacity() {
        let cache = StreamCache::new(0);
        cache.put(&stream(1), &at(&stream(1), 0));
        assert!(cache.is_empty());
    }
}
