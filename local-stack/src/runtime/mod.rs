//! The local Lambda runtime: accepts invocations from the moto bridge (`POST /invoke`, see
//! [`protocol`]) and runs the function's real `bootstrap` through the Lambda Runtime API, one
//! execution environment per configuration, with the function's memory size, timeout,
//! environment and a CPU quota in proportion to memory.
//!
//! ```no_run
//! # async fn demo() -> Result<(), local_stack::Error> {
//! use local_stack::moto::{MotoOptions, MotoServer};
//! use local_stack::runtime::{LocalRuntime, RuntimeOptions};
//! let runtime = LocalRuntime::start(RuntimeOptions::default()).await?;
//! let moto = MotoServer::start(MotoOptions::with_bridge(runtime.url())).await?;
//! # drop(moto); Ok(()) }
//! ```

mod elf;
mod environment;
mod ids;
mod language;
mod pool;
pub mod protocol;
mod runtime_api;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde_json::json;

use crate::serve::{respond_json, serve, HttpResponse, ServerHandle};
use crate::Error;
use environment::{lambda_payload, EnvironmentKey, EnvironmentSettings, ExecutionEnvironment};
use language::RuntimeClients;
use pool::Pool;
use protocol::{CpuQuotaReport, InvokeAnswer, InvokeRequest};
use system::cgroup::{machine_cpus, vcpus_for_memory, CpuController};

/// Lambda's memory range in MB.
const MEMORY_RANGE: std::ops::RangeInclusive<u32> = 128..=10_240;
/// Lambda's timeout range in seconds.
const TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 1..=900;
/// LogResult holds the last 4 KB of the log.
const LOG_TAIL_BYTES: usize = 4096;

/// How the runtime is started.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Variables every function gets below its own (defaults: test credentials).
    pub base_env: BTreeMap<String, String>,
    /// Where CPU quota groups go; `None` detects (cgroup v1 `cpu`, then v2).
    pub cpu_controller: Option<CpuController>,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            port: 0,
            base_env: BTreeMap::from([
                ("AWS_ACCESS_KEY_ID".to_string(), "test".to_string()),
                ("AWS_SECRET_ACCESS_KEY".to_string(), "test".to_string()),
            ]),
            cpu_controller: None,
        }
    }
}

/// Decides whether a role may perform an action on a resource (the state machine's role, for
/// the tasks of moto's Step Functions interpreter: `POST /authorize`).
#[async_trait::async_trait]
pub trait RoleAuthorizer: Send + Sync + std::fmt::Debug + 'static {
    /// True when the role `role_arn` may perform `action` (e.g. `lambda:InvokeFunction`) on
    /// `resource` (an ARN); a task it refuses fails as AWS's AccessDenied does.
    async fn allowed(&self, role_arn: &str, action: &str, resource: &str) -> bool;
}

struct RuntimeState {
    pool: Pool,
    controller: CpuController,
    /// Answers `POST /authorize`; without one every task is allowed.
    authorizer: std::sync::RwLock<Option<Arc<dyn RoleAuthorizer>>>,
    /// Read for every new environment; [`LocalRuntime::set_base_env`] changes it.
    settings: std::sync::RwLock<EnvironmentSettings>,
}

/// A running local Lambda runtime. Dropping it stops the server and kills every environment.
pub struct LocalRuntime {
    server: ServerHandle,
    state: Arc<RuntimeState>,
    // Last: the environments' logs live here until the runtime is gone.
    _log_dir: tempfile::TempDir,
}

impl std::fmt::Debug for LocalRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalRuntime")
            .field("url", &self.url())
            .field("cpu", &self.state.controller)
            .finish()
    }
}

impl LocalRuntime {
    /// Detects the CPU controller and starts serving on 127.0.0.1.
    pub async fn start(options: RuntimeOptions) -> Result<Self, Error> {
        let controller = options.cpu_controller.unwrap_or_else(|| {
            let controller = CpuController::detect();
            controller.remove_stale_groups(environment::CGROUP_PREFIX);
            controller
        });
        match &controller {
            CpuController::Available { version, parent } => {
                tracing::info!(cgroup = version.label(), parent = %parent.display(), "CPU quotas on");
            }
            CpuController::Unavailable { reason } => {
                tracing::warn!(%reason, "no writable cgroup: functions run without a CPU quota");
            }
        }
        let log_dir = tempfile::Builder::new()
            .prefix("local-lambda-")
            .tempdir()
            .map_err(|e| Error::io("creating the runtime's log dir", e))?;
        let state = Arc::new(RuntimeState {
            pool: Pool::default(),
            controller,
            authorizer: std::sync::RwLock::new(None),
            settings: std::sync::RwLock::new(EnvironmentSettings {
                base_env: options.base_env,
                log_dir: log_dir.path().to_path_buf(),
                clients: RuntimeClients::in_workspace(&system::paths::workspace_root()),
            }),
        });
        let handler_state = Arc::clone(&state);
        let server = serve(options.port, move |request| {
            handle(Arc::clone(&handler_state), request)
        })
        .await?;
        Ok(Self {
            server,
            state,
            _log_dir: log_dir,
        })
    }

