//! The deployment's statistics (the Admin Panel's numbers).

use super::AppState;
use super::policy;
use super::records::{SystemStats, system_stats};
use crate::auth::RequestContext;
use crate::error::ApiError;
use chrono::Utc;

/// Totals across the deployment (administrators).
pub fn system(state: &AppState, ctx: &RequestContext) -> Result<SystemStats, ApiError> {
    policy::administrator(ctx)?;
    Ok(system_stats(state, Utc::now()))
}
