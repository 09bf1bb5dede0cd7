//! "Why do I get a CORS error?" — explains what a policy does with one cross-origin request.
//!
//! ```text
//! cargo run --features serde --example explain -- --config cors.toml \
//!     --origin https://app.example.com --method PUT --header x-custom --header content-type \
//!     [--credentials] [--private-network] [--path /items/1]
//! ```
//!
//! Prints whether the browser sends a preflight, the layer's decision and headers for the
//! preflight and the actual request, whether the browser lets the page read the response, and
//! for each refusal the configuration change that would allow it. It runs the library's
//! `CorsLayer::simulate`, which uses the layer's own evaluation.
//!
//! `--header NAME` or `--header NAME:VALUE`; without a value, `content-type` is taken as
//! `application/json` (the usual reason it needs a preflight) and other headers as `1`.
//!
//! Exit status: 0 when the browser allows the request, 1 when it blocks it, 2 on bad input
//! (arguments, configuration).

use std::process::ExitCode;

use http::{HeaderMap, Method, Request, Uri};
use tower_cors::{BrowserRequest, CorsConfig, Exchange, Simulation};

const USAGE: &str = "usage: explain --config FILE --origin ORIGIN [--method METHOD] \
[--header NAME[:VALUE]]... [--credentials] [--private-network] [--path PATH]";

struct Args {
    config: String,
    origin: String,
    method: String,
    headers: Vec<(String, String)>,
    credentials: bool,
    private_network: bool,
    path: String,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut config = None;
    let mut origin = None;
    let mut method = "GET".to_owned();
    let mut headers = Vec::new();
    let mut credentials = false;
    let mut private_network = false;
    let mut path = "/".to_owned();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--config" => config = Some(value("--config")?),
            "--origin" => origin = Some(value("--origin")?),
            "--method" => method = value("--method")?,
            "--path" => path = value("--path")?,
            "--header" => {
                let header = value("--header")?;
                let (name, value) = match header.split_once(':') {
                    Some((name, value)) => (name.trim().to_owned(), value.trim().to_owned()),
                    None if header.eq_ignore_ascii_case("content-type") => {
                        (header, "application/json".to_owned())
                    }
                    None => (header, "1".to_owned()),
                };
                headers.push((name, value));
            }
            "--credentials" => credentials = true,
            "--private-network" => private_network = true,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        config: config.ok_or("--config is required")?,
        origin: origin.ok_or("--origin is required")?,
        method,
        headers,
        credentials,
        private_network,
        path,
    })
}

fn print_request(request: &Request<()>) {
    println!("    {} {}", request.method(), request.uri());
    print_headers(request.headers());
}

fn print_headers(headers: &HeaderMap) {
    for (name, value) in headers {
        println!("    {name}: {}", String::from_utf8_lossy(value.as_bytes()));
    }
}

fn print_exchange(exchange: &Exchange) {
    print_request(&exchange.request);
    println!("  layer: {}", exchange.decision);
    match exchange.status {
        Some(status) => println!("  answer from the layer: {status}"),
        None => println!("  answer from your service, with these headers added:"),
    }
    if exchange.headers.is_empty() {
        println!("    (no CORS headers)");
    } else {
        print_headers(&exchange.headers);
    }
}

fn report(args: &Args, request: &BrowserRequest, simulation: &Simulation) {
    println!(
        "Request: {} {} from {}{}",
        request.method(),
        args.path,
        args.origin,
        if args.credentials {
            " with credentials"
        } else {
            ""
        }
    );
    println!();
    match &simulation.preflight {
        Some(preflight) => {
            let names = request.unsafe_header_names();
            let mut why = Vec::new();
            if !matches!(request.method().as_str(), "GET" | "HEAD" | "POST") {
                why.push(format!(
                    "the method {} is not GET, HEAD or POST",
                    request.method()
                ));
            }
            if !names.is_empty() {
                why.push(format!(
                    "the header(s) {} are not CORS-safelisted",
                    names.join(", ")
                ));
            }
            if args.private_network {
                why.push("the server is on a more private network".to_owned());
            }
            println!("Preflight: needed ({})", why.join("; "));
            print_exchange(preflight);
        }
        None => println!(
            "Preflight: not needed (a simple request: GET, HEAD or POST with CORS-safelisted headers)"
        ),
    }
    println!();
    match &simulation.actual {
        Some(actual) => {
            println!("Actual request:");
            print_exchange(actual);
        }
        None => println!("Actual request: not sent, because the preflight failed"),
    }
    println!();
    match &simulation.blocked {
        None => println!("Browser: ALLOWED, the page can read the response"),
        Some(blocked) => println!("Browser: BLOCKED, {blocked}"),
    }
    if !simulation.fixes.is_empty() {
        println!();
        println!("To allow it:");
        for fix in &simulation.fixes {
            println!("  - {fix}");
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&args.config) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.config);
            return ExitCode::from(2);
        }
    };
    let layer = match toml::from_str::<CorsConfig>(&text)
        .map_err(|e| e.to_string())
        .and_then(|config| config.into_layer().map_err(|e| e.to_string()))
    {
        Ok(layer) => layer,
        Err(e) => {
            eprintln!("error: {}: {e}", args.config);
            return ExitCode::from(2);
        }
    };
    let request = (|| {
        let method = Method::from_bytes(args.method.as_bytes())
            .map_err(|_| format!("{:?} is not a valid method", args.method))?;
        let uri: Uri = args
            .path
            .parse()
            .map_err(|_| format!("{:?} is not a valid path", args.path))?;
        let mut request = BrowserRequest::new(&args.origin, method)
            .map_err(|e| e.to_string())?
            .credentials(args.credentials)
            .private_network(args.private_network)
            .uri(uri);
        for (name, value) in &args.headers {
            request = request.header(name, value).map_err(|e| e.to_string())?;
        }
        Ok::<_, String>(request)
    })();
    let request = match request {
        Ok(request) => request,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let simulation = layer.simulate(&request);
    report(&args, &request, &simulation);
    if simulation.is_allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
