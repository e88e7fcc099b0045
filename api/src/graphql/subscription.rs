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
