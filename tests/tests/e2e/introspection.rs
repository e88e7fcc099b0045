//! The introspection query clients send (GraphiQL, graphql-codegen, Apollo, Postman) passes
//! the limits, on bounds of its own, while data queries keep theirs.

use crate::support::*;
use serde_json::{Value, json};

/// `getIntrospectionQuery()` of graphql-js 16.9, as it prints it with its default options.
const CANONICAL: &str = include_str!("introspection.graphql");
/// The same with every option on (descriptions of the schema, `specifiedByURL`,
/// `isRepeatable`, deprecated input values), as newer clients send it.
const EVERY_OPTION: &str = include_str!("introspection-full.graphql");

fn type_names(body: &Value) -> Vec<&str> {
    body["data"]["__schema"]["types"]
        .as_array()
        .map(|types| types.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn it_should_answer_the_canonical_introspection_query_with_the_schema() {
    let app = spawn_app().await;
    for query in [CANONICAL, EVERY_OPTION] {
        let body = app.gql(None, query, json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
        assert_eq!(
            body["data"]["__schema"]["subscriptionType"]["name"],
            "Subscription"
        );
        let names = type_names(&body);
        for name in ["User", "Session", "AuditEntry", "CreateUserInput"] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn it_should_keep_the_data_limits_for_an_operation_that_also_asks_for_data() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    // The canonical query with one data field beside it: the data limits apply, and its
    // `ofType` nesting is deeper than they allow.
    let mixed = CANONICAL.replacen("__schema {", "me { id } __schema {", 1);
    let body = app.gql(Some(&admin), &mixed, json!({})).await;
    assert!(error_message(&body).contains("nested too deep"), "{body}");
    assert_eq!(error_code(&body), "VALIDATION");
    app.stop().await;
}

#[tokio::test]
async fn it_should_bound_an_introspection_query_too() {
    let app = spawn_app().await;
    let nesting = 30;
    let query = format!(
        "{{ __type(name: \"User\") {{ fields {{ type {} name {} }} }} }}",
        "{ ofType ".repeat(nesting),
        "}".repeat(nesting)
    );
    let body = app.gql(None, &query, json!({})).await;
    assert!(error_message(&body).contains("nested too deep"), "{body}");
    app.stop().await;
}
