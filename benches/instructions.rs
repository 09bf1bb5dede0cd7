//! Instructions per request under callgrind, for the cases of `benches/cors.rs`.
//!
//! Wall time on a shared virtual machine moves by tens of nanoseconds between runs; the number
//! of instructions a request executes does not, so this benchmark is the one CI compares with
//! the baseline in `benches/instructions.baseline` (`scripts/instructions.sh`).
//!
//! Each benchmark is one contender serving one request (`poll_ready`, `call`, the response
//! future polled to completion), after a warm-up request. Building the policy, preparing the
//! request and dropping the response and the service happen outside the measured function.
//!
//! ```text
//! scripts/instructions.sh            # runs this under gungraun and compares with the baseline
//! cargo bench --bench instructions   # the same run, without the comparison (needs
//!                                    # valgrind and gungraun-runner)
//! ```

#![allow(missing_docs)] // library_benchmark_group! makes undocumented public items

use std::convert::Infallible;
use std::hint::black_box;
use std::task::Waker;

use gungraun::{
    library_benchmark, library_benchmark_group, main, Callgrind, LibraryBenchmarkConfig,
};
use http::{Request, Response};
use tower::Service;

mod cases;

use cases::{clone_request, noop_waker, serve, Body, Contenders};

/// One contender, ready to serve one copy of its case's request.
struct Prepared<S> {
    service: S,
    request: Request<Body>,
    /// The request the copy was made from. It outlives the measured function, so that the
    /// copy's header values and URI are shared, as in `benches/cors.rs`, and dropping the copy
    /// frees none of them.
    original: Request<Body>,
    waker: Waker,
}

