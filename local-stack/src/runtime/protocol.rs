//! The bridge protocol: what `moto_launcher.py` sends to `POST /invoke` and what it gets back.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One invocation, with the function's configuration at the time of the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeRequest {
    /// The function's name: environments are kept per name.
    pub function_name: String,
    /// The function's ARN, passed to the function as its invoked ARN (empty if not given).
    #[serde(default)]
    pub function_arn: String,
    /// The version invoked (default `$LATEST`), as `AWS_LAMBDA_FUNCTION_VERSION`.
    #[serde(default = "latest")]
    pub version: String,
    /// MB, as configured in moto when the call was made.
    pub memory_size: u32,
    /// Seconds.
    pub timeout: u32,
    /// The function's own environment variables.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// The function's runtime, e.g. `provided.al2023`, `python3.13`, `nodejs22.x`.
    #[serde(default = "provided")]
    pub runtime: String,
    /// The function's handler: `bootstrap` for `provided.*`, `MODULE.FUNCTION` otherwise.
    #[serde(default = "bootstrap")]
    pub handler: String,
    /// A directory holding the unpacked code: an executable `bootstrap` (`provided.*`) or the
    /// handler's module and its dependencies.
    pub code_dir: PathBuf,
    /// Identifies the code (hex SHA-256 of the zip).
    pub code_sha256: String,
    /// How many configuration or code updates the function has had: a new revision never
    /// reuses a sandbox of an earlier one, as on Lambda, even when the values went back.
    #[serde(default)]
    pub revision: u64,
    /// The function's region (default `us-east-1`), as `AWS_REGION`.
    #[serde(default = "default_region")]
    pub region: String,
    /// The event, as JSON text.
    pub payload: String,
    /// The execution role's temporary credentials (strict mode: the launcher assumes the role
    /// with moto STS), given to a new environment as Lambda gives them. `None`: the runtime's
    /// base variables (test keys) stay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<RoleCredentials>,
}

/// Temporary credentials, as the variables Lambda sets for the runtime.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCredentials {
    /// `AWS_ACCESS_KEY_ID`.
    #[serde(rename = "AWS_ACCESS_KEY_ID")]
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY` (left out of `Debug`).
    #[serde(rename = "AWS_SECRET_ACCESS_KEY")]
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN` (left out of `Debug`).
    #[serde(rename = "AWS_SESSION_TOKEN")]
    pub session_token: String,
}

impl std::fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

fn provided() -> String {
    "provided.al2023".to_string()
}

fn bootstrap() -> String {
    "bootstrap".to_string()
}

fn latest() -> String {
    "$LATEST".to_string()
}

fn default_region() -> String {
    "us-east-1".to_string()
}

/// The outcome of one invocation, as Lambda would report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeAnswer {
    /// The invocation's request id (a UUID, as Lambda's).
    pub request_id: String,
    /// The function's response, or the error JSON (`errorType`, `errorMessage`) on failure.
    pub payload: String,
    /// `Unhandled` when the function failed (the value of `X-Amz-Function-Error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_error: Option<String>,
    /// Lambda-style log tail of this invocation (START, the function's output, END, REPORT).
    #[serde(default)]
    pub log_tail: String,
    /// True when a new execution environment was started for this call.
    pub cold_start: bool,
    /// Milliseconds from the function fetching the event to its answer (REPORT's `Duration`).
    pub duration_ms: f64,
    /// Milliseconds from the environment's start to the function fetching its first event;
    /// only on a cold start (REPORT's `Init Duration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_duration_ms: Option<f64>,
    /// Peak resident memory of the function's process in MB (REPORT's `Max Memory Used`);
    /// `None` when the process was gone before it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory_used_mb: Option<u64>,
    /// The CPU limit the environment ran under.
    pub cpu: CpuQuotaReport,
}

/// How the CPU share of an environment was limited, or why it was not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CpuQuotaReport {
    /// True when a cgroup quota is in force for this environment.
    pub applied: bool,
    /// `cgroup-v1`, `cgroup-v2` or `none`.
    pub mechanism: String,
    /// The share the memory size entitles to (memory / 1769, capped at the machine's CPUs).
    pub vcpus: f64,
    /// CPU time the environment may use per period, in microseconds (`None`: no quota).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_us: Option<u64>,
    /// The quota's period, in microseconds (`None`: no quota).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_us: Option<u64>,
    /// The cgroup directory of the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Why no quota was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