    /// `http://127.0.0.1:PORT`: give it to `MotoOptions::with_bridge`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    /// The port on 127.0.0.1 the runtime listens on.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// Where CPU quotas go, or why there are none.
    pub fn cpu_controller(&self) -> &CpuController {
        &self.state.controller
    }

    /// Runs one invocation in-process (what `POST /invoke` does).
    pub async fn invoke(&self, request: InvokeRequest) -> InvokeAnswer {
        invoke(&self.state, request).await
    }

    /// Adds variables every environment started from now on gets below the function's own (for
    /// example `AWS_ENDPOINT_URL` once moto's port is known). Warm environments keep theirs.
    pub fn set_base_env(&self, vars: BTreeMap<String, String>) {
        if let Ok(mut settings) = self.state.settings.write() {
            settings.base_env.extend(vars);
        }
    }

    /// Sets who answers `POST /authorize {"roleArn", "action", "resource"}` (moto's strict
    /// mode asks it before each Step Functions task).
    pub fn set_role_authorizer(&self, authorizer: Arc<dyn RoleAuthorizer>) {
        if let Ok(mut slot) = self.state.authorizer.write() {
            *slot = Some(authorizer);
        }
    }

    /// Idle (warm) environments per function.
    pub async fn idle_environments(&self) -> std::collections::HashMap<String, usize> {
        self.state.pool.idle_counts().await
    }

    /// Stops serving and shuts every environment down (dropping does the same, less tidily).
    pub async fn shutdown(self) {
        self.state.pool.shutdown_all().await;
    }
}

impl Drop for LocalRuntime {
    fn drop(&mut self) {
        // The server task (which also holds the state) is aborted asynchronously; kill the warm
        // environments here so that no function outlives the runtime.
        self.state.pool.kill_idle_now();
    }
}

async fn handle(state: Arc<RuntimeState>, request: Request<Incoming>) -> HttpResponse {
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/health") => respond_json(StatusCode::OK, &json!({"status": "ok"})),
        (&Method::POST, "/invoke") => {
            let body = match request.into_body().collect().await {
                Ok(body) => body.to_bytes(),
                Err(e) => return bad_request(format!("reading the body: {e}")),
            };
            match serde_json::from_slice::<InvokeRequest>(&body) {
                Ok(invoke_request) => {
                    let answer = invoke(&state, invoke_request).await;
                    match serde_json::to_value(&answer) {
                        Ok(value) => respond_json(StatusCode::OK, &value),
                        Err(e) => bad_request(format!("encoding the answer: {e}")),
                    }
                }
                Err(e) => bad_request(format!("the body is not an invoke request: {e}")),
            }
        }
        (&Method::POST, "/authorize") => {
            let body = match request.into_body().collect().await {
                Ok(body) => body.to_bytes(),
                Err(e) => return bad_request(format!("reading the body: {e}")),
            };
            let question: serde_json::Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => return bad_request(format!("the body is not JSON: {e}")),
            };
            let field = |name: &str| question[name].as_str().unwrap_or_default().to_owned();
            let authorizer = state.authorizer.read().ok().and_then(|a| a.clone());
            let allowed = match authorizer {
                Some(a) => {
                    a.allowed(&field("roleArn"), &field("action"), &field("resource"))
                        .await
                }
                None => true,
            };
            respond_json(StatusCode::OK, &json!({"allowed": allowed}))
        }
        (_, path) => respond_json(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no route {path}: use POST /invoke, POST /authorize or GET /health")}),
        ),
    }
}

fn bad_request(message: String) -> HttpResponse {
    respond_json(StatusCode::BAD_REQUEST, &json!({ "error": message }))
}

