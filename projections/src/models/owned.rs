//! What users own: personas, API keys, ontologies and annotations, each indexed by id and by
//! owner, so per-user counts are cheap and a deleted user's belongings go in one step.

use super::keyed::Index;
use chrono::{DateTime, Utc};
use foldhash::HashMap;
use roster_domain::ids::{AnnotationId, ApiKeyId, OntologyId, PersonaId};
use roster_domain::keyring::{KeyringEvent, SealedKey};
use roster_domain::persona::PersonaEvent;
use roster_domain::stream::KeyringOwner;
use roster_domain::values::Provider;
use std::hash::{BuildHasher, Hash};

/// Things of one kind, by id and by owner.
#[derive(Debug, Clone)]
pub struct OwnedIndex<Id, Owner, View> {
    /// Each item with its owner and when it came to them (a count of insertions).
    by_id: HashMap<Id, (Owner, u64, View)>,
    /// Ids, found by the owner their entry holds: one small table for every owner, rather
    /// than a list per owner.
    by_owner: Index<Id>,
    arrivals: u64,
}

impl<Id, Owner, View> Default for OwnedIndex<Id, Owner, View> {
    fn default() -> Self {
        OwnedIndex {
            by_id: HashMap::default(),
            by_owner: Index::default(),
            arrivals: 0,
        }
    }
}

impl<Id, Owner, View> PartialEq for OwnedIndex<Id, Owner, View>
where
    Id: Copy + Eq + Hash,
    Owner: Copy + Eq + Hash,
    View: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.by_id == other.by_id
            && self.owner_entries() == other.owner_entries()
            && self.arrivals == other.arrivals
    }
}

impl<Id: Copy + Eq + Hash, Owner: Copy + Eq + Hash, View: Eq> Eq for OwnedIndex<Id, Owner, View> {}

impl<Id: Copy + Eq + Hash, Owner: Copy + Eq + Hash, View> OwnedIndex<Id, Owner, View> {
    /// The owner index's entries, by owner, for comparing two models.
    fn owner_entries(&self) -> HashMap<(Id, Option<Owner>), usize> {
        self.by_owner.entries(
            |id| self.by_id.get(&id).map(|(owner, _, _)| *owner),
            |state, owner| state.hash_one(owner),
        )
    }
}

impl<Id, Owner, View> OwnedIndex<Id, Owner, View>
where
    Id: Copy + Eq + Hash,
    Owner: Copy + Eq + Hash,
{
    /// One item and its owner.
    pub fn get(&self, id: Id) -> Option<(Owner, &View)> {
        self.by_id.get(&id).map(|(owner, _, view)| (*owner, view))
    }

    /// An owner's items, in the order they came to the owner.
    pub fn of_owner(&self, owner: Owner) -> impl Iterator<Item = (Id, &View)> {
        let mut items: Vec<(u64, Id, &View)> = self
            .ids_of(owner)
            .filter_map(|id| self.by_id.get(&id).map(|(_, at, view)| (*at, id, view)))
            .collect();
        items.sort_unstable_by_key(|(at, _, _)| *at);
        items.into_iter().map(|(_, id, view)| (id, view))
    }

    /// How many items an owner has.
    pub fn count_of(&self, owner: Owner) -> usize {
        self.ids_of(owner).count()
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    fn ids_of(&self, owner: Owner) -> impl Iterator<Item = Id> {
        let hash = self.by_owner.hash_with(|state| state.hash_one(owner));
        self.by_owner.find_all(hash, move |id| {
            self.by_id.get(&id).is_some_and(|(o, _, _)| *o == owner)
        })
    }

    pub(crate) fn insert(&mut self, id: Id, owner: Owner, view: View) {
        self.remove(id);
        self.arrivals += 1;
        self.by_id.insert(id, (owner, self.arrivals, view));
        let hash = self.by_owner.hash_with(|state| state.hash_one(owner));
        let by_id = &self.by_id;
        self.by_owner.insert(hash, id, |state, id| {
            by_id.get(&id).map_or(0, |(o, _, _)| state.hash_one(o))
        });
    }

    pub(crate) fn get_mut(&mut self, id: Id) -> Option<&mut View> {
        self.by_id.get_mut(&id).map(|(_, _, view)| view)
    }

    pub(crate) fn remove(&mut self, id: Id) {
        self.take(id);
    }

    pub(crate) fn transfer(&mut self, id: Id, to: Owner) {
        if let Some((_, view)) = self.take(id) {
            self.insert(id, to, view);
        }
    }

    fn take(&mut self, id: Id) -> Option<(Owner, View)> {
        let (owner, _, _) = self.by_id.get(&id)?;
        let hash = self.by_owner.hash_with(|state| state.hash_one(owner));
        self.by_owner.remove(hash, id);
        self.by_id.remove(&id).map(|(owner, _, view)| (owner, view))
    }

    pub(crate) fn remove_owner(&mut self, owner: Owner) {
        let ids: Vec<Id> = self.ids_of(owner).collect();
        for id in ids {
            self.take(id);
        }
    }
}

/// A persona, an ontology or an annotation: a named thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedView {
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl NamedView {
    pub(crate) fn new(name: roster_domain::values::ResourceName, at: DateTime<Utc>) -> NamedView {
        NamedView {
            name: name.into_string(),
            created_at: at,
        }
    }
}

/// A stored model-service API key: everything but the key, plus the sealed key for the one
/// service endpoint allowed to open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyView {
    /// Which model service.
    pub provider: Provider,
    /// The owner's label.
    pub name: String,
    /// Its last four characters.
    pub last4: String,
    /// The key, sealed.
    pub sealed: SealedKey,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was last replaced.
    pub updated_at: DateTime<Utc>,
}

