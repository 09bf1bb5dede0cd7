//! `cors-explain`: why a browser allows or blocks a cross-origin request.
//!
//! Two modes:
//!
//! - `--url URL` sends the requests a browser would send to a live server (any server, over
//!   HTTP/1.1 or HTTP/2, `http://` or `https://`): the preflight when the request needs one,
//!   then the actual request, following redirects as `fetch` does. It applies the browser's
//!   CORS checks to the real answers with the library's `BrowserRequest::check_preflight` and
//!   `check_response`, and says what the server must change.
//! - `--config FILE` is a dry run of a tower-cors policy file: `CorsLayer::simulate`, with the
//!   configuration change that would allow the request.
//!
//! With a `ws://` or `wss://` URL, the request is a WebSocket handshake: `--url` sends it to
//! the server, `--config FILE --url` is its dry run. Browsers apply no CORS check to it; the
//! server decides by the `Origin` alone.
//!
//! Exit status: 0 when the browser allows the request (or opens the WebSocket), 1 when it blocks it, 2 on bad input, a
//! timeout or an unreachable server.
//!
//! Installed with `cargo install --path cors-explain` at the top of the repository.

use std::process::ExitCode;

mod args;
mod dry_run;
mod probe;
mod report;
mod transport;
mod websocket;

const USAGE: &str = "\
usage: cors-explain --url URL --origin ORIGIN [OPTIONS]
       cors-explain --config FILE --origin ORIGIN [OPTIONS]
       cors-explain [--config FILE] --url ws[s]://HOST/PATH --origin ORIGIN [OPTIONS]

Tells whether a browser lets a page on ORIGIN read the answer to a cross-origin request,
and what to change when it does not. With a ws:// or wss:// URL, whether the server accepts a
WebSocket handshake from ORIGIN (browsers apply no CORS check to WebSockets: the server decides
by the Origin alone).

  --url URL             probe a live server: send the preflight (when needed) and the actual
                        request as a browser would, and check the real answers; redirects
                        are followed as fetch follows them. The actual request is really
                        sent (without a body): a DELETE deletes. With ws:// or wss://,
                        send the WebSocket handshake (redirects are not followed, as in
                        browsers)
  --config FILE         dry run of a tower-cors policy (TOML, see tower_cors::CorsConfig);
                        with --url ws[s]://..., of a WebSocket handshake to that URL
                        (nothing is sent)
  --origin ORIGIN       the page's origin, e.g. https://app.example.com (required)
  --method METHOD       the request's method (default GET)
  --header NAME[:VALUE] a header the script sets, repeatable; without a value content-type
                        is application/json and other headers are 1
  --credentials         credentials: \"include\" (cookies, HTTP authentication)
  --timeout SECS        with --url: time limit for each request (default 10)
  --cacert FILE         with --url: also trust the CA certificates in this PEM file
  --path PATH           with --config: the request's path and query (default /)
  --private-network     with --config: the page is on a less private network (Private
                        Network Access preflight)
  -h, --help            print this help

Exit status: 0 allowed (WebSocket accepted), 1 blocked, 2 bad input, timeout or unreachable server.";

/// What the browser concludes.
pub(crate) enum Verdict {
    Allowed,
    Blocked,
}

/// Why the tool could not answer: bad input, or a server it could not talk to.
pub(crate) struct Failure(pub(crate) String);

fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("cors-explain: {message} (see cors-explain --help)");
            return ExitCode::from(2);
        }
    };
    let outcome = match &args.target {
        args::Target::Config(path) => dry_run::run(&args, path),
        args::Target::WebSocketConfig(path, url) => websocket::dry_run(&args, path, url),
        args::Target::Url(url) if args::is_websocket(url) => websocket::probe(&args, url),
        args::Target::Url(url) => probe::run(&args, url),
    };
    match outcome {
        Ok(Verdict::Allowed) => ExitCode::SUCCESS,
        Ok(Verdict::Blocked) => ExitCode::from(1),
        Err(Failure(message)) => {
            // Error messages can quote what a server sent (a certificate's names, a header).
            eprintln!("cors-explain: {}", report::printable(message.as_bytes()));
            ExitCode::from(2)
        }
    }
}
