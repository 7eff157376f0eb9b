//! Our own retry loop around each GET (and LIST page), instead of the SDK's retry.
//!
//! Why our own: (1) a GET is only done when its body has been read to the end, and a body that
//! breaks off mid-stream is outside the SDK's retry (it retries the request/response exchange
//! only); (2) the SDK's standard mode has a client-wide retry quota (token bucket) that, under
//! a steady fault rate across thousands of GETs, runs dry and then silently stops retrying;
//! (3) counting retries is exact and needs no interceptor.

use std::time::Duration;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// How often and how long to retry.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per object including the first (>= 1).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles each retry.
    pub base_delay: Duration,
    /// Backoff cap.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 6 attempts, 20 ms doubling to at most 1 s (with jitter): ~2 s worst case per object,
    /// enough for SlowDown bursts, short enough for a Lambda timeout.
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based): "equal jitter", half fixed and half
    /// random, so that many tasks throttled together do not retry together.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX));
        let cap = exp.min(self.max_delay);
        let half = cap / 2;
        let jitter_ns = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(fastrand::u64(0..=jitter_ns))
    }
}

/// How a failed attempt is treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Throttling, a 5xx, a timeout or a broken connection: try again.
    Retryable(String),
    /// The request itself is wrong (404, 403, ...): trying again gives the same answer.
    Permanent(String),
}

impl Failure {
    /// What failed and why, e.g. `GET bench/00001.txt: HTTP 503 Service Unavailable SlowDown ...`.
    pub fn message(&self) -> &str {
        match self {
            Self::Retryable(m) | Self::Permanent(m) => m,
        }
    }
}

/// S3 error codes that mean "try again later" whatever the status code.
const RETRYABLE_CODES: [&str; 7] = [
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "InternalError",
    "ServiceUnavailable",
];

/// Classifies an SDK error.
pub(crate) fn classify<E>(err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let text = aws_sdk_s3::error::DisplayErrorContext(err).to_string();
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            Failure::Retryable(text)
        }
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            classify_status(service.raw().status().as_u16(), code, text)
        }
        _ => Failure::Permanent(text),
    }
}

/// Classifies an S3 error answer by its status and error code.
pub(crate) fn classify_status(status: u16, code: &str, text: String) -> Failure {
    if RETRYABLE_CODES.contains(&code) || status_is_retryable(status) {
        Failure::Retryable(text)
    } else {
        Failure::Permanent(text)
    }
}

/// Any 5xx or 429 is worth another try, whatever the error code says.
fn status_is_retryable(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for retry in 0..30 {
            let d = p.backoff(retry);
            let cap = (p.base_delay * 2u32.saturating_pow(retry.min(20))).min(p.max_delay);
            assert!(
                d >= cap / 2 && d <= cap,
                "retry {retry}: {d:?} vs cap {cap:?}"
            );
        }
        assert!(p.backoff(10) >= Duration::from_millis(500));
    }

    #[test]
    fn status_classes() {
        assert!(status_is_retryable(503));
        assert!(status_is_retryable(500));
        assert!(status_is_retryable(429));
        assert!(!status_is_retryable(404));
        assert!(!status_is_retryable(403));
    }
}
