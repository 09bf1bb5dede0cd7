//! Request heads the tests of several files send.

use http::{header, Request};

/// A preflight from `origin` to `/items` for `method`, with `Access-Control-Request-Headers`
/// when given.
pub(crate) fn preflight(origin: &str, method: &str, headers: Option<&str>) -> Request<()> {
    let mut request = Request::options("/items")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method);
    if let Some(headers) = headers {
        request = request.header(header::ACCESS_CONTROL_REQUEST_HEADERS, headers);
    }
    request.body(()).unwrap()
}

/// A preflight from `origin` to `path` for `method`.
pub(crate) fn preflight_to(origin: &str, path: &str, method: &str) -> Request<()> {
    let mut request = preflight(origin, method, None);
    *request.uri_mut() = path.parse().unwrap();
    request
}

/// A `GET /items` from `origin`.
pub(crate) fn get(origin: &str) -> Request<()> {
    get_to(Some(origin), "/items")
}

/// A `GET` of `path`, from `origin` or without `Origin`.
pub(crate) fn get_to(origin: Option<&str>, path: &str) -> Request<()> {
    let mut request = Request::get(path);
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.body(()).unwrap()
}
