//! The audit log (administrators): the events about a user, or caused by one, newest first,
//! each with who did it, what it was about and what it changed.
//!
//! The positions come from the audit index of the read models; only the events of the page
//! asked for are read from the store (`read_positions`), and the streams needed to tell what
//! an event changed (the subject's own stream, folded up to the event) are read once per page.
//! Nothing decoded is kept between requests. No field ever carries a password hash, a token
//! or a key: password events say only that the password changed.

mod as_of;
mod changes;
mod events;
mod export;
mod past;

pub use as_of::{UserAsOf, administrators, user_as_of};
pub use events::{EventsQuery, events};
pub use export::{AdminChange, UserExport, export};
pub use past::{PastAccount, PastApiKey, PastPersona, PastSession};

use super::{AppState, paging, policy};
use crate::auth::RequestContext;
use crate::error::ApiError;
use changes::{Streams, explain};
use chrono::{DateTime, Utc};
use roster_domain::store::{Actor, EventStore, Position, StoreError};
use uuid::Uuid;

/// How many candidate events a filter by type or time reads from the store at once.
const SCAN_CHUNK: usize = 512;

/// What an administrator asks of the audit log.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    /// Events about this user (their account, sessions, belongings, names).
    pub user_id: Option<String>,
    /// Events this user caused (`system` for Roster's own).
    pub actor_id: Option<String>,
    /// Only these event types (stored type names, `ProfileUpdated`).
    pub types: Option<Vec<String>>,
    /// Only events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time.
    pub to: Option<DateTime<Utc>>,
    /// Relay: the first `n` after `after`.
    pub first: Option<i32>,
    /// Relay: a cursor.
    pub after: Option<String>,
    /// Relay: the last `n` before `before`.
    pub last: Option<i32>,
    /// Relay: a cursor.
    pub before: Option<String>,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// The entries.
    pub entries: Vec<AuditEntry>,
    /// Newer entries precede this page.
    pub has_previous_page: bool,
    /// Older entries follow this page.
    pub has_next_page: bool,
    /// How many entries match in all.
    pub total_count: usize,
}

/// One event, explained.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Its place in the log (also its cursor).
    pub position: Position,
    /// The event's id.
    pub event_id: Uuid,
    /// The stored type name.
    pub event_type: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who caused it.
    pub actor: AuditActor,
    /// What it is about (none for a request kept under an idempotency key).
    pub subject: Option<AuditSubject>,
    /// What it changed, field by field.
    pub changes: Vec<AuditChange>,
    /// The request it came from.
    pub correlation_id: Uuid,
    /// What caused it.
    pub causation_id: Uuid,
}

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    /// A user id, or `system`.
    pub id: String,
    /// The user's username (usernames never change, so it is the one they had then, kept
    /// after deletion); none for `system`.
    pub username: Option<String>,
}

/// What an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSubject {
    /// `user`, `session`, `persona`, `ontology`, `annotation` or `system`.
    pub kind: &'static str,
    /// Its id.
    pub id: String,
    /// The username (of the user, or of a session's owner), or the persona's, ontology's or
    /// annotation's name.
    pub label: Option<String>,
}

/// One field an event changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditChange {
    /// The field (`displayName`, `isAdmin`, `password`, ...).
    pub field: &'static str,
    /// Its value before the event (none: unset, or not shown).
    pub before: Option<String>,
    /// Its value after the event (none: unset, or not shown).
    pub after: Option<String>,
}

impl AuditChange {
    fn new(field: &'static str, before: Option<String>, after: Option<String>) -> Self {
        Self {
            field,
            before,
            after,
        }
    }
}

/// The cursor of an entry.
pub fn cursor(entry: &AuditEntry) -> String {
    paging::encode_audit(entry.position)
}

