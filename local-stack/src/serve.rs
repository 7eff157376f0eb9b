//! A minimal HTTP/1 server on a loopback listener, shared by the invoke API and the per-environment
//! Runtime APIs. Dropping the [`ServerHandle`] stops accepting and aborts every open connection.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::Error;

/// The response type every handler returns.
pub(crate) type HttpResponse = Response<Full<Bytes>>;

/// A running server; stopped when dropped.
#[derive(Debug)]
pub(crate) struct ServerHandle {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds 127.0.0.1:`port` (0 = any free port) and serves `handler` on it.
pub(crate) async fn serve<H, F>(port: u16, handler: H) -> Result<ServerHandle, Error>
where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = HttpResponse> + Send + 'static,
{
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Error::io(format!("binding 127.0.0.1:{port}"), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("reading the bound address", e))?;
    let handler = Arc::new(handler);
    let task = tokio::spawn(async move {
        // Connections live in this set, so aborting the accept task aborts them too.
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let handler = Arc::clone(&handler);
                    connections.spawn(async move {
                        let service = service_fn(move |request| {
                            let handler = Arc::clone(&handler);
                            async move { Ok::<_, Infallible>(handler(request).await) }
                        });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    });
    Ok(ServerHandle { addr, task })
}

/// A response with a status, a content type and a body.
pub(crate) fn respond(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> HttpResponse {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// A JSON response.
pub(crate) fn respond_json(status: StatusCode, value: &serde_json::Value) -> HttpResponse {
    respond(status, "application/json", value.to_string())
}
