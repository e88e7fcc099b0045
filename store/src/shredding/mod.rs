//! Crypto-shredding: an [`EventStore`] in front of any other that keeps personal data out of
//! the log in readable form.
//!
//! - On append, the personal fields of each event (those the domain names in
//!   [`PERSONAL_FIELDS`](roster_domain::event::PERSONAL_FIELDS): username, display name, email,
//!   password hash, a session's user agent and address) are sealed in place, every other byte
//!   of the event kept, under their owner's own key
//!   ([`PersonalKeys`], kept outside the log), and the streams that reserve usernames and
//!   emails are stored under a keyed hash of their name.
//! - On every read (streams, the whole log, positions, feeds) sealed fields are opened again;
//!   once the owner's key is gone they read as [`ERASED`].
//! - Appending a `UserDeleted` destroys the user's key once the append is durable; a feed that
//!   meets a `UserDeleted` whose key still exists (the process stopped in between) destroys it
//!   then, so a restart finishes what a crash interrupted.
//!
//! Sealed values are self-describing (they start with [`SEALED_PREFIX`]), so a log may hold
//! older plaintext events beside sealed ones; `roster migrate --transform seal` rewrites them.

mod keys;
mod members;

pub use keys::{ERASED, NameScheme, PersonalKeys, SEALED_PREFIX, copy_key_file, key_file_beside};

use async_trait::async_trait;
use futures::StreamExt;
use members::Members;
use roster_domain::event::{Event, PersonalOwner, personal_fields};
use roster_domain::ids::UserId;
use roster_domain::store::{
    AppendError, Appended, DecodedFeed, DecodedRecord, EventFeed, EventStore, NewEvent, Position,
    Recorded, Revision, StoreError, StreamAppend,
};
use roster_domain::stream::StreamId;
use roster_domain::user::UserEvent;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// An event store that seals personal data on the way in and opens it on the way out.
#[derive(Clone)]
pub struct ShreddingStore {
    inner: Arc<dyn EventStore>,
    keys: Arc<PersonalKeys>,
}

impl ShreddingStore {
    /// Seals what is appended to `inner` with `keys`.
    pub fn new(inner: Arc<dyn EventStore>, keys: Arc<PersonalKeys>) -> ShreddingStore {
        ShreddingStore { inner, keys }
    }

    /// The keys it seals with.
    pub fn keys(&self) -> &Arc<PersonalKeys> {
        &self.keys
    }

    /// The name the log keeps for the stream the domain calls `stream`: a keyed hash for the
    /// streams named after a username or an email, the name itself for every other.
    pub fn stored_name(&self, stream: &str) -> Option<String> {
        stored_name(&self.keys, stream)
    }

