//! A Lambda function from a zip package: the Rust functions on `provided.al2023` (handler
//! `bootstrap`), the Python and Node.js readers on their managed runtimes. Creates and
//! updates wait with the SDK waiters; a role that IAM has not propagated yet is retried.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture as LambdaArch, Environment, FunctionCode, Runtime};

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::role_propagation::{retry_while_propagating, AssumingService};
use crate::aws::sdk_error::{classify, code_of, is_not_found};
use crate::aws::Clients;
use crate::config::Architecture;
use crate::diff::{Change, FieldChange};
use crate::error::{DeployError, Result};
use crate::package::Package;

/// How long to wait for a function to become active or updated.
const WAIT_LIMIT: Duration = Duration::from_secs(300);

/// What the stack wants of a function.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FunctionSpec {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) role_arn: String,
    pub(crate) memory_mb: i32,
    pub(crate) timeout_seconds: i32,
    pub(crate) architecture: Architecture,
    /// The Lambda runtime, e.g. `provided.al2023`, `python3.13`.
    pub(crate) runtime: String,
    /// `bootstrap`, or the managed runtime's `MODULE.FUNCTION`.
    pub(crate) handler: String,
    pub(crate) environment: BTreeMap<String, String>,
    pub(crate) package: Arc<Package>,
}

/// What exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionState {
    pub(crate) description: String,
    pub(crate) role_arn: String,
    pub(crate) memory_mb: i32,
    pub(crate) timeout_seconds: i32,
    pub(crate) architecture: String,
    pub(crate) runtime: String,
    pub(crate) handler: String,
    pub(crate) environment: BTreeMap<String, String>,
    pub(crate) code_sha256: String,
}

/// Reads the function's configuration; `None` when it does not exist.
pub(crate) async fn read(c: &Clients, name: &str) -> Result<Option<FunctionState>> {
    let out = match c.lambda.get_function().function_name(name).send().await {
        Ok(out) => out,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(classify("lambda:GetFunction", e)),
    };
    let Some(conf) = out.configuration else {
        return Ok(None);
    };
    Ok(Some(FunctionState {
        description: conf.description.unwrap_or_default(),
        role_arn: conf.role.unwrap_or_default(),
        memory_mb: conf.memory_size.unwrap_or_default(),
        timeout_seconds: conf.timeout.unwrap_or_default(),
        architecture: conf
            .architectures
            .unwrap_or_default()
            .first()
            .map_or_else(|| "x86_64".to_owned(), |a| a.as_str().to_owned()),
        runtime: conf
            .runtime
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        handler: conf.handler.unwrap_or_default(),
        environment: conf
            .environment
            .and_then(|e| e.variables)
            .map(|v| v.into_iter().collect())
            .unwrap_or_default(),
        code_sha256: conf.code_sha256.unwrap_or_default(),
    }))
}

/// Fields that `UpdateFunctionCode` changes.
const CODE_FIELDS: &[&str] = &["code", "architecture"];

/// The change from `current` to `spec`.
pub(crate) fn diff(spec: &FunctionSpec, current: Option<&FunctionState>) -> Change {
    let Some(cur) = current else {
        return Change::Create;
    };
    let mut fields = Vec::new();
    let mut check = |field: &str, old: String, new: String| {
        if old != new {
            fields.push(FieldChange::new(field, old, new));
        }
    };
    check("code", cur.code_sha256.clone(), spec.package.sha256.clone());
    check(
        "architecture",
        cur.architecture.clone(),
        spec.architecture.as_str().to_owned(),
    );
    check(
        "memory",
        cur.memory_mb.to_string(),
        spec.memory_mb.to_string(),
    );
    check(
        "timeout",
        cur.timeout_seconds.to_string(),
        spec.timeout_seconds.to_string(),
    );
    check("role", cur.role_arn.clone(), spec.role_arn.clone());
    check("runtime", cur.runtime.clone(), spec.runtime.clone());
    check("handler", cur.handler.clone(), spec.handler.clone());
    check(
        "description",
        cur.description.clone(),
        spec.description.clone(),
    );
    check(
        "environment",
        format!("{:?}", cur.environment),
        format!("{:?}", spec.environment),
    );
    Change::from_fields(fields)
}

fn lambda_arch(a: Architecture) -> LambdaArch {
    LambdaArch::from(a.as_str())
}

fn environment(spec: &FunctionSpec) -> Environment {
    Environment::builder()
        .set_variables(Some(spec.environment.clone().into_iter().collect()))
        .build()
}

/// True for the error Lambda gives where the architecture is not offered.
fn is_architecture_unavailable(code: Option<&str>, message: &str, arch: Architecture) -> bool {
    arch == Architecture::Arm64
        && matches!(
            code,
            Some("InvalidParameterValueException" | "ValidationException")
        )
        && message.to_ascii_lowercase().contains("arm64")
}

