//! `tracing` events (feature `tracing`). One test in its own binary with a global subscriber,
//! so that no other test's subscriber shares tracing's per-callsite caches.
#![cfg(feature = "tracing")]

use std::convert::Infallible;
use std::io::Write;
use std::sync::{Arc, Mutex};

use http::header::HeaderValue;
use http::{Method, Request, Response};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::CorsLayer;

const APP: &str = "https://app.example.com";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn request(method: Method, headers: &[(&'static str, &'static str)]) -> Request<()> {
    let mut request = Request::builder()
        .method(method)
        .uri("/items")
        .body(())
        .unwrap();
    for (name, value) in headers {
        request
            .headers_mut()
            .append(*name, HeaderValue::from_static(value));
    }
    request
}

/// Sends the requests through the layer; returns the log lines they produced.
fn lines(buffer: &Buffer, layer: &CorsLayer, requests: Vec<Request<()>>) -> Vec<String> {
    buffer.0.lock().unwrap().clear();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for request in requests {
        let service = layer.clone().layer(service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new(()))
        }));
        runtime.block_on(service.oneshot(request)).unwrap();
    }
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    text.lines().map(str::to_owned).collect()
}

#[test]
fn decisions_are_traced() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods([Method::PUT])
        .build()
        .unwrap();

    // A denial: one DEBUG event with the request's CORS fields and the reason.
    let denied = lines(
        &buffer,
        &layer,
        vec![request(
            Method::OPTIONS,
            &[
                ("origin", APP),
                ("access-control-request-method", "DELETE"),
                ("access-control-request-headers", "x-a"),
            ],
        )],
    );
    assert_eq!(denied.len(), 1, "{denied:?}");
    for needle in [
        " DEBUG ",
        "tower_cors:",
        "CORS request denied",
        "origin=Some(\"https://app.example.com\")",
        "method=\"OPTIONS\"",
        "path=\"/items\"",
        "request_method=Some(\"DELETE\")",
        "request_headers=Some(\"x-a\")",
        "kind=Preflight",
        "reason=the method \"DELETE\" is not allowed",
    ] {
        assert!(
            denied[0].contains(needle),
            "{needle:?} missing in {}",
            denied[0]
        );
    }

    // A grant: one TRACE event. No Origin: nothing.
    let granted = lines(
        &buffer,
        &layer,
        vec![
            request(Method::GET, &[("origin", APP)]),
            request(Method::GET, &[]),
        ],
    );
    assert_eq!(granted.len(), 1, "{granted:?}");
    assert!(granted[0].contains(" TRACE ") && granted[0].contains("CORS request granted"));

    // The denial level is configurable.
    let loud = CorsLayer::builder()
        .allow_origins([APP])
        .denial_level(tracing::Level::WARN)
        .build()
        .unwrap();
    let warned = lines(
        &buffer,
        &loud,
        vec![request(Method::GET, &[("origin", "https://evil.example")])],
    );
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains(" WARN ") && warned[0].contains("the origin is not allowed"));

    // Report-only reports are INFO events.
    let report_only = layer.clone().with_report_only(
        CorsLayer::builder()
            .allow_origin("https://new.example.com")
            .build()
            .unwrap(),
        |_| {},
    );
    let reported = lines(
        &buffer,
        &report_only,
        vec![request(Method::GET, &[("origin", APP)])],
    );
    assert!(
        reported
            .iter()
            .any(|l| l.contains(" INFO ") && l.contains("report-only CORS policy would refuse")),
        "{reported:?}"
    );

    // Warnings are logged once each, when the layer is built.
    buffer.0.lock().unwrap().clear();
    let suspicious = CorsLayer::builder()
        .allow_origins([APP, "null"])
        .expose_headers(["set-cookie"])
        .build()
        .unwrap();
    let built = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let built: Vec<&str> = built.lines().collect();
    assert_eq!(built.len(), 2, "{built:?}");
    assert!(built[0].contains(" WARN ") && built[0].contains("allow_origins[1]: \"null\""));
    assert!(built[1].contains("expose_headers[0]: \"set-cookie\" is never exposed"));
    let served = lines(
        &buffer,
        &suspicious,
        vec![request(Method::GET, &[("origin", APP)])],
    );
    assert!(served.iter().all(|l| !l.contains(" WARN ")), "{served:?}");

    // Grant headers set by the inner service are removed, and the removal is an event.
    buffer.0.lock().unwrap().clear();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let stacked = layer.clone().layer(service_fn(|_req: Request<()>| async {
        let mut response = Response::new(());
        let headers = response.headers_mut();
        headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        headers.insert("access-control-max-age", HeaderValue::from_static("60"));
        Ok::<_, Infallible>(response)
    }));
    let response = runtime
        .block_on(stacked.oneshot(request(Method::GET, &[("origin", "https://evil.example")])))
        .unwrap();
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.lines().any(|l| l.contains(" DEBUG ")
            && l.contains("the inner service set CORS headers")
            && l.contains("removed=access-control-allow-origin, access-control-max-age")),
        "{text}"
    );

    #[cfg(feature = "watch")]
    watched_files_are_traced(&buffer);
}

/// A watched policy file: an INFO event per reload, an ERROR event naming the file and every
/// problem per refusal.
#[cfg(feature = "watch")]
fn watched_files_are_traced(buffer: &Buffer) {
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cors.toml");
    std::fs::write(&path, format!("allow_origins = [{APP:?}]\n")).unwrap();
    let (_layer, watcher) = CorsLayer::from_file_watched(&path).unwrap();
    let wait_for = |needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
            if let Some(line) = text.lines().find(|l| l.contains(needle)) {
                return line.to_owned();
            }
            assert!(Instant::now() < deadline, "no {needle:?} in {text}");
            std::thread::sleep(Duration::from_millis(10));
        }
    };

    buffer.0.lock().unwrap().clear();
    std::fs::write(&path, "allow_origins = [\"https://new.example.com\"]\n").unwrap();
    let reloaded = wait_for("reloaded the CORS policy");
    assert!(reloaded.contains(" INFO "), "{reloaded}");
    assert!(
        reloaded.contains(&format!("file={}", path.display())),
        "{reloaded}"
    );

    std::fs::write(
        &path,
        "allow_origins = [\"https://a.example/\"]\nallow_methods = [\"P UT\"]\n",
    )
    .unwrap();
    let refused = wait_for("refused the changed CORS policy file");
    for needle in [
        " ERROR ",
        "tower_cors:",
        &format!("file={}", path.display()),
        "kind=Config",
        "allow_origins[0]: \"https://a.example/\" has a trailing slash",
        "; allow_methods[0]: \"P UT\" is not a valid HTTP method",
        "the previous policy stays in force",
    ] {
        assert!(refused.contains(needle), "{needle:?} missing in {refused}");
    }
    assert_eq!(watcher.status().refusals(), 1);

    // The directory renamed away: the watch is lost, and that is an ERROR naming the file.
    let moved = dir.path().with_extension("moved");
    std::fs::rename(dir.path(), &moved).unwrap();
    let lost = wait_for("lost the watch of the CORS policy file");
    assert!(lost.contains(" ERROR "), "{lost}");
    assert!(lost.contains(&format!("file={}", path.display())), "{lost}");
    assert!(watcher.status().watch_error().is_some());
    drop(watcher);
    std::fs::remove_dir_all(&moved).unwrap();
}
