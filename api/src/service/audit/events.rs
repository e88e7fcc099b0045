//! The log as `roster events` prints it: the events about a user, caused by one, or all of
//! them, oldest first, between two positions, so a caller can page through the log and then
//! follow it.

use super::as_of::holder_of;
use super::{AppState, AuditEntry, AuditQuery, explain_all, filter, policy};
use crate::auth::RequestContext;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use roster_domain::ids::UserId;
use roster_domain::store::{Actor, EventStore, Position};

/// Which events `roster events` prints.
#[derive(Debug, Default, Clone)]
pub struct EventsQuery {
    /// About this user: an id or a username (the last account to hold it).
    pub user: Option<String>,
    /// Caused by this user (an id or a username), or `system`.
    pub actor: Option<String>,
    /// Only these types (none: every type).
    pub types: Vec<String>,
    /// At or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub to: Option<DateTime<Utc>>,
    /// Only events after this position.
    pub after: Position,
    /// Only events up to this position.
    pub until: Position,
}

/// A user named by id or by username (the last account to hold the name); NOT_FOUND if none.
pub(super) async fn named_user(store: &dyn EventStore, text: &str) -> Result<UserId, ApiError> {
    if let Some(id) = UserId::parse(text.trim()) {
        return Ok(id);
    }
    holder_of(store, text, None)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No user {:?}", text.trim())))
}

/// The events the query selects in `(after, until]`, explained, oldest first (administrators,
/// or the operator offline).
pub async fn events(
    state: &AppState,
    ctx: &RequestContext,
    query: &EventsQuery,
) -> Result<Vec<AuditEntry>, ApiError> {
    policy::auditor(ctx)?;
    let store = state.commands.store().as_ref();
    let user = match query.user.as_deref() {
        Some(text) => Some(named_user(store, text).await?),
        None => None,
    };
    let actor = match query.actor.as_deref() {
        Some(text) if text.trim() == "system" => Some(Actor::System),
        Some(text) => Some(Actor::User(named_user(store, text).await?.0)),
        None => None,
    };
    let in_range = |p: &Position| *p > query.after && *p <= query.until;
    let mut positions: Vec<Position> = state.projections.read(|models| match (user, actor) {
        (Some(user), Some(actor)) => {
            let caused = models.audit.by_actor(actor);
            let mut about = models.audit.by_subject(user);
            about.retain(|p| in_range(p) && caused.binary_search(p).is_ok());
            about
        }
        (Some(user), None) => models.audit.by_subject(user),
        (None, Some(actor)) => models.audit.by_actor(actor),
        (None, None) => (query.after.0 + 1..=query.until.0).map(Position).collect(),
    });
    positions.retain(in_range);
    let narrowed = AuditQuery {
        types: (!query.types.is_empty()).then(|| query.types.clone()),
        from: query.from,
        to: query.to,
        ..AuditQuery::default()
    };
    if narrowed.types.is_some() || narrowed.from.is_some() || narrowed.to.is_some() {
        positions = filter(store, &positions, &narrowed).await?;
    }
    explain_all(store, &positions).await
}