/// Creates or updates the function as `change` says, then waits until it is ready.
pub(crate) async fn apply(c: &Clients, spec: &FunctionSpec, change: &Change) -> Result<()> {
    match change {
        Change::NoChange | Change::Delete => Ok(()),
        Change::Create => {
            create(c, spec).await?;
            c.lambda
                .wait_until_function_active_v2()
                .function_name(&spec.name)
                .wait(WAIT_LIMIT)
                .await
                .map_err(|e| wait_error(&spec.name, "to become active", e))?;
            Ok(())
        }
        Change::Update(_) => {
            // Lambda refuses an update while another is in progress (ResourceConflictException),
            // e.g. one a benchmark run or a previous deploy started moments ago.
            wait_updated(c, &spec.name).await?;
            if CODE_FIELDS.iter().any(|f| change.touches(f)) {
                c.lambda
                    .update_function_code()
                    .function_name(&spec.name)
                    .zip_file(Blob::new(spec.package.zip.clone()))
                    .architectures(lambda_arch(spec.architecture))
                    .send()
                    .await
                    .map_err(|e| {
                        arch_or_classify("lambda:UpdateFunctionCode", spec.architecture, c, e)
                    })?;
                wait_updated(c, &spec.name).await?;
            }
            let config_changed = match change {
                Change::Update(fields) => fields
                    .iter()
                    .any(|f| !CODE_FIELDS.contains(&f.field.as_str())),
                _ => false,
            };
            if config_changed {
                retry_while_propagating(AssumingService::Lambda, || async {
                    c.lambda
                        .update_function_configuration()
                        .function_name(&spec.name)
                        .role(&spec.role_arn)
                        .memory_size(spec.memory_mb)
                        .timeout(spec.timeout_seconds)
                        .runtime(Runtime::from(spec.runtime.as_str()))
                        .handler(&spec.handler)
                        .description(&spec.description)
                        .environment(environment(spec))
                        .send()
                        .await
                })
                .await
                .map_err(|e| classify("lambda:UpdateFunctionConfiguration", e))?;
                wait_updated(c, &spec.name).await?;
            }
            Ok(())
        }
    }
}

async fn create(c: &Clients, spec: &FunctionSpec) -> Result<()> {
    let result = retry_while_propagating(AssumingService::Lambda, || async {
        c.lambda
            .create_function()
            .function_name(&spec.name)
            .description(&spec.description)
            .role(&spec.role_arn)
            .runtime(Runtime::from(spec.runtime.as_str()))
            .handler(&spec.handler)
            .architectures(lambda_arch(spec.architecture))
            .memory_size(spec.memory_mb)
            .timeout(spec.timeout_seconds)
            .environment(environment(spec))
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(spec.package.zip.clone()))
                    .build(),
            )
            .send()
            .await
    })
    .await;
    result
        .map(|_| ())
        .map_err(|e| arch_or_classify("lambda:CreateFunction", spec.architecture, c, e))
}

fn arch_or_classify<E>(
    action: &str,
    arch: Architecture,
    c: &Clients,
    e: aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> DeployError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    let message = e.message().unwrap_or_default().to_owned();
    if is_architecture_unavailable(code_of(&e), &message, arch) {
        return DeployError::ArchitectureUnavailable {
            region: c.region.clone(),
            message,
        };
    }
    classify(action, e)
}

/// Waits until Lambda reports no update of `name` in progress (`LastUpdateStatus` not
/// `InProgress`), at most [`WAIT_LIMIT`].
pub(crate) async fn wait_updated(c: &Clients, name: &str) -> Result<()> {
    c.lambda
        .wait_until_function_updated_v2()
        .function_name(name)
        .wait(WAIT_LIMIT)
        .await
        .map_err(|e| wait_error(name, "to finish updating", e))?;
    Ok(())
}

fn wait_error(name: &str, what: &str, e: impl std::error::Error) -> DeployError {
    DeployError::Aws {
        operation: format!("waiting for function {name} {what}"),
        code: "WaiterFailed".into(),
        message: aws_smithy_types::error::display::DisplayErrorContext(e).to_string(),
    }
}

/// Deletes the function; a missing one is fine. Returns whether it existed.
pub(crate) async fn destroy(c: &Clients, name: &str) -> Result<bool> {
    match c.lambda.delete_function().function_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(classify("lambda:DeleteFunction", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_missing_arm64() {
        assert!(is_architecture_unavailable(
            Some("InvalidParameterValueException"),
            "Architecture arm64 is not supported in this region",
            Architecture::Arm64
        ));
        assert!(!is_architecture_unavailable(
            Some("InvalidParameterValueException"),
            "Architecture arm64 is not supported in this region",
            Architecture::X86_64
        ));
    }

    fn spec() -> FunctionSpec {
        FunctionSpec {
            name: "f".into(),
            description: "d".into(),
            role_arn: "arn:aws:iam::1:role/r".into(),
            memory_mb: 1024,
            timeout_seconds: 60,
            architecture: Architecture::Arm64,
            runtime: "provided.al2023".into(),
            handler: "bootstrap".into(),
            environment: BTreeMap::new(),
            package: Arc::new(Package::from_zip("f", vec![1, 2, 3])),
        }
    }

    #[test]
    fn diff_separates_code_from_configuration() {
        let spec = spec();
        let same = FunctionState {
            description: "d".into(),
            role_arn: spec.role_arn.clone(),
            memory_mb: 1024,
            timeout_seconds: 60,
            architecture: "arm64".into(),
            runtime: "provided.al2023".into(),
            handler: "bootstrap".into(),
            environment: BTreeMap::new(),
            code_sha256: spec.package.sha256.clone(),
        };
        assert_eq!(diff(&spec, Some(&same)), Change::NoChange);
        let smaller = FunctionState {
            memory_mb: 128,
            ..same.clone()
        };
        assert_eq!(
            diff(&spec, Some(&smaller)),
            Change::Update(vec![FieldChange::new("memory", "128", "1024")])
        );
        let old_code = FunctionState {
            code_sha256: "other".into(),
            ..same
        };
        assert!(diff(&spec, Some(&old_code)).touches("code"));
    }
}
