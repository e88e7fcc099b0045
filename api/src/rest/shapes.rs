//! The JSON shapes of FOVEA's REST API.

use crate::service::api_keys::ApiKeyRecord;
use crate::service::audit::{self, AuditEntry, UserAsOf};
use crate::service::records::{SessionRecord, UserRecord};
use roster_domain::ids::SessionId;
use serde_json::{Value, json};

/// `{id, username, email, displayName, isAdmin}`.
pub fn user_summary(record: &UserRecord) -> Value {
    summary_of(&UserAsOf::from(record))
}

/// The user summary with times and flags: the profile.
pub fn profile(record: &UserRecord) -> Value {
    profile_of(&UserAsOf::from(record))
}

/// An Admin Panel row: the profile plus status, `version` (as the `ETag` of one user gives it)
/// and `_count {personas, sessions, apiKeys}` (sessions: active ones only).
pub fn admin_user(record: &UserRecord) -> Value {
    admin_user_of(&UserAsOf::from(record))
}

fn summary_of(u: &UserAsOf) -> Value {
    json!({
        "id": u.id.to_string(),
        "username": u.username,
        "email": u.email,
        "displayName": u.display_name,
        "isAdmin": u.is_admin,
    })
}

fn profile_of(u: &UserAsOf) -> Value {
    let mut value = summary_of(u);
    value["createdAt"] = json!(u.created_at);
    value["updatedAt"] = json!(u.updated_at);
    value["mustChangePassword"] = json!(u.must_change_password);
    value["totpEnabled"] = json!(u.totp_enabled);
    value
}

/// An Admin Panel row of an account as it is, or as it was at some instant (`asOf`).
pub fn admin_user_of(u: &UserAsOf) -> Value {
    let mut value = profile_of(u);
    value["disabled"] = json!(u.disabled);
    value["version"] = json!(u.version);
    value["_count"] = json!({
        "personas": u.stats.personas,
        "sessions": u.stats.active_sessions,
        "apiKeys": u.stats.api_keys,
    });
    value
}

/// A session: token masked as `...` + the last 8 characters of its hint.
pub fn session(record: &SessionRecord, current: Option<SessionId>) -> Value {
    let s = &record.session;
    json!({
        "id": s.id.to_string(),
        "token": format!("...{}", record.token_hint()),
        "expiresAt": s.expires_at,
        "ipAddress": s.ip,
        "userAgent": s.user_agent.as_deref(),
        "createdAt": s.created_at,
        "lastSeenAt": s.last_seen_at,
        "isCurrent": current == Some(s.id),
    })
}

/// A session with its owner, for administrators.
pub fn admin_session(record: &SessionRecord, current: Option<SessionId>) -> Value {
    let mut value = session(record, current);
    value["user"] = json!({
        "id": record.owner.user.id.to_string(),
        "username": record.owner.user.username,
        "displayName": record.owner.user.display_name,
    });
    value
}

/// An API key: `keyMask` is `...` + its last 4 characters; the key itself never appears.
pub fn api_key(record: &ApiKeyRecord) -> Value {
    json!({
        "id": record.id.to_string(),
        "provider": record.view.provider.as_str(),
        "keyName": record.view.name,
        "keyMask": format!("...{}", record.view.last4),
        "isActive": true,
        "lastUsed": record.last_used,
        "usageCount": record.usage_count,
        "createdAt": record.view.created_at,
        "updatedAt": record.view.updated_at,
    })
}

/// An audit entry: `{cursor, position, eventId, type, at, actor {id, username}, subject {kind,
/// id, label} | null, changes [{field, before, after}], correlationId, causationId}`.
pub fn audit_entry(entry: &AuditEntry) -> Value {
    json!({
        "cursor": audit::cursor(entry),
        "position": entry.position.0,
        "eventId": entry.event_id.to_string(),
        "type": entry.event_type,
        "at": entry.at,
        "actor": { "id": entry.actor.id, "username": entry.actor.username },
        "subject": entry.subject.as_ref().map(|subject| json!({
            "kind": subject.kind,
            "id": subject.id,
            "label": subject.label,
        })),
        "changes": entry.changes.iter().map(|change| json!({
            "field": change.field,
            "before": change.before,
            "after": change.after,
        })).collect::<Vec<_>>(),
        "correlationId": entry.correlation_id.to_string(),
        "causationId": entry.causation_id.to_string(),
    })
}
