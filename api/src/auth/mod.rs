//! Who is asking, as values the doors build and the service layer judges: the request's
//! context and identity, the `session_token` cookie, and the per-account login pacing. Nothing
//! here reads the read models or decides a rule: resolving a token is `service::identity`,
//! and every authorization rule is a named function in `service::policy`.
//!
//! - `caller`: [`RequestContext`], [`Identity`] and the credential a request presented.
//! - `cookie`: reading and writing the `session_token` cookie.
//! - `throttle`: the per-account pacing of login attempts.
//! - `guess_budget`: budgets of guesses per client address and for the whole server.

mod caller;
mod cookie;
mod guess_budget;
mod throttle;

pub use crate::config::ThrottlePolicy;
pub use caller::{Credential, Identity, RequestContext, bearer_token, presented_token};
pub use cookie::{SESSION_COOKIE, clear_session_cookie, session_cookie};
pub use guess_budget::{GuessBudget, OverBudget, Spent};
pub use throttle::{LoginThrottle, Throttled};
