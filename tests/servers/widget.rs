//! The widget example's tenant database and its API over HTTP: what may be registered, that
//! rows written around the checks open nothing, that inserts and removals take effect with the
//! server running, and (ignored by default) the figures its documentation quotes.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN};
use http::StatusCode;
use tokio::net::TcpListener;
use tower_cors::{AllowOrigin, CorsLayer};

use crate::support::{client, header, preflight};

#[allow(dead_code)]
#[path = "../../examples/widget.rs"]
mod example;

use example::{normalise, open, register, unregister, POLL};

/// A widget API on a free port over a fresh database in `dir`.
async fn start(dir: &Path) -> example::Widget {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    example::start(listener, &dir.join("tenants.sqlite3"), POLL)
        .await
        .unwrap()
}

/// The status of a greeting from `origin`, and its `Access-Control-Allow-Origin`.
async fn greet(widget: &example::Widget, origin: &str) -> (StatusCode, Option<String>) {
    let response = client()
        .get(format!("http://{}/api/greeting", widget.addr))
        .header(ORIGIN, origin)
        .send()
        .await
        .unwrap();
    let allowed = header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN).map(str::to_owned);
    (response.status(), allowed)
}

/// Waits until a greeting from `origin` is allowed (or refused), at most 5 s; how long it took.
async fn until(widget: &example::Widget, origin: &str, allowed: bool) -> Duration {
    let start = Instant::now();
    loop {
        let (status, granted) = greet(widget, origin).await;
        if (status == StatusCode::OK && granted.as_deref() == Some(origin)) == allowed {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{origin} not {} after 5 s: {status}",
            if allowed { "allowed" } else { "refused" }
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[test]
fn origins_are_checked_and_normalised_when_registered() {
    for (input, stored) in [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example:443", "https://shop.example"),
        ("http://shop.example:80", "http://shop.example"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("https://shop.example:8443", "https://shop.example:8443"),
    ] {
        assert_eq!(normalise(input).as_deref(), Ok(stored), "{input}");
    }
    for refused in [
        "*",
        "null",
        "https://*.shop.example",
        "https://shop.example:*",
        "https://shop.example/",
        "https://shop.example/path",
        "shop.example",
        "ftp://shop.example",
        "https://user@shop.example",
        "https://shop .example",
        "",
    ] {
        assert!(normalise(refused).is_err(), "{refused:?} was accepted");
    }

    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("t.sqlite3")).unwrap();
    assert_eq!(
        register(&conn, "acme", "HTTPS://Shop.Example").unwrap(),
        "https://shop.example"
    );
    // Registering again is fine; another tenant cannot take it.
    register(&conn, "acme", "https://shop.example:443").unwrap();
    assert!(register(&conn, "globex", "https://shop.example").is_err());
    assert!(register(&conn, "globex", "https://*.example").is_err());
    assert!(unregister(&conn, "https://SHOP.example").unwrap());
    assert!(!unregister(&conn, "https://shop.example").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_written_around_the_checks_open_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let widget = start(dir.path()).await;
    let conn = open(&dir.path().join("tenants.sqlite3")).unwrap();
    // Written straight into the table: a pattern, a wildcard, an unnormalised origin; and one
    // good row, so that the reload is seen to happen.
    for origin in [
        "https://*.example",
        "*",
        "HTTPS://Caps.Example",
        "https://good.example",
    ] {
        conn.execute(
            "INSERT INTO tenant_origins (origin, tenant) VALUES (?1, 'mallory')",
            [origin],
        )
        .unwrap();
    }
    until(&widget, "https://good.example", true).await;
    for origin in [
        "https://sub.example",
        "https://any.example",
        "https://caps.example",
    ] {
        let (status, granted) = greet(&widget, origin).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(granted, None, "{origin}");
    }
    assert_eq!(widget.tenants.read().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inserts_and_removals_take_effect_with_the_server_running() {
    let dir = tempfile::tempdir().unwrap();
    let widget = start(dir.path()).await;
    let origin = "https://shop.acme.example";
    // Unregistered: refused before any handler runs, preflights included.
    assert_eq!(greet(&widget, origin).await, (StatusCode::FORBIDDEN, None));
    let addr = widget.addr;
    let refused = preflight(addr, "/api/messages", origin, "POST", Some("content-type")).await;
    assert_eq!(header(&refused, &ACCESS_CONTROL_ALLOW_ORIGIN), None);

    let admin = open(&dir.path().join("tenants.sqlite3")).unwrap();
    register(&admin, "acme", origin).unwrap();
    let took = until(&widget, origin, true).await;
    assert!(took < POLL * 5, "allowed after {took:?}");
    let allowed = preflight(addr, "/api/messages", origin, "POST", Some("content-type")).await;
    assert_eq!(header(&allowed, &ACCESS_CONTROL_ALLOW_ORIGIN), Some(origin));
    let body: serde_json::Value = client()
        .get(format!("http://{addr}/api/greeting"))
        .header(ORIGIN, origin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["tenant"], "acme");

    unregister(&admin, origin).unwrap();
    let took = until(&widget, origin, false).await;
    assert!(took < POLL * 5, "refused after {took:?}");
    assert_eq!(greet(&widget, origin).await, (StatusCode::FORBIDDEN, None));
}

/// The figures of the example's documentation:
/// `cargo test --release --test servers widget::measure -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run it in release mode"]
async fn measure() {
    let dir = tempfile::tempdir().unwrap();
    let widget = start(dir.path()).await;
    let admin = open(&dir.path().join("tenants.sqlite3")).unwrap();

    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    for i in 0..20u64 {
        let origin = format!("https://tenant{i}.example");
        // Out of step with the poll, as real changes are.
        tokio::time::sleep(Duration::from_millis(i * 37 % 100)).await;
        let inserted = Instant::now();
        register(&admin, "t", &origin).unwrap();
        until(&widget, &origin, true).await;
        allowed.push(inserted.elapsed());
        tokio::time::sleep(Duration::from_millis(i * 53 % 100)).await;
        let removed = Instant::now();
        unregister(&admin, &origin).unwrap();
        until(&widget, &origin, false).await;
        refused.push(removed.elapsed());
    }
    let show = |what: &str, times: &[Duration]| {
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        let max = times.iter().max().unwrap();
        println!("{what}: mean {mean:?}, max {max:?} over {}", times.len());
    };
    show("insert to allowed", &allowed);
    show("removal to refused", &refused);

    // A table of 10,000 tenants' origins.
    let tx = admin.unchecked_transaction().unwrap();
    for i in 0..10_000 {
        register(&tx, "t", &format!("https://shop{i}.example")).unwrap();
    }
    tx.commit().unwrap();
    let start = Instant::now();
    let rows = example::load(&admin).unwrap();
    let loaded = start.elapsed();
    let layer = example::policy(rows.keys()).build().unwrap();
    println!(
        "reload of {} origins: read and checked {loaded:?}, built {:?}",
        rows.len(),
        start.elapsed() - loaded
    );

    let request = http::Request::get("/")
        .header(ORIGIN, "https://shop9999.example")
        .body(())
        .unwrap();
    let n = 100_000;
    let start = Instant::now();
    for _ in 0..n {
        assert!(std::hint::black_box(&layer).decide(&request).is_allowed());
    }
    println!("decide against them: {:?} a request", start.elapsed() / n);
    let mut select = admin
        .prepare("SELECT tenant FROM tenant_origins WHERE origin = ?1")
        .unwrap();
    let start = Instant::now();
    for _ in 0..n {
        let tenant: String = select
            .query_row(["https://shop9999.example"], |row| row.get(0))
            .unwrap();
        std::hint::black_box(tenant);
    }
    println!("a SELECT per request: {:?}", start.elapsed() / n);
    drop(select);

    // The alternative: an async origin check that asks the table on the blocking pool.
    let shared = Arc::new(Mutex::new(admin));
    let asked = shared.clone();
    let layer = CorsLayer::builder()
        .allow_origin(AllowOrigin::async_predicate(move |origin, _| {
            let conn = asked.clone();
            async move {
                tokio::task::spawn_blocking(move || {
                    let conn = conn.lock().unwrap();
                    let mut select = conn
                        .prepare_cached("SELECT 1 FROM tenant_origins WHERE origin = ?1")
                        .unwrap();
                    select
                        .exists([origin.to_str().unwrap_or_default()])
                        .unwrap()
                })
                .await
                .unwrap()
            }
        }))
        .build()
        .unwrap();
    let (parts, ()) = request.into_parts();
    let n = 10_000;
    let start = Instant::now();
    for _ in 0..n {
        assert!(layer.decide_async(&parts).await.is_allowed());
    }
    println!(
        "an async check asking the table: {:?} a request",
        start.elapsed() / n
    );
}
