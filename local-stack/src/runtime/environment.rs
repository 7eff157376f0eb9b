//! One execution environment: a `bootstrap` process with its own Runtime API, environment
//! variables and CPU quota, reused for invocations while its configuration stays the same.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;
use tokio::process::Command;
use tokio::sync::oneshot;

use system::cgroup::{machine_cpus, vcpus_for_memory, CpuController, CpuGroup};
use system::process::GroupChild;
use system::time::utc_now_millis;

use super::ids;
use super::language::{Launch, RuntimeClients};
use super::protocol::{CpuQuotaReport, InvokeRequest};
use super::runtime_api::{InitError, Invocation, Outcome, RuntimeApi};

/// Lambda gives the init phase (start to the first `/next`) 10 s.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Prefix of the cgroups of environments: `local-lambda-PID-N`; those of a runtime that no
/// longer runs are removed at the next start.
pub(crate) const CGROUP_PREFIX: &str = "local-lambda-";

/// What makes two invocations share an environment: Lambda starts new environments when any of
/// these change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct EnvironmentKey {
    pub(crate) function_name: String,
    pub(crate) version: String,
    pub(crate) memory_size: u32,
    pub(crate) timeout: u32,
    pub(crate) code_sha256: String,
    pub(crate) runtime: String,
    pub(crate) handler: String,
    pub(crate) environment: BTreeMap<String, String>,
    pub(crate) revision: u64,
}

impl EnvironmentKey {
    pub(crate) fn of(request: &InvokeRequest) -> Self {
        Self {
            function_name: request.function_name.clone(),
            version: request.version.clone(),
            memory_size: request.memory_size,
            timeout: request.timeout,
            code_sha256: request.code_sha256.clone(),
            runtime: request.runtime.clone(),
            handler: request.handler.clone(),
            environment: request.environment.clone(),
            revision: request.revision,
        }
    }
}

/// How an invocation ended, before it is turned into a Lambda-style answer.
#[derive(Debug)]
pub(crate) enum Ended {
    Answered(Outcome),
    TimedOut,
    InitTimedOut,
    InitFailed(InitError),
    Exited(String),
}

/// One invocation's result with its measurements.
#[derive(Debug)]
pub(crate) struct InvocationRecord {
    pub(crate) ended: Ended,
    pub(crate) duration: Duration,
    pub(crate) init_duration: Option<Duration>,
    pub(crate) max_memory_used_mb: Option<u64>,
    pub(crate) output: String,
}

/// Settings for the environments a runtime starts.
#[derive(Debug, Clone)]
pub(crate) struct EnvironmentSettings {
    /// Variables every environment gets below the function's own (credentials, endpoints, RUST_LOG).
    pub(crate) base_env: BTreeMap<String, String>,
    pub(crate) log_dir: PathBuf,
    /// The runtime interface clients of the managed runtimes (Python, Node.js).
    pub(crate) clients: RuntimeClients,
}

/// A running `bootstrap` and its Runtime API.
#[derive(Debug)]
pub(crate) struct ExecutionEnvironment {
    key: EnvironmentKey,
    function_arn: String,
    // Drop order matters: the process is killed before its cgroup is removed.
    process: GroupChild,
    api: RuntimeApi,
    cgroup: Option<CpuGroup>,
    cpu: CpuQuotaReport,
    log_path: PathBuf,
    started: Instant,
    invocations: u64,
    broken: bool,
}

impl ExecutionEnvironment {
    /// Starts `bootstrap` from the request's code directory with the request's configuration.
    /// `Err` holds a Lambda error (type, message) for an environment that cannot start.
    pub(crate) async fn start(
        request: &InvokeRequest,
        settings: &EnvironmentSettings,
        controller: &CpuController,
    ) -> Result<Self, (String, String)> {
        let launch = super::language::launch(request, &settings.clients)?;
        let api = RuntimeApi::start()
            .await
            .map_err(|e| ("Runtime.Unknown".to_string(), e.to_string()))?;
        let (cgroup, cpu) = cpu_group(controller, request.memory_size);
        let mut command = launch_command(&launch, cgroup.as_ref());
        let mut env = lambda_env(request, settings, &api.address());
        env.extend(launch.env.iter().cloned());
        command.current_dir(&request.code_dir).env_clear().envs(env);
        let log_path = settings.log_dir.join(format!(
            "{}-{}.log",
            sanitize(&request.function_name),
            ids::hex_token()
        ));
        let process = GroupChild::spawn_logged(&mut command, &log_path).map_err(|e| {
            (
                "Runtime.InvalidEntrypoint".to_string(),
                crate::Error::spawn("bootstrap", e).to_string(),
            )
        })?;
        tracing::info!(
            function = %request.function_name,
            memory = request.memory_size,
            cpu = %describe(&cpu),
            "started execution environment"
        );
        Ok(Self {
            key: EnvironmentKey::of(request),
            function_arn: request.function_arn.clone(),
            process,
            api,
            cgroup,
            cpu,
            log_path,
            started: Instant::now(),
            invocations: 0,
            broken: false,
        })
    }

