//! Limits on what one operation may ask at its root, beyond depth and complexity: aliases
//! let one request repeat a mutation hundreds of times, and a mutation that checks a
//! password costs an argon2 hash each time.
//!
//! - At most [`MAX_ROOT_MUTATIONS`] root fields in a mutation.
//! - At most one *guarded* root field per operation: those that check or hash a password or
//!   a second-factor code, or answer whether an account or an address exists (`login`,
//!   `register`, `changePassword`, `updateMyProfile`, `loginTotp`, `confirmTotp`,
//!   `disableMyTotp`). The per-account pacing and the guess budgets then see each guess.

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{Name, Positioned, Request, ServerError, ServerResult};
use std::collections::HashMap;

/// Most root fields one mutation may hold.
pub const MAX_ROOT_MUTATIONS: usize = 20;

/// Root fields that check or hash a password or check a second-factor code, or tell whether
/// an account or address exists.
const GUARDED: &[&str] = &[
    "login",
    "register",
    "changePassword",
    "updateMyProfile",
    "loginTotp",
    "confirmTotp",
    "disableMyTotp",
];

/// Root fields whose answer carries a session token or a secret: an operation holding one
/// cannot be sent with an `Idempotency-Key`, whose answer would be kept in the log.
const CARRY_SECRETS: &[&str] = &[
    "login",
    "register",
    "loginTotp",
    "enrollTotp",
    "confirmTotp",
];

/// How deep fragments are followed at the root (a cycle is a validation error anyway).
const FRAGMENT_DEPTH: usize = 8;

/// Refuses `request` when one of its operations exceeds a limit. The parsed document is kept
/// in the request, so the schema does not parse it again; a document that does not parse is
/// left for the schema to report.
pub(super) fn check(request: &mut Request) -> ServerResult<()> {
    match request.parsed_query() {
        Ok(document) => check_document(document),
        Err(_) => Ok(()),
    }
}

/// Refuses a document one of whose operations exceeds a limit.
fn check_document(document: &ExecutableDocument) -> ServerResult<()> {
    for (operation, names) in operations(document) {
        let guarded = names.iter().filter(|n| GUARDED.contains(n)).count();
        if guarded > 1 {
            return Err(ServerError::new(
                "At most one of login, register, changePassword, updateMyProfile, loginTotp, \
                 confirmTotp and disableMyTotp per operation",
                Some(operation.pos),
            ));
        }
        if operation.node.ty == OperationType::Mutation && names.len() > MAX_ROOT_MUTATIONS {
            return Err(ServerError::new(
                format!("At most {MAX_ROOT_MUTATIONS} mutation fields per operation"),
                Some(operation.pos),
            ));
        }
    }
    Ok(())
}

/// The root fields that ask about the schema rather than about data.
const INTROSPECTION_FIELDS: &[&str] = &["__schema", "__type", "__typename"];

/// Whether every operation of `request` is a query asking only about the schema (its root
/// fields, through fragments, all `__schema`, `__type` or `__typename`). A document that does
/// not parse is not: the data schema reports it.
pub(super) fn asks_only_about_the_schema(request: &mut Request) -> bool {
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    !document.operations.iter().any(|(_, operation)| {
        operation.node.ty != OperationType::Query
            || !only_schema_fields(
                &operation.node.selection_set.node,
                &document.fragments,
                FRAGMENT_DEPTH,
            )
    })
}

/// Whether every root field of `set`, through fragments, asks about the schema. A spread
/// deeper than `depth` counts as a data field, so no field hides from the data limits there.
fn only_schema_fields(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) -> bool {
    set.items.iter().all(|selection| match &selection.node {
        Selection::Field(field) => INTROSPECTION_FIELDS.contains(&field.node.name.node.as_str()),
        Selection::InlineFragment(inline) => {
            depth > 0 && only_schema_fields(&inline.node.selection_set.node, fragments, depth - 1)
        }
        Selection::FragmentSpread(spread) => {
            depth > 0
                && fragments
                    .get(&spread.node.fragment_name.node)
                    .is_some_and(|fragment| {
                        only_schema_fields(&fragment.node.selection_set.node, fragments, depth - 1)
                    })
        }
    })
}

/// What a `POST /graphql` body asks, as far as an `Idempotency-Key` is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Posted {
    /// A mutation whose answer may be kept.
    Mutation,
    /// An operation with a root field whose answer carries a secret (`login`, ...).
    CarriesSecret,
    /// Queries only, or a body that is no GraphQL document (the schema reports it): nothing
    /// to keep, the request runs as usual.
    Other,
}

