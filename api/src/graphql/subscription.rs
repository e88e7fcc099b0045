//! Subscriptions (graphql-transport-ws at `/graphql/ws`).

use async_graphql::Subscription;
use futures::Stream;

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
