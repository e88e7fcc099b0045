//! Who is asking, as values the doors build and the service layer judges: the request's
//! context and identity, the `session_token` cookie, and the per-account login pacing. Nothing
//! here reads the read models or decides a rule: resolving a token is `service::identity`,
//! and every authorization rule is a named function in `service::policy`.
//!
//! - `caller`: [`RequestContext`], [`Identity`] and the credential a request presented.
//! - `fingerprint`: a username as a log line may carry it (a hash).
//! - `cookie`: reading and writing the session cookie (`__Host-session_token` when `Secure`,
//!   `session_token` over plain HTTP).
//! - `throttle`: the per-account pacing of login attempts.
//! - `guess_budget`: budgets of guesses per client address and for the whole server.

mod caller;
mod cookie;
mod fingerprint;
mod guess_budget;
mod throttle;

pub use crate::config::ThrottlePolicy;
pub use caller::{
    Credential, Identity, RequestContext, bearer_token, carries_session_cookie, presented_token,
    sent_by_browser,
};
pub use cookie::{SECURE_SESSION_COOKIE, SESSION_COOKIE, clear_session_cookies, session_cookie};
pub use fingerprint::username_fingerprint;
pub use guess_budget::{GuessBudget, OverBudget, Spent};
pub use throttle::{LoginThrottle, Throttled};
