//! Heap allocations per request, counted by a global allocator (the one `allocation-counter`
//! installs, counting per thread) around `poll_ready` + `call` + polling the response future.
//!
//! The services and requests are the ones the benchmarks time (`benches/cases/mod.rs`). The
//! inner service's response carries one header (`Content-Type`), so its header map exists
//! with room for five more; the bare inner service makes 2 allocations per request (that
//! map's index and entry tables).
//!
//! tower-cors must add nothing to that, except for the preflights it answers itself, whose
//! response gets its own header map (2 allocations) while the inner service is not called.
//! Any new allocation on the request path makes these tests fail.
//!
//! `cargo test --test alloc -- --nocapture` also prints tower-http's counts.

use http::Request;
use tower::Layer;

#[path = "../benches/cases/mod.rs"]
mod cases;

use cases::{clone_request, noop_waker, serve, Body, Case, Contenders};

/// Allocations of the bare inner service per request: its response's header map.
const INNER: u64 = 2;

/// Allocations of a layer-made response: its header map, nothing else.
const OWN_RESPONSE: u64 = 2;

const RUNS: usize = 8;

/// Allocations per request of `service` serving copies of `request`, checked to be the same on
/// every run (after one warm-up request).
fn per_request<S, B>(service: &mut S, request: &Request<Body>) -> u64
where
    S: tower::Service<
        Request<Body>,
        Response = http::Response<B>,
        Error = std::convert::Infallible,
    >,
{
    let waker = noop_waker();
    drop(serve(service, clone_request(request), &waker));
    let mut counts = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let copy = clone_request(request);
        let info = allocation_counter::measure(|| {
            let response = serve(service, copy, &waker);
            drop(std::hint::black_box(response));
        });
        counts.push(info.count_total);
    }
    assert!(
        counts.windows(2).all(|w| w[0] == w[1]),
        "allocations vary between identical requests: {counts:?}"
    );
    counts[0]
}

/// (none, tower-cors, tower-http) allocations per request for a case.
fn measure(case: &mut Case) -> (u64, u64, u64) {
    let request = &case.request;
    let c = &mut case.contenders;
    (
        per_request(&mut c.none, request),
        per_request(&mut c.tower_cors, request),
        per_request(&mut c.tower_http, request),
    )
}

#[test]
fn the_counter_sees_allocations() {
    let info = allocation_counter::measure(|| {
        drop(std::hint::black_box(vec![1u8; 16]));
    });
    assert_eq!(
        info.count_total, 1,
        "the counting allocator is not installed"
    );
}

#[test]
fn the_inner_service_allocates_its_header_map_only() {
    let (none, _, _) = measure(&mut cases::case("get_no_origin"));
    assert_eq!(none, INNER);
}

#[test]
fn no_origin_adds_nothing() {
    let (none, cors, _) = measure(&mut cases::case("get_no_origin"));
    assert_eq!(cors, none);
}

#[test]
fn disallowed_origin_adds_nothing() {
    let (none, cors, _) = measure(&mut cases::case("get_disallowed_origin"));
    assert_eq!(cors, none);
}

#[test]
fn allowed_origin_adds_nothing() {
    let (none, cors, _) = measure(&mut cases::case("get_allowed_origin"));
    assert_eq!(cors, none);
}

#[test]
fn preflight_allocates_its_response_header_map_only() {
    let (_, cors, _) = measure(&mut cases::case("preflight"));
    assert_eq!(cors, OWN_RESPONSE);
    let (_, cors, _) = measure(&mut cases::case("preflight_mirrored_headers"));
    assert_eq!(cors, OWN_RESPONSE);
}

#[test]
fn policy_size_changes_nothing() {
    // Sets of policies too: choosing the policy allocates nothing.
    for mut case in cases::scaling_cases().into_iter().chain(cases::set_cases()) {
        let (none, cors, _) = measure(&mut case);
        assert_eq!(cors, none, "{}", case.name);
    }
}

#[test]
fn cloning_layers_and_services_allocates_nothing() {
    let layer = cases::tower_cors_layer(
        tower_cors::AllowOrigin::from_strs(cases::origins(1_000)),
        cases::Headers::Listed,
    );
    let service = layer.clone().layer(cases::inner());
    let info = allocation_counter::measure(|| {
        let layer = std::hint::black_box(layer.clone());
        let service = std::hint::black_box(service.clone());
        let wrapped = std::hint::black_box(layer.layer(cases::inner()));
        drop((layer, service, wrapped));
    });
    assert_eq!(info.count_total, 0);
}

#[test]
fn tower_cors_never_allocates_more_than_tower_http() {
    let mut cases = cases::request_cases();
    cases.extend(cases::scaling_cases());
    println!(
        "{:<28} {:>5} {:>11} {:>11}",
        "allocations per request", "none", "tower-cors", "tower-http"
    );
    for case in &mut cases {
        let (none, cors, http) = measure(case);
        println!("{:<28} {none:>5} {cors:>11} {http:>11}", case.name);
        assert!(
            cors <= http,
            "{}: tower-cors {cors}, tower-http {http}",
            case.name
        );
    }
}

#[test]
fn every_contender_is_measured_on_the_same_requests() {
    // The same request serves all three contenders, and each answers it.
    let mut contenders = Contenders::with_origins(3, cases::Headers::Listed);
    let request = cases::get(Some(&cases::listed_origin(3)));
    let waker = noop_waker();
    let none = serve(&mut contenders.none, clone_request(&request), &waker);
    let cors = serve(&mut contenders.tower_cors, clone_request(&request), &waker);
    let http = serve(&mut contenders.tower_http, clone_request(&request), &waker);
    let origin = http::header::ACCESS_CONTROL_ALLOW_ORIGIN;
    assert!(none.headers().get(&origin).is_none());
    assert_eq!(cors.headers()[&origin], "https://app2.example.com");
    assert_eq!(http.headers()[&origin], "https://app2.example.com");
}

#[test]
fn the_floor_sends_what_tower_cors_sends() {
    // The benchmarks' floor is only a fair lower bound if it produces the same answer.
    let waker = noop_waker();
    let mut cases = cases::request_cases();
    cases.extend(cases::scaling_cases());
    cases.extend(cases::set_cases());
    for case in &mut cases {
        let c = &mut case.contenders;
        let floor = serve(&mut c.floor, clone_request(&case.request), &waker);
        let cors = serve(&mut c.tower_cors, clone_request(&case.request), &waker);
        assert_eq!(floor.status(), cors.status(), "{}", case.name);
        let mut floor: Vec<_> = floor.headers().iter().collect();
        let mut cors: Vec<_> = cors.headers().iter().collect();
        floor.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        cors.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        assert_eq!(floor, cors, "{}", case.name);
    }
}
