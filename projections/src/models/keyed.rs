//! A hash table of views found by a key they hold themselves (a user's or a session's id), so
//! the key is stored once, not again beside the view as a map would; and the secondary indexes
//! built on it (`Index`), which store only the primary key and hash what they look up through
//! the table. Read models keep one entry per user or session, so every byte an entry saves is
//! a byte per user.

use foldhash::HashMap;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::fmt;
use std::hash::{BuildHasher, Hash};

/// A view that carries its own key.
pub(crate) trait Keyed {
    /// The key.
    type Key: Copy + Eq + Hash;
    /// This view's key.
    fn key(&self) -> Self::Key;
}

/// Views by their own key.
#[derive(Clone)]
pub(crate) struct Table<T> {
    table: HashTable<T>,
    state: RandomState,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            table: HashTable::new(),
            state: RandomState::default(),
        }
    }
}

impl<T: Keyed> Table<T> {
    fn hash(&self, key: &T::Key) -> u64 {
        self.state.hash_one(key)
    }

    pub(crate) fn get(&self, key: T::Key) -> Option<&T> {
        self.table.find(self.hash(&key), |v| v.key() == key)
    }

    pub(crate) fn get_mut(&mut self, key: T::Key) -> Option<&mut T> {
        let hash = self.hash(&key);
        self.table.find_mut(hash, |v| v.key() == key)
    }

    /// Inserts `view`, returning the view it replaces.
    pub(crate) fn insert(&mut self, view: T) -> Option<T> {
        let key = view.key();
        let hash = self.hash(&key);
        let state = &self.state;
        match self
            .table
            .entry(hash, |v| v.key() == key, |v| state.hash_one(v.key()))
        {
            hashbrown::hash_table::Entry::Occupied(mut entry) => {
                Some(std::mem::replace(entry.get_mut(), view))
            }
            hashbrown::hash_table::Entry::Vacant(entry) => {
                entry.insert(view);
                None
            }
        }
    }

    pub(crate) fn remove(&mut self, key: T::Key) -> Option<T> {
        let hash = self.hash(&key);
        self.table
            .find_entry(hash, |v| v.key() == key)
            .ok()
            .map(|entry| entry.remove().0)
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.table.iter()
    }
}

impl<T: Keyed + PartialEq> PartialEq for Table<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.values().all(|v| other.get(v.key()) == Some(v))
    }
}

impl<T: Keyed + Eq> Eq for Table<T> {}

impl<T: fmt::Debug> fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.table.iter()).finish()
    }
}

/// A secondary index into a [`Table`]: primary keys, hashed and compared by something the
/// table's views hold (a token hash, a username), so that thing is not stored twice.
#[derive(Clone)]
pub(crate) struct Index<K> {
    table: HashTable<K>,
    state: RandomState,
}

impl<K> Default for Index<K> {
    fn default() -> Self {
        Index {
            table: HashTable::new(),
            state: RandomState::default(),
        }
    }
}

impl<K: Copy + Eq> Index<K> {
    /// The hash of a lookup value; `hash` must hash equal values alike.
    pub(crate) fn hash_with(&self, hash: impl FnOnce(&RandomState) -> u64) -> u64 {
        hash(&self.state)
    }

    /// The primary key whose view `matches`, among those whose value hashes to `hash`.
    pub(crate) fn find(&self, hash: u64, matches: impl Fn(K) -> bool) -> Option<K> {
        self.table.find(hash, |k| matches(*k)).copied()
    }

    /// Every primary key whose view `matches`, among those whose value hashes to `hash`: an
    /// index may hold many keys for one value (a user's sessions).
    pub(crate) fn find_all(
        &self,
        hash: u64,
        matches: impl Fn(K) -> bool,
    ) -> impl Iterator<Item = K> {
        self.table
            .iter_hash(hash)
            .copied()
            .filter(move |k| matches(*k))
    }