/// Classifies the JSON body of `POST /graphql` (`{"query": ...}`) by its operations' root
/// fields, through fragments.
pub(crate) fn classify_posted(body: &[u8]) -> Posted {
    #[derive(serde::Deserialize)]
    struct Body {
        query: String,
    }
    let Ok(Body { query }) = serde_json::from_slice::<Body>(body) else {
        return Posted::Other;
    };
    let Ok(document) = async_graphql::parser::parse_query(&query) else {
        return Posted::Other;
    };
    let mut mutation = false;
    for (operation, names) in operations(&document) {
        if names.iter().any(|name| CARRY_SECRETS.contains(name)) {
            return Posted::CarriesSecret;
        }
        mutation |= operation.node.ty == OperationType::Mutation;
    }
    if mutation {
        Posted::Mutation
    } else {
        Posted::Other
    }
}

/// Each operation of `document`, with the names of its root fields (through fragments).
fn operations(
    document: &ExecutableDocument,
) -> impl Iterator<Item = (&Positioned<OperationDefinition>, Vec<&str>)> {
    document.operations.iter().map(|(_, operation)| {
        let mut names = Vec::new();
        root_fields(
            &operation.node.selection_set.node,
            &document.fragments,
            FRAGMENT_DEPTH,
            &mut names,
        );
        (operation, names)
    })
}

/// The names of the root fields of `set`, through fragments.
fn root_fields<'a>(
    set: &'a SelectionSet,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
    names: &mut Vec<&'a str>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => names.push(field.node.name.node.as_str()),
            Selection::InlineFragment(inline) if depth > 0 => {
                root_fields(&inline.node.selection_set.node, fragments, depth - 1, names);
            }
            Selection::FragmentSpread(spread) if depth > 0 => {
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    root_fields(
                        &fragment.node.selection_set.node,
                        fragments,
                        depth - 1,
                        names,
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(query: &str) -> ServerResult<()> {
        check(&mut Request::new(query))
    }

    #[test]
    fn it_should_allow_one_password_check_per_operation_through_aliases_and_fragments() {
        assert!(checked("mutation { login(username: \"a\", password: \"b\") { token } }").is_ok());
        assert!(checked("mutation { a: login(username: \"a\", password: \"b\") { token } b: login(username: \"a\", password: \"c\") { token } }").is_err());
        assert!(checked("mutation { ...F ... on Mutation { changePassword(currentPassword: \"a\", newPassword: \"b\") } } fragment F on Mutation { login(username: \"a\", password: \"b\") { token } }").is_err());
        assert!(checked("mutation { a: loginTotp(challenge: \"c\", code: \"1\") { token } b: loginTotp(challenge: \"c\", code: \"2\") { token } }").is_err());
        assert!(
            checked("mutation { confirmTotp(code: \"1\") disableMyTotp(code: \"2\") }").is_err()
        );
    }

    #[test]
    fn it_should_tell_a_mutation_that_carries_a_secret_through_fragments() {
        let posted = |query: &str| {
            classify_posted(&serde_json::to_vec(&serde_json::json!({ "query": query })).unwrap())
        };
        assert_eq!(posted("mutation { logout }"), Posted::Mutation);
        assert_eq!(posted("{ me { id } }"), Posted::Other);
        assert_eq!(posted("mutation {"), Posted::Other);
        assert_eq!(classify_posted(b"not json"), Posted::Other);
        assert_eq!(
            posted("mutation { logout t: login(username: \"a\", password: \"b\") { token } }"),
            Posted::CarriesSecret
        );
        assert_eq!(
            posted(
                "mutation { ... on Mutation { ...F } } fragment F on Mutation { enrollTotp { secret } }"
            ),
            Posted::CarriesSecret
        );
        assert_eq!(
            posted("mutation A { logout } mutation B { confirmTotp(code: \"1\") }"),
            Posted::CarriesSecret
        );
    }

    #[test]
    fn it_should_cap_the_root_fields_of_a_mutation() {
        let fields = |n: usize| {
            (0..n)
                .map(|i| format!("f{i}: logout"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(checked(&format!("mutation {{ {} }}", fields(MAX_ROOT_MUTATIONS))).is_ok());
        assert!(
            checked(&format!(
                "mutation {{ {} }}",
                fields(MAX_ROOT_MUTATIONS + 1)
            ))
            .is_err()
        );
    }

    #[test]
    fn it_should_tell_an_operation_that_asks_only_about_the_schema() {
        let only = |query: &str| asks_only_about_the_schema(&mut Request::new(query));
        assert!(only("{ __schema { types { name } } }"));
        assert!(only(
            "query Q { __typename __type(name: \"User\") { name } }"
        ));
        assert!(only(
            "{ ...F } fragment F on Query { __schema { queryType { name } } }"
        ));
        assert!(!only("{ __schema { types { name } } me { id } }"));
        assert!(!only(
            "{ ... on Query { users { totalCount } } __typename }"
        ));
        assert!(!only("mutation { __typename }"));
        assert!(!only("{ __schema {"));
        // A data field behind more fragments than are followed counts as data.
        let mut deep = String::from("{ ...F0 }");
        for i in 0..=FRAGMENT_DEPTH {
            deep.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
        }
        deep.push_str(&format!(
            " fragment F{} on Query {{ __typename }}",
            FRAGMENT_DEPTH + 1
        ));
        assert!(!only(&deep));
    }
}
