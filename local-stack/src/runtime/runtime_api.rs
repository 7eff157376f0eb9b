//! The Lambda Runtime API (2018-06-01) that one execution environment's `bootstrap` talks to:
//! `GET /runtime/invocation/next`, `POST /runtime/invocation/{id}/response`,
//! `POST /runtime/invocation/{id}/error` and `POST /runtime/init/error`.
//! See <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde_json::json;
use tokio::sync::{mpsc, oneshot, watch, Mutex};

use crate::serve::{respond, respond_json, serve, HttpResponse, ServerHandle};
use crate::Error;

const PREFIX: &str = "/2018-06-01/runtime";

/// One event handed to the function.
#[derive(Debug)]
pub(crate) struct Invocation {
    pub(crate) request_id: String,
    pub(crate) payload: Bytes,
    pub(crate) timeout_ms: u64,
    pub(crate) function_arn: String,
    pub(crate) trace_id: String,
    /// Told when the function fetched the event (the start of the invoke phase).
    pub(crate) delivered: oneshot::Sender<Instant>,
    /// Told the function's answer.
    pub(crate) reply: oneshot::Sender<Outcome>,
}

/// What the function answered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Response(Bytes),
    /// `/error`: the error type (header or body) and the error JSON.
    Error {
        error_type: String,
        body: Bytes,
    },
}

/// An error the runtime reported during init.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InitError {
    pub(crate) error_type: String,
    pub(crate) body: Bytes,
}

struct ApiState {
    queue: Mutex<mpsc::Receiver<Invocation>>,
    in_flight: StdMutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: watch::Sender<Option<InitError>>,
}

/// A Runtime API server for one environment.
#[derive(Debug)]
pub(crate) struct RuntimeApi {
    server: ServerHandle,
    sender: mpsc::Sender<Invocation>,
    init_error: watch::Receiver<Option<InitError>>,
}

impl RuntimeApi {
    /// Starts the server on a free loopback port.
    pub(crate) async fn start() -> Result<Self, Error> {
        let (sender, receiver) = mpsc::channel(1);
        let (init_tx, init_rx) = watch::channel(None);
        let state = Arc::new(ApiState {
            queue: Mutex::new(receiver),
            in_flight: StdMutex::new(HashMap::new()),
            init_error: init_tx,
        });
        let server = serve(0, move |request| handle(Arc::clone(&state), request)).await?;
        Ok(Self {
            server,
            sender,
            init_error: init_rx,
        })
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub(crate) fn address(&self) -> String {
        self.server.addr().to_string()
    }

    /// Queues an invocation for the function's next `/next` call.
    pub(crate) async fn submit(&self, invocation: Invocation) -> Result<(), Invocation> {
        self.sender.send(invocation).await.map_err(|e| e.0)
    }

    /// A receiver that changes when the runtime reports an init error.
    pub(crate) fn init_errors(&self) -> watch::Receiver<Option<InitError>> {
        self.init_error.clone()
    }
}

async fn handle(state: Arc<ApiState>, request: Request<Incoming>) -> HttpResponse {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let Some(route) = path.strip_prefix(PREFIX) else {
        return not_found(&path);
    };
    let segments: Vec<&str> = route.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (Method::GET, ["invocation", "next"]) => next(&state).await,
        (Method::POST, ["invocation", id, "response"]) => {
            let id = id.to_string();
            let body = read_body(request).await;
            finish(&state, &id, Outcome::Response(body))
        }
        (Method::POST, ["invocation", id, "error"]) => {
            let id = id.to_string();
            let header_type = error_type_header(&request);
            let body = read_body(request).await;
            let error_type = error_type_of(header_type, &body);
            finish(&state, &id, Outcome::Error { error_type, body })
        }
        (Method::POST, ["init", "error"]) => {
            let header_type = error_type_header(&request);
            let body = read_body(request).await;
            let error_type = error_type_of(header_type, &body);
            state
                .init_error
                .send_replace(Some(InitError { error_type, body }));
            respond_json(StatusCode::ACCEPTED, &json!({"status": "OK"}))
        }
        _ => not_found(&path),
    }
}

/// Long-polls for the next event, as the real API does.
async fn next(state: &ApiState) -> HttpResponse {
    let invocation = {
        let mut queue = state.queue.lock().await;
        queue.recv().await
    };
    let Some(invocation) = invocation else {
        return respond_json(
            StatusCode::GONE,
            &json!({"errorType": "Runtime.Shutdown", "errorMessage": "environment shutting down"}),
        );
    };
    let deadline_ms = system::time::unix_ms_now() + invocation.timeout_ms;
    if let Ok(mut in_flight) = state.in_flight.lock() {
        in_flight.insert(invocation.request_id.clone(), invocation.reply);
    }
    let _ = invocation.delivered.send(Instant::now());
    let mut response = respond(StatusCode::OK, "application/json", invocation.payload);
    let headers = response.headers_mut();
    let pairs = [
        ("lambda-runtime-aws-request-id", invocation.request_id),
        ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            invocation.function_arn,
        ),
        ("lambda-runtime-trace-id", invocation.trace_id),
    ];
    for (name, value) in pairs {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
    response
}

fn finish(state: &ApiState, id: &str, outcome: Outcome) -> HttpResponse {
    let reply = state.in_flight.lock().ok().and_then(|mut m| m.remove(id));
    match reply {
        Some(reply) => {
            let _ = reply.send(outcome);
            respond_json(StatusCode::ACCEPTED, &json!({"status": "OK"}))
        }
        None => respond_json(
            StatusCode::BAD_REQUEST,
            &json!({"errorType": "InvalidRequestID", "errorMessage": format!("unknown request id {id}")}),
        ),
    }
}

fn not_found(path: &str) -> HttpResponse {
    respond_json(
        StatusCode::NOT_FOUND,
        &json!({"errorType": "NotFound", "errorMessage": format!("no route {path}")}),
    )
}

async fn read_body(request: Request<Incoming>) -> Bytes {
    match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    }
}

fn error_type_header(request: &Request<Incoming>) -> Option<String> {
    request
        .headers()
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The body's `errorType`, else the header's (lambda_runtime sends the uninformative `unhandled`
/// there), else Lambda's generic one.
fn error_type_of(header: Option<String>, body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["errorType"].as_str().map(str::to_string))
        .filter(|t| !t.is_empty())
        .or(header.filter(|h| !h.is_empty()))
        .unwrap_or_else(|| "Runtime.Unknown".to_string())
}
