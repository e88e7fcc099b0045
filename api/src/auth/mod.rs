//! Who is asking: every request's credentials (Bearer header or the `session_token` cookie)
//! are resolved against the read models, on every request, so a granted admin role applies at
//! once and a disabled or deleted user's sessions stop at once.
//!
//! - `context`: [`RequestContext`] and [`Identity`], attached to each request by [`identify`].
//! - `cookie`: reading and writing the `session_token` cookie.
//! - `throttle`: the per-account pacing of login attempts.

mod context;
mod cookie;
mod throttle;

pub use context::{
    Credential, Identity, RequestContext, current_identity, identify, resolve_identity,
    socket_context,
};
pub use cookie::{SESSION_COOKIE, clear_session_cookie, session_cookie};
pub use throttle::{LoginThrottle, ThrottlePolicy, Throttled};
