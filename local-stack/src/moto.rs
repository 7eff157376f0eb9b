//! moto's server as a child process: the local AWS control plane and Step Functions interpreter.
//!
//! ```no_run
//! # async fn demo() -> Result<(), local_stack::Error> {
//! use local_stack::moto::{MotoOptions, MotoServer};
//! let moto = MotoServer::start(MotoOptions::simple_lambda()).await?;
//! let config = moto.sdk_config().await; // endpoint_url = moto, us-east-1, test credentials
//! # drop(config); Ok(()) }
//! ```
//!
//! [`StrictOptions`] make it as strict as AWS in timing (role propagation, Lambda update latency,
//! API throttling); see `local-stack/README.md`.

use std::path::Path;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use hyper::Method;
use serde_json::{json, Value};
use system::process::{read_tail, GroupChild};
use tokio::process::Command;

use crate::http::HttpClient;
use crate::paths::{moto_launcher, venv_python};
use crate::ports::free_loopback_port;
use crate::Error;

/// How long moto may take to import and bind (it is slow on a loaded 2-core machine).
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// Pause between readiness probes.
const PROBE_INTERVAL: Duration = Duration::from_millis(100);
/// Fresh ports tried when moto exits during start (another process may have taken the port).
const START_ATTEMPTS: usize = 3;
/// What the launcher writes in moto's temp dir once its server holds the port.
const READY_FILE: &str = "ready";
/// How much of moto's log an error message quotes.
const LOG_TAIL_BYTES: u64 = 4000;

/// What kind of Lambda service moto offers, and whether it keeps AWS's timing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MotoOptions {
    /// moto's "simple" Lambda backend: invokes answer with responses queued at
    /// `POST /moto-api/static/lambda-simple/response` (see [`MotoServer::queue_simple_lambda_responses`]).
    pub simple_lambda: bool,
    /// URL of the local Lambda runtime (`runtime::LocalRuntime::url`): invokes run the real function.
    pub lambda_bridge: Option<String>,
    /// AWS's timing and refusals (`moto_strict.py`); `None` is moto as it is, which accepts at
    /// once what AWS refuses for a while. Off in these constructors; [`crate::LambdaStack::start`]
    /// turns it on.
    pub strict: Option<StrictOptions>,
}

impl MotoOptions {
    /// moto with the simple Lambda backend (no function code runs).
    pub fn simple_lambda() -> Self {
        Self {
            simple_lambda: true,
            ..Self::default()
        }
    }

    /// moto whose Lambda Invoke forwards to the local runtime at `url`.
    pub fn with_bridge(url: impl Into<String>) -> Self {
        Self {
            lambda_bridge: Some(url.into()),
            ..Self::default()
        }
    }

    /// These options with strict mode (see [`StrictOptions`]).
    pub fn with_strict(self, strict: StrictOptions) -> Self {
        Self {
            strict: Some(strict),
            ..self
        }
    }

    /// These options without strict mode.
    pub fn lenient(self) -> Self {
        Self {
            strict: None,
            ..self
        }
    }
}

/// A token bucket, the way AWS documents its API quotas: `capacity` calls at once, then one more
/// each `refill_interval` (a refill rate of N per second is an interval of 1/N s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenBucket {
    /// Calls allowed at once (the burst), when the bucket is full.
    pub capacity: u32,
    /// Time after which one more call is allowed.
    pub refill_interval: Duration,
}

impl TokenBucket {
    /// `capacity` at once, refilled at `refill_per_second` tokens per second (0 is refused by
    /// [`MotoServer::start`]).
    pub fn per_second(capacity: u32, refill_per_second: u32) -> Self {
        Self {
            capacity,
            refill_interval: match refill_per_second {
                0 => Duration::ZERO,
                n => Duration::from_secs(1) / n,
            },
        }
    }

    /// `capacity` at once, then one token each `refill_interval`.
    pub fn every(capacity: u32, refill_interval: Duration) -> Self {
        Self {
            capacity,
            refill_interval,
        }
    }

    fn refill_per_second(&self) -> f64 {
        1.0 / self.refill_interval.as_secs_f64()
    }

    fn check(&self, what: &str) -> Result<(), Error> {
        if self.capacity == 0 || self.refill_interval.is_zero() {
            return Err(Error::InvalidOptions {
                message: format!(
                    "strict {what} bucket {self:?}: needs a capacity >= 1 and a refill interval > 0"
                ),
            });
        }
        Ok(())
    }
}

