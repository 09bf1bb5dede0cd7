//! The request the browser makes after a redirect (the Fetch Standard's HTTP-redirect fetch),
//! and the URLs a page on an `https://` origin may not fetch at all (mixed content).

use std::net::IpAddr;

use http::header::AUTHORIZATION;
use http::{HeaderValue, Method, StatusCode, Uri};

use super::{Blocked, BrowserRequest};

/// A URL's origin: scheme and host in lowercase, and the port, the scheme's default when the
/// URL has none. `None` for a URL without scheme or host (and for `null`): such an origin is
/// the same as no other.
fn origin_of(url: &Uri) -> Option<(String, String, Option<u16>)> {
    let scheme = url.scheme_str()?.to_ascii_lowercase();
    let host = url.host()?.to_ascii_lowercase();
    let port = url.port_u16().or(match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    });
    Some((scheme, host, port))
}

fn same_origin(a: &Uri, b: &Uri) -> bool {
    matches!((origin_of(a), origin_of(b)), (Some(a), Some(b)) if a == b)
}

/// An origin from an `Origin` header value, as a URL without a path.
fn origin_url(origin: &HeaderValue) -> Option<Uri> {
    Uri::try_from(origin.as_bytes()).ok()
}

/// Whether the browser treats `url` as potentially trustworthy (Secure Contexts): `https`
/// and `wss`, and loopback hosts (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`).
fn is_potentially_trustworthy(url: &Uri) -> bool {
    let Some((scheme, host, _)) = origin_of(url) else {
        return false;
    };
    if scheme == "https" || scheme == "wss" {
        return true;
    }
    let host = host.strip_suffix('.').unwrap_or(&host);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.ends_with(".localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl BrowserRequest {
    /// Whether the browser fetches `url` (absolute) at all from this page: a page on an
    /// `https://` origin may not fetch a plain `http://` URL (mixed content), except on a
    /// loopback host (`localhost`, `127.0.0.1`, `[::1]`), which browsers treat as potentially
    /// trustworthy. The page's origin decides, also after a redirect made `Origin` `null`.
    ///
    /// ```
    /// use http::{Method, Uri};
    /// use tower_cors::{Blocked, BrowserRequest};
    ///
    /// let page = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// let plain = Uri::from_static("http://api.example.com/items");
    /// assert_eq!(page.check_mixed_content(&plain), Err(Blocked::MixedContent(plain.clone())));
    /// assert!(page.check_mixed_content(&Uri::from_static("https://api.example.com/")).is_ok());
    /// assert!(page.check_mixed_content(&Uri::from_static("http://127.0.0.1:8080/")).is_ok());
    ///
    /// // A page on http:// may fetch http:// URLs.
    /// let insecure = BrowserRequest::new("http://app.example.com", Method::GET)?;
    /// assert!(insecure.check_mixed_content(&plain).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Blocked::MixedContent`] with `url` when the browser refuses to fetch it.
    pub fn check_mixed_content(&self, url: &Uri) -> Result<(), Blocked> {
        let secure_page = origin_url(&self.page)
            .and_then(|page| origin_of(&page))
            .is_some_and(|(scheme, _, _)| scheme == "https");
        if secure_page && !is_potentially_trustworthy(url) {
            return Err(Blocked::MixedContent(url.clone()));
        }
        Ok(())
    }

    /// The request the browser makes next when the actual request to the absolute URL `from`
    /// is answered with the redirect `status` to the absolute URL `to` (Fetch Standard,
    /// HTTP-redirect fetch):
    ///
    /// - `to` must pass [`check_mixed_content`](Self::check_mixed_content);
    /// - `303` turns any method but `GET` and `HEAD` into `GET`, and `301` or `302` turn `POST`
    ///   into `GET`; the body is dropped, and with it `Content-Encoding`, `Content-Language`,
    ///   `Content-Location` and `Content-Type`; `307` and `308` keep the method and headers;
    /// - when `to` is on another origin than `from`, the browser removes `Authorization`;
    /// - when `to` is on another origin than `from` while `from` is not on the page's origin
    ///   (the standard's tainted origin flag), the browser sends `Origin: null` from then on,
    ///   and only `Access-Control-Allow-Origin: null` (or `*`) lets the page read the answers;
    /// - the path and query become those of `to`.
    ///
    /// ```
    /// use http::{header, Method, StatusCode, Uri};
    /// use tower_cors::{Blocked, BrowserRequest};
    ///
    /// let post = BrowserRequest::new("https://app.example.com", Method::POST)?
    ///     .header("content-type", "application/json")?
    ///     .header("authorization", "Bearer secret")?;
    /// let from = Uri::from_static("https://api.example.com/orders");
    ///
    /// // On the same origin: GET after 303, without the body's headers, with Authorization.
    /// let to = Uri::from_static("https://api.example.com/orders/42");
    /// let next = post.follow_redirect(StatusCode::SEE_OTHER, &from, &to)?;
    /// assert_eq!(next.method(), Method::GET);
    /// assert_eq!(next.unsafe_header_names(), ["authorization"]);
    /// assert_eq!(next.actual_request().uri(), "/orders/42");
    ///
    /// // To another origin: Authorization is removed, and since `from` is not the page's
    /// // origin, the origin is tainted.
    /// let to = Uri::from_static("https://cdn.example.net/orders");
    /// let kept = post.follow_redirect(StatusCode::TEMPORARY_REDIRECT, &from, &to)?;
    /// assert_eq!(kept.method(), Method::POST);
    /// assert_eq!(kept.unsafe_header_names(), ["content-type"]);
    /// assert!(kept.actual_request().headers().get(header::AUTHORIZATION).is_none());
    /// assert_eq!(kept.origin(), "null");
    ///
    /// // A page on https:// never follows a redirect to plain http://.
    /// let plain = Uri::from_static("http://cdn.example.net/orders");
    /// assert_eq!(
    ///     post.follow_redirect(StatusCode::FOUND, &from, &plain).err(),
    ///     Some(Blocked::MixedContent(plain))
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Blocked::MixedContent`] when the page may not fetch `to`.
    pub fn follow_redirect(
        &self,
        status: StatusCode,
        from: &Uri,
        to: &Uri,
    ) -> Result<Self, Blocked> {
        self.check_mixed_content(to)?;
        let mut next = self.clone();
        let to_get = match status.as_u16() {
            301 | 302 => self.method == Method::POST,
            303 => self.method != Method::GET && self.method != Method::HEAD,
            _ => false,
        };
        if to_get {
            next.method = Method::GET;
            next.headers.retain(|(name, _)| {
                !matches!(
                    name.as_str(),
                    "content-encoding" | "content-language" | "content-location" | "content-type"
                )
            });
        }
        if !same_origin(from, to) {
            next.headers.retain(|(name, _)| name != AUTHORIZATION);
            let from_page = origin_url(&self.page).is_some_and(|page| same_origin(&page, from));
            if !from_page {
                next.origin = HeaderValue::from_static("null");
            }
        }
        next.uri = to
            .path_and_query()
            .and_then(|path| Uri::try_from(path.as_str()).ok())
            .unwrap_or_else(|| Uri::from_static("/"));
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(origin: &str) -> BrowserRequest {
        BrowserRequest::new(origin, Method::GET)
            .unwrap()
            .header("authorization", "Bearer secret")
            .unwrap()
    }

    fn follow(request: &BrowserRequest, from: &str, to: &str) -> Result<BrowserRequest, Blocked> {
        let (from, to) = (Uri::try_from(from).unwrap(), Uri::try_from(to).unwrap());
        request.follow_redirect(StatusCode::TEMPORARY_REDIRECT, &from, &to)
    }

    #[test]
    fn origins_compare_with_default_ports_and_any_case() {
        let page = request("https://app.example.com");
        let next = follow(
            &page,
            "https://API.example.com/a",
            "https://api.example.com:443/b",
        );
        assert_eq!(next.unwrap().unsafe_header_names(), ["authorization"]);
        // Another port is another origin.
        let next = follow(&page, "http://127.0.0.1:1/", "http://127.0.0.1:2/").unwrap();
        assert!(next.unsafe_header_names().is_empty());
        // From the page's own origin elsewhere: not tainted; back from there: tainted.
        let out = follow(
            &page,
            "https://app.example.com/",
            "https://api.example.com/",
        )
        .unwrap();
        assert_eq!(out.origin(), "https://app.example.com");
        let back = follow(&out, "https://api.example.com/", "https://app.example.com/").unwrap();
        assert_eq!(back.origin(), "null");
    }

    #[test]
    fn loopback_hosts_are_not_mixed_content() {
        let page = request("https://app.example.com");
        for url in [
            "http://localhost:8080/",
            "http://api.localhost/",
            "http://127.0.0.2/",
            "http://[::1]:8080/",
        ] {
            assert!(
                page.check_mixed_content(&Uri::try_from(url).unwrap())
                    .is_ok(),
                "{url}"
            );
        }
        for url in ["http://10.0.0.1/", "http://localhost.example/"] {
            let url = Uri::try_from(url).unwrap();
            assert!(page.check_mixed_content(&url).is_err(), "{url}");
        }
        // A tainted origin does not make the page insecure.
        let tainted = follow(&page, "https://a.example/", "https://b.example/").unwrap();
        assert_eq!(tainted.origin(), "null");
        assert!(follow(&tainted, "https://b.example/", "http://c.example/").is_err());
    }
}
