//! The files the pages are made of, compiled into the binary, and how they are answered:
//! with their content type, an `ETag` (a SHA-256 of the file) and a caching rule. The pages
//! and their scripts are revalidated on every load (a new binary serves new files at once);
//! GraphiQL's pinned builds sit under a versioned path and are cached for good.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::LazyLock;

/// How long a browser may keep a file without asking again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Ask every time (`no-cache`): answered 304 while the `ETag` matches.
    Revalidate,
    /// Keep it for a year: its path changes whenever it does.
    Immutable,
}

/// One file served to browsers.
#[derive(Debug)]
pub struct Asset {
    /// Its name under its route.
    pub name: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static [u8],
    /// Its caching rule.
    pub caching: Caching,
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

macro_rules! asset {
    ($dir:literal, $name:literal, $type:expr, $caching:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!("../../", $dir, "/", $name)),
            caching: $caching,
        }
    };
}

/// The pages (`/login`, ...), by file name.
pub static PAGES: &[Asset] = &[
    asset!("web", "login.html", HTML, Caching::Revalidate),
    asset!("web", "register.html", HTML, Caching::Revalidate),
    asset!(
        "web",
        "registration-disabled.html",
        HTML,
        Caching::Revalidate
    ),
    asset!("web", "account.html", HTML, Caching::Revalidate),
    asset!("web", "admin.html", HTML, Caching::Revalidate),
    asset!("web", "graphiql.html", HTML, Caching::Revalidate),
];

/// What the pages load from `/static/`.
pub static STATIC: &[Asset] = &[
    asset!("web/static", "roster.css", CSS, Caching::Revalidate),
    asset!("web/static", "api.js", JS, Caching::Revalidate),
    asset!("web/static", "ui.js", JS, Caching::Revalidate),
    asset!("web/static", "topbar.js", JS, Caching::Revalidate),
    asset!("web/static", "live.js", JS, Caching::Revalidate),
    asset!("web/static", "login.js", JS, Caching::Revalidate),
    asset!("web/static", "register.js", JS, Caching::Revalidate),
    asset!("web/static", "account.js", JS, Caching::Revalidate),
    asset!("web/static", "admin.js", JS, Caching::Revalidate),
    asset!("web/static", "admin-users.js", JS, Caching::Revalidate),
    asset!("web/static", "admin-sessions.js", JS, Caching::Revalidate),
    asset!("web/static", "admin-keys.js", JS, Caching::Revalidate),
    asset!("web/static", "admin-stats.js", JS, Caching::Revalidate),
    asset!("web/static", "admin-audit.js", JS, Caching::Revalidate),
    asset!("web/static", "graphiql-start.js", JS, Caching::Revalidate),
    asset!("web/static", "shield.svg", SVG, Caching::Revalidate),
    asset!("web/static", "edit.svg", SVG, Caching::Revalidate),
    asset!("web/static", "delete.svg", SVG, Caching::Revalidate),
];

/// GraphiQL 3.9.0 and React 18.3.1, as their npm packages ship them (licences beside them in
/// `api/assets/graphiql/`), under `/graphiql/3.9.0/`.
pub static GRAPHIQL: &[Asset] = &[
    asset!("assets/graphiql", "graphiql.min.js", JS, Caching::Immutable),
    asset!(
        "assets/graphiql",
        "graphiql.min.css",
        CSS,
        Caching::Immutable
    ),
    asset!(
        "assets/graphiql",
        "react.production.min.js",
        JS,
        Caching::Immutable
    ),
    asset!(
        "assets/graphiql",
        "react-dom.production.min.js",
        JS,
        Caching::Immutable
    ),
];

/// Each file's `ETag`, by its name (computed once, on first use; the names are unique).
static ETAGS: LazyLock<HashMap<&'static str, HeaderValue>> = LazyLock::new(|| {
    PAGES
        .iter()
        .chain(STATIC)
        .chain(GRAPHIQL)
        .filter_map(|asset| {
            let digest = hex::encode(&Sha256::digest(asset.body)[..16]);
            let tag = HeaderValue::from_str(&format!("\"{digest}\"")).ok()?;
            Some((asset.name, tag))
        })
        .collect()
});

impl Asset {
    /// The answer to a `GET` of this file: 304 when the browser holds this very version.
    pub fn respond(&'static self, request: &HeaderMap) -> Response {
        let etag = ETAGS.get(self.name);
        let cache_control = match self.caching {
            Caching::Revalidate => "no-cache",
            Caching::Immutable => "public, max-age=31536000, immutable",
        };
        let unchanged = etag.is_some_and(|etag| {
            request
                .get_all(header::IF_NONE_MATCH)
                .iter()
                .any(|held| held == etag)
        });
        let mut response = if unchanged {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type),
                )],
                self.body,
            )
                .into_response()
        };
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        );
        if let Some(etag) = etag {
            headers.insert(header::ETAG, etag.clone());
        }
        response
    }
}