/// Strict mode: moto as strict as AWS in timing (implemented by `local-stack/moto_strict.py`).
///
/// - a role created less than [`role_propagation`](Self::role_propagation) ago, or whose trust
///   policy does not let the service assume it, is refused by Lambda CreateFunction /
///   UpdateFunctionConfiguration (400 `InvalidParameterValueException`), Step Functions
///   CreateStateMachine / UpdateStateMachine (400 `AccessDeniedException`) and Scheduler
///   CreateSchedule / UpdateSchedule (400 `ValidationException`), with AWS's messages;
/// - a new function is `Pending`, an updated one `LastUpdateStatus: InProgress`, for
///   [`update_latency`](Self::update_latency): invocations run the configuration from before the
///   update, another update (or an invoke while Pending) gets 409 `ResourceConflictException`;
/// - Step Functions DescribeExecution and GetExecutionHistory have token buckets (400
///   `ThrottlingException` "Rate exceeded"), Lambda Invoke optionally one (429
///   `TooManyRequestsException` "Rate Exceeded.", Reason `CallerRateLimitExceeded`), which the
///   Step Functions interpreter's invocations count toward too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrictOptions {
    /// How long a new IAM role cannot be assumed by a service. AWS documents no number (IAM is
    /// eventually consistent); the default, 8 s, is what deploys commonly see.
    pub role_propagation: Duration,
    /// How long a new function stays `Pending` and an update `InProgress` (default 2 s).
    pub update_latency: Duration,
    /// DescribeExecution's quota (default: AWS's for us-east-1, 300 then 15 per second).
    pub describe_execution: TokenBucket,
    /// GetExecutionHistory's quota (default: AWS's for us-east-1, 400 then 20 per second).
    pub execution_history: TokenBucket,
    /// Lambda Invoke's rate, per account and region; `None` (the default) is unthrottled.
    pub invoke: Option<TokenBucket>,
}

impl Default for StrictOptions {
    /// AWS-like: 8 s role propagation, 2 s update latency, Step Functions' documented quotas for
    /// us-east-1, Invoke unthrottled.
    fn default() -> Self {
        Self {
            role_propagation: Duration::from_secs(8),
            update_latency: Duration::from_secs(2),
            describe_execution: TokenBucket::per_second(300, 15),
            execution_history: TokenBucket::per_second(400, 20),
            invoke: None,
        }
    }
}

impl StrictOptions {
    /// The launcher's flags for these options.
    fn launcher_args(&self) -> Result<Vec<String>, Error> {
        self.describe_execution.check("DescribeExecution")?;
        self.execution_history.check("GetExecutionHistory")?;
        if let Some(invoke) = &self.invoke {
            invoke.check("Invoke")?;
        }
        let mut args = vec![
            "--strict".to_string(),
            "--role-propagation".to_string(),
            self.role_propagation.as_secs_f64().to_string(),
            "--update-latency".to_string(),
            self.update_latency.as_secs_f64().to_string(),
        ];
        let mut bucket = |name: &str, bucket: &TokenBucket| {
            args.push(format!("--{name}-bucket"));
            args.push(bucket.capacity.to_string());
            args.push(format!("--{name}-refill"));
            args.push(bucket.refill_per_second().to_string());
        };
        bucket("describe-execution", &self.describe_execution);
        bucket("execution-history", &self.execution_history);
        if let Some(invoke) = &self.invoke {
            bucket("invoke", invoke);
        }
        Ok(args)
    }
}

/// A running moto server on 127.0.0.1. Dropping it kills the server's whole process group.
#[derive(Debug)]
pub struct MotoServer {
    process: GroupChild,
    port: u16,
    http: HttpClient,
    strict: Option<StrictOptions>,
    // Last field: removed after the process is killed (holds the log and the code cache).
    dir: tempfile::TempDir,
}

