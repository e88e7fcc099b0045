//! What users own: personas, API keys, ontologies and annotations, each indexed by id and by
//! owner, so per-user counts are cheap and a deleted user's belongings go in one step.

use chrono::{DateTime, Utc};
use foldhash::HashMap;
use roster_domain::ids::{AnnotationId, ApiKeyId, OntologyId, PersonaId};
use roster_domain::keyring::{KeyringEvent, Provider, SealedKey};
use roster_domain::persona::PersonaEvent;
use roster_domain::stream::KeyringOwner;
use smallvec::SmallVec;
use std::hash::Hash;

/// Things of one kind, by id and by owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedIndex<Id: Eq + Hash, Owner: Eq + Hash, View> {
    by_id: HashMap<Id, (Owner, View)>,
    /// Owners have few items each: one or two inline, no allocation.
    by_owner: HashMap<Owner, SmallVec<[Id; 2]>>,
}

impl<Id: Eq + Hash, Owner: Eq + Hash, View> Default for OwnedIndex<Id, Owner, View> {
    fn default() -> Self {
        OwnedIndex {
            by_id: HashMap::default(),
            by_owner: HashMap::default(),
        }
    }
}

impl<Id, Owner, View> OwnedIndex<Id, Owner, View>
where
    Id: Copy + Eq + Hash,
    Owner: Copy + Eq + Hash,
{
    /// One item and its owner.
    pub fn get(&self, id: Id) -> Option<(Owner, &View)> {
        self.by_id.get(&id).map(|(owner, view)| (*owner, view))
    }

    /// An owner's items, in the order they came to the owner.
    pub fn of_owner(&self, owner: Owner) -> impl Iterator<Item = (Id, &View)> {
        self.by_owner
            .get(&owner)
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id).map(|(_, view)| (*id, view)))
    }

    /// How many items an owner has.
    pub fn count_of(&self, owner: Owner) -> usize {
        self.by_owner.get(&owner).map_or(0, SmallVec::len)
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub(crate) fn insert(&mut self, id: Id, owner: Owner, view: View) {
        self.remove(id);
        self.by_owner.entry(owner).or_default().push(id);
        self.by_id.insert(id, (owner, view));
    }

    pub(crate) fn get_mut(&mut self, id: Id) -> Option<&mut View> {
        self.by_id.get_mut(&id).map(|(_, view)| view)
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
        let (owner, view) = self.by_id.remove(&id)?;
        if let Some(ids) = self.by_owner.get_mut(&owner) {
            ids.retain(|other| *other != id);
            if ids.is_empty() {
                self.by_owner.remove(&owner);
            }
        }
        Some((owner, view))
    }

    pub(crate) fn remove_owner(&mut self, owner: Owner) {
        for id in self.by_owner.remove(&owner).into_iter().flatten() {
            self.by_id.remove(&id);
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
