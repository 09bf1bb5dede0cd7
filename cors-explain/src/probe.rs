//! `--url URL`: the requests a browser would send to a live server, judged by the browser's
//! checks from the library (`BrowserRequest::check_preflight`, `check_response`), with
//! redirects followed as `fetch` follows them.

use http::{HeaderMap, Request, StatusCode, Uri};
use tower_cors::{Blocked, BrowserRequest};
use url::{Position, Url};

use crate::args::Args;
use crate::report::{
    duration, preflight_reasons, print_answer_line, print_cors_headers, print_headers,
    print_request_line, server_fixes, Stage, NO_PREFLIGHT,
};
use crate::transport::{Answer, Client};
use crate::{Failure, Verdict};

/// The most redirects `fetch` follows.
const MAX_REDIRECTS: usize = 20;

pub(crate) fn run(args: &Args, url: &Url) -> Result<Verdict, Failure> {
    let client = Client::new(args.cacert.as_deref(), args.timeout)?;
    let request = args.browser_request(path_of(url)).map_err(Failure)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the runtime: {e}")))?;
    let mut probe = Probe {
        args,
        client,
        notes: Vec::new(),
    };
    let outcome = runtime.block_on(probe.run(url.clone(), request));
    for note in &probe.notes {
        println!();
        println!("{note}");
    }
    outcome
}

fn path_of(url: &Url) -> &str {
    &url[Position::BeforePath..Position::AfterQuery]
}

/// The URL as the library takes it: without its fragment, which is never sent.
pub(crate) fn uri_of(url: &Url) -> Result<Uri, Failure> {
    url[..Position::AfterQuery]
        .parse()
        .map_err(|_| Failure(format!("{url} is not a URL hyper can send")))
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Why the browser stops: a failed check on an answer, or a redirect it refuses to follow.
enum Stop {
    Check(Blocked, Stage, StatusCode, HeaderMap),
    Redirect(Refused),
}

/// A redirect `fetch` refuses to follow, and what the server must do instead.
struct Refused {
    reason: String,
    fix: String,
}

struct Probe<'a> {
    args: &'a Args,
    client: Client,
    notes: Vec<String>,
}

