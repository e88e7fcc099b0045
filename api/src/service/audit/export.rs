//! A user's export: everything Roster holds about one account, in one document, before it is
//! deleted or when its user asks. Secrets stay out: no password hash, no session token or its
//! hash, no API key (only its provider, name and last four characters).

use super::events::named_user;
use super::past::PastAccount;
use super::{AppState, AuditActor, AuditEntry, as_of::past_account, explain_all, policy};
use crate::auth::RequestContext;
use crate::error::ApiError;
use chrono::{DateTime, Utc};

/// One change of the admin role.
#[derive(Debug, Clone)]
pub struct AdminChange {
    /// When.
    pub at: DateTime<Utc>,
    /// By whom.
    pub actor: AuditActor,
    /// Held the role afterwards.
    pub is_admin: bool,
}

/// Everything Roster holds about one user.
#[derive(Debug, Clone)]
pub struct UserExport {
    /// The account as it is (or was when deleted), with its sessions, personas and API keys.
    pub account: PastAccount,
    /// Who deleted it, if it was.
    pub deleted_by: Option<AuditActor>,
    /// Every change of the admin role, oldest first (creation with the role included).
    pub admin_history: Vec<AdminChange>,
    /// Every event about the user, oldest first, with what it changed.
    pub history: Vec<AuditEntry>,
}

/// Everything Roster holds about `user` (an id, or a username: the last account to hold it,
/// deleted or not), for administrators and offline for the operator. NOT_FOUND for a user
/// Roster never had.
pub async fn export(
    state: &AppState,
    ctx: &RequestContext,
    user: &str,
) -> Result<UserExport, ApiError> {
    policy::auditor(ctx)?;
    let store = state.commands.store().as_ref();
    let id = named_user(store, user).await?;
    let account = past_account(state, id, None)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No user {:?}", user.trim())))?;
    let positions = state.projections.read(|models| models.audit.by_subject(id));
    let history = explain_all(store, &positions).await?;
    let admin_history = history
        .iter()
        .filter(|entry| entry.subject.as_ref().is_some_and(|s| s.kind == "user"))
        .filter_map(|entry| {
            let change = entry.changes.iter().find(|c| c.field == "isAdmin")?;
            Some(AdminChange {
                at: entry.at,
                actor: entry.actor.clone(),
                is_admin: change.after.as_deref() == Some("true"),
            })
        })
        .collect();
    let deleted_by = history
        .iter()
        .rfind(|entry| entry.event_type == "UserDeleted")
        .map(|entry| entry.actor.clone());
    Ok(UserExport {
        account,
        deleted_by,
        admin_history,
        history,
    })
}
