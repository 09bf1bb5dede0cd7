//! Arbitrary request heads through the whole service, for several policies.
#![no_main]

mod common;

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use http::header::VARY;
use http::{Request, Response};
use libfuzzer_sys::fuzz_target;
use tower_cors::CorsLayer;
use tower_layer::Layer;
use tower_service::Service;

/// An inner service that answers at once, echoing the request's `Vary` lines (so the fuzzer
/// controls what the layer merges into).
#[derive(Clone)]
struct Inner;

impl Service<Request<()>> for Inner {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<()>) -> Self::Future {
        let mut response = Response::new(());
        for v in request.headers().get_all(VARY) {
            response.headers_mut().append(VARY, v.clone());
        }
        ready(Ok(response))
    }
}

fn policies() -> &'static [(CorsLayer, bool)] {
    static POLICIES: OnceLock<Vec<(CorsLayer, bool)>> = OnceLock::new();
    POLICIES.get_or_init(common::policies)
}

fuzz_target!(|data: &[u8]| {
    let Some(request) = common::request_from(data) else {
        return;
    };
    for (layer, credentials) in policies() {
        let decision = layer.decide(&request);
        let (_, dry_run) = layer.headers_for(&request);
        common::check(&request, &dry_run, *credentials);

        let mut service = layer.layer(Inner);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(service.poll_ready(&mut cx).is_ready());
        let future = pin!(service.call(request.clone()));
        let Poll::Ready(Ok(response)) = future.poll(&mut cx) else {
            panic!("a synchronous policy answers at once");
        };
        common::check(&request, response.headers(), *credentials);
        assert_eq!(
            decision.is_allowed(),
            response
                .headers()
                .contains_key(http::header::ACCESS_CONTROL_ALLOW_ORIGIN)
                || decision.kind() == tower_cors::RequestKind::NotCors,
            "decision and headers disagree: {decision}"
        );
    }
});
