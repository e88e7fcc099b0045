//! In-process latency of the audit questions through the real GraphQL schema: the first page
//! of `auditLog(userId:)` and of `auditLog(actorId:)`, and `user(id:, asOf:)`, over a store
//! whose users have a history (profile edits made by a hundred actors).

use super::BenchError;
use super::queries::time_query;
use crate::auth::RequestContext;
use crate::graphql::RosterSchema;
use chrono::{DateTime, Utc};
use roster_domain::ids::UserId;

/// How many users made the history's edits.
pub(super) const ACTORS: usize = 100;

const USER_PAGE: &str = "query($id: ID) { auditLog(userId: $id, first: 20) { totalCount \
     edges { cursor node { position type at actor { id username } subject { kind id label } \
     changes { field before after } } } } }";
const ACTOR_PAGE: &str = "query($id: ID) { auditLog(actorId: $id, first: 20) { totalCount \
     edges { cursor node { position type at actor { id username } subject { kind id label } \
     changes { field before after } } } } }";
const AS_OF: &str = "query($id: ID, $at: DateTime) { user(id: $id, asOf: $at) { id username \
     displayName email isAdmin disabled version stats { personas activeSessions apiKeys } } }";

/// p50 and p99 (ms) of each question, as JSON fields.
pub(super) async fn run(
    schema: &RosterSchema,
    context: &RequestContext,
    users: &[UserId],
    middle: DateTime<Utc>,
    samples: usize,
) -> Result<String, BenchError> {
    let mut fields = Vec::new();
    let questions: [(&str, &str, usize); 3] = [
        ("audit_user_first20", USER_PAGE, users.len()),
        ("audit_actor_first20", ACTOR_PAGE, ACTORS.min(users.len())),
        ("user_as_of", AS_OF, users.len()),
    ];
    for (name, query, among) in questions {
        // A different user each time, spread over the whole store.
        let variables = |i: usize| {
            let user = users[(i * 7919) % among.max(1)];
            serde_json::json!({ "id": user.to_string(), "at": middle })
        };
        let (p50, p99) = time_query(schema, context, query, samples, variables).await?;
        fields.push(format!(
            "\"{name}_p50_ms\":{p50:.3},\"{name}_p99_ms\":{p99:.3}"
        ));
    }
    Ok(fields.join(","))
}
