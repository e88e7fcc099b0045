//! The GraphQL schema and its HTTP glue.
//!
//! - `types`, `inputs`, `audit`: the object and input types (the contract's names).
//! - `query`, `mutation`, `subscription`: the roots.
//! - `activity`: the administrators' live feeds (`sessionActivity`, `userChanged`).
//! - `limits`: at most one password-checking field, and a bounded number of mutation fields,
//!   per operation; which posted operations carry a secret in their answer (no
//!   `Idempotency-Key` for them).
//! - `socket`: `/graphql/ws`, with the caller resolved again for every operation.
//! - `socket_bounds`: the sockets per client address and the operations per socket.
//! - `posted`: the body of `POST /graphql`, JSON only.
//!
//! The caller's identity arrives as a [`RequestContext`] attached with `Request::data` (per
//! HTTP request, and per operation on a socket) and is read with
//! `ctx.data::<RequestContext>()?`. The schema is limited in depth, complexity and
//! directives, gives no field suggestions outside development mode, and answers introspection
//! only when GraphiQL is on (`ROSTER_GRAPHIQL`). An operation that asks only about the schema
//! (`__schema`, `__type`, `__typename` at its root) runs on a twin of the schema with bounds of
//! its own ([`INTROSPECTION_LIMITS`]): the introspection query every client sends nests
//! `ofType` deeper than any data query may.

mod activity;
pub mod audit;
pub mod inputs;
mod limits;
mod mutation;
mod posted;
mod query;
mod socket;
mod socket_bounds;
mod subscription;
pub mod types;

pub(crate) use limits::{Posted, classify_posted};
pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use socket::subscriptions;
pub use socket_bounds::SocketsPerAddress;
pub use subscription::SubscriptionRoot;

use crate::auth::RequestContext;
use crate::config::GraphqlLimits;
use crate::error::{ApiError, INTERNAL_MESSAGE};
use crate::service::AppState;
use async_graphql::parser::types::OperationType;
use async_graphql::{Context, Schema};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Extension;
use axum::response::{IntoResponse, Response};

/// Roster's schema.
pub type RosterSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The bounds of an operation that asks only about the schema. The canonical introspection
/// query (graphql-js `getIntrospectionQuery`) follows `ofType` nine levels down inside
/// `__schema { types { fields { type ... } } }`, deeper than the data limit; twice the data
/// depth leaves room for clients that nest further, and the complexity bound still refuses an
/// introspection query built to be expensive.
pub const INTROSPECTION_LIMITS: GraphqlLimits = GraphqlLimits {
    depth: 24,
    complexity: 500,
    directives: 4,
};

/// The schema that runs introspection-only operations (see [`introspection_schema`]).
#[derive(Clone)]
pub struct IntrospectionSchema(RosterSchema);

/// The schema over `state`, with the configured limits; without GraphiQL, without
/// introspection too (the schema is no secret, it is committed, but a production server need
/// not hand a map of itself to every caller).
pub fn schema(state: AppState) -> RosterSchema {
    let limits = state.config.graphql_limits;
    with_limits(state, limits)
}

/// The schema over `state` for introspection-only operations: [`INTROSPECTION_LIMITS`], or
/// the configured limits where those are wider (introspection is never held tighter than
/// data).
pub fn introspection_schema(state: AppState) -> IntrospectionSchema {
    let data = state.config.graphql_limits;
    let limits = GraphqlLimits {
        depth: data.depth.max(INTROSPECTION_LIMITS.depth),
        complexity: data.complexity.max(INTROSPECTION_LIMITS.complexity),
        directives: data.directives.max(INTROSPECTION_LIMITS.directives),
    };
    IntrospectionSchema(with_limits(state, limits))
}

fn with_limits(state: AppState, limits: GraphqlLimits) -> RosterSchema {
    let development = state.config.development;
    let introspection = state.config.graphiql;
    let builder = limited(limits, development).data(state);
    if introspection {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    }
}

fn limited(
    limits: GraphqlLimits,
    development: bool,
) -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    let builder = Schema::build(QueryRoot, MutationRoot, SubscriptionRoot)
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity)
        .limit_directives(limits.directives);
    if development {
        builder
    } else {
        builder.disable_suggestions()
    }
}

/// The schema in SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    limited(GraphqlLimits::default(), false).finish().sdl()
}

/// The shared state and the request's context, from a resolver's context.
pub(crate) fn parts<'a>(
    ctx: &Context<'a>,
) -> async_graphql::Result<(&'a AppState, &'a RequestContext)> {
    Ok((ctx.data::<AppState>()?, ctx.data::<RequestContext>()?))
}

/// `POST /graphql`, with a JSON body (any other type: 415).
pub async fn post(
    Extension(schema): Extension<RosterSchema>,
    Extension(introspection): Extension<IntrospectionSchema>,
    Extension(context): Extension<RequestContext>,
    posted::JsonGraphQLRequest(mut request): posted::JsonGraphQLRequest,
) -> GraphQLResponse {
    let schema = choose(&schema, &introspection, &mut request);
    execute(schema, request.data(context)).await.into()
}