impl Probe<'_> {
    async fn run(&mut self, mut url: Url, mut request: BrowserRequest) -> Result<Verdict, Failure> {
        print_request_line(&request, url.as_str(), &self.args.origin);
        if origin_of(&url) == self.args.origin {
            println!(
                "Same origin: the page and {url} share the origin {}, so the browser makes a \
                 plain same-origin request and applies no CORS check.",
                self.args.origin
            );
            return Ok(Verdict::Allowed);
        }
        if let Err(blocked) = request.check_mixed_content(&uri_of(&url)?) {
            let fix = "the page must reach the server at an https:// URL".to_owned();
            let reason = blocked.to_string();
            return Ok(self.conclude(Stop::Redirect(Refused { reason, fix }), &request));
        }
        let mut redirects = 0;
        let stop = loop {
            match request.preflight_request() {
                Some(preflight) => {
                    println!("Preflight: needed ({})", preflight_reasons(&request, false));
                    let answer = self.exchange(&url, preflight).await?;
                    if let Err(blocked) = request.check_preflight(answer.status, &answer.headers) {
                        println!("  browser: the preflight fails: {blocked}");
                        println!();
                        println!("Actual request: not sent, because the preflight failed");
                        break Stop::Check(
                            blocked,
                            Stage::Preflight,
                            answer.status,
                            answer.headers,
                        );
                    }
                    let (chromium, firefox) = request.preflight_reuse(&answer.headers);
                    println!(
                        "  browser: the preflight passes; its answer is reused for {} in \
                         Chromium, {} in Firefox",
                        duration(chromium),
                        duration(firefox)
                    );
                }
                None if redirects == 0 => println!("{NO_PREFLIGHT}"),
                None => println!("Preflight: not needed"),
            }
            println!();
            println!("Actual request:");
            let answer = self.exchange(&url, request.actual_request()).await?;
            let location = answer
                .status
                .is_redirection()
                .then(|| answer.headers.get(http::header::LOCATION))
                .flatten()
                .filter(|_| matches!(answer.status.as_u16(), 301 | 302 | 303 | 307 | 308));
            let Some(location) = location else {
                if let Err(blocked) = request.check_response(&answer.headers) {
                    break Stop::Check(blocked, Stage::Response, answer.status, answer.headers);
                }
                println!();
                println!("Browser: ALLOWED, the page can read the response");
                println!(
                    "Response headers the script can read: {} (any other reads as null)",
                    request.readable_headers(&answer.headers).join(", ")
                );
                return Ok(Verdict::Allowed);
            };
            // The redirect itself must pass the CORS check before it is followed.
            if let Err(blocked) = request.check_response(&answer.headers) {
                println!("  browser: the redirect is not followed: {blocked}");
                break Stop::Check(blocked, Stage::Redirect, answer.status, answer.headers);
            }
            let next = match next_url(&url, location.as_bytes(), redirects) {
                Ok(next) => next,
                Err(refused) => break Stop::Redirect(refused),
            };
            redirects += 1;
            let following =
                match request.follow_redirect(answer.status, &uri_of(&url)?, &uri_of(&next)?) {
                    Ok(following) => following,
                    Err(blocked) => {
                        println!("  browser: the redirect to {next} is not followed");
                        break Stop::Redirect(Refused {
                            reason: blocked.to_string(),
                            fix: "the redirect must go to an https:// URL".to_owned(),
                        });
                    }
                };
            let mut how = format!("{} {next}", following.method());
            if following.method() != request.method() {
                how.push_str(&format!(
                    " ({} turns {} into GET, without the body and its headers)",
                    answer.status.as_u16(),
                    request.method()
                ));
            }
            println!("  browser: the redirect passes the CORS check; following it");
            println!();
            print!("Redirect {redirects}: {how}");
            if following.origin() != request.origin() {
                print!(" (to another origin: from now on the browser sends Origin: null)");
            }
            println!();
            let has_authorization = |request: &BrowserRequest| {
                request
                    .actual_request()
                    .headers()
                    .contains_key(http::header::AUTHORIZATION)
            };
            if has_authorization(&request) && !has_authorization(&following) {
                println!(
                    "  browser: removes the Authorization header, since the redirect goes to \
                     another origin"
                );
            }
            request = following;
            url = next;
        };
        Ok(self.conclude(stop, &request))
    }

    /// Prints why the browser blocks the request and what the server must change.
    fn conclude(&self, stop: Stop, request: &BrowserRequest) -> Verdict {
        println!();
        let mut refused_whole = false;
        let fixes = match stop {
            Stop::Check(blocked, stage, status, headers) => {
                println!("Browser: BLOCKED, {blocked}");
                // `null` from a redirect, or the page's own (sandboxed iframes, data: pages).
                let tainted = request.origin() == "null" && self.args.origin != "null";
                let answer = (status, &headers);
                let fixes = server_fixes(&blocked, stage, request, answer, tainted);
                refused_whole = matches!(stage, Stage::Preflight)
                    && fixes.len() > 1
                    && !headers
                        .keys()
                        .any(|name| name.as_str().starts_with("access-control-"));
                fixes
            }
            Stop::Redirect(Refused { reason, fix }) => {
                println!("Browser: BLOCKED, {reason}");
                vec![fix]
            }
        };
        println!();
        println!("What the server must change:");
        for fix in fixes {
            println!("  - {fix}");
        }
        if refused_whole {
            println!(
                "  The preflight answer has no Access-Control-* header at all. Servers that refuse \
                 one part of a preflight often grant none of it, so the list is everything a \
                 passing answer carries; what this server refused is among it."
            );
        }
        Verdict::Blocked
    }

    /// Sends one request and prints it and the answer.
    async fn exchange(&mut self, url: &Url, request: Request<()>) -> Result<Answer, Failure> {
        println!("    {} {url}", request.method());
        print_headers(request.headers());
        let answer = self.client.send(url, request).await?;
        print_answer_line(answer.status, answer.version, answer.peer);
        print_cors_headers(&answer.headers);
        if let Some(note) = local_network_note(&self.args.origin, answer.peer.ip()) {
            if !self.notes.contains(&note) {
                self.notes.push(note);
            }
        }
        Ok(answer)
    }
}

/// The Local Network Access note for a page on `origin` reaching a server at `peer`.
pub(crate) fn local_network_note(origin: &str, peer: std::net::IpAddr) -> Option<String> {
    BrowserRequest::new(origin, http::Method::GET)
        .ok()
        .and_then(|page| page.local_network_note(peer))
}

/// Where a redirect goes, unless `fetch` refuses to follow it.
fn next_url(url: &Url, location: &[u8], redirects: usize) -> Result<Url, Refused> {
    let shown = crate::report::printable(location);
    if redirects == MAX_REDIRECTS {
        return Err(Refused {
            reason: format!("more than {MAX_REDIRECTS} redirects"),
            fix: "the redirects must end: this one is the 21st".to_owned(),
        });
    }
    let next = std::str::from_utf8(location)
        .ok()
        .and_then(|text| url.join(text).ok())
        .ok_or_else(|| Refused {
            reason: format!("the redirect's Location \"{shown}\" is not a valid URL"),
            fix: "the redirect must carry a valid Location".to_owned(),
        })?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(Refused {
            reason: format!("the redirect goes to {next}, which is not http(s)"),
            fix: "the redirect must go to an http:// or https:// URL".to_owned(),
        });
    }
    if !next.username().is_empty() || next.password().is_some() {
        return Err(Refused {
            reason: format!("the redirect goes to {next}, a URL with credentials in it"),
            fix: "the redirect must go to a URL without user name or password".to_owned(),
        });
    }
    Ok(next)
}
