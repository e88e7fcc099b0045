//! Queries: each parses its arguments, calls one use case in `service` and shapes the answer.

use super::audit::AuditEntryConnection;
use super::parts;
use super::types::*;
use crate::error::ApiError;
use crate::service::audit::{self, AuditQuery};
use crate::service::owned::{self, Kind};
use crate::service::paging;
use crate::service::policy::KeyringScope;
use crate::service::{api_keys, auth, sessions, stats, users};
use async_graphql::{Context, ErrorExtensions, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use roster_projections::UserFilter;

/// The root of every query.
#[derive(Default)]
pub struct QueryRoot;

fn to_count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[Object(name = "Query")]
impl QueryRoot {
    /// The signed-in user, or null.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let (state, request) = parts(ctx)?;
        match auth::me(state, request) {
            Ok(record) => Ok(Some(User::from(&record))),
            Err(ApiError::Unauthenticated(_) | ApiError::NotFound(_)) => Ok(None),
            Err(error) => Err(error.extend()),
        }
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
        let filter = UserFilter { search, is_admin };
        let page = users::page(state, request, &filter, first, after.as_deref()).extend()?;
        let edges: Vec<UserEdge> = page
            .users
            .iter()
            .map(|record| UserEdge {
                cursor: paging::encode_user(record.user.created_position),
                node: User::from(record),
            })
            .collect();
        Ok(UserConnection {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: to_count(page.total_count),
        })
    }

    /// One user by id or username (administrators, or the user themself). With `asOf`
    /// (administrators): the account as it was at that instant, deleted since or not, or null
    /// if it did not exist then; a username names the account that held it at that instant.
    /// Its `stats` are the personas and API keys held then and the sessions not yet ended or
    /// expired then (the idle timeout is not applied to the past).
    async fn user(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        username: Option<String>,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Option<User>> {
        let (state, request) = parts(ctx)?;
        let id = id.as_ref().map(|id| id.as_str());
        if let Some(at) = as_of {
            let past = audit::user_as_of(state, request, id, username.as_deref(), at)
                .await
                .extend()?;
            return Ok(past.as_ref().map(User::from));
        }
        let record = users::find(state, request, id, username.as_deref()).extend()?;
        Ok(record.as_ref().map(User::from))
    }

    /// Who held the admin role at the instant `at` (now without it), disabled or not, oldest
    /// account first (administrators). Accounts deleted since are included when they held it
    /// then.
    async fn administrators(
        &self,
        ctx: &Context<'_>,
        at: Option<DateTime<Utc>>,
    ) -> Result<Vec<User>> {
        let (state, request) = parts(ctx)?;
        let admins = audit::administrators(state, request, at).await.extend()?;
        Ok(admins.iter().map(User::from).collect())
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
        let page = sessions::page(
            state,
            request,
            user_id.as_ref().map(|id| id.as_str()),
            first,
            after.as_deref(),
        )
        .extend()?;
        let current = request.identity.as_ref().map(|i| i.session_id);
        let edges: Vec<SessionEdge> = page
            .sessions
            .iter()
            .map(|record| SessionEdge {
                cursor: paging::encode_session(record.session.id),
                node: Session::from_record(record, current),
            })
            .collect();
        Ok(SessionConnection {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: to_count(page.total_count),
        })
    }

    /// The audit log (administrators), newest first: the events about `userId`, or caused by
    /// `actorId` (`system` for Roster's own), or both; optionally only some `types` and times
    /// (`from` inclusive, `to` exclusive). Each entry says who, what about, and what changed.
    #[allow(clippy::too_many_arguments)]
    #[graphql(
        complexity = "first.or(last).unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1"
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        actor_id: Option<ID>,
        types: Option<Vec<String>>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<AuditEntryConnection> {
        let (state, request) = parts(ctx)?;
        let query = AuditQuery {
            user_id: user_id.map(|id| id.0),
            actor_id: actor_id.map(|id| id.0),
            types,
            from,
            to,
            first,
            after,
            last,
            before,
        };
        let page = audit::log(state, request, query).await.extend()?;
        Ok(AuditEntryConnection::from(&page))
    }

    /// Deployment totals (administrators).
    async fn stats(&self, ctx: &Context<'_>) -> Result<SystemStats> {
        let (state, request) = parts(ctx)?;
        Ok(SystemStats::from(stats::system(state, request).extend()?))
    }

    /// The caller's own active sessions, newest first, the current one marked.
    async fn my_sessions(&self, ctx: &Context<'_>) -> Result<Vec<Session>> {
        let (state, request) = parts(ctx)?;
        let records = sessions::list_mine(state, request).extend()?;
        let current = request.identity.as_ref().map(|i| i.session_id);
        Ok(records
            .iter()
            .map(|r| Session::from_record(r, current))
            .collect())
    }

    /// The caller's own model-service API keys.
    async fn my_api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let (state, request) = parts(ctx)?;
        let keys = api_keys::list(state, request, KeyringScope::Own).extend()?;
        Ok(keys.iter().map(ApiKey::from).collect())
    }

    /// The system's model-service API keys (administrators).
    async fn system_api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let (state, request) = parts(ctx)?;
        let keys = api_keys::list(state, request, KeyringScope::System).extend()?;
        Ok(keys.iter().map(ApiKey::from).collect())
    }

    /// For each provider, which key source applies to the caller (never the key itself).
    async fn effective_api_keys(&self, ctx: &Context<'_>) -> Result<Vec<EffectiveApiKey>> {
        let (state, request) = parts(ctx)?;
        let keys = api_keys::effective(state, request).extend()?;
        Ok(keys.iter().map(EffectiveApiKey::from).collect())
    }

    /// The caller's own personas.
    async fn my_personas(&self, ctx: &Context<'_>) -> Result<Vec<Persona>> {
        let (state, request) = parts(ctx)?;
        let personas = owned::mine(state, request, Kind::Persona).extend()?;
        Ok(personas.iter().map(Persona::from).collect())
    }
}
