//! The pages Roster serves to a browser, every byte compiled into the binary (`api/web/`,
//! `api/assets/`): nothing is fetched from elsewhere, so they work where the internet does not
//! reach.
//!
//! - `/login`, `/register` (or the page saying registration is off), `/account` (My account)
//!   and `/admin` (the Admin Panel): static pages whose scripts (ES modules under `/static/`)
//!   speak the public GraphQL API like any other client. The pages decide nothing: what a
//!   caller may see and do is answered by the API, and a page shows the answer.
//! - `/graphiql`: the GraphiQL explorer, with the pinned GraphiQL and React builds it runs on,
//!   when `ROSTER_GRAPHIQL` serves it.
//!
//! Every page keeps the strict Content-Security-Policy of every response (scripts and styles
//! from this origin only: no inline script, no `eval`); GraphiQL's page adds inline styles,
//! which its editors set at run time.

mod assets;
mod graphiql;

use crate::config::Config;
use crate::error::ApiError;
use crate::service::AppState;
use assets::{Asset, PAGES, STATIC};
use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// The pages and their files; GraphiQL's only when `config.graphiql` serves it.
pub fn routes(config: &Config) -> Router<AppState> {
    let register = if config.allow_registration {
        "register.html"
    } else {
        "registration-disabled.html"
    };
    let routes = Router::new()
        .route("/", get(|| async { Redirect::to("/account") }))
        .route("/login", get(|headers| page(headers, "login.html")))
        .route("/register", get(move |headers| page(headers, register)))
        .route("/account", get(|headers| page(headers, "account.html")))
        .route("/admin", get(|headers| page(headers, "admin.html")))
        .route("/static/{*file}", get(static_file));
    if config.graphiql {
        routes.merge(graphiql::routes())
    } else {
        routes
    }
}

/// One of the pages, by name.
async fn page(headers: HeaderMap, name: &'static str) -> Response {
    serve(&headers, PAGES.iter().find(|asset| asset.name == name))
}

/// `GET /static/{file}`: a script, style sheet or icon of the pages.
async fn static_file(headers: HeaderMap, Path(file): Path<String>) -> Response {
    serve(&headers, STATIC.iter().find(|asset| asset.name == file))
}

fn serve(headers: &HeaderMap, asset: Option<&'static Asset>) -> Response {
    match asset {
        Some(asset) => asset.respond(headers),
        None => ApiError::NotFound("Not found".into()).into_response(),
    }
}