/// A page of the audit log (administrators): about `user_id`, caused by `actor_id`, both, or
/// neither (the whole log, paged by position; filters by type or time need a user or actor).
pub async fn log(
    state: &AppState,
    ctx: &RequestContext,
    query: AuditQuery,
) -> Result<AuditPage, ApiError> {
    policy::auditor(ctx)?;
    let user = query
        .user_id
        .as_deref()
        .map(super::parse_user_id)
        .transpose()?;
    let actor = query.actor_id.as_deref().map(parse_actor).transpose()?;
    let filtered = query.types.is_some() || query.from.is_some() || query.to.is_some();
    let store = state.commands.store().as_ref();
    let selected = state.projections.read(|models| match (user, actor) {
        (Some(user), Some(actor)) => {
            let caused = models.audit.by_actor(actor);
            let mut about = models.audit.by_subject(user);
            about.retain(|position| caused.binary_search(position).is_ok());
            Ok(Some(about))
        }
        (Some(user), None) => Ok(Some(models.audit.by_subject(user))),
        (None, Some(actor)) => Ok(Some(models.audit.by_actor(actor))),
        (None, None) if filtered => Err(ApiError::Validation(
            "Give userId or actorId to filter by type or time".into(),
        )),
        (None, None) => Ok(None),
    })?;
    let candidates = match selected {
        Some(mut positions) => {
            if filtered {
                positions = filter(store, &positions, &query).await?;
            }
            positions.reverse();
            Candidates::List(positions)
        }
        // The whole log: positions are dense, so its pages are ranges of positions.
        None => Candidates::Log(store.head().await.map_err(store_error)?),
    };

    let len = candidates.len();
    let (start, end) = window(len, |p| candidates.first_at_or_below(p), &query)?;
    let chosen = candidates.slice(start, end);
    let mut entries = explain_all(store, &chosen).await?;
    entries.reverse();
    Ok(AuditPage {
        entries,
        has_previous_page: start > 0,
        has_next_page: end < len,
        total_count: len,
    })
}

/// The events at `positions`, explained, oldest first; the streams they need are read once.
async fn explain_all(
    store: &dyn EventStore,
    positions: &[Position],
) -> Result<Vec<AuditEntry>, ApiError> {
    let records = store.read_positions(positions).await.map_err(store_error)?;
    let mut streams = Streams::default();
    let mut entries = Vec::with_capacity(records.len());
    for record in records {
        entries.push(explain(store, &mut streams, record).await?);
    }
    Ok(entries)
}

fn parse_actor(text: &str) -> Result<Actor, ApiError> {
    if text.trim() == "system" {
        return Ok(Actor::System);
    }
    Ok(Actor::User(super::parse_user_id(text)?.0))
}

fn store_error(error: StoreError) -> ApiError {
    ApiError::internal(error)
}

/// The positions (oldest first) whose events match the query's types and times, read in
/// chunks and dropped as soon as they are judged.
async fn filter(
    store: &dyn EventStore,
    positions: &[Position],
    query: &AuditQuery,
) -> Result<Vec<Position>, ApiError> {
    let mut kept = Vec::new();
    for chunk in positions.chunks(SCAN_CHUNK) {
        for record in store.read_positions(chunk).await.map_err(store_error)? {
            let at = record.metadata.occurred_at;
            let typed = query
                .types
                .as_ref()
                .is_none_or(|types| types.contains(&record.event_type));
            let after_from = query.from.is_none_or(|from| at >= from);
            let before_to = query.to.is_none_or(|to| at < to);
            if typed && after_from && before_to {
                kept.push(record.position);
            }
        }
    }
    Ok(kept)
}

/// The entries a query chooses from, newest first.
enum Candidates {
    /// Chosen by the audit index (and maybe filtered).
    List(Vec<Position>),
    /// The whole log up to this head: positions `head, head - 1, ..., 1`.
    Log(Position),
}

impl Candidates {
    fn len(&self) -> usize {
        match self {
            Candidates::List(list) => list.len(),
            Candidates::Log(head) => usize::try_from(head.0).unwrap_or(usize::MAX),
        }
    }

