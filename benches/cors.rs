//! tower-cors next to tower-http's `CorsLayer` and the bare inner service.
//!
//! Each group is one request shape (or one policy size) with four functions: `none` (the
//! inner service alone), `floor` (the inner service plus the least work any layer must do to
//! send the same headers as tower-cors), `tower-cors` and `tower-http`. The services and
//! requests are defined in `benches/cases/mod.rs`. Each iteration serves a copy of a prepared
//! request, made outside the timed part; responses are dropped outside it too.
//!
//! ```text
//! cargo bench --bench cors -- --warm-up-time 1 --measurement-time 3
//! ```

#![allow(missing_docs)] // criterion_group! makes undocumented public functions

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};

mod cases;

use cases::{clone_request, noop_waker, serve, Case};

/// Requests served per timed batch. Small enough that a batch of prepared requests stays in
/// cache, as a request a server has just parsed does; large enough that reading the clock
/// costs under a nanosecond per request.
const BATCH: BatchSize = BatchSize::NumIterations(64);

fn run(c: &mut Criterion, case: Case) {
    let Case {
        name,
        request,
        mut contenders,
        ..
    } = case;
    let waker = noop_waker();
    let mut group = c.benchmark_group(name);
    group.bench_function("none", |b| {
        b.iter_batched(
            || clone_request(&request),
            |request| serve(&mut contenders.none, black_box(request), &waker),
            BATCH,
        )
    });
    group.bench_function("floor", |b| {
        b.iter_batched(
            || clone_request(&request),
            |request| serve(&mut contenders.floor, black_box(request), &waker),
            BATCH,
        )
    });
    group.bench_function("tower-cors", |b| {
        b.iter_batched(
            || clone_request(&request),
            |request| serve(&mut contenders.tower_cors, black_box(request), &waker),
            BATCH,
        )
    });
    group.bench_function("tower-http", |b| {
        b.iter_batched(
            || clone_request(&request),
            |request| serve(&mut contenders.tower_http, black_box(request), &waker),
            BATCH,
        )
    });
    group.finish();
}

fn requests(c: &mut Criterion) {
    for case in cases::request_cases() {
        run(c, case);
    }
}

fn scaling(c: &mut Criterion) {
    for case in cases::scaling_cases() {
        run(c, case);
    }
}

fn sets(c: &mut Criterion) {
    for case in cases::set_cases() {
        run(c, case);
    }
}

criterion_group!(benches, requests, scaling, sets);
criterion_main!(benches);