    /// Adds `key`, whose value hashes to `hash`; `rehash` gives any key's hash (from `state`)
    /// when the index grows. A unique index's caller has removed any entry for the same value first.
    pub(crate) fn insert(&mut self, hash: u64, key: K, rehash: impl Fn(&RandomState, K) -> u64) {
        let state = &self.state;
        self.table.insert_unique(hash, key, |k| rehash(state, *k));
    }

    /// Removes `key`, whose value hashes to `hash`.
    pub(crate) fn remove(&mut self, hash: u64, key: K) {
        if let Ok(entry) = self.table.find_entry(hash, |k| *k == key) {
            entry.remove();
        }
    }
}

impl<K: Copy + Eq + Hash> Index<K> {
    /// What the index holds, whatever its hash seed: each key with the value it is found
    /// under, `value_of` giving the value its view holds now and `hash` that value's hash.
    /// A stale entry (no view, or not found under its view's value) has `None`. Comparing two
    /// models needs this, since their seeds differ; nothing on the apply path calls it.
    pub(crate) fn entries<V: Eq + Hash>(
        &self,
        value_of: impl Fn(K) -> Option<V>,
        hash: impl Fn(&RandomState, &V) -> u64,
    ) -> HashMap<(K, Option<V>), usize> {
        let mut entries = HashMap::default();
        for &key in &self.table {
            let value = value_of(key).filter(|value| {
                self.table
                    .iter_hash(hash(&self.state, value))
                    .any(|k| *k == key)
            });
            *entries.entry((key, value)).or_default() += 1;
        }
        entries
    }
}

impl<K: fmt::Debug> fmt::Debug for Index<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.table.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Named {
        id: u32,
        name: &'static str,
    }

    impl Keyed for Named {
        type Key = u32;
        fn key(&self) -> u32 {
            self.id
        }
    }

    /// An index of `table` by name, each key hashed under the name `indexed_as` gives it.
    fn by_name(table: &Table<Named>, indexed_as: impl Fn(&Named) -> &'static str) -> Index<u32> {
        let mut index = Index::default();
        for view in table.values() {
            let hash = index.hash_with(|state| state.hash_one(indexed_as(view)));
            index.insert(hash, view.id, |state, id| {
                table.get(id).map_or(0, |v| state.hash_one(v.name))
            });
        }
        index
    }

    fn entries(
        table: &Table<Named>,
        index: &Index<u32>,
    ) -> HashMap<(u32, Option<&'static str>), usize> {
        index.entries(
            |id| table.get(id).map(|v| v.name),
            |state, name| state.hash_one(name),
        )
    }

    #[test]
    fn it_should_tell_indexes_apart_by_their_entries_not_their_sizes() {
        let mut table = Table::default();
        table.insert(Named { id: 1, name: "ann" });
        table.insert(Named { id: 2, name: "bob" });
        let current = by_name(&table, |v| v.name);
        let reseeded = by_name(&table, |v| v.name);
        assert_eq!(entries(&table, &current), entries(&table, &reseeded));
        assert_eq!(entries(&table, &current)[&(2, Some("bob"))], 1);

        // Same size, but ann twice and bob not at all.
        let mut doubled = by_name(&table, |v| v.name);
        let bob = doubled.hash_with(|state| state.hash_one("bob"));
        doubled.remove(bob, 2);
        let ann = doubled.hash_with(|state| state.hash_one("ann"));
        doubled.insert(ann, 1, |state, id| {
            table.get(id).map_or(0, |v| state.hash_one(v.name))
        });
        assert_eq!(doubled.table.len(), current.table.len());
        assert_ne!(entries(&table, &current), entries(&table, &doubled));
        assert_eq!(entries(&table, &doubled)[&(1, Some("ann"))], 2);

        // Same size, but bob still filed under the name he had before. A hash table compares
        // 7 bits of the hash before the key, so one seed in 128 lets a lookup for "bob" (and
        // so `entries`) meet him anyway: a fresh seed each time makes that vanishingly rare.
        let stale_seen = (0..16).any(|_| {
            let stale = by_name(&table, |v| if v.id == 2 { "robert" } else { v.name });
            entries(&table, &stale).get(&(2, None)) == Some(&1)
        });
        assert!(stale_seen);
    }
}
