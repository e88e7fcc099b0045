//! Subscriptions (graphql-transport-ws at `/graphql/ws`). The caller is the one the socket's
//! `connection_init` payload names (`{"authorization": "Bearer <token>"}`), else the one the
//! upgrading request's `Authorization` header or session cookie names. Every subscription
//! needs a signed-in caller; the activity feeds, an administrator.

use super::activity::{SessionActivity, UserChange, feed};
use super::parts;
use crate::auth::RequestContext;
use crate::service::activity;
use async_graphql::{Context, Result, ResultExt, Subscription};
use futures::Stream;
use roster_projections::Activity;

/// The root of every subscription.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Counts up once a second: a liveness check for subscription clients.
    // For signed-in users only (`service::activity::heartbeat`); said here rather than in the
    // description, which is the committed schema's.
    async fn heartbeat(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = i32> + use<>> {
        activity::heartbeat(ctx.data::<RequestContext>()?).extend()
    }

    /// One item each time a session starts or ends (administrators). Ends with an error when
    /// the caller's session stops working or they stop being an administrator.
    async fn session_activity(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<SessionActivity>> + use<>> {
        let (state, request) = parts(ctx)?;
        let pick = |activity| match activity {
            Activity::Session(session) => Some(SessionActivity::from(session)),
            Activity::User(_) => None,
        };
        feed(state, request, pick).extend()
    }

    /// One item per change to a user account (administrators). Ends like `sessionActivity`.
    async fn user_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<UserChange>> + use<>> {
        let (state, request) = parts(ctx)?;
        let pick = |activity| match activity {
            Activity::User(change) => Some(UserChange::from(change)),
            Activity::Session(_) => None,
        };
        feed(state, request, pick).extend()
    }
}

#[cfg(test)]
mod tests {
    use super::super::sdl;
    use crate::auth::{Credential, Identity, RequestContext};
    use async_graphql::{EmptyMutation, Object, Request, Schema};
    use futures::StreamExt;
    use roster_domain::ids::{SessionId, UserId};
    use uuid::Uuid;

    #[derive(Default)]
    struct NoQuery;

    #[Object]
    impl NoQuery {
        async fn nothing(&self) -> bool {
            false
        }
    }

    #[tokio::test]
    async fn it_should_stream_heartbeats_to_signed_in_users_only() {
        let schema = Schema::new(NoQuery, EmptyMutation, super::SubscriptionRoot);
        let signed_in = RequestContext {
            identity: Some(Identity {
                user_id: UserId(Uuid::now_v7()),
                username: "someone".into(),
                is_admin: false,
                must_change_password: false,
                session_id: SessionId(Uuid::now_v7()),
            }),
            credential: Credential::Valid,
            ..RequestContext::anonymous()
        };
        let request = Request::new("subscription { heartbeat }").data(signed_in);
        let mut stream = schema.execute_stream(request);
        let first = stream.next().await.unwrap();
        assert_eq!(first.data.to_string(), "{heartbeat: 0}");
        assert!(sdl().contains("heartbeat: Int!"));

        let request = Request::new("subscription { heartbeat }").data(RequestContext::anonymous());
        let mut stream = schema.execute_stream(request);
        let refused = stream.next().await.unwrap();
        assert_eq!(refused.errors[0].message, "Authentication required");
        assert!(stream.next().await.is_none());
    }
}
