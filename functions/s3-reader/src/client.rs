//! Building S3 clients: one at init, and fresh ones (new HTTP connector, so a cold connection
//! pool) per invocation unless the event asks to reuse connections. GETs go through the
//! [`crate::direct`] client unless the event asks for the SDK; listing always uses the SDK.
//!
//! Endpoint, region and credentials come from the standard AWS environment, so the same binary
//! runs on AWS and against the local stack (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`).
//! Addressing: path-style whenever an endpoint override is set (local servers rarely resolve
//! `bucket.host` names), virtual-hosted on AWS; `AWS_S3_FORCE_PATH_STYLE=true|false` overrides.

use std::sync::Arc;
use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::BehaviorVersion;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    Credentials, Region, ResponseChecksumValidation, SharedCredentialsProvider,
};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

use bench_types::Concurrency;

use crate::direct::{resolve_bucket_endpoint, DirectClient, DirectTransport};
use crate::error::ReaderError;
use crate::request::{GetClient, ReadRequest};

/// Makes S3 clients that share a configuration but (optionally) not connections.
#[derive(Debug, Clone)]
pub struct ClientFactory {
    base: aws_sdk_s3::Config,
    /// The S3 endpoint override, if any, and the credentials (the SDK's S3 config does not give
    /// either back).
    endpoint: Option<String>,
    force_path_style: bool,
    credentials: Option<SharedCredentialsProvider>,
    /// The direct path's root certificates and crypto provider, loaded once per process when
    /// the factory is built (at init), shared by every invocation's direct client.
    transport: DirectTransport,
}

/// The clients of one invocation: the SDK client lists (and GETs with `"client": "sdk"`),
/// the direct client GETs otherwise.
#[derive(Debug, Clone)]
pub struct InvocationClients {
    /// Lists, and GETs with `"client": "sdk"`; a new connection pool unless reused.
    pub sdk: aws_sdk_s3::Client,
    /// GETs with `"client": "direct"` (the default); `None` on the SDK path.
    pub direct: Option<Arc<DirectClient>>,
}

/// Retries are ours (see [`crate::retry`]), so the SDK's are off: one attempt per call.
/// Stalled-stream protection and S3 Express session auth stay on: turning either off saved
/// nothing measurable.
fn reader_defaults(builder: aws_sdk_s3::config::Builder) -> aws_sdk_s3::config::Builder {
    builder
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .read_timeout(Duration::from_secs(10))
                .build(),
        )
        // GetObject asks S3 for the object's checksum and runs CRC32 over every body by default
        // (4% of the SDK path's CPU at 1000 GETs, measured); the direct path checks
        // Content-Length only, and so does this one now. Uploads are not this reader's job.
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
}

/// Whether to use path-style addressing, from the environment (see the module doc).
fn path_style_from_env(get: impl Fn(&str) -> Option<String>) -> bool {
    match get("AWS_S3_FORCE_PATH_STYLE").map(|v| v.trim().to_ascii_lowercase()) {
        Some(v) if v == "true" || v == "1" => true,
        Some(v) if v == "false" || v == "0" => false,
        _ => ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
            .iter()
            .any(|name| get(name).is_some_and(|v| !v.trim().is_empty())),
    }
}

/// `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, as the SDK reads them.
fn endpoint_from_env(get: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .filter_map(|name| get(name))
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
}

/// A new HTTP client: its own connector, so its own (empty) connection pool.
fn new_http_client() -> aws_sdk_s3::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .build_https()
}

impl ClientFactory {
    /// From the standard AWS environment (region defaults to us-east-1 when none is set).
    pub async fn from_env() -> Self {
        let region = RegionProviderChain::default_provider().or_else(Region::new("us-east-1"));
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .load()
            .await;
        let env = |name: &str| std::env::var(name).ok();
        let path_style = path_style_from_env(env);
        let builder = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(path_style);
        Self {
            base: reader_defaults(builder).build(),
            endpoint: endpoint_from_env(env),
            force_path_style: path_style,
            credentials: sdk.credentials_provider(),
            transport: DirectTransport::new(),
        }
    }

    /// For an S3-compatible server at `endpoint` (path-style, us-east-1) with fixed credentials:
    /// tests and benchmarks against local-s3.
    pub fn for_endpoint(endpoint: &str, credentials: Credentials) -> Self {
        let builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(credentials.clone())
            .endpoint_url(endpoint)
            .force_path_style(true);
        Self {
            base: reader_defaults(builder).build(),
            endpoint: Some(endpoint.to_owned()),
            force_path_style: true,
            credentials: Some(SharedCredentialsProvider::new(credentials)),
            transport: DirectTransport::new(),
        }
    }

    /// The same factory talking to another endpoint (path-style); the root certificates loaded
    /// for this factory are shared, not loaded again.
    pub fn with_endpoint(&self, endpoint: &str) -> Self {
        Self {
            base: self
                .base
                .to_builder()
                .endpoint_url(endpoint)
                .force_path_style(true)
                .build(),
            endpoint: Some(endpoint.to_owned()),
            force_path_style: true,
            credentials: self.credentials.clone(),
            transport: self.transport.clone(),
        }
    }