    /// The configuration this environment runs.
    pub(crate) fn key(&self) -> &EnvironmentKey {
        &self.key
    }

    /// The CPU quota it runs under, as the invoke answer reports it.
    pub(crate) fn cpu(&self) -> &CpuQuotaReport {
        &self.cpu
    }

    /// False once the process died, timed out or failed init: such an environment is not reused.
    pub(crate) fn reusable(&mut self) -> bool {
        !self.broken && self.process.exit_status().is_none()
    }

    /// Runs one invocation to its end.
    pub(crate) async fn invoke(&mut self, request_id: &str, payload: Bytes) -> InvocationRecord {
        let cold = self.invocations == 0;
        self.invocations += 1;
        let log_start = file_len(&self.log_path);
        let timeout = Duration::from_secs(u64::from(self.key.timeout));
        let (delivered_tx, delivered_rx) = oneshot::channel();
        let (reply_tx, reply_rx) = oneshot::channel();
        let invocation = Invocation {
            request_id: request_id.to_string(),
            payload,
            timeout_ms: timeout.as_millis().try_into().unwrap_or(u64::MAX),
            function_arn: self.function_arn.clone(),
            trace_id: ids::trace_id(),
            delivered: delivered_tx,
            reply: reply_tx,
        };
        let submitted = Instant::now();
        let (ended, delivered_at) = self.run(invocation, delivered_rx, reply_rx, timeout).await;
        let finished = Instant::now();
        if !matches!(ended, Ended::Answered(_)) {
            self.broken = true;
        }
        let max_memory_used_mb = self.process.pid().and_then(max_memory_used_mb);
        if self.broken {
            self.stop().await;
        }
        let start_of_invoke = delivered_at.unwrap_or(submitted);
        InvocationRecord {
            ended,
            duration: finished.saturating_duration_since(start_of_invoke),
            init_duration: cold.then(|| start_of_invoke.saturating_duration_since(self.started)),
            max_memory_used_mb,
            output: read_from(&self.log_path, log_start),
        }
    }

    async fn run(
        &mut self,
        invocation: Invocation,
        delivered: oneshot::Receiver<Instant>,
        reply: oneshot::Receiver<Outcome>,
        timeout: Duration,
    ) -> (Ended, Option<Instant>) {
        let mut init_errors = self.api.init_errors();
        if self.api.submit(invocation).await.is_err() {
            return (Ended::Exited("the Runtime API stopped".to_string()), None);
        }
        // Init phase (cold) or an immediate hand-over (warm): until the function fetches the event.
        let delivered_at = tokio::select! {
            biased;
            at = delivered => match at {
                Ok(at) => at,
                Err(_) => return (Ended::Exited("the Runtime API stopped".to_string()), None),
            },
            status = self.process.wait() => return (Ended::Exited(status), None),
            changed = init_errors.changed() => {
                let error = init_errors.borrow().clone();
                return match (changed, error) {
                    (Ok(()), Some(error)) => (Ended::InitFailed(error), None),
                    _ => (Ended::Exited("the Runtime API stopped".to_string()), None),
                };
            }
            () = tokio::time::sleep(INIT_TIMEOUT) => return (Ended::InitTimedOut, None),
        };
        // Invoke phase: the function's own timeout.
        let deadline = tokio::time::Instant::from_std(delivered_at + timeout);
        let ended = tokio::select! {
            biased;
            outcome = reply => match outcome {
                Ok(outcome) => Ended::Answered(outcome),
                Err(_) => Ended::Exited("the Runtime API stopped".to_string()),
            },
            status = self.process.wait() => Ended::Exited(status),
            () = tokio::time::sleep_until(deadline) => Ended::TimedOut,
        };
        (ended, Some(delivered_at))
    }

    /// Kills the process and removes its cgroup.
    pub(crate) async fn shutdown(mut self) {
        self.stop().await;
    }

    async fn stop(&mut self) {
        self.process.kill().await;
        if let Some(group) = self.cgroup.as_mut() {
            if let Err(error) = group.remove() {
                tracing::warn!(%error, "could not remove the environment's cgroup");
            }
        }
    }
}

