//! Roster's read side: the read models the API answers from, built from the event log and
//! rebuilt by replay.
//!
//! - `models`: users (newest first, search, pagination), per-user statistics, sessions (by id,
//!   user and token hash; expiry judged against a clock the caller passes), the audit index,
//!   the owned resources that feed the statistics and the deletion cascade, and second
//!   factors with the login challenges waiting for them.
//! - `activity`: what watchers are told after events apply (sessions started or ended, user
//!   accounts changed), derived from each event and the models just before it.
//! - `runner`: follows the log (catch-up, then live) and offers read-your-writes through
//!   `wait_for(position)`.

pub mod activity;
pub mod models;
pub mod runner;

pub use activity::{
    Activity, AppliedActivity, SessionActivity, SessionActivityKind, UserChange, UserChangeKind,
};
pub use models::{
    PROJECTIONS, ProjectionInfo, ReadModels, UserFilter, UserPage, UserStats, UserView,
    projection_versions,
};
pub use runner::{NotYetApplied, Projections};