    /// Seals the personal fields of every event in `batch`, making each owner's key first.
    async fn seal(&self, batch: &mut [StreamAppend]) -> Result<(), StoreError> {
        let mut owners = Vec::new();
        for append in batch.iter() {
            for event in &append.events {
                if let Some((owner, _)) = personal(&append.stream, event_parts(event)) {
                    owners.push(owner);
                }
            }
        }
        if owners.is_empty() {
            return Ok(());
        }
        owners.sort_unstable_by_key(|owner| owner.0);
        owners.dedup();
        let keys = Arc::clone(&self.keys);
        tokio::task::spawn_blocking(move || keys.ensure(&owners))
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))??;
        for append in batch.iter_mut() {
            for event in &mut append.events {
                let Some((owner, fields)) = personal(&append.stream, event_parts(event)) else {
                    continue;
                };
                let sealed = Members::parse(&event.data)
                    .map(|members| {
                        members.rewrite(fields, |text| self.keys.seal(owner, text).map(Some))
                    })
                    .transpose()?
                    .flatten();
                if let Some(sealed) = sealed {
                    event.data = sealed;
                }
            }
        }
        Ok(())
    }

    /// Destroys the keys of the users `batch` deleted.
    async fn forget_deleted(&self, deleted: Vec<UserId>) -> Result<(), StoreError> {
        if deleted.is_empty() {
            return Ok(());
        }
        let keys = Arc::clone(&self.keys);
        tokio::task::spawn_blocking(move || {
            for user in deleted {
                keys.forget(user)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?
    }
}

#[async_trait]
impl EventStore for ShreddingStore {
    async fn append(&self, mut batch: Vec<StreamAppend>) -> Result<Appended, AppendError> {
        self.seal(&mut batch).await.map_err(AppendError::Store)?;
        let deleted = deleted_users(&batch);
        let mut originals = HashMap::new();
        for append in &mut batch {
            if let Some(stored) = self.stored_name(&append.stream) {
                let original = std::mem::replace(&mut append.stream, stored.clone());
                originals.insert(stored, original);
            }
        }
        let named = |stream: String| originals.get(&stream).cloned().unwrap_or(stream);
        match self.inner.append(batch).await {
            Ok(mut appended) => {
                for (stream, _) in &mut appended.revisions {
                    *stream = named(std::mem::take(stream));
                }
                self.forget_deleted(deleted)
                    .await
                    .map_err(AppendError::Store)?;
                Ok(appended)
            }
            Err(AppendError::Conflict {
                stream,
                expected,
                actual,
            }) => Err(AppendError::Conflict {
                stream: named(stream),
                expected,
                actual,
            }),
            Err(other) => Err(other),
        }
    }

    /// Events recorded elsewhere are stored as they were recorded: from a Roster log they are
    /// sealed, and named, under that log's key file, which must come with them.
    async fn import(&self, events: Vec<Recorded>) -> Result<Position, AppendError> {
        self.inner.import(events).await
    }

    async fn read_stream(&self, stream: &str, from: Revision) -> Result<Vec<Recorded>, StoreError> {
        let Some(stored) = self.stored_name(stream) else {
            return Ok(self.open_all(self.inner.read_stream(stream, from).await?));
        };
        let mut events = self.open_all(self.inner.read_stream(&stored, from).await?);
        for event in &mut events {
            stream.clone_into(&mut event.stream);
        }
        Ok(events)
    }

    async fn read_all(&self, after: Position, max: usize) -> Result<Vec<Recorded>, StoreError> {
        Ok(self.open_all(self.inner.read_all(after, max).await?))
    }

    async fn read_positions(&self, positions: &[Position]) -> Result<Vec<Recorded>, StoreError> {
        Ok(self.open_all(self.inner.read_positions(positions).await?))
    }

    async fn head(&self) -> Result<Position, StoreError> {
        self.inner.head().await
    }

    fn subscribe_all(&self, after: Position) -> EventFeed {
        let keys = Arc::clone(&self.keys);
        self.inner
            .subscribe_all(after)
            .map(move |recorded| recorded.map(|r| open_recorded(&keys, r)))
            .boxed()
    }

    fn subscribe_decoded(&self, after: Position) -> DecodedFeed {
        let keys = Arc::clone(&self.keys);
        // Opening costs more than applying (an AEAD per field), so pages are opened on the
        // blocking pool, a few ahead of the reader that applies them, in order.
        self.inner
            .subscribe_decoded(after)
            .map(move |page| {
                let keys = Arc::clone(&keys);
                async move {
                    let mut page = page?;
                    if !page.iter().any(has_personal_data) {
                        return Ok(page);
                    }
                    tokio::task::spawn_blocking(move || {
                        for record in &mut page {
                            open_decoded(&keys, record)?;
                        }
                        Ok(page)
                    })
                    .await
                    .map_err(|e| StoreError::Backend(e.to_string()))?
                }
            })
            .buffered(OPENING_AHEAD)
            .boxed()
    }
}

impl ShreddingStore {
    fn open_all(&self, events: Vec<Recorded>) -> Vec<Recorded> {
        events
            .into_iter()
            .map(|r| open_recorded(&self.keys, r))
            .collect()
    }
}

/// See [`ShreddingStore::stored_name`].
pub fn stored_name(keys: &PersonalKeys, stream: &str) -> Option<String> {
    if keys.names() == NameScheme::Plain {
        return None;
    }
    let (kind, _) = stream.split_once('-')?;
    if kind != "username" && kind != "email" {
        return None;
    }
    let mut hash = Sha256::new();
    hash.update(keys.name_key());
    hash.update(stream.as_bytes());
    Some(format!("{kind}-{}", hex::encode(hash.finalize())))
}

/// The `seal` migration step for one event of a log begun before sealing: its personal fields
/// sealed under `keys` (the target's), its reservation stream renamed by the keyed hash; a
/// `UserDeleted` destroys the owner's key at once, so what the source still shows of a deleted
/// user is unreadable in the copy. Fields already sealed are kept as they are.
///
/// Blocking: it may create or destroy keys.
pub fn seal_recorded(keys: &PersonalKeys, mut recorded: Recorded) -> Result<Recorded, StoreError> {
    if let Some(stored) = stored_name(keys, &recorded.stream) {
        recorded.stream = stored;
    }
    if recorded.event_type == "UserDeleted" {
        if let Some(StreamId::User(user)) = StreamId::parse(&recorded.stream) {
            keys.forget(user)?;
        }
        return Ok(recorded);
    }
    let parts = (recorded.event_type.as_str(), recorded.data.as_str());
    let Some((owner, fields)) = personal(&recorded.stream, parts) else {
        return Ok(recorded);
    };
    keys.ensure(&[owner])?;
    let seal = |text: &str| {
        if text.starts_with(SEALED_PREFIX) {
            return Ok(None);
        }
        keys.seal(owner, text).map(Some)
    };
    if let Some(sealed) = Members::parse(&recorded.data)
        .map(|members| members.rewrite(fields, seal))
        .transpose()?
        .flatten()
    {
        recorded.data = sealed;
    }
    Ok(recorded)
}

/// `recorded` with its sealed fields opened (or [`ERASED`]).
pub fn open_recorded(keys: &PersonalKeys, mut recorded: Recorded) -> Recorded {
    if !recorded.data.contains(SEALED_PREFIX) {
        return recorded;
    }
    let parts = (recorded.event_type.as_str(), recorded.data.as_str());
    let Some((owner, fields)) = personal(&recorded.stream, parts) else {
        return recorded;
    };
    let opened = Members::parse(&recorded.data).and_then(|members| {
        let open = |text: &str| Ok::<_, ()>(opened_value(keys, owner, text));
        members.rewrite(fields, open).ok().flatten()
    });
    if let Some(opened) = opened {
        recorded.data = opened;
    }
    recorded
}

/// What a stored field reads as: opened if sealed (`None`: kept as it is).
fn opened_value(keys: &PersonalKeys, owner: UserId, text: &str) -> Option<String> {
    text.starts_with(SEALED_PREFIX).then(|| {
        keys.unseal(owner, text)
            .unwrap_or_else(|| ERASED.to_owned())
    })
}

/// The owner and personal fields of a stored event of type `event_type` with `data` on
/// `stream`, if it carries personal data.
fn personal(
    stream: &str,
    (event_type, data): (&str, &str),
) -> Option<(UserId, &'static [&'static str])> {
    let fields = personal_fields(event_type)?;
    let owner = match fields.owner {
        PersonalOwner::Stream => match StreamId::parse(stream)? {
            StreamId::User(user) => user,
            _ => return None,
        },
        PersonalOwner::Field(name) => UserId(Members::parse(data)?.string(name)?.parse().ok()?),
    };
    Some((owner, fields.fields))
}

fn event_parts(event: &NewEvent) -> (&str, &str) {
    (&event.event_type, &event.data)
}

/// Opens the sealed fields of `event` in place.
pub fn open_event(keys: &PersonalKeys, event: &mut Event) {
    if let Some((owner, fields)) = event.personal_data_mut() {
        for field in fields.into_iter().filter(|f| f.starts_with(SEALED_PREFIX)) {
            *field = keys
                .unseal(owner, field)
                .unwrap_or_else(|| ERASED.to_owned());
        }
    }
}

/// How many pages of a decoded feed are opened ahead of the one being read.
const OPENING_AHEAD: usize = 4;

/// Whether a decoded record has anything to open or a key to destroy.
fn has_personal_data(record: &DecodedRecord) -> bool {
    match &record.event {
        Ok(Event::User(_, UserEvent::Deleted {})) => true,
        Ok(event) => personal_fields(event.event_type()).is_some(),
        Err(_) => false,
    }
}

/// Opens a decoded record, and destroys the key of a user it shows deleted if the key is still
/// there (the append that deleted them stopped before it could).
fn open_decoded(keys: &PersonalKeys, record: &mut DecodedRecord) -> Result<(), StoreError> {
    let Ok(event) = &mut record.event else {
        return Ok(());
    };
    if let Event::User(user, UserEvent::Deleted {}) = event {
        if !keys.is_forgotten(*user) {
            // Rare (only after a crash), small, and on the blocking pool.
            keys.forget(*user)?;
        }
        return Ok(());
    }
    open_event(keys, event);
    Ok(())
}

fn deleted_users(batch: &[StreamAppend]) -> Vec<UserId> {
    batch
        .iter()
        .filter(|append| append.events.iter().any(is_deletion))
        .filter_map(|append| match StreamId::parse(&append.stream) {
            Some(StreamId::User(user)) => Some(user),
            _ => None,
        })
        .collect()
}

fn is_deletion(event: &NewEvent) -> bool {
    event.event_type == "UserDeleted"
}
