//! A static server giving fonts and other assets to every site: tower-http's `ServeDir`
//! behind a policy of `*`.
//!
//! Web fonts are the reason such a server needs CORS at all. A page may show an image, run a
//! script or apply a stylesheet from anywhere without asking, but Chromium and Firefox fetch
//! a font named by `@font-face` in CORS mode, as the CSS Fonts specification asks: without
//! `Access-Control-Allow-Origin` in the answer they drop the font and draw the text in a
//! fallback (WebKit loads fonts without CORS). In every engine the same holds for `fetch`,
//! `<img crossorigin>` drawn into a canvas, and module scripts.
//!
//! The policy grants `*`, without credentials, for `GET` and `HEAD`. It says `*` to every
//! request, with or without `Origin`: a shared cache (or the browser's own) that stored the
//! answer to a plain load (a `<link rel=stylesheet>`, a `no-cors` fetch) then serves a usable
//! answer to a later CORS load of the same URL. Assets are marked cacheable for a day.
//!
//! ```text
//! cargo run --example cdn
//! ```
//!
//! serves `examples/static/` on http://127.0.0.1:4200 (set `PORT` to change it; set
//! `STATIC_DIR` to serve another directory). A page on any other origin can then use the font:
//!
//! ```html
//! <link rel="stylesheet" href="http://127.0.0.1:4200/fonts.css">
//! <p style="font-family: Square">A</p>
//! ```
//!
//! and `curl -i http://127.0.0.1:4200/fonts/square.ttf -H 'Origin: https://any.example'`
//! shows the grant.

use std::error::Error;
use std::path::{Path, PathBuf};

use axum::http::{header, HeaderValue, Method};
use axum::middleware;
use axum::response::Response;
use axum::Router;
use tower_cors::{Any, CorsBuilder, CorsLayer};
use tower_http::services::ServeDir;

const DEFAULT_PORT: u16 = 4200;

/// How long browsers and shared caches may keep an asset: a day.
const CACHE_CONTROL: HeaderValue = HeaderValue::from_static("public, max-age=86400");

/// The directory the example serves when `STATIC_DIR` is not set.
pub(crate) fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/static")
}

/// The policy: every origin, reading only, no credentials.
pub(crate) fn policy() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
}

/// The files of `dir`, cacheable, behind `cors`.
pub(crate) fn app(dir: &Path, cors: CorsLayer) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir))
        .layer(middleware::map_response(cacheable))
        // Outermost: the grant is on every answer, 404s and 304s included.
        .layer(cors)
}

async fn cacheable(mut response: Response) -> Response {
    if response.status().is_success() || response.status().is_redirection() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, CACHE_CONTROL);
    }
    response
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => DEFAULT_PORT,
    };
    let dir = std::env::var_os("STATIC_DIR").map_or_else(default_dir, PathBuf::from);
    let app = app(&dir, policy().build()?);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "serving {} to every origin on http://{}",
        dir.display(),
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