impl MotoServer {
    /// Starts moto on a free port, waits until it answers, and switches on state machine execution
    /// (and, for [`MotoOptions::simple_lambda`], the simple Lambda backend).
    pub async fn start(opts: MotoOptions) -> Result<MotoServer, Error> {
        if opts.simple_lambda && opts.lambda_bridge.is_some() {
            return Err(Error::InvalidOptions {
                message: "simple_lambda and lambda_bridge exclude each other (moto's simple \
                          backend would answer every invoke): set only one"
                    .to_string(),
            });
        }
        // Checked before anything starts, so bad values fail fast and without a log to read.
        if let Some(strict) = &opts.strict {
            strict.launcher_args()?;
        }
        let python = venv_python()?;
        let launcher = moto_launcher()?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_loopback_port()?;
            match Self::start_on(&opts, &python, &launcher, port).await {
                Err(error @ Error::ExitedDuringStart { .. }) if attempt < START_ATTEMPTS => {
                    tracing::warn!(port, %error, "moto exited during start; retrying on another port");
                }
                other => return other,
            }
        }
    }

    async fn start_on(
        opts: &MotoOptions,
        python: &Path,
        launcher: &Path,
        port: u16,
    ) -> Result<MotoServer, Error> {
        let dir = tempfile::Builder::new()
            .prefix("local-stack-moto-")
            .tempdir()
            .map_err(|e| Error::io("creating moto's temp dir", e))?;
        let log_path = dir.path().join("moto.log");
        let ready_file = dir.path().join(READY_FILE);
        let mut command = Command::new(python);
        command
            .arg(launcher)
            .arg("--port")
            .arg(port.to_string())
            .arg("--ready-file")
            .arg(&ready_file)
            .env("MOTO_PORT", port.to_string())
            .env("PYTHONUNBUFFERED", "1")
            // moto is installed without precompiled bytecode (`scripts/setup` saves 10 s of a
            // fresh clone's first command that way): let its first start cache what it imports
            // in the project's venv, even where the environment turns the cache off.
            .env_remove("PYTHONDONTWRITEBYTECODE")
            .current_dir(dir.path());
        if let Some(bridge) = &opts.lambda_bridge {
            command
                .arg("--bridge")
                .arg(bridge)
                .arg("--code-cache")
                .arg(dir.path().join("code"));
        }
        if let Some(strict) = &opts.strict {
            command.args(strict.launcher_args()?);
        }
        let process = GroupChild::spawn_logged(&mut command, &log_path)
            .map_err(|e| Error::spawn("moto", e))?;
        let mut server = MotoServer {
            process,
            port,
            http: HttpClient::new(),
            strict: opts.strict.clone(),
            dir,
        };
        server.configure_when_ready(opts).await?;
        tracing::info!(port, log = %server.log_path().display(), "moto ready");
        Ok(server)
    }

    /// Probes with the config call itself until moto answers, then checks the config took.
    ///
    /// Probes start only once the launcher's ready file shows that this process holds the port:
    /// another test's moto may have been given the same free port, and before one of the two
    /// loses the bind (and exits) both parents' probes would reach the winner.
    async fn configure_when_ready(&mut self, opts: &MotoOptions) -> Result<(), Error> {
        let mut config = json!({"stepfunctions": {"execute_state_machine": true}});
        if opts.simple_lambda {
            config["lambda"] = json!({"use_docker": false});
        }
        let url = format!("{}/moto-api/config", self.endpoint());
        let started = Instant::now();
        let answer = loop {
            if let Some(status) = self.process.exit_status() {
                return Err(Error::ExitedDuringStart {
                    what: "moto",
                    status,
                    log_tail: self.log_tail(),
                });
            }
            let bound = self.dir.path().join(READY_FILE).is_file();
            let probe = if bound {
                Some(self.http.send_json(Method::POST, &url, &config).await)
            } else {
                None
            };
            match probe {
                Some(Ok(answer)) => break answer,
                _ if started.elapsed() < READY_TIMEOUT => {
                    tokio::time::sleep(PROBE_INTERVAL).await;
                }
                _ => {
                    return Err(Error::NotReady {
                        what: "moto",
                        seconds: READY_TIMEOUT.as_secs(),
                        log_tail: self.log_tail(),
                    })
                }
            }
        };
        // moto echoes only its batch and lambda settings, so only the Lambda one can be checked.
        let applied: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        let simple_ok = !opts.simple_lambda || applied["lambda"]["use_docker"] == json!(false);
        if !(200..300).contains(&answer.status) || !simple_ok {
            return Err(Error::Rejected {
                what: "moto",
                request: format!("POST {url} {config}"),
                status: answer.status,
                body: answer.text(),
            });
        }
        Ok(())
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The strict-mode options this server runs with (`None`: lenient, moto as it is).
    pub fn strict(&self) -> Option<&StrictOptions> {
        self.strict.as_ref()
    }

    /// The port moto listens on (also its `MOTO_PORT`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where moto's stdout and stderr go (deleted with the server).
    pub fn log_path(&self) -> std::path::PathBuf {
        self.dir.path().join("moto.log")
    }

    /// The last few KB of moto's log, for error messages.
    pub fn log_tail(&self) -> String {
        read_tail(&self.log_path(), LOG_TAIL_BYTES)
    }

    /// The process id of the launcher (the leader of the process group killed on drop).
    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    /// An SDK config for this server: its endpoint, `us-east-1`, static test credentials.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(self.endpoint())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "local-stack"))
            .load()
            .await
    }

    /// Queues answers for moto's simple Lambda backend: each invoke takes the next one.
    pub async fn queue_simple_lambda_responses(&self, results: &[String]) -> Result<(), Error> {
        let url = format!("{}/moto-api/static/lambda-simple/response", self.endpoint());
        let body = json!({"results": results, "region": "us-east-1"});
        let answer = self.http.send_json(Method::POST, &url, &body).await?;
        if !(200..300).contains(&answer.status) {
            return Err(Error::Rejected {
                what: "moto",
                request: format!("POST {url}"),
                status: answer.status,
                body: answer.text(),
            });
        }
        Ok(())
    }

    /// Kills the server now (dropping it does the same).
    pub async fn stop(mut self) {
        self.process.kill().await;
    }
}