    /// Everything an invocation reads with, built before its timer starts: a new SDK client
    /// and, for direct GETs, a direct client for the request's bucket (endpoint resolved by
    /// the SDK's rules, credentials resolved once), each with an empty connection pool. The
    /// direct client's TLS configuration is new too (an empty session cache), built over the
    /// root certificates the factory loaded at init.
    pub async fn clients(&self, request: &ReadRequest) -> Result<InvocationClients, ReaderError> {
        let direct = match request.client {
            GetClient::Sdk => None,
            GetClient::Direct => Some(Arc::new(self.direct_client(request).await?)),
        };
        Ok(InvocationClients {
            sdk: self.new_client(),
            direct,
        })
    }

    async fn direct_client(&self, request: &ReadRequest) -> Result<DirectClient, ReaderError> {
        let endpoint = resolve_bucket_endpoint(
            &self.base,
            &request.bucket,
            self.endpoint.as_deref(),
            self.force_path_style,
        )
        .await?;
        let credentials = self.credentials.as_ref().ok_or_else(|| {
            ReaderError::ClientSetup(
                "no AWS credentials are configured (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...)"
                    .to_owned(),
            )
        })?;
        let most_in_flight = match request.concurrency {
            Concurrency::Fixed(n) => n,
            Concurrency::Auto => crate::limiter::AUTO_MAX,
        };
        let pool = usize::try_from(most_in_flight).unwrap_or(usize::MAX);
        DirectClient::new(&self.transport, credentials, endpoint, pool).await
    }

    /// A client with a new HTTP connector: the first request opens a new connection.
    pub(crate) fn new_client(&self) -> aws_sdk_s3::Client {
        let config = self
            .base
            .to_builder()
            .http_client(new_http_client())
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn path_style_follows_endpoint_overrides() {
        assert!(!path_style_from_env(env(&[])));
        assert!(path_style_from_env(env(&[(
            "AWS_ENDPOINT_URL_S3",
            "http://127.0.0.1:1"
        )])));
        assert!(path_style_from_env(env(&[(
            "AWS_ENDPOINT_URL",
            "http://x"
        )])));
        assert!(!path_style_from_env(env(&[
            ("AWS_ENDPOINT_URL", "http://x"),
            ("AWS_S3_FORCE_PATH_STYLE", "false")
        ])));
        assert!(path_style_from_env(env(&[(
            "AWS_S3_FORCE_PATH_STYLE",
            "true"
        )])));
    }

    #[tokio::test]
    async fn invocations_share_the_root_certificates_loaded_at_init_but_not_tls_sessions() {
        let factory = ClientFactory::for_endpoint(
            "http://127.0.0.1:9",
            Credentials::new("local", "local", None, None, "test"),
        );
        let request = ReadRequest::from_json(serde_json::json!({"s3_bucket_name": "b"})).unwrap();
        let first = factory.clients(&request).await.unwrap();
        let second = factory.clients(&request).await.unwrap();
        let (Some(first), Some(second)) = (first.direct, second.direct) else {
            panic!("the default GET path is direct")
        };
        // One root store per process: the second invocation did not load the roots again...
        assert!(Arc::ptr_eq(first.roots(), second.roots()));
        assert!(Arc::ptr_eq(first.roots(), factory.transport.roots()));
        // ...nor does a factory for another endpoint (the CLI's `--endpoint`).
        let other = factory.with_endpoint("http://127.0.0.1:10");
        let third = other.clients(&request).await.unwrap().direct.unwrap();
        assert!(Arc::ptr_eq(first.roots(), third.roots()));
        // Each invocation's TLS configuration is its own: no TLS session carried over.
        assert!(!Arc::ptr_eq(first.tls_config(), second.tls_config()));
        // `for_endpoint` addresses the endpoint path-style, as `with_endpoint` does.
        assert_eq!(factory.endpoint.as_deref(), Some("http://127.0.0.1:9"));
        assert!(factory.force_path_style);
        assert_eq!(first.object_url("k"), "http://127.0.0.1:9/b/k");
        assert_eq!(third.object_url("k"), "http://127.0.0.1:10/b/k");
    }

    #[test]
    fn the_s3_endpoint_wins_over_the_general_one() {
        assert_eq!(endpoint_from_env(env(&[])), None);
        assert_eq!(
            endpoint_from_env(env(&[
                ("AWS_ENDPOINT_URL", "http://moto"),
                ("AWS_ENDPOINT_URL_S3", "http://s3")
            ])),
            Some("http://s3".to_owned())
        );
        assert_eq!(
            endpoint_from_env(env(&[
                ("AWS_ENDPOINT_URL", "http://moto"),
                ("AWS_ENDPOINT_URL_S3", " ")
            ])),
            Some("http://moto".to_owned())
        );
    }
}
