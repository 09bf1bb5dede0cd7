//! Request heads the tests of several files send to `/items`.

use http::{header, Request};

/// A preflight from `origin` for `method`, with `Access-Control-Request-Headers` when given.
pub(crate) fn preflight(origin: &str, method: &str, headers: Option<&str>) -> Request<()> {
    let mut request = Request::options("/items")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method);
    if let Some(headers) = headers {
        request = request.header(header::ACCESS_CONTROL_REQUEST_HEADERS, headers);
    }
    request.body(()).unwrap()
}

/// A `GET` from `origin`.
pub(crate) fn get(origin: &str) -> Request<()> {
    Request::get("/items")
        .header(header::ORIGIN, origin)
        .body(())
        .unwrap()
}