/// Creates the cgroup for `memory_mb`, or reports why there is none.
fn cpu_group(controller: &CpuController, memory_mb: u32) -> (Option<CpuGroup>, CpuQuotaReport) {
    let vcpus = vcpus_for_memory(memory_mb, machine_cpus());
    match controller.create_group(CGROUP_PREFIX, vcpus) {
        Ok(group) => {
            let report = CpuQuotaReport {
                applied: true,
                mechanism: group.version().label().to_string(),
                vcpus,
                quota_us: Some(group.quota_us()),
                period_us: Some(group.period_us()),
                group: Some(group.dir().display().to_string()),
                reason: None,
            };
            (Some(group), report)
        }
        Err(error) => {
            let reason = error.to_string();
            tracing::warn!(%reason, "running without a CPU quota");
            let report = CpuQuotaReport {
                applied: false,
                mechanism: "none".to_string(),
                vcpus,
                quota_us: None,
                period_us: None,
                group: None,
                reason: Some(reason),
            };
            (None, report)
        }
    }
}

fn describe(cpu: &CpuQuotaReport) -> String {
    if cpu.applied {
        format!("{} quota {:.3} vCPU", cpu.mechanism, cpu.vcpus)
    } else {
        format!("no quota ({})", cpu.reason.as_deref().unwrap_or("unknown"))
    }
}

/// The runtime's program, started through `sh` so that it joins the cgroup before it runs its
/// first instruction (the shell writes its own pid to `cgroup.procs`, then execs).
fn launch_command(launch: &Launch, cgroup: Option<&CpuGroup>) -> Command {
    match cgroup {
        Some(group) => {
            let mut command = Command::new("/bin/sh");
            command
                .arg("-c")
                .arg(r#"echo $$ > "$1" && shift && exec "$@""#)
                .arg("local-lambda-join")
                .arg(group.procs_file())
                .arg(&launch.program)
                .args(&launch.args);
            command
        }
        None => {
            let mut command = Command::new(&launch.program);
            command.args(&launch.args);
            command
        }
    }
}

/// The variables a `provided.al2023` function sees, in Lambda's precedence: the runtime's base
/// variables, then the function's own, then the reserved ones Lambda sets (which win).
fn lambda_env(
    request: &InvokeRequest,
    settings: &EnvironmentSettings,
    runtime_api: &str,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    env.insert(
        "PATH".to_string(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".to_string()),
    );
    env.insert("LANG".to_string(), "en_US.UTF-8".to_string());
    env.insert("TZ".to_string(), ":UTC".to_string());
    env.extend(settings.base_env.clone());
    env.extend(request.environment.clone());
    let task_root = request.code_dir.display().to_string();
    let now = ids::hex_token();
    let reserved = [
        ("AWS_LAMBDA_FUNCTION_NAME", request.function_name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            request.memory_size.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION", request.version.clone()),
        ("AWS_LAMBDA_FUNCTION_TIMEOUT", request.timeout.to_string()),
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", request.function_name),
        ),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            format!("local/[{}]{now}", request.version),
        ),
        ("AWS_REGION", request.region.clone()),
        ("AWS_DEFAULT_REGION", request.region.clone()),
        ("LAMBDA_TASK_ROOT", task_root.clone()),
        ("LAMBDA_RUNTIME_DIR", task_root),
        ("_HANDLER", request.handler.clone()),
    ];
    for (name, value) in reserved {
        env.insert(name.to_string(), value);
    }
    if let Some(credentials) = &request.credentials {
        for (name, value) in [
            ("AWS_ACCESS_KEY_ID", &credentials.access_key_id),
            ("AWS_SECRET_ACCESS_KEY", &credentials.secret_access_key),
            ("AWS_SESSION_TOKEN", &credentials.session_token),
        ] {
            env.insert(name.to_string(), value.clone());
        }
    }
    env
}

/// Turns `Ended` into Lambda's answer payload: `(payload, function_error)`.
pub(crate) fn lambda_payload(
    ended: &Ended,
    request_id: &str,
    timeout: u32,
) -> (Bytes, Option<String>) {
    let error = |error_type: &str, message: String| {
        let body = json!({"errorType": error_type, "errorMessage": message});
        (Bytes::from(body.to_string()), Some("Unhandled".to_string()))
    };
    match ended {
        Ended::Answered(Outcome::Response(body)) => (body.clone(), None),
        Ended::Answered(Outcome::Error { error_type, body }) => {
            // Keep the function's own error JSON; make sure it names its type.
            let mut value: serde_json::Value = serde_json::from_slice(body).unwrap_or(json!({
                "errorMessage": String::from_utf8_lossy(body)
            }));
            if value.get("errorType").is_none() {
                value["errorType"] = json!(error_type);
            }
            (
                Bytes::from(value.to_string()),
                Some("Unhandled".to_string()),
            )
        }
        Ended::TimedOut => error(
            "Sandbox.Timedout",
            format!(
                "{} {request_id} Task timed out after {timeout}.00 seconds",
                utc_now_millis()
            ),
        ),
        Ended::InitTimedOut => error(
            "Sandbox.Timedout",
            format!(
                "{} {request_id} INIT timed out after {} seconds",
                utc_now_millis(),
                INIT_TIMEOUT.as_secs()
            ),
        ),
        Ended::InitFailed(init) => {
            let message = serde_json::from_slice::<serde_json::Value>(&init.body)
                .ok()
                .and_then(|v| v["errorMessage"].as_str().map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&init.body).into_owned());
            error(&init.error_type, message)
        }
        Ended::Exited(status) => error(
            "Runtime.ExitError",
            format!("RequestId: {request_id} Error: Runtime exited with error: {status}"),
        ),
    }
}

