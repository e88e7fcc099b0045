//! The pages as files: every one served by the binary with its type and caching, nothing
//! referring to another server, GraphiQL's pinned build with its own versioned path.

use crate::support::*;
use reqwest::{Method, StatusCode};

/// Fetches `path` and answers its status, `Content-Type`, `Cache-Control`, `ETag` and text.
async fn fetch(app: &TestApp, path: &str) -> (StatusCode, String, String, String, String) {
    let response = app.request(Method::GET, path, None).send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, cache, etag) = (
        header("content-type"),
        header("cache-control"),
        header("etag"),
    );
    (
        response.status(),
        content_type,
        cache,
        etag,
        response.text().await.unwrap(),
    )
}

/// The `src`/`href` values of a page.
fn references(html: &str) -> Vec<&str> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attribute| html.split(attribute).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[tokio::test]
async fn it_should_serve_every_page_and_file_from_the_binary() {
    let app = spawn_app().await;
    // The pages keep the strict policy of every response: no inline script, no eval.
    for page in ["/login", "/register", "/account", "/admin"] {
        let response = app.request(Method::GET, page, None).send().await.unwrap();
        assert_eq!(
            response.headers()["content-security-policy"],
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "{page}"
        );
    }
    for page in ["/login", "/register", "/account", "/admin", "/graphiql"] {
        let (status, content_type, cache, etag, html) = fetch(&app, page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(content_type, "text/html; charset=utf-8", "{page}");
        assert_eq!(cache, "no-cache", "{page}");
        assert!(etag.starts_with('"'), "{page}: {etag}");
        assert!(!html.contains("<script>"), "{page}: no inline script");
        for reference in references(&html) {
            assert!(reference.starts_with('/'), "{page} refers to {reference}");
            let (status, content_type, ..) = fetch(&app, reference).await;
            assert_eq!(status, StatusCode::OK, "{page}: {reference}");
            let expected = match reference.rsplit('.').next() {
                Some("js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("svg") => "image/svg+xml",
                _ => "text/html; charset=utf-8",
            };
            assert_eq!(content_type, expected, "{reference}");
        }
    }
    // GraphiQL's build is kept for good: its path names its version.
    let (status, content_type, cache, ..) = fetch(&app, "/graphiql/3.9.0/graphiql.min.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/javascript; charset=utf-8");
    assert_eq!(cache, "public, max-age=31536000, immutable");
    let (status, ..) = fetch(&app, "/static/nothing.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn it_should_answer_304_to_a_browser_holding_the_same_file() {
    let app = spawn_app().await;
    let (_, _, _, etag, _) = fetch(&app, "/static/admin.js").await;
    let response = app
        .request(Method::GET, "/static/admin.js", None)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(response.headers()["etag"], etag.as_str());
    let response = app
        .request(Method::GET, "/static/admin.js", None)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn it_should_say_registration_is_disabled_unless_allowed() {
    let app = spawn_app().await;
    let (status, .., html) = fetch(&app, "/register").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Registration is disabled"), "{html}");
    app.stop().await;
    let app = spawn_app_with(|config| config.allow_registration = true).await;
    let (.., html) = fetch(&app, "/register").await;
    assert!(html.contains("register-form"), "{html}");
    app.stop().await;
}
