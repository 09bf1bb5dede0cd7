//! A hyper HTTP/1.1 server on loopback for load tests: the inner service of the benchmarks,
//! bare or behind tower-cors or tower-http's `CorsLayer`, with the benchmarks' policy.
//!
//! ```text
//! cargo run --release --example load_server -- tower-cors 127.0.0.1:38080
//! ```
//!
//! The first argument is `none`, `tower-cors` or `tower-http`; the second the address to
//! listen on (port 0 picks a free one). The server runs on one thread (so that a load generator
//! on a second core does not compete with it) and prints `listening on ADDR` once it accepts
//! connections. After `--warmup N` requests (default 20,000) it times the next `--requests N`
//! (default 200,000), wall clock and its own CPU time, prints
//! `RESULT requests=N seconds=S cpu_seconds=C` and exits; it gives up after `--lifetime
//! SECONDS` (default 300). `scripts/load.sh` drives it with `wrk`.

use std::convert::Infallible;
use std::error::Error;
use std::future::{ready, Ready};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response};
use http_body_util::Full;
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::{service_fn, Layer, Service};

#[path = "../benches/cases/mod.rs"]
mod cases;

/// The benchmarks' inner service, taking hyper's request body.
fn answer(_request: Request<Incoming>) -> Ready<Result<Response<Full<Bytes>>, Infallible>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"hello, world")));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    ready(Ok(response))
}

/// Counts requests; marks when the warm-up is over and when the measured requests are in.
struct Meter {
    count: AtomicU64,
    warmup: u64,
    requests: u64,
    marks: Mutex<Marks>,
    finished: Notify,
}

#[derive(Default)]
struct Marks {
    start: Option<(Instant, Duration)>,
    end: Option<(Instant, Duration)>,
}

impl Meter {
    fn tick(&self) {
        let n = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        if n == self.warmup || n == self.warmup + self.requests {
            let now = (Instant::now(), cpu_time());
            let mut marks = self.marks.lock().unwrap_or_else(|e| e.into_inner());
            if n == self.warmup {
                marks.start = Some(now);
            } else {
                marks.end = Some(now);
                self.finished.notify_one();
            }
        }
    }
}

/// CPU time of this thread (the server's only one), from the scheduler's statistics.
fn cpu_time() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// A service that ticks the meter on every call.
#[derive(Clone)]
struct Metered<S> {
    inner: S,
    meter: Arc<Meter>,
}

impl<S, R> Service<R> for Metered<S>
where
    S: Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        self.meter.tick();
        self.inner.call(request)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let contender = args.next().unwrap_or_else(|| "none".to_owned());
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:0".to_owned())
        .parse()?;
    let mut lifetime = Duration::from_secs(300);
    let mut requests = 200_000;
    let mut warmup = 20_000;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--lifetime", Some(v)) => lifetime = Duration::from_secs(v.parse()?),
            ("--requests", Some(v)) => requests = v.parse()?,
            ("--warmup", Some(v)) => warmup = v.parse()?,
            _ => return Err(format!("unexpected argument {arg:?}").into()),
        }
    }
    if !addr.ip().is_loopback() {
        return Err("listen on a loopback address only".into());
    }
    let meter = Arc::new(Meter {
        count: AtomicU64::new(0),
        warmup: warmup.max(1),
        requests,
        marks: Mutex::default(),
        finished: Notify::new(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr).await?;
        println!("listening on {}", listener.local_addr()?);
        std::io::stdout().flush()?;
        // The meter wraps the whole stack, so that it also counts the preflights a layer
        // answers without calling the inner service.
        fn metered<S>(inner: S, meter: &Arc<Meter>) -> Metered<S> {
            Metered {
                inner,
                meter: meter.clone(),
            }
        }
        let inner = service_fn(answer);
        let origins = cases::origins(3);
        let serving = async {
            match contender.as_str() {
                "none" => serve(listener, metered(inner, &meter)).await,
                "tower-cors" => {
                    let layer = cases::tower_cors_layer(
                        tower_cors::AllowOrigin::from_strs(&origins),
                        cases::Headers::Listed,
                    );
                    serve(listener, metered(layer.layer(inner), &meter)).await
                }
                "tower-http" => {
                    let origins: Vec<HeaderValue> = origins
                        .iter()
                        .map(|o| HeaderValue::from_str(o))
                        .collect::<Result<_, _>>()?;
                    let layer = cases::tower_http_layer(
                        tower_http::cors::AllowOrigin::list(origins),
                        cases::Headers::Listed,
                    );
                    serve(listener, metered(layer.layer(inner), &meter)).await
                }
                other => Err(format!("unknown contender {other:?}").into()),
            }
        };
        let measured = async {
            tokio::select! {
                result = serving => result,
                () = meter.finished.notified() => Ok(()),
            }
        };
        match tokio::time::timeout(lifetime, measured).await {
            Ok(result) => result?,
            Err(_elapsed) => return Err("the load did not finish in time".into()),
        }
        let marks = meter.marks.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some((t0, c0)), Some((t1, c1))) = (marks.start, marks.end) {
            println!(
                "RESULT requests={requests} seconds={:.6} cpu_seconds={:.6}",
                (t1 - t0).as_secs_f64(),
                (c1 - c0).as_secs_f64()
            );
        }
        Ok(())
    })
}

/// Accepts connections until an error, each served by its own task on this thread.
async fn serve<S, B>(listener: TcpListener, service: S) -> Result<(), Box<dyn Error>>
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            // A connection closed by the load generator is not an error worth reporting.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
