//! The deployment's statistics: the Admin Panel's numbers, and the operator's metrics.

use super::AppState;
use super::policy::{self, MetricsCaller};
use super::records::{SystemStats, system_stats};
use crate::auth::RequestContext;
use crate::error::ApiError;
use chrono::Utc;

/// Totals across the deployment (administrators).
pub fn system(state: &AppState, ctx: &RequestContext) -> Result<SystemStats, ApiError> {
    policy::administrator(ctx)?;
    Ok(system_stats(state, Utc::now()))
}

/// The Prometheus metrics, for the operator's scraper ([`policy::metrics_reader`]).
pub fn metrics(state: &AppState, caller: MetricsCaller<'_>) -> Result<String, ApiError> {
    policy::metrics_reader(state.config.metrics_token.as_ref(), caller)?;
    Ok(state.metrics.render(&state.projections))
}