    /// The index of the first entry at or below `position` (`len` if none).
    fn first_at_or_below(&self, position: Position) -> usize {
        match self {
            Candidates::List(list) => list.partition_point(|p| *p > position),
            Candidates::Log(head) => {
                usize::try_from(head.0.saturating_sub(position.0)).unwrap_or(usize::MAX)
            }
        }
        .min(self.len())
    }

    /// The positions of entries `[start, end)`.
    fn slice(&self, start: usize, end: usize) -> Vec<Position> {
        match self {
            Candidates::List(list) => list[start..end].to_vec(),
            Candidates::Log(head) => (start..end)
                .map(|i| Position(head.0.saturating_sub(i as u64)))
                .collect(),
        }
    }
}

/// The page `[start, end)` of `len` entries (newest first) that the Relay arguments select;
/// `at_or_below(p)` is the index of the first entry at or below position `p`.
fn window(
    len: usize,
    at_or_below: impl Fn(Position) -> usize,
    query: &AuditQuery,
) -> Result<(usize, usize), ApiError> {
    let mut start = 0;
    let mut end = len;
    if let Some(after) = query.after.as_deref() {
        let after = paging::decode_audit(after)?;
        start = at_or_below(Position(after.0.saturating_sub(1)));
    }
    if let Some(before) = query.before.as_deref() {
        end = at_or_below(paging::decode_audit(before)?);
    }
    end = end.max(start);
    let first = match (query.first, query.last) {
        (None, None) => Some(paging::DEFAULT_PAGE),
        (first, _) => first.map(|n| paging::page_size(Some(n))).transpose()?,
    };
    if let Some(first) = first {
        end = end.min(start + first);
    }
    if let Some(last) = query.last {
        let last = paging::page_size(Some(last))?;
        start = start.max(end.saturating_sub(last));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(list: &[u64]) -> Vec<Position> {
        list.iter().copied().map(Position).collect()
    }

    fn query(
        first: Option<i32>,
        after: Option<u64>,
        last: Option<i32>,
        before: Option<u64>,
    ) -> AuditQuery {
        AuditQuery {
            first,
            after: after.map(|p| paging::encode_audit(Position(p))),
            last,
            before: before.map(|p| paging::encode_audit(Position(p))),
            ..AuditQuery::default()
        }
    }

    #[test]
    fn it_should_page_newest_first_both_ways() {
        let newest_first = Candidates::List(positions(&[9, 7, 5, 3, 1]));
        let window = |len, query: &AuditQuery| {
            super::window(len, |p| newest_first.first_at_or_below(p), query)
        };
        assert_eq!(
            window(5, &query(Some(2), None, None, None)).unwrap(),
            (0, 2)
        );
        assert_eq!(
            window(5, &query(Some(2), Some(7), None, None)).unwrap(),
            (2, 4)
        );
        assert_eq!(
            window(5, &query(None, None, Some(2), None)).unwrap(),
            (3, 5)
        );
        assert_eq!(
            window(5, &query(None, None, Some(2), Some(3))).unwrap(),
            (1, 3)
        );
        assert_eq!(window(5, &query(None, None, None, None)).unwrap(), (0, 5));
        assert!(window(5, &query(Some(101), None, None, None)).is_err());
    }

    #[test]
    fn it_should_page_the_whole_log_as_ranges() {
        let log = Candidates::Log(Position(5));
        let query = query(Some(2), Some(4), None, None);
        let (start, end) = window(5, |p| log.first_at_or_below(p), &query).unwrap();
        assert_eq!(log.slice(start, end), positions(&[3, 2]));
        let query = super::tests::query(None, None, Some(2), Some(2));
        let (start, end) = window(5, |p| log.first_at_or_below(p), &query).unwrap();
        assert_eq!(log.slice(start, end), positions(&[4, 3]));
    }
}
