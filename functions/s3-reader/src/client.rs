//! Building S3 clients: one at init, and a fresh one (new HTTP connector, so a cold connection
//! pool) per invocation unless the event asks to reuse connections.
//!
//! Endpoint, region and credentials come from the standard AWS environment, so the same binary
//! runs on AWS and against the local stack (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`).
//! Addressing: path-style whenever an endpoint override is set (local servers rarely resolve
//! `bucket.host` names), virtual-hosted on AWS; `AWS_S3_FORCE_PATH_STYLE=true|false` overrides.

use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::BehaviorVersion;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::Region;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// Makes S3 clients that share a configuration but (optionally) not connections.
#[derive(Debug, Clone)]
pub struct ClientFactory {
    base: aws_sdk_s3::Config,
}

/// Retries are ours (see [`crate::retry`]), so the SDK's are off: one attempt per call.
fn reader_defaults(builder: aws_sdk_s3::config::Builder) -> aws_sdk_s3::config::Builder {
    builder
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .read_timeout(Duration::from_secs(10))
                .build(),
        )
}

/// Whether to use path-style addressing, from the environment (see the module doc).
pub fn path_style_from_env(get: impl Fn(&str) -> Option<String>) -> bool {
    match get("AWS_S3_FORCE_PATH_STYLE").map(|v| v.trim().to_ascii_lowercase()) {
        Some(v) if v == "true" || v == "1" => true,
        Some(v) if v == "false" || v == "0" => false,
        _ => ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
            .iter()
            .any(|name| get(name).is_some_and(|v| !v.trim().is_empty())),
    }
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
        let path_style = path_style_from_env(|name| std::env::var(name).ok());
        let builder = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(path_style);
        Self {
            base: reader_defaults(builder).build(),
        }
    }

    /// From a ready S3 configuration (tests, the CLI with `--endpoint`); our retry and timeout
    /// settings are applied on top.
    pub fn from_config(config: &aws_sdk_s3::Config) -> Self {
        Self {
            base: reader_defaults(config.to_builder()).build(),
        }
    }

    /// The same factory talking to another endpoint (path-style).
    pub fn with_endpoint(&self, endpoint: &str) -> Self {
        Self {
            base: self
                .base
                .to_builder()
                .endpoint_url(endpoint)
                .force_path_style(true)
                .build(),
        }
    }

    /// A client with a new HTTP connector: the first request opens a new connection.
    pub fn new_client(&self) -> aws_sdk_s3::Client {
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
}