/// Peak resident memory of `pid` in MB (VmHWM), while it still runs.
fn max_memory_used_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb.div_ceil(1024))
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The text appended to `path` after `offset`.
fn read_from(path: &Path, offset: u64) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let start = usize::try_from(offset).unwrap_or(0).min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// A function name as a file name.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_payload_reads_like_lambda() {
        let (payload, error) = lambda_payload(&Ended::TimedOut, "abc", 3);
        let value: serde_json::Value = serde_json::from_slice(&payload).expect("json");
        assert_eq!(error.as_deref(), Some("Unhandled"));
        assert_eq!(value["errorType"], "Sandbox.Timedout");
        let message = value["errorMessage"].as_str().expect("message");
        assert!(
            message.ends_with(" abc Task timed out after 3.00 seconds"),
            "{message}"
        );
        assert_eq!(
            message.len(),
            "2026-01-01T00:00:00.000Z".len() + " abc Task timed out after 3.00 seconds".len()
        );
    }

    #[test]
    fn function_error_keeps_the_functions_error_type() {
        let ended = Ended::Answered(Outcome::Error {
            error_type: "unhandled".to_string(),
            body: Bytes::from_static(
                br#"{"errorType":"TestFailure","errorMessage":"told to fail"}"#,
            ),
        });
        let (payload, error) = lambda_payload(&ended, "id", 3);
        let value: serde_json::Value = serde_json::from_slice(&payload).expect("json");
        assert_eq!(error.as_deref(), Some("Unhandled"));
        assert_eq!(value["errorType"], "TestFailure");
        assert_eq!(value["errorMessage"], "told to fail");
    }

    #[test]
    fn exit_payload_names_the_status() {
        let (payload, _) = lambda_payload(&Ended::Exited("exit status: 3".to_string()), "r1", 3);
        let value: serde_json::Value = serde_json::from_slice(&payload).expect("json");
        assert_eq!(value["errorType"], "Runtime.ExitError");
        assert_eq!(
            value["errorMessage"],
            "RequestId: r1 Error: Runtime exited with error: exit status: 3"
        );
    }

    #[test]
    fn reserved_variables_win_over_the_functions_own() {
        let request = InvokeRequest {
            function_name: "f".to_string(),
            function_arn: String::new(),
            version: "$LATEST".to_string(),
            memory_size: 512,
            timeout: 3,
            environment: BTreeMap::from([
                (
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_string(),
                    "1".to_string(),
                ),
                ("BUCKET".to_string(), "data".to_string()),
                ("AWS_ACCESS_KEY_ID".to_string(), "fn".to_string()),
            ]),
            runtime: "provided.al2023".to_string(),
            handler: "bootstrap".to_string(),
            code_dir: PathBuf::from("/code"),
            code_sha256: "x".to_string(),
            revision: 0,
            region: "eu-west-1".to_string(),
            payload: "{}".to_string(),
            credentials: Some(crate::runtime::protocol::RoleCredentials {
                access_key_id: "ASIAROLE".to_string(),
                secret_access_key: "secret".to_string(),
                session_token: "token".to_string(),
            }),
        };
        let settings = EnvironmentSettings {
            base_env: BTreeMap::from([("AWS_ACCESS_KEY_ID".to_string(), "base".to_string())]),
            log_dir: PathBuf::from("/tmp"),
            clients: RuntimeClients::in_workspace(Path::new("/ws")),
        };
        let env = lambda_env(&request, &settings, "127.0.0.1:9");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "512");
        assert_eq!(env["BUCKET"], "data");
        assert_eq!(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:9");
        assert_eq!(env["AWS_REGION"], "eu-west-1");
        // The execution role's credentials are Lambda's to set, as on AWS.
        assert_eq!(env["AWS_ACCESS_KEY_ID"], "ASIAROLE");
        assert_eq!(env["AWS_SESSION_TOKEN"], "token");
        // Without them (lenient mode) the function's own, then the base variables, apply.
        let lenient = InvokeRequest {
            credentials: None,
            ..request
        };
        let env = lambda_env(&lenient, &settings, "127.0.0.1:9");
        assert_eq!(env["AWS_ACCESS_KEY_ID"], "fn");
        assert!(!env.contains_key("AWS_SESSION_TOKEN"));
    }
}
