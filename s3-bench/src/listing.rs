//! The "list time" of the lower bound, measured by the harness itself: a fresh aws-sdk-s3
//! client (cold connection and, over HTTPS, a full handshake, as every reader starts) lists the
//! prefix through every page.

use std::time::Instant;

use bench_types::stats::median;

/// Why the list time could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// A ListObjectsV2 call failed (the server stopped, or answered an error).
    #[error("listing s3://{bucket}/{prefix} at {endpoint} failed: {message}")]
    Failed {
        /// The endpoint listed.
        endpoint: String,
        /// The bucket listed.
        bucket: String,
        /// The prefix listed.
        prefix: String,
        /// The SDK's error with its context.
        message: String,
    },
    /// The listing found another number of objects than the server was populated with; the
    /// lower bound would be wrong, so the run stops.
    #[error(
        "listing found {found} objects under {prefix}, the server was populated with {expected}"
    )]
    WrongCount {
        /// The prefix listed.
        prefix: String,
        /// Objects the listing found.
        found: u64,
        /// Objects the server was populated with.
        expected: u64,
    },
}

/// Lists `prefix` once with a fresh client (dummy credentials, path-style, trusting `ca_pem`
/// over HTTPS, its own connection pool); returns (seconds, objects).
async fn list_once(
    endpoint: &str,
    ca_pem: Option<&str>,
    bucket: &str,
    prefix: &str,
) -> Result<(f64, u64), ListError> {
    let s3 = local_s3::client_trusting(endpoint, ca_pem);
    let started = Instant::now();
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    let mut count = 0u64;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| ListError::Failed {
            endpoint: endpoint.to_owned(),
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
            message: aws_sdk_s3::error::DisplayErrorContext(e).to_string(),
        })?;
        count += page.contents().len() as u64;
    }
    Ok((started.elapsed().as_secs_f64(), count))
}

/// The median of `times` listings, checking that each finds `expected` objects; over HTTPS the
/// client trusts the server's CA certificate `ca_pem`.
pub(crate) async fn list_time_s(
    endpoint: &str,
    ca_pem: Option<&str>,
    bucket: &str,
    prefix: &str,
    expected: u64,
    times: usize,
) -> Result<f64, ListError> {
    let mut seconds = Vec::with_capacity(times);
    for _ in 0..times.max(1) {
        let (s, found) = list_once(endpoint, ca_pem, bucket, prefix).await?;
        if found != expected {
            return Err(ListError::WrongCount {
                prefix: prefix.to_owned(),
                found,
                expected,
            });
        }
        seconds.push(s);
    }
    Ok(median(&seconds).unwrap_or(0.0))
}
