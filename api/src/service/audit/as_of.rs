//! The past (administrators): an account as it was at an instant, deleted since or not, and
//! who held the admin role then. Each answer folds the account's own history, read by
//! position from the store; the read models keep only positions.

use super::past::{PastAccount, fold};
use super::{AppState, policy, store_error};
use crate::auth::RequestContext;
use crate::error::ApiError;
use crate::service::records::{UserRecord, user_record_page};
use chrono::{DateTime, Utc};
use roster_domain::event::Event;
use roster_domain::ids::UserId;
use roster_domain::store::EventStore;
use roster_domain::stream::StreamId;
use roster_domain::values::Username;
use roster_projections::{UserFilter, UserStats};

/// An account as it was at an instant, with its counts then.
#[derive(Debug, Clone)]
pub struct UserAsOf {
    /// Id.
    pub id: UserId,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Email, if any.
    pub email: Option<String>,
    /// Held the admin role.
    pub is_admin: bool,
    /// Could not log in.
    pub disabled: bool,
    /// Had to choose a new password at next login.
    pub must_change_password: bool,
    /// Two-factor authentication was on.
    pub totp_enabled: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When it had last changed.
    pub updated_at: DateTime<Utc>,
    /// The revision of its stream then.
    pub version: u64,
    /// Personas held, sessions working (without the idle timeout), API keys held, then.
    pub stats: UserStats,
}

impl UserAsOf {
    /// `past` at `at`; `None` if it was deleted by then.
    pub(super) fn of(past: &PastAccount, at: DateTime<Utc>) -> Option<UserAsOf> {
        if past.deleted.is_some_and(|(deleted, _)| deleted <= at) {
            return None;
        }
        Some(UserAsOf {
            id: past.id,
            username: past.username().to_owned(),
            display_name: past.display_name().to_owned(),
            email: past.email().map(str::to_owned),
            is_admin: past.is_admin(),
            disabled: past.disabled(),
            must_change_password: past.must_change_password(),
            totp_enabled: past.totp_enabled,
            created_at: past.created_at,
            updated_at: past.updated_at,
            version: past.version,
            stats: UserStats {
                personas: past.personas_at(at),
                active_sessions: past.sessions_at(at),
                api_keys: past.api_keys_at(at),
            },
        })
    }
}

impl From<&UserRecord> for UserAsOf {
    fn from(record: &UserRecord) -> UserAsOf {
        let user = &record.user;
        UserAsOf {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            is_admin: user.is_admin,
            disabled: user.disabled,
            must_change_password: user.must_change_password,
            totp_enabled: record.totp_enabled,
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: user.version,
            stats: record.stats,
        }
    }
}

/// The user `username` named at `at` (with `None`: now, or the last one to hold it, so a
/// deleted account is still found by its name). Names change hands after a deletion.
pub(super) async fn holder_of(
    store: &dyn EventStore,
    username: &str,
    at: Option<DateTime<Utc>>,
) -> Result<Option<UserId>, ApiError> {
    let Ok(name) = Username::parse(username) else {
        return Ok(None);
    };
    let stream = StreamId::Username(name.key()).to_string();
    let (mut holder, mut last) = (None, None);
    for record in store.read_stream(&stream, 0).await.map_err(store_error)? {
        if at.is_some_and(|at| record.metadata.occurred_at > at) {
            break;
        }
        if let Ok(Event::Username(_, event)) =
            Event::decode(&record.stream, &record.event_type, &record.data)
        {
            holder = event.holder_after();
            last = holder.or(last);
        }
    }
    Ok(if at.is_some() {
        holder
    } else {
        holder.or(last)
    })
}

/// The account `user` folded from its history up to `until` (all of it with `None`).
pub(super) async fn past_account(
    state: &AppState,
    user: UserId,
    until: Option<DateTime<Utc>>,
) -> Result<Option<PastAccount>, ApiError> {
    let positions = state
        .projections
        .read(|models| models.audit.by_subject(user));
    fold(state.commands.store().as_ref(), user, &positions, until).await
}

/// The user `id` (preferred) or `username` as the account was at `at` (administrators):
/// its fields, admin flag, status and counts then. `None` if it did not exist at that instant
/// (not yet created, or deleted by then).
pub async fn user_as_of(
    state: &AppState,
    ctx: &RequestContext,
    id: Option<&str>,
    username: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Option<UserAsOf>, ApiError> {
    policy::auditor(ctx)?;
    let store = state.commands.store().as_ref();
    let user = match (id, username) {
        (Some(id), _) => UserId::parse(id.trim()),
        (None, Some(name)) => holder_of(store, name, Some(at)).await?,
        (None, None) => return Err(ApiError::Validation("Give an id or a username".into())),
    };
    let Some(user) = user else {
        return Ok(None);
    };
    let past = past_account(state, user, Some(at)).await?;
    Ok(past.and_then(|past| UserAsOf::of(&past, at)))
}

/// Who held the admin role at `at`, disabled or not (now, from the read models, without it),
/// in order of creation (administrators).
pub async fn administrators(
    state: &AppState,
    ctx: &RequestContext,
    at: Option<DateTime<Utc>>,
) -> Result<Vec<UserAsOf>, ApiError> {
    policy::auditor(ctx)?;
    let Some(at) = at else {
        let filter = UserFilter {
            search: None,
            is_admin: Some(true),
        };
        let page = user_record_page(state, &filter, usize::MAX, None, Utc::now());
        let mut now: Vec<UserAsOf> = page.users.iter().map(UserAsOf::from).collect();
        now.sort_by_key(|user| user.created_at);
        return Ok(now);
    };
    let candidates = state.projections.read(|models| models.audit.admins_ever());
    let mut admins = Vec::new();
    for user in candidates {
        if let Some(past) = past_account(state, user, Some(at)).await?
            && let Some(then) = UserAsOf::of(&past, at)
            && then.is_admin
        {
            admins.push(then);
        }
    }
    admins.sort_by_key(|user| user.created_at);
    Ok(admins)
}