/// The schema that runs `request`: the introspection twin when it asks only about the
/// schema, else the data schema with the configured limits.
fn choose<'a>(
    schema: &'a RosterSchema,
    introspection: &'a IntrospectionSchema,
    request: &mut async_graphql::Request,
) -> &'a RosterSchema {
    if limits::asks_only_about_the_schema(request) {
        &introspection.0
    } else {
        schema
    }
}

/// Executes a request and gives every error a code. Errors raised as [`ApiError`] carry
/// theirs. Of the rest, those without a path come from parsing, validation or the limits,
/// before any resolver ran: `VALIDATION`. Those with a path failed inside a resolver without
/// an `ApiError` (missing context data, a bug): `INTERNAL`, logged, shown as the generic
/// message, since their text was never meant for a client.
async fn execute(
    schema: &RosterSchema,
    mut request: async_graphql::Request,
) -> async_graphql::Response {
    // The root-field limits are checked here, per request, rather than by a schema extension:
    // any extension puts a hook around every field resolved, which doubled the time of a
    // `users(first: 50)` page.
    let mut response = match limits::check(&mut request) {
        Ok(()) => schema.execute(request).await,
        Err(refused) => async_graphql::Response::from_errors(vec![refused]),
    };
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_some() {
            continue;
        }
        if error.path.is_empty() {
            extensions.set("code", "VALIDATION");
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "resolver failed");
            error.message = INTERNAL_MESSAGE.to_owned();
            extensions.set("code", "INTERNAL");
        }
    }
    response
}

/// `GET /graphql`: queries only; a mutation over GET is refused with 405, so a link or an
/// image tag can never change anything.
pub async fn get(
    Extension(schema): Extension<RosterSchema>,
    Extension(introspection): Extension<IntrospectionSchema>,
    Extension(context): Extension<RequestContext>,
    request: GraphQLRequest,
) -> Response {
    let mut request = request.into_inner();
    if is_mutation(&request) {
        return ApiError::MethodNotAllowed("Mutations are only allowed over POST".into())
            .into_response();
    }
    let schema = choose(&schema, &introspection, &mut request);
    GraphQLResponse::from(execute(schema, request.data(context)).await).into_response()
}

fn is_mutation(request: &async_graphql::Request) -> bool {
    match async_graphql::parser::parse_query(&request.query) {
        Ok(document) => document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == OperationType::Mutation),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed SDL is the contract clients read; it must match the code.
    #[test]
    fn it_should_match_the_committed_schema_file() {
        let committed = include_str!("../../schema.graphql");
        let current = sdl();
        assert!(
            committed == current,
            "api/schema.graphql is out of date: run `cargo run -p roster-api -- schema > api/schema.graphql`"
        );
    }

    async fn test_schema() -> RosterSchema {
        schema(AppState::in_memory_for_tests().await)
    }

    fn first_error(response: &async_graphql::Response) -> (String, String) {
        let error = &response.errors[0];
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .map(|c| c.to_string())
            .unwrap_or_default();
        (code.trim_matches('"').to_owned(), error.message.clone())
    }

    #[tokio::test]
    async fn it_should_call_a_resolver_failure_that_is_no_api_error_internal() {
        let schema = test_schema().await;
        // No RequestContext attached: the resolver's `ctx.data` fails.
        let response = execute(&schema, async_graphql::Request::new("{ me { id } }")).await;
        assert_eq!(
            first_error(&response),
            ("INTERNAL".to_owned(), INTERNAL_MESSAGE.to_owned())
        );
    }

    #[tokio::test]
    async fn it_should_keep_parse_and_validation_errors_validation() {
        let schema = test_schema().await;
        let context = RequestContext::anonymous();
        for (query, variables) in [
            ("{ me { id ", serde_json::json!({})),
            (
                "{ users(first: \"x\") { totalCount } }",
                serde_json::json!({}),
            ),
            (
                "query($f: Int) { users(first: $f) { totalCount } }",
                serde_json::json!({ "f": "x" }),
            ),
            ("{ nothingHere }", serde_json::json!({})),
        ] {
            let request = async_graphql::Request::new(query)
                .variables(async_graphql::Variables::from_json(variables))
                .data(context.clone());
            let response = execute(&schema, request).await;
            assert_eq!(first_error(&response).0, "VALIDATION", "{query}");
        }
    }

    #[test]
    fn it_should_spot_a_mutation_in_a_get_request() {
        let mutation = async_graphql::Request::new("mutation { logout }");
        assert!(is_mutation(&mutation));
        let query = async_graphql::Request::new("{ me { id } }");
        assert!(!is_mutation(&query));
    }
}
