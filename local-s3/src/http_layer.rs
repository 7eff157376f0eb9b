//! The HTTP layer in front of the `s3s` service: waits the configured latency, injects random
//! faults, and drops the request signature so that any credentials are accepted.
//!
//! Faults live here rather than in the `S3` implementation because a connection reset is not an
//! S3 answer: the service fails the request, hyper drops the connection, and the socket (set to
//! zero linger by the accept loop) closes with a TCP RST.

use std::sync::Arc;

use futures::future::BoxFuture;
use hyper::body::Incoming;
use hyper::{Request, Response};
use s3s::service::S3Service;
use s3s::{Body, S3Error, S3ErrorCode};

use crate::faults::FaultPlan;
use crate::precise_sleep;
use crate::FaultKind;

/// Error of a request answered by a connection reset.
#[derive(Debug, thiserror::Error)]
#[error("local-s3: connection reset injected")]
pub(crate) struct InjectedReset;

/// The hyper service of one connection.
#[derive(Clone)]
pub(crate) struct FaultyService {
    inner: S3Service,
    plan: Arc<FaultPlan>,
    check_signatures: bool,
}

impl FaultyService {
    pub(crate) fn new(inner: S3Service, plan: Arc<FaultPlan>) -> Self {
        Self {
            inner,
            plan,
            check_signatures: false,
        }
    }

    /// Leaves the signature for `s3s` to check (its auth provider must be set).
    pub(crate) fn checking_signatures(mut self, check: bool) -> Self {
        self.check_signatures = check;
        self
    }
}

/// An S3 error response for an injected fault.
fn fault_response(code: S3ErrorCode, message: &'static str) -> Response<Body> {
    match S3Error::with_message(code, message).to_http_response() {
        Ok(resp) => resp,
        // Serializing a fixed error cannot fail in practice; answer with a bare 500 if it does.
        Err(_) => {
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            resp
        }
    }
}

impl hyper::service::Service<Request<Incoming>> for FaultyService {
    type Response = Response<Body>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let inner = self.inner.clone();
        let plan = Arc::clone(&self.plan);
        let check_signatures = self.check_signatures;
        // The latency is the time from the request's arrival to its answer, the server's own
        // work included (as S3's first-byte latency is), so it is counted from here.
        let answer_at = tokio::time::Instant::now() + plan.delay();
        Box::pin(async move {
            let fault = plan.draw_fault();
            let answer = match fault {
                Some(FaultKind::ConnectionReset) => Err(Box::new(InjectedReset) as _),
                Some(FaultKind::InternalError) => Ok(fault_response(
                    S3ErrorCode::InternalError,
                    "local-s3: injected fault (500 InternalError)",
                )),
                Some(FaultKind::SlowDown) => Ok(fault_response(
                    S3ErrorCode::SlowDown,
                    "local-s3: injected fault (503 SlowDown)",
                )),
                None => {
                    let mut req = req.map(Body::from);
                    if !check_signatures {
                        // Accept any credentials: without the signature s3s treats the request
                        // as anonymous, and no access check runs without an auth provider.
                        req.headers_mut().remove(hyper::header::AUTHORIZATION);
                    }
                    inner.call(req).await.map_err(Into::into)
                }
            };
            precise_sleep::sleep_until(answer_at).await;
            answer
        })
    }
}
