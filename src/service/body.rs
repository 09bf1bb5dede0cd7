//! The response body: the inner service's body, or the layer's own empty body.

use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

pin_project! {
    /// The body of responses from [`Cors`](crate::Cors): the inner service's body, or an empty
    /// body for answers the layer makes itself (preflights, rejections).
    ///
    /// It needs nothing from the inner body type (no `Default`), so services returning
    /// `hyper::body::Incoming`, as proxies do, can be wrapped.
    ///
    /// ```
    /// use http::{header, Request, Response};
    /// use http_body::Body;
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cors::CorsLayer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let service = CorsLayer::permissive().build().unwrap().layer(service_fn(|_req: Request<()>| async {
    ///     Ok::<_, std::convert::Infallible>(Response::new(String::from("hello")))
    /// }));
    /// let preflight = Request::options("/")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
    ///     .body(())?;
    /// let body = service.oneshot(preflight).await?.into_body();
    /// // The layer answered the preflight itself, with an empty body.
    /// assert!(body.is_end_stream());
    /// assert_eq!(body.size_hint().exact(), Some(0));
    /// # Ok(())
    /// # }
    /// ```
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        inner: Inner<B>,
    }
}

pin_project! {
    #[project = InnerProj]
    #[derive(Debug)]
    enum Inner<B> {
        Empty,
        Body { #[pin] body: B },
    }
}

impl<B> ResponseBody<B> {
    pub(crate) fn empty() -> Self {
        Self {
            inner: Inner::Empty,
        }
    }

    pub(crate) fn new(body: B) -> Self {
        Self {
            inner: Inner::Body { body },
        }
    }

    /// The inner service's body, or `None` for a response the layer made itself.
    ///
    /// ```
    /// use http::{header, Request, Response};
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cors::CorsLayer;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build().unwrap();
    /// let service = layer.layer(service_fn(|_req: Request<()>| async {
    ///     Ok::<_, std::convert::Infallible>(Response::new("hello"))
    /// }));
    /// let response = service.oneshot(Request::new(())).await.unwrap();
    /// assert_eq!(response.into_body().into_inner(), Some("hello"));
    /// # });
    /// ```
    pub fn into_inner(self) -> Option<B> {
        match self.inner {
            Inner::Empty => None,
            Inner::Body { body } => Some(body),
        }
    }
}

impl<B: Body> Body for ResponseBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        match self.project().inner.project() {
            InnerProj::Empty => Poll::Ready(None),
            InnerProj::Body { body } => body.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.inner {
            Inner::Empty => true,
            Inner::Body { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            Inner::Empty => SizeHint::with_exact(0),
            Inner::Body { body } => body.size_hint(),
        }
    }
}