async fn invoke(state: &RuntimeState, request: InvokeRequest) -> InvokeAnswer {
    let request_id = ids::request_id();
    if let Err(message) = validate(&request) {
        return failure(
            &request,
            &request_id,
            "InvalidParameterValueException",
            message,
        );
    }
    let key = EnvironmentKey::of(&request);
    let (mut environment, cold_start) = match state.pool.take_idle(&key).await {
        Some(environment) => (environment, false),
        None => {
            match ExecutionEnvironment::start(&request, &settings_of(state), &state.controller)
                .await
            {
                Ok(environment) => (environment, true),
                Err((error_type, message)) => {
                    return failure(&request, &request_id, &error_type, message);
                }
            }
        }
    };
    let record = environment
        .invoke(&request_id, Bytes::from(request.payload.clone()))
        .await;
    let cpu = environment.cpu().clone();
    state.pool.give_back(environment).await;

    let (payload, function_error) = lambda_payload(&record.ended, &request_id, request.timeout);
    let duration_ms = millis(record.duration);
    let init_duration_ms = record.init_duration.map(millis);
    let log = lambda_log(
        &request,
        &request_id,
        &record,
        duration_ms,
        init_duration_ms,
    );
    InvokeAnswer {
        request_id,
        payload: String::from_utf8_lossy(&payload).into_owned(),
        function_error,
        log_tail: tail(&log, LOG_TAIL_BYTES),
        cold_start,
        duration_ms,
        init_duration_ms,
        max_memory_used_mb: record.max_memory_used_mb,
        cpu,
    }
}

fn settings_of(state: &RuntimeState) -> EnvironmentSettings {
    match state.settings.read() {
        Ok(settings) => settings.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// Lambda's own limits, checked before anything starts.
fn validate(request: &InvokeRequest) -> Result<(), String> {
    if !MEMORY_RANGE.contains(&request.memory_size) {
        return Err(format!(
            "memorySize {} is outside Lambda's {}..={} MB",
            request.memory_size,
            MEMORY_RANGE.start(),
            MEMORY_RANGE.end()
        ));
    }
    if !TIMEOUT_RANGE.contains(&request.timeout) {
        return Err(format!(
            "timeout {} is outside Lambda's {}..={} s",
            request.timeout,
            TIMEOUT_RANGE.start(),
            TIMEOUT_RANGE.end()
        ));
    }
    if request.function_name.is_empty() {
        return Err("functionName is empty".to_string());
    }
    Ok(())
}

/// An answer for an invocation that never reached a function.
fn failure(
    request: &InvokeRequest,
    request_id: &str,
    error_type: &str,
    message: String,
) -> InvokeAnswer {
    tracing::warn!(function = %request.function_name, error_type, %message, "invocation failed before the function ran");
    InvokeAnswer {
        request_id: request_id.to_string(),
        payload: json!({"errorType": error_type, "errorMessage": message}).to_string(),
        function_error: Some("Unhandled".to_string()),
        log_tail: String::new(),
        cold_start: false,
        duration_ms: 0.0,
        init_duration_ms: None,
        max_memory_used_mb: None,
        cpu: CpuQuotaReport {
            applied: false,
            mechanism: "none".to_string(),
            vcpus: vcpus_for_memory(request.memory_size.clamp(1, 10_240), machine_cpus()),
            quota_us: None,
            period_us: None,
            group: None,
            reason: Some("no environment was started".to_string()),
        },
    }
}

/// START, the function's output, END and REPORT, as CloudWatch shows an invocation.
fn lambda_log(
    request: &InvokeRequest,
    request_id: &str,
    record: &environment::InvocationRecord,
    duration_ms: f64,
    init_duration_ms: Option<f64>,
) -> String {
    let mut log = format!(
        "START RequestId: {request_id} Version: {}\n",
        request.version
    );
    log.push_str(&record.output);
    if !record.output.is_empty() && !record.output.ends_with('\n') {
        log.push('\n');
    }
    log.push_str(&format!("END RequestId: {request_id}\n"));
    log.push_str(&format!(
        "REPORT RequestId: {request_id}\tDuration: {duration_ms:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
        duration_ms.ceil() as u64,
        request.memory_size,
        record.max_memory_used_mb.unwrap_or(0),
    ));
    if let Some(init) = init_duration_ms {
        log.push_str(&format!("\tInit Duration: {init:.2} ms"));
    }
    log.push('\n');
    log
}

/// The last `max` bytes of `text`, cut at a character boundary.
fn tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text[start..].to_string()
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
