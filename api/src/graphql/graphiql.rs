//! `GET /graphiql`: the GraphiQL explorer, served when `ROSTER_GRAPHIQL` is on.
//!
//! The page is async-graphql's, and loads React and GraphiQL from unpkg.com: the one response
//! whose Content-Security-Policy is wider than the strict default. It is as narrow as the page
//! allows: scripts from unpkg.com plus the page's own inline script, pinned by its SHA-256
//! (not `'unsafe-inline'`); styles from unpkg.com and inline (GraphiQL styles its editors at
//! run time); requests to this origin only; no framing. Serving GraphiQL is a developer's
//! convenience, and off by default on a server bound to a public address.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The page and its Content-Security-Policy, built once.
static PAGE: LazyLock<(String, String)> = LazyLock::new(|| {
    let html = async_graphql::http::GraphiQLSource::build()
        .endpoint("/graphql")
        .subscription_endpoint("/graphql/ws")
        .title("Roster GraphiQL")
        .finish();
    let policy = content_security_policy(&html);
    (html, policy)
});

/// `GET /graphiql`.
pub async fn graphiql() -> Response {
    let (html, policy) = &*PAGE;
    let mut response = Html(html.clone()).into_response();
    if let Ok(policy) = HeaderValue::from_str(policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// The policy GraphiQL's page needs, with the hash of each of its inline scripts.
fn content_security_policy(html: &str) -> String {
    let inline_scripts: Vec<String> = inline_scripts(html)
        .map(|script| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'none'; script-src https://unpkg.com {}; \
         style-src https://unpkg.com 'unsafe-inline'; font-src https://unpkg.com data:; \
         img-src 'self' data: https://graphql.org; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        inline_scripts.join(" ")
    )
}

/// The bodies of the page's inline scripts (`<script>` without attributes), exactly as a
/// browser hashes them.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</script>").map(|(body, _)| body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_pin_the_pages_inline_script_by_hash_and_allow_no_other() {
        let (html, policy) = &*PAGE;
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts.len(), 1, "GraphiQL's page has one inline script");
        assert!(scripts[0].contains("GraphiQL.createFetcher"));
        let hash = STANDARD.encode(Sha256::digest(scripts[0]));
        let script_src = policy
            .split(';')
            .map(str::trim)
            .find(|directive| directive.starts_with("script-src"))
            .unwrap();
        assert_eq!(
            script_src,
            format!("script-src https://unpkg.com 'sha256-{hash}'")
        );
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.starts_with("default-src 'none'"));
    }
}