/// Everything users own.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Owned {
    /// Personas by owner.
    pub personas: OwnedIndex<PersonaId, roster_domain::ids::UserId, NamedView>,
    /// API keys by keyring (a user's or the system's).
    pub api_keys: OwnedIndex<ApiKeyId, KeyringOwner, ApiKeyView>,
    /// Ontologies by owner.
    pub ontologies: OwnedIndex<OntologyId, roster_domain::ids::UserId, NamedView>,
    /// Annotations by owner.
    pub annotations: OwnedIndex<AnnotationId, roster_domain::ids::UserId, NamedView>,
}

impl Owned {
    pub(crate) fn apply_persona(&mut self, id: PersonaId, event: PersonaEvent, at: DateTime<Utc>) {
        match event {
            PersonaEvent::Created { owner, name } => {
                self.personas.insert(id, owner, NamedView::new(name, at))
            }
            PersonaEvent::Renamed { name } => {
                if let Some(view) = self.personas.get_mut(id) {
                    view.name = name.into_string();
                }
            }
            PersonaEvent::Transferred { to, .. } => self.personas.transfer(id, to),
            PersonaEvent::Deleted {} => self.personas.remove(id),
        }
    }

    pub(crate) fn apply_keyring(
        &mut self,
        owner: KeyringOwner,
        event: KeyringEvent,
        at: DateTime<Utc>,
    ) {
        match event {
            KeyringEvent::Added(e) => self.api_keys.insert(
                e.key_id,
                owner,
                ApiKeyView {
                    provider: e.provider,
                    name: e.name.into_string(),
                    last4: e.last4,
                    sealed: e.sealed,
                    created_at: at,
                    updated_at: at,
                },
            ),
            KeyringEvent::Replaced(e) => {
                if let Some(view) = self.api_keys.get_mut(e.key_id) {
                    view.name = e.name.into_string();
                    view.last4 = e.last4;
                    view.sealed = e.sealed;
                    view.updated_at = at;
                }
            }
            KeyringEvent::Removed { key_id } => self.api_keys.remove(key_id),
        }
    }

    pub(crate) fn remove_everything_of(&mut self, user: roster_domain::ids::UserId) {
        self.personas.remove_owner(user);
        self.api_keys.remove_owner(KeyringOwner::User(user));
        self.ontologies.remove_owner(user);
        self.annotations.remove_owner(user);
    }
}
