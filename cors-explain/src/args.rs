//! The command line: flags, their values, and the request they describe.

use std::path::PathBuf;
use std::time::Duration;

use http::{Method, Uri};
use tower_cors::BrowserRequest;
use url::Url;

/// What the request is tried against.
pub(crate) enum Target {
    /// A policy file, in a dry run of the layer.
    Config(PathBuf),
    /// A live server.
    Url(Url),
    /// A policy file, in a dry run of a WebSocket handshake to a `ws://` or `wss://` URL.
    WebSocketConfig(PathBuf, Url),
}

/// Whether `url` is a WebSocket URL.
pub(crate) fn is_websocket(url: &Url) -> bool {
    matches!(url.scheme(), "ws" | "wss")
}

/// A parsed command line.
pub(crate) struct Args {
    pub(crate) target: Target,
    pub(crate) origin: String,
    pub(crate) method: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    /// The path of a dry run (`--config`); a probe takes it from the URL.
    pub(crate) path: String,
    pub(crate) timeout: Duration,
    pub(crate) cacert: Option<PathBuf>,
}

/// Parses the command line; `Ok(None)` asks for the help text.
pub(crate) fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut config = None;
    let mut url = None;
    let mut origin = None;
    let mut method = "GET".to_owned();
    let mut headers = Vec::new();
    let mut credentials = false;
    let mut private_network = false;
    let mut path = None;
    let mut timeout = None;
    let mut cacert = None;
    while let Some(arg) = args.next() {
        // `--flag value` or `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--config" => config = Some(PathBuf::from(value("--config")?)),
            "--url" => url = Some(value("--url")?),
            "--origin" => origin = Some(value("--origin")?),
            "--method" => method = value("--method")?,
            "--path" => path = Some(value("--path")?),
            "--header" => headers.push(split_header(&value("--header")?)),
            "--credentials" if inline.is_none() => credentials = true,
            "--private-network" if inline.is_none() => private_network = true,
            "--timeout" => timeout = Some(parse_timeout(&value("--timeout")?)?),
            "--cacert" => cacert = Some(PathBuf::from(value("--cacert")?)),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let origin = origin.ok_or("--origin is required")?;
    let url = url.map(|url| parse_url(&url)).transpose()?;
    if let Some(url) = url.as_ref().filter(|url| is_websocket(url)) {
        check_websocket(url, &method, &headers, credentials, private_network)?;
    }
    let target = match (config, url) {
        (Some(config), None) => {
            if timeout.is_some() || cacert.is_some() {
                return Err("--timeout and --cacert go with --url, not --config".to_owned());
            }
            Target::Config(config)
        }
        (Some(config), Some(url)) if is_websocket(&url) => {
            if timeout.is_some() || cacert.is_some() || path.is_some() {
                return Err(
                    "--timeout, --cacert and --path do not go with --config and a \
                            ws:// URL: nothing is sent, and the path is in the URL"
                        .into(),
                );
            }
            Target::WebSocketConfig(config, url)
        }
        (None, Some(url)) => {
            if path.is_some() {
                return Err("--path goes with --config; with --url, the path is in the URL".into());
            }
            if private_network {
                return Err(
                    "--private-network goes with --config: Chrome no longer sends \
                     Private Network Access preflights (it asks the user instead)"
                        .into(),
                );
            }
            Target::Url(url)
        }
        (Some(_), Some(_)) => {
            return Err(
                "give either --config or --url, not both (with --config, --url takes \
                        only a ws:// or wss:// URL, for the dry run of a WebSocket handshake)"
                    .into(),
            )
        }
        (None, None) => return Err("--config FILE or --url URL is required".into()),
    };
    if matches!(target, Target::Url(_) | Target::WebSocketConfig(..)) {
        check_origin(&origin)?;
    }
    Ok(Some(Args {
        target,
        origin,
        method,
        headers,
        credentials,
        private_network,
        path: path.unwrap_or_else(|| "/".to_owned()),
        timeout: timeout.unwrap_or(Duration::from_secs(10)),
        cacert,
    }))
}

/// `NAME` or `NAME:VALUE`. Without a value, `content-type` is `application/json` (the usual
/// reason it needs a preflight) and any other header `1`.
fn split_header(header: &str) -> (String, String) {
    match header.split_once(':') {
        Some((name, value)) => (name.trim().to_owned(), value.trim().to_owned()),
        None if header.trim().eq_ignore_ascii_case("content-type") => {
            (header.trim().to_owned(), "application/json".to_owned())
        }
        None => (header.trim().to_owned(), "1".to_owned()),
    }
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs > 0.0 && *secs <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("--timeout {text:?} is not a number of seconds above 0"))
}

fn parse_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("--url {text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
        return Err(format!(
            "--url {text:?} is not an http://, https://, ws:// or wss:// URL"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "--url {text:?} has credentials in it, which fetch refuses"
        ));
    }
    Ok(url)
}

/// A page opens a WebSocket with `new WebSocket(url)`: a `GET` whose headers it cannot set.
fn check_websocket(
    url: &Url,
    method: &str,
    headers: &[(String, String)],
    credentials: bool,
    private_network: bool,
) -> Result<(), String> {
    let (flag, why) = if !method.eq_ignore_ascii_case("GET") {
        ("--method", "the handshake is always a GET")
    } else if !headers.is_empty() {
        ("--header", "a page cannot set the handshake's headers")
    } else if credentials {
        (
            "--credentials",
            "the handshake carries the cookies the browser holds for the server, as far as \
             SameSite allows",
        )
    } else if private_network {
        ("--private-network", "a WebSocket has no preflight")
    } else {
        return Ok(());
    };
    Err(format!(
        "{flag} does not apply to a WebSocket ({url} is one): {why}"
    ))
}

/// A probe needs the origin as a browser serialises it, to tell same-origin from
/// cross-origin URLs.
fn check_origin(origin: &str) -> Result<(), String> {
    if origin == "null" {
        return Ok(());
    }
    let serialized = Url::parse(origin)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .map(|url| url.origin().ascii_serialization());
    match serialized {
        Some(canonical) if canonical == origin => Ok(()),
        Some(canonical) => Err(format!(
            "--origin {origin:?} is not an origin as a browser sends it; did you mean {canonical:?}?"
        )),
        None => Err(format!(
            "--origin {origin:?} is not an origin (scheme://host[:port], or null)"
        )),
    }
}

impl Args {
    /// The request the page's script makes, to `path`.
    pub(crate) fn browser_request(&self, path: &str) -> Result<BrowserRequest, String> {
        let method = Method::from_bytes(self.method.as_bytes())
            .map_err(|_| format!("{:?} is not a valid method", self.method))?;
        let uri: Uri = path
            .parse()
            .map_err(|_| format!("{path:?} is not a valid path"))?;
        let mut request = BrowserRequest::new(&self.origin, method)
            .map_err(|e| e.to_string())?
            .credentials(self.credentials)
            .private_network(self.private_network)
            .uri(uri);
        for (name, value) in &self.headers {
            request = request.header(name, value).map_err(|e| e.to_string())?;
        }
        Ok(request)
    }
}