/// The contender `pick` chooses for the case called `name`, warmed up by one request.
fn prepare<S, B>(name: &'static str, pick: impl FnOnce(Contenders) -> S) -> Prepared<S>
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible>,
{
    let case = cases::case(name);
    let mut service = pick(case.contenders);
    let waker = noop_waker();
    drop(serve(&mut service, clone_request(&case.request), &waker));
    Prepared {
        request: clone_request(&case.request),
        original: case.request,
        service,
        waker,
    }
}

/// Serves the prepared request.
///
/// Nothing is dropped or handed back: dropping the response or the service would be counted,
/// and returning them would count copies of them that depend on their types, which no server
/// makes. They are forgotten instead; the benchmark's process ends right after.
#[inline(always)]
fn run<S, B>(prepared: Prepared<S>)
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible>,
{
    let Prepared {
        mut service,
        request,
        original,
        waker,
    } = prepared;
    let response = serve(&mut service, black_box(request), &waker);
    black_box(&response);
    std::mem::forget((response, service, original, waker));
}

fn prepare_none(name: &'static str) -> Prepared<cases::Inner> {
    prepare(name, |c| c.none)
}

fn prepare_floor(name: &'static str) -> Prepared<cases::Floor> {
    prepare(name, |c| c.floor)
}

fn prepare_tower_cors(name: &'static str) -> Prepared<cases::TowerCors> {
    prepare(name, |c| c.tower_cors)
}

fn prepare_tower_http(name: &'static str) -> Prepared<cases::TowerHttp> {
    prepare(name, |c| c.tower_http)
}

// One benchmark function per contender, with one benchmark per case: the ids are the case
// names of `benches/cases/mod.rs`.

#[library_benchmark]
#[bench::get_allowed_origin(args = ("get_allowed_origin"), setup = prepare_none)]
#[bench::preflight(args = ("preflight"), setup = prepare_none)]
#[bench::preflight_mirrored_headers(args = ("preflight_mirrored_headers"), setup = prepare_none)]
#[bench::preflight_browser_headers(args = ("preflight_browser_headers"), setup = prepare_none)]
#[bench::get_no_origin(args = ("get_no_origin"), setup = prepare_none)]
#[bench::get_disallowed_origin(args = ("get_disallowed_origin"), setup = prepare_none)]
#[bench::origins_3(args = ("origins_3"), setup = prepare_none)]
#[bench::origins_1000(args = ("origins_1000"), setup = prepare_none)]
#[bench::origins_100000(args = ("origins_100000"), setup = prepare_none)]
#[bench::patterns_1(args = ("patterns_1"), setup = prepare_none)]
#[bench::patterns_1000(args = ("patterns_1000"), setup = prepare_none)]
fn none(prepared: Prepared<cases::Inner>) {
    run(prepared);
}

#[library_benchmark]
#[bench::get_allowed_origin(args = ("get_allowed_origin"), setup = prepare_floor)]
#[bench::preflight(args = ("preflight"), setup = prepare_floor)]
#[bench::preflight_mirrored_headers(args = ("preflight_mirrored_headers"), setup = prepare_floor)]
#[bench::preflight_browser_headers(args = ("preflight_browser_headers"), setup = prepare_floor)]
#[bench::get_no_origin(args = ("get_no_origin"), setup = prepare_floor)]
#[bench::get_disallowed_origin(args = ("get_disallowed_origin"), setup = prepare_floor)]
#[bench::origins_3(args = ("origins_3"), setup = prepare_floor)]
#[bench::origins_1000(args = ("origins_1000"), setup = prepare_floor)]
#[bench::origins_100000(args = ("origins_100000"), setup = prepare_floor)]
#[bench::patterns_1(args = ("patterns_1"), setup = prepare_floor)]
#[bench::patterns_1000(args = ("patterns_1000"), setup = prepare_floor)]
fn floor(prepared: Prepared<cases::Floor>) {
    run(prepared);
}

#[library_benchmark]
#[bench::get_allowed_origin(args = ("get_allowed_origin"), setup = prepare_tower_cors)]
#[bench::preflight(args = ("preflight"), setup = prepare_tower_cors)]
#[bench::preflight_mirrored_headers(args = ("preflight_mirrored_headers"), setup = prepare_tower_cors)]
#[bench::preflight_browser_headers(args = ("preflight_browser_headers"), setup = prepare_tower_cors)]
#[bench::get_no_origin(args = ("get_no_origin"), setup = prepare_tower_cors)]
#[bench::get_disallowed_origin(args = ("get_disallowed_origin"), setup = prepare_tower_cors)]
#[bench::origins_3(args = ("origins_3"), setup = prepare_tower_cors)]
#[bench::origins_1000(args = ("origins_1000"), setup = prepare_tower_cors)]
#[bench::origins_100000(args = ("origins_100000"), setup = prepare_tower_cors)]
#[bench::patterns_1(args = ("patterns_1"), setup = prepare_tower_cors)]
#[bench::patterns_1000(args = ("patterns_1000"), setup = prepare_tower_cors)]
fn tower_cors(prepared: Prepared<cases::TowerCors>) {
    run(prepared);
}

#[library_benchmark]
#[bench::get_allowed_origin(args = ("get_allowed_origin"), setup = prepare_tower_http)]
#[bench::preflight(args = ("preflight"), setup = prepare_tower_http)]
#[bench::preflight_mirrored_headers(args = ("preflight_mirrored_headers"), setup = prepare_tower_http)]
#[bench::preflight_browser_headers(args = ("preflight_browser_headers"), setup = prepare_tower_http)]
#[bench::get_no_origin(args = ("get_no_origin"), setup = prepare_tower_http)]
#[bench::get_disallowed_origin(args = ("get_disallowed_origin"), setup = prepare_tower_http)]
#[bench::origins_3(args = ("origins_3"), setup = prepare_tower_http)]
#[bench::origins_1000(args = ("origins_1000"), setup = prepare_tower_http)]
#[bench::origins_100000(args = ("origins_100000"), setup = prepare_tower_http)]
#[bench::patterns_1(args = ("patterns_1"), setup = prepare_tower_http)]
#[bench::patterns_1000(args = ("patterns_1000"), setup = prepare_tower_http)]
fn tower_http(prepared: Prepared<cases::TowerHttp>) {
    run(prepared);
}

library_benchmark_group!(
    name = contenders,
    benchmarks = [none, floor, tower_cors, tower_http]
);

main!(
    // Instructions are what is compared; without the cache simulation a run takes half as long.
    config = LibraryBenchmarkConfig::default()
        .tool(Callgrind::with_args(["--cache-sim=no"]))
        .env("GLIBC_TUNABLES", "glibc.malloc.tcache_count=65535"),
    library_benchmark_groups = contenders
);
