//! One `SdkConfig`, loaded once from the standard chain, and the service clients built from it.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::ProvideCredentials;
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::aws::call_log::CallLog;
use crate::aws::sdk_error::classify;
use crate::error::{DeployError, Result};

/// How long the region lookup may take (it may fall through to instance metadata).
const REGION_LOOKUP_TIMEOUT: Duration = Duration::from_millis(2500);
/// How long the credential chain may take; with the region lookup this stays under 5 s.
const CREDENTIALS_TIMEOUT: Duration = Duration::from_millis(2000);

/// Loads the standard chain (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`, ...), with
/// `region` (from the flags or `bench.toml`) taking precedence. Bounded in time: no hang on
/// instance metadata when nothing is configured.
pub async fn load_sdk_config(region: Option<&str>) -> Result<SdkConfig> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    let config = tokio::time::timeout(REGION_LOOKUP_TIMEOUT, loader.load())
        .await
        .map_err(|_| DeployError::NoRegion)?;
    if config.region().is_none() {
        return Err(DeployError::NoRegion);
    }
    Ok(config)
}

/// Asks the credential chain for credentials, bounded by a timeout.
pub(crate) async fn check_credentials(config: &SdkConfig) -> Result<()> {
    check_credentials_within(config, CREDENTIALS_TIMEOUT).await
}

/// [`check_credentials`] with an explicit bound (tests use a short one).
pub(crate) async fn check_credentials_within(config: &SdkConfig, limit: Duration) -> Result<()> {
    let provider = config
        .credentials_provider()
        .ok_or_else(|| DeployError::NoCredentials {
            detail: "no credential provider is configured".into(),
        })?;
    match tokio::time::timeout(limit, provider.provide_credentials()).await {
        Err(_) => Err(DeployError::NoCredentials {
            detail: format!(
                "the credential chain found nothing within {} ms (no environment keys, no profile, no instance metadata)",
                limit.as_millis()
            ),
        }),
        Ok(Err(err)) => {
            // The chain's text ends in a long debug dump of the last provider's error.
            let text = DisplayErrorContext(&err).to_string();
            let detail = text.split(" (").next().unwrap_or(&text).to_owned();
            Err(DeployError::NoCredentials { detail })
        }
        Ok(Ok(_)) => Ok(()),
    }
}

/// The clients of every service the stack uses, sharing one configuration and one call log.
#[derive(Debug, Clone)]
pub struct Clients {
    /// S3 (path-style addressing when an endpoint is set).
    pub s3: aws_sdk_s3::Client,
    /// IAM: the stack's roles and their inline policies.
    pub iam: aws_sdk_iam::Client,
    /// Lambda: the functions, and the targets' memory around a run.
    pub lambda: aws_sdk_lambda::Client,
    /// Step Functions: the state machine and its executions.
    pub sfn: aws_sdk_sfn::Client,
    /// EventBridge Scheduler: the optional schedule.
    pub scheduler: aws_sdk_scheduler::Client,
    /// STS: the account of the credentials.
    pub sts: aws_sdk_sts::Client,
    /// The region every client calls, e.g. `eu-west-1` (empty when none is configured).
    pub region: String,
    /// The log every client records its calls to.
    pub log: CallLog,
}

impl Clients {
    /// Builds every client from `config`, each with `log` attached. S3 uses path-style
    /// addressing when an endpoint is set (local S3 servers and moto need it).
    pub(crate) fn new(config: &SdkConfig, log: CallLog) -> Self {
        let path_style =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(path_style)
            .interceptor(log.clone())
            .build();
        let iam = aws_sdk_iam::config::Builder::from(config)
            .interceptor(log.clone())
            .build();
        let lambda = aws_sdk_lambda::config::Builder::from(config)
            .interceptor(log.clone())
            .build();
        let sfn = aws_sdk_sfn::config::Builder::from(config)
            .interceptor(log.clone())
            .build();
        let scheduler = aws_sdk_scheduler::config::Builder::from(config)
            .interceptor(log.clone())
            .build();
        let sts = aws_sdk_sts::config::Builder::from(config)
            .interceptor(log.clone())
            .build();
        Self {
            s3: aws_sdk_s3::Client::from_conf(s3),
            iam: aws_sdk_iam::Client::from_conf(iam),
            lambda: aws_sdk_lambda::Client::from_conf(lambda),
            sfn: aws_sdk_sfn::Client::from_conf(sfn),
            scheduler: aws_sdk_scheduler::Client::from_conf(scheduler),
            sts: aws_sdk_sts::Client::from_conf(sts),
            region: config
                .region()
                .map(|r| r.as_ref().to_owned())
                .unwrap_or_default(),
            log,
        }
    }

    /// The account the credentials belong to (`sts:GetCallerIdentity`).
    pub(crate) async fn account_id(&self) -> Result<String> {
        let identity = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| classify("sts:GetCallerIdentity", e))?;
        identity.account.ok_or_else(|| DeployError::Aws {
            operation: "sts:GetCallerIdentity".into(),
            code: "NoAccount".into(),
            message: "the answer named no account".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::config::Credentials;

    /// A credential provider that never answers, like instance metadata on a machine without it.
    #[derive(Debug)]
    struct NeverAnswers;

    impl ProvideCredentials for NeverAnswers {
        fn provide_credentials<'a>(
            &'a self,
        ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            aws_credential_types::provider::future::ProvideCredentials::new(std::future::pending())
        }
    }

    #[tokio::test]
    async fn a_silent_credential_chain_is_reported_not_awaited() {
        let config = SdkConfig::builder()
            .region(Region::new("eu-west-1"))
            .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(
                NeverAnswers,
            ))
            .behavior_version(BehaviorVersion::latest())
            .build();
        let err = check_credentials_within(&config, Duration::from_millis(200))
            .await
            .expect_err("no credentials");
        assert_eq!(err.name(), "NoCredentials");
        assert!(err.to_string().contains("AWS_PROFILE"), "{err}");
    }

    #[tokio::test]
    async fn static_credentials_pass() {
        let config = SdkConfig::builder()
            .region(Region::new("eu-west-1"))
            .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(
                Credentials::new("a", "b", None, None, "test"),
            ))
            .behavior_version(BehaviorVersion::latest())
            .build();
        check_credentials_within(&config, Duration::from_millis(200))
            .await
            .expect("static credentials");
    }
}
