//! The GraphQL types of the audit log (`auditLog`): entries, their actor, subject and
//! changes, and the connection that pages them.

use super::types::count;
use crate::service::audit::{self, AuditPage};
use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};

/// Relay page information of the audit log, both ways.
#[derive(SimpleObject, Clone)]
pub struct AuditPageInfo {
    /// Whether older entries follow.
    pub has_next_page: bool,
    /// Whether newer entries precede.
    pub has_previous_page: bool,
    /// The cursor of the first entry of this page.
    pub start_cursor: Option<String>,
    /// The cursor of the last entry of this page.
    pub end_cursor: Option<String>,
}

/// Who caused an event.
#[derive(SimpleObject, Clone)]
pub struct AuditActor {
    /// A user id, or `system`.
    pub id: ID,
    /// Their username (usernames never change: the one they had then, also after deletion);
    /// null for `system`.
    pub username: Option<String>,
}

/// What an event is about.
#[derive(SimpleObject, Clone)]
pub struct AuditSubject {
    /// `user`, `session`, `persona`, `ontology`, `annotation` or `system`.
    pub kind: String,
    /// Its id.
    pub id: ID,
    /// The username (of the user, or of a session's owner), or the persona's name.
    pub label: Option<String>,
}

/// One field an event changed. Never a password hash, token or key: a password change shows
/// `password` with both values null.
#[derive(SimpleObject, Clone)]
pub struct AuditChange {
    /// The field (`displayName`, `email`, `isAdmin`, `disabled`, `password`, `reason`, ...).
    pub field: String,
    /// Its value before (null: unset, or not shown).
    pub before: Option<String>,
    /// Its value after (null: unset, or not shown).
    pub after: Option<String>,
}

/// One event of the log, explained.
#[derive(SimpleObject, Clone)]
pub struct AuditEntry {
    /// Its global position.
    pub position: i64,
    /// The event's id.
    pub event_id: ID,
    /// The stored type name (`ProfileUpdated`).
    #[graphql(name = "type")]
    pub event_type: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who caused it.
    pub actor: AuditActor,
    /// What it is about (null for a request kept under an idempotency key).
    pub subject: Option<AuditSubject>,
    /// What it changed, field by field.
    pub changes: Vec<AuditChange>,
    /// The request it came from.
    pub correlation_id: ID,
    /// What caused it.
    pub causation_id: ID,
}

impl From<&audit::AuditEntry> for AuditEntry {
    fn from(entry: &audit::AuditEntry) -> Self {
        AuditEntry {
            position: i64::try_from(entry.position.0).unwrap_or(i64::MAX),
            event_id: ID(entry.event_id.to_string()),
            event_type: entry.event_type.clone(),
            at: entry.at,
            actor: AuditActor {
                id: ID(entry.actor.id.clone()),
                username: entry.actor.username.clone(),
            },
            subject: entry.subject.as_ref().map(|subject| AuditSubject {
                kind: subject.kind.to_owned(),
                id: ID(subject.id.clone()),
                label: subject.label.clone(),
            }),
            changes: entry
                .changes
                .iter()
                .map(|change| AuditChange {
                    field: change.field.to_owned(),
                    before: change.before.clone(),
                    after: change.after.clone(),
                })
                .collect(),
            correlation_id: ID(entry.correlation_id.to_string()),
            causation_id: ID(entry.causation_id.to_string()),
        }
    }
}

/// One entry in the audit log.
#[derive(SimpleObject, Clone)]
pub struct AuditEntryEdge {
    /// Where it is in the log.
    pub cursor: String,
    /// The entry.
    pub node: AuditEntry,
}

/// Audit entries, newest first.
#[derive(SimpleObject, Clone)]
pub struct AuditEntryConnection {
    /// This page.
    pub edges: Vec<AuditEntryEdge>,
    /// Paging.
    pub page_info: AuditPageInfo,
    /// How many entries match in all.
    pub total_count: i32,
}

impl From<&AuditPage> for AuditEntryConnection {
    fn from(page: &AuditPage) -> Self {
        let edges: Vec<AuditEntryEdge> = page
            .entries
            .iter()
            .map(|entry| AuditEntryEdge {
                cursor: audit::cursor(entry),
                node: AuditEntry::from(entry),
            })
            .collect();
        AuditEntryConnection {
            page_info: AuditPageInfo {
                has_next_page: page.has_next_page,
                has_previous_page: page.has_previous_page,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: count(page.total_count),
        }
    }
}
