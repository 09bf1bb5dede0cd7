//! Helpers shared by the test binaries: servers on loopback, an HTTP client and the requests
//! it sends, header readers, the example executables, and real browsers (Chromium, Firefox,
//! WebKit).

#![allow(dead_code)] // each binary uses a part

pub(crate) mod browser;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use http::header::{
    AsHeaderName, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderMap, Method};
use tokio::net::TcpListener;

/// A listener on a free loopback port, and its address.
pub(crate) async fn listen() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Serves `app` on a free loopback port in the background; returns its address.
pub(crate) async fn serve(app: axum::Router) -> SocketAddr {
    let (listener, addr) = listen().await;
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// An HTTP client that ignores proxy settings and gives up on a request after 10 s.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("cannot build the HTTP client")
}

/// A preflight for `method` (and `headers`, when given) from `origin` to `path` on `addr`.
pub(crate) async fn preflight(
    addr: SocketAddr,
    path: &str,
    origin: &str,
    method: &str,
    headers: Option<&str>,
) -> reqwest::Response {
    let mut request = client()
        .request(Method::OPTIONS, format!("http://{addr}{path}"))
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, method);
    if let Some(headers) = headers {
        request = request.header(ACCESS_CONTROL_REQUEST_HEADERS, headers);
    }
    request.send().await.unwrap()
}

/// Whatever has response headers: a reqwest response, an `http` response, a header map.
pub(crate) trait Headers {
    fn header_map(&self) -> &HeaderMap;
}

impl Headers for reqwest::Response {
    fn header_map(&self) -> &HeaderMap {
        self.headers()
    }
}

impl<B> Headers for http::Response<B> {
    fn header_map(&self) -> &HeaderMap {
        self.headers()
    }
}

impl Headers for HeaderMap {
    fn header_map(&self) -> &HeaderMap {
        self
    }
}

/// The first value of a header, which must be ASCII. `name` is a `&HeaderName` or a `&str`.
pub(crate) fn header<'a, N>(response: &'a impl Headers, name: &N) -> Option<&'a str>
where
    N: ?Sized,
    for<'n> &'n N: AsHeaderName,
{
    response
        .header_map()
        .get(name)
        .map(|v| v.to_str().expect("ASCII header"))
}

/// Every `Vary` value, split on commas and lowercased.
pub(crate) fn vary(response: &impl Headers) -> Vec<String> {
    response
        .header_map()
        .get_all(VARY)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

/// The executable of the example `name`, as `cargo test` builds it: next to the test
/// executable's `deps` directory, in `examples`. Tests run it instead of building it.
pub(crate) fn example_binary(name: &str) -> PathBuf {
    let test = std::env::current_exe().expect("the test executable's path");
    // target/<profile>/deps/<test> -> target/<profile>/examples/<name>
    let profile = test
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test executable is in target/<profile>/deps");
    let path = profile
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "the `{name}` example is not built ({} is missing): run the tests with \
         `cargo test --all-features`, which builds the examples (they need the `serde` \
         feature); with `--test` alone, run `cargo build --examples --all-features` first",
        path.display()
    );
    path
}
