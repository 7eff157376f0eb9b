//! The errors of the deployer. Variant names are stable: scripts and tests match on them.
//! Each message says what went wrong and what the user can do about it.

use std::path::PathBuf;

/// Everything that can stop a deploy, diff, run, plan or destroy.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// A configuration value (from `bench.toml` or a flag) cannot work.
    #[error("config: {field}: {problem}; {fix}")]
    InvalidConfig {
        /// The field as the user wrote it, e.g. `memory_sizes[1]` or `--target`.
        field: String,
        /// What is wrong with its value, e.g. `64 MB is outside 128..=10240`.
        problem: String,
        /// What to write instead.
        fix: String,
    },

    /// The configuration file cannot be read or parsed.
    #[error("config file {path}: {message}")]
    ConfigFile {
        /// The configuration file (or `stack.json`, when it could not be serialized).
        path: PathBuf,
        /// The parser's message, naming the line and the field.
        message: String,
    },

    /// No region from the flags, `bench.toml`, `AWS_REGION` or the profile.
    #[error(
        "no AWS region: set `region` in bench.toml, pass --region, or export AWS_REGION (e.g. AWS_REGION=eu-west-1)"
    )]
    NoRegion,

    /// The credential chain found nothing (or did not answer in time).
    #[error(
        "no AWS credentials ({detail}). Set a profile with `export AWS_PROFILE=NAME` (configure one with `aws configure --profile NAME` or `aws configure sso`), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )]
    NoCredentials {
        /// Why: nothing found in time, or what AWS or the chain's last provider said.
        detail: String,
    },

    /// The caller lacks an IAM permission.
    #[error(
        "access denied: the caller may not perform {action}{resource}. Grant `{action}` to your user or role (or use a profile that has it) and run again. AWS said: {message}"
    )]
    AccessDenied {
        /// The IAM action to grant, e.g. `iam:CreateRole`.
        action: String,
        /// ` on ARN` when AWS named the resource, else empty.
        resource: String,
        /// AWS's message as it came.
        message: String,
    },

    /// Lambda does not offer arm64 in this region.
    #[error(
        "Lambda does not offer the arm64 architecture in {region}: deploy with `--arch x86_64` (or set architecture = \"x86_64\" in bench.toml), or pick another region. AWS said: {message}"
    )]
    ArchitectureUnavailable {
        /// The region the functions were deployed to.
        region: String,
        /// AWS's message as it came.
        message: String,
    },

    /// A bucket name is taken by another account (bucket names are global).
    #[error(
        "the bucket name {bucket} is taken by another AWS account (bucket names are global): pick another name with `data_bucket`/`results_bucket` in bench.toml, or change `stack_name` (--stack-name)"
    )]
    BucketNameTaken {
        /// The bucket name another account owns.
        bucket: String,
    },

    /// A bucket with one of the stack's bucket names that this stack did not create: it lacks
    /// the tag `lambda-bench:stack` = the stack name (destroy refuses to empty or delete it), or
    /// it carries another stack's name (deploy refuses to take it over).
    #[error(
        "{command} refused: the bucket {bucket} was not created by the stack {stack}: {reason}. {fix}"
    )]
    ForeignBucket {
        /// The refusing command: `deploy` or `destroy`.
        command: &'static str,
        /// The bucket that is not the stack's.
        bucket: String,
        /// The `stack_name` the command ran with.
        stack: String,
        /// Why the bucket is not this stack's, from its tags.
        reason: String,
        /// What was left unchanged and how to go on.
        fix: String,
    },

    /// `DeleteObjects` answered 200 but listed keys it could not delete (its per-key `Errors`).
    #[error(
        "s3://{bucket}: DeleteObjects could not delete {failed} of {requested} objects while {during}: {details}. AccessDenied means a missing `s3:DeleteObject`/`s3:DeleteObjectVersion` permission, or a bucket policy or Object Lock that protects them: fix that and run again"
    )]
    ObjectsNotDeleted {
        /// The bucket the objects are in.
        bucket: String,
        /// What the deletion was for, e.g. `emptying the bucket`.
        during: &'static str,
        /// Keys (or versions) S3 did not delete.
        failed: usize,
        /// Keys (or versions) the request asked to delete.
        requested: usize,
        /// `KEY (version V): CODE: MESSAGE`, the first few, then how many more.
        details: String,
    },

    /// A resource exists with a property that cannot be changed in place.
    #[error("{resource}: {field} is {current} but the stack wants {desired}; {fix}")]
    Immutable {
        /// The resource, e.g. `state machine lambda-bench`.
        resource: String,
        /// The property that differs, e.g. `type`.
        field: &'static str,
        /// Its value on AWS.
        current: String,
        /// Its value in the declared stack.
        desired: String,
        /// How to get there, e.g. destroy and deploy again.
        fix: String,
    },

    /// Any other AWS error, with the operation that failed.
    #[error("{operation} failed: {code}: {message}")]
    Aws {
        /// The call in IAM notation (e.g. `lambda:CreateFunction`), or the wait that failed.
        operation: String,
        /// AWS's error code, else `HTTP STATUS` or `no response`.
        code: String,
        /// AWS's message, else the SDK's description of the failure.
        message: String,
    },

    /// An SDK request could not be built (a bug: a required field was not set).
    #[error("building the {what} request: {message}")]
    Request {
        /// The request or part being built, e.g. `s3:DeleteObjects`.
        what: &'static str,
        /// The builder's message, naming the missing field.
        message: String,
    },

    /// A wait (function update, role propagation, execution) did not end in time.
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout {
        /// What was waited for, e.g. `execution run-...`.
        what: String,
        /// How long, in seconds.
        seconds: u64,
    },

    /// Building or reading the Lambda packages failed; the message names the step and the fix
    /// (e.g. run `scripts/setup`, or point `--package-dir` at the packages).
    #[error("packaging: {0}")]
    Package(String),

    /// The state machine crate refused the plan: fix the configuration field its message names
    /// (a definition or template error there is a bug in `templates/`).
    #[error("state machine plan: {0}")]
    Plan(#[from] bench_statemachine::Error),

    /// The execution ended without success.
    #[error("execution {name} ended {status}: {error}: {cause}")]
    ExecutionFailed {
        /// The execution that did not succeed.
        name: String,
        /// How it ended: `FAILED`, `TIMED_OUT` or `ABORTED`.
        status: String,
        /// The execution's error name, e.g. `InvalidInput` (empty when it has none).
        error: String,
        /// The execution's cause (empty when it has none).
        cause: String,
    },

    /// An execution of the stack's state machine is running: it changes the targets' memory, so
    /// neither a deploy that updates a function nor a second run may start now.
    #[error(
        "{doing} would collide with the running execution(s) {} of {state_machine}, which change(s) the benchmarked functions' memory: wait for it to end (`cargo run --bin deploy -- run` shows the table of a finished one) or stop it in the Step Functions console, then try again",
        executions.join(", ")
    )]
    ExecutionRunning {
        /// The state machine's ARN.
        state_machine: String,
        /// The names of its running executions.
        executions: Vec<String>,
        /// What was refused, e.g. `starting a run`.
        doing: String,
    },

    /// The deploy output (`stack.json`) is missing or unreadable; deploy first.
    #[error("{path}: {message}; run `cargo run --bin deploy` first")]
    NotDeployed {
        /// The `stack.json` looked for.
        path: PathBuf,
        /// Why it could not be used.
        message: String,
    },

    /// A local file could not be read or written: check the path and its permissions.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder the operation was on.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl DeployError {
    /// A configuration error naming the field, the problem and the fix.
    pub(crate) fn config(
        field: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::InvalidConfig {
            field: field.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// The stable name of the variant, e.g. `AccessDenied`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::InvalidConfig { .. } => "InvalidConfig",
            Self::ConfigFile { .. } => "ConfigFile",
            Self::NoRegion => "NoRegion",
            Self::NoCredentials { .. } => "NoCredentials",
            Self::AccessDenied { .. } => "AccessDenied",
            Self::ArchitectureUnavailable { .. } => "ArchitectureUnavailable",
            Self::BucketNameTaken { .. } => "BucketNameTaken",
            Self::ForeignBucket { .. } => "ForeignBucket",
            Self::ObjectsNotDeleted { .. } => "ObjectsNotDeleted",
            Self::Immutable { .. } => "Immutable",
            Self::Aws { .. } => "Aws",
            Self::Request { .. } => "Request",
            Self::Timeout { .. } => "Timeout",
            Self::Package(_) => "Package",
            Self::Plan(_) => "Plan",
            Self::ExecutionFailed { .. } => "ExecutionFailed",
            Self::ExecutionRunning { .. } => "ExecutionRunning",
            Self::NotDeployed { .. } => "NotDeployed",
            Self::Io { .. } => "Io",
        }
    }
}

/// The deployer's result type.
pub type Result<T, E = DeployError> = std::result::Result<T, E>;

/// A request builder's error (a required field missing) as a [`DeployError::Request`].
pub(crate) fn request_error(what: &'static str, err: impl std::fmt::Display) -> DeployError {
    DeployError::Request {
        what,
        message: err.to_string(),
    }
}
