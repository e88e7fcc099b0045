//! Subscriptions (graphql-transport-ws at `/graphql/ws`). The caller is the one the socket's
//! `connection_init` payload names (`{"authorization": "Bearer <token>"}`), else the one the
//! upgrading request's `Authorization` header or `session_token` cookie names.

use super::activity::{SessionActivity, UserChange, feed};
use super::parts;
use async_graphql::{Context, Result, ResultExt, Subscription};
use futures::Stream;
use roster_projections::Activity;

/// The root of every subscription.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Counts up once a second: a liveness check for subscription clients.
    async fn heartbeat(&self) -> impl Stream<Item = i32> {
        futures::stream::unfold(0i32, |n| async move {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            Some((n, n.saturating_add(1)))
        })
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
    use async_graphql::{EmptyMutation, Object, Schema};
    use futures::StreamExt;

    #[derive(Default)]
    struct NoQuery;

    #[Object]
    impl NoQuery {
        async fn nothing(&self) -> bool {
            false
        }
    }

    #[tokio::test]
    async fn it_should_stream_heartbeats() {
        let schema = Schema::new(NoQuery, EmptyMutation, super::SubscriptionRoot);
        let mut stream = schema.execute_stream("subscription { heartbeat }");
        let first = stream.next().await.unwrap();
        assert_eq!(first.data.to_string(), "{heartbeat: 0}");
        assert!(sdl().contains("heartbeat: Int!"));
    }
}
