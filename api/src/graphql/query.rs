//! Queries. Each resolver reads the request's identity and answers from the read models.

use super::cursor;
use super::types::*;
use super::{DEFAULT_PAGE, MAX_PAGE, parts};
use crate::error::ApiError;
use crate::service::owned::{self, Kind};
use crate::service::views::{user_record, user_record_by_name};
use crate::service::{api_keys, parse_user_id, sessions as session_service};
use async_graphql::{Context, ErrorExtensions, ID, Object, Result, ResultExt};
use chrono::Utc;
use roster_domain::stream::KeyringOwner;
use roster_projections::UserFilter;

/// The root of every query.
#[derive(Default)]
pub struct QueryRoot;

fn page_size(first: Option<i32>) -> Result<usize, ApiError> {
    match first {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (0..=MAX_PAGE as i32).contains(&n) => Ok(n as usize),
        Some(_) => Err(ApiError::Validation(format!(
            "first must be between 0 and {MAX_PAGE}"
        ))),
    }
}

#[Object(name = "Query")]
impl QueryRoot {
    /// The signed-in user, or null.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let (state, request) = parts(ctx)?;
        Ok(request
            .identity
            .as_ref()
            .and_then(|identity| user_record(state, identity.user_id, Utc::now()))
            .map(|record| User::from(&record)))
    }

    /// Users, newest first (administrators).
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        is_admin: Option<bool>,
    ) -> Result<UserConnection> {
        let (state, request) = parts(ctx)?;
        request.require_admin().extend()?;
        let first = page_size(first).extend()?;
        let after = after
            .as_deref()
            .map(cursor::decode_user)
            .transpose()
            .extend()?;
        let filter = UserFilter { search, is_admin };
        let now = Utc::now();
        let (page, records) = state.projections.read(|models| {
            let page = models.users.page(&filter, first, after);
            let records: Vec<_> = page
                .users
                .iter()
                .map(|user| crate::service::views::UserRecord {
                    user: user.clone(),
                    stats: models.stats(user.id, now),
                })
                .collect();
            (page, records)
        });
        let edges: Vec<UserEdge> = records
            .iter()
            .map(|record| UserEdge {
                cursor: cursor::encode_user(record.user.created_position),
                node: User::from(record),
            })
            .collect();
        Ok(UserConnection {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: i32::try_from(page.total_count).unwrap_or(i32::MAX),
        })
    }

    /// One user by id or username (administrators, or the user themself).
    async fn user(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        username: Option<String>,
    ) -> Result<Option<User>> {
        let (state, request) = parts(ctx)?;
        let identity = request.require_user().extend()?;
        let now = Utc::now();
        let record = match (id, username) {
            (Some(id), _) => match parse_user_id(&id) {
                Ok(id) => user_record(state, id, now),
                Err(_) => None,
            },
            (None, Some(name)) => user_record_by_name(state, &name, now),
            (None, None) => {
                return Err(ApiError::Validation("Give an id or a username".into()).extend());
            }
        };
        let is_self = record
            .as_ref()
            .is_some_and(|r| r.user.id == identity.user_id);
        if !is_self {
            request.require_admin().extend()?;
        }
        Ok(record.as_ref().map(User::from))
    }

    /// Active sessions, newest first, optionally of one user (administrators).
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1")]
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SessionConnection> {
        let (state, request) = parts(ctx)?;
        request.require_admin().extend()?;
        let first = page_size(first).extend()?;
        let user = user_id.map(|id| parse_user_id(&id)).transpose().extend()?;
        let all = session_service::list_all(state, request, user).extend()?;
        let start = match after {
            None => 0,
            Some(after) => {
                let after = cursor::decode_session(&after).extend()?;
                all.iter()
                    .position(|r| r.session.id == after)
                    .map_or(all.len(), |i| i + 1)
            }
        };
        let current = request.identity.as_ref().map(|i| i.session_id);
        let edges: Vec<SessionEdge> = all
            .iter()
            .skip(start)
            .take(first)
            .map(|record| SessionEdge {
                cursor: cursor::encode_session(record.session.id),
                node: Session::from_record(record, current),
            })
            .collect();
        Ok(SessionConnection {
            page_info: PageInfo {
                has_next_page: all.len() > start + edges.len(),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: i32::try_from(all.len()).unwrap_or(i32::MAX),
        })
    }

    /// Deployment totals (administrators).
    async fn stats(&self, ctx: &Context<'_>) -> Result<SystemStats> {
        let (state, request) = parts(ctx)?;
        request.require_admin().extend()?;
        let stats = state.projections.read(|models| {
            let totals = models.totals(Utc::now());
            let system_keys = models.owned.api_keys.count_of(KeyringOwner::System);
            SystemStats {
                users: i32::try_from(totals.users).unwrap_or(i32::MAX),
                admins: i32::try_from(totals.admins).unwrap_or(i32::MAX),
                active_sessions: i32::try_from(totals.active_sessions).unwrap_or(i32::MAX),
                personas: i32::try_from(models.owned.personas.len()).unwrap_or(i32::MAX),
                api_keys: i32::try_from(models.owned.api_keys.len() - system_keys)
                    .unwrap_or(i32::MAX),
                system_api_keys: i32::try_from(system_keys).unwrap_or(i32::MAX),
            }
        });
        Ok(stats)
    }

    /// The caller's own active sessions, newest first, the current one marked.
    async fn my_sessions(&self, ctx: &Context<'_>) -> Result<Vec<Session>> {
        let (state, request) = parts(ctx)?;
        let records = session_service::list_mine(state, request).extend()?;
        let current = request.identity.as_ref().map(|i| i.session_id);
        Ok(records
            .iter()
            .map(|r| Session::from_record(r, current))
            .collect())
    }

    /// The caller's own model-service API keys.
    async fn my_api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let (state, request) = parts(ctx)?;
        let owner = api_keys::owner_for(request, false).extend()?;
        Ok(api_keys::list(state, owner)
            .iter()
            .map(ApiKey::from)
            .collect())
    }

    /// The system's model-service API keys (administrators).
    async fn system_api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let (state, request) = parts(ctx)?;
        let owner = api_keys::owner_for(request, true).extend()?;
        Ok(api_keys::list(state, owner)
            .iter()
            .map(ApiKey::from)
            .collect())
    }

    /// For each provider, which key source applies to the caller (never the key itself).
    async fn effective_api_keys(&self, ctx: &Context<'_>) -> Result<Vec<EffectiveApiKey>> {
        let (state, request) = parts(ctx)?;
        let identity = request.require_user().extend()?;
        Ok(api_keys::effective(state, identity.user_id)
            .iter()
            .map(EffectiveApiKey::from)
            .collect())
    }

    /// The caller's own personas.
    async fn my_personas(&self, ctx: &Context<'_>) -> Result<Vec<Persona>> {
        let (state, request) = parts(ctx)?;
        let identity = request.require_user().extend()?;
        Ok(owned::of_owner(state, Kind::Persona, identity.user_id)
            .iter()
            .map(Persona::from)
            .collect())
    }
}
