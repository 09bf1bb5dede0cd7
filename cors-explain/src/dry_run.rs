//! `--config FILE`: a dry run of the layer built from a policy file, with
//! `CorsLayer::simulate` (the layer's own evaluation, and the browser's checks).

use std::path::Path;

use http::Request;
use tower_cors::{CorsConfig, CorsLayer, Exchange, Simulation};

use crate::args::Args;
use crate::report::{duration, preflight_reasons, print_headers, print_request_line, NO_PREFLIGHT};
use crate::{Failure, Verdict};

/// Reads, parses and validates the policy file.
pub(crate) fn load(path: &Path) -> Result<CorsLayer, Failure> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| Failure(format!("cannot read {shown}: {e}")))?;
    toml::from_str::<CorsConfig>(&text)
        .map_err(|e| e.to_string())
        .and_then(|config| config.into_layer().map_err(|e| e.to_string()))
        .map_err(|e| Failure(format!("{shown}: {}", e.trim_end())))
}

pub(crate) fn run(args: &Args, config: &Path) -> Result<Verdict, Failure> {
    let layer = load(config)?;
    let request = args.browser_request(&args.path).map_err(Failure)?;
    let simulation = layer.simulate(&request);
    report(args, &request, &simulation);
    print_warnings(&layer);
    Ok(if simulation.is_allowed() {
        Verdict::Allowed
    } else {
        Verdict::Blocked
    })
}

/// The policy's warnings, if it has any.
pub(crate) fn print_warnings(layer: &CorsLayer) {
    let warnings = layer.warnings();
    if !warnings.is_empty() {
        println!();
        println!("Policy warnings (settings no browser honours, or that are usually mistakes):");
        for warning in warnings {
            println!("  - {warning}");
        }
    }
}

pub(crate) fn print_request(request: &Request<()>) {
    println!("    {} {}", request.method(), request.uri());
    print_headers(request.headers());
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

fn report(args: &Args, request: &tower_cors::BrowserRequest, simulation: &Simulation) {
    print_request_line(request, &args.path, &args.origin);
    match &simulation.preflight {
        Some(preflight) => {
            println!(
                "Preflight: needed ({})",
                preflight_reasons(request, args.private_network)
            );
            print_exchange(preflight);
        }
        None => println!("{NO_PREFLIGHT}"),
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
    if let Some((chromium, firefox)) = simulation.preflight_reuse() {
        println!(
            "Preflight answer reused for: {} in Chromium, {} in Firefox (Access-Control-Max-Age, \
             capped at 2 h and 24 h; 5 s without it)",
            duration(chromium),
            duration(firefox)
        );
    }
    if let Some(readable) = simulation.readable_headers() {
        println!(
            "Response headers the script can read: {} (any other reads as null)",
            readable.join(", ")
        );
    }
    print_notes_and_fixes(simulation);
}

/// A dry run's notes, each a paragraph, and the changes that would allow the request.
pub(crate) fn print_notes_and_fixes(simulation: &Simulation) {
    for note in &simulation.notes {
        println!();
        if note.starts_with("Note:") {
            println!("{note}");
        } else {
            println!("Note: {note}");
        }
    }
    if !simulation.fixes.is_empty() {
        println!();
        println!("To allow it:");
        for fix in &simulation.fixes {
            println!("  - {fix}");
        }
    }
}
