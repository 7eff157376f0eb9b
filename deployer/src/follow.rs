//! Following a running execution without tripping Step Functions' API throttling.
//!
//! `GetExecutionHistory` and `DescribeExecution` are token-bucket throttled per account and
//! region (`ThrottlingException`). Reading the whole history from its start on every poll costs
//! one call per 1,000 events, so a long run would read ever more pages and be throttled; instead
//! the history is read newest first (`reverseOrder`) and only until the first event already
//! seen. A throttled call is retried with backoff for as long as the execution runs.

use std::future::Future;
use std::time::Duration;

use aws_sdk_sfn::types::HistoryEvent;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::retry::{retry, Backoff};
use crate::aws::sdk_error::classify;
use crate::aws::Clients;
use crate::error::Result;

/// Pauses after a throttled call: from half a second, doubling up to 30 s, for as long as the
/// execution runs.
const BACKOFF: Backoff = Backoff::doubling(Duration::from_millis(500), Duration::from_secs(30));
/// Events in the first page of a poll: more than a poll usually finds new, so that one small
/// call serves it. Every event returned is serialized by the service, and a page of 1,000 per poll
/// kept moto's one Python process half busy (the local stack's functions share its CPU).
const FIRST_PAGE_SIZE: i32 = 50;
/// Events per further page (the most Step Functions returns).
const PAGE_SIZE: i32 = 1000;

/// True when `error` says the call was throttled.
pub(crate) fn is_throttled<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> bool {
    matches!(
        error.code(),
        Some(
            "ThrottlingException"
                | "TooManyRequestsException"
                | "Throttling"
                | "RequestLimitExceeded"
        )
    )
}

/// Runs `call` until it is not throttled, pausing with [`BACKOFF`] in between; any other error
/// is returned classified as `action` (IAM notation).
pub(crate) async fn throttled<T, E, F, Fut>(action: &str, call: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    retry(BACKOFF, is_throttled, call)
        .await
        .map_err(|e| classify(action, e))
}

/// Reads an execution's history incrementally: each call returns only the events not returned
/// before, oldest first.
#[derive(Debug, Default)]
pub(crate) struct HistoryFollower {
    last_seen: i64,
    /// `GetExecutionHistory` calls made (for the tests and the curious).
    pub(crate) calls: u64,
}

impl HistoryFollower {
    /// The events after the last one seen, oldest first.
    pub(crate) async fn new_events(&mut self, c: &Clients, arn: &str) -> Result<Vec<HistoryEvent>> {
        let mut fresh: Vec<HistoryEvent> = Vec::new();
        let mut token: Option<String> = None;
        'pages: loop {
            self.calls += 1;
            let page = throttled("states:GetExecutionHistory", || {
                c.sfn
                    .get_execution_history()
                    .execution_arn(arn)
                    .reverse_order(true)
                    .max_results(if token.is_none() {
                        FIRST_PAGE_SIZE
                    } else {
                        PAGE_SIZE
                    })
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
            for event in page.events() {
                if event.id() <= self.last_seen {
                    break 'pages;
                }
                fresh.push(event.clone());
            }
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        fresh.reverse();
        if let Some(newest) = fresh.last() {
            self.last_seen = newest.id();
        }
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sfn::operation::describe_execution::DescribeExecutionError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn error(code: &str) -> SdkError<DescribeExecutionError, HttpResponse> {
        SdkError::service_error(
            DescribeExecutionError::generic(
                ErrorMetadata::builder()
                    .code(code)
                    .message("Rate exceeded")
                    .build(),
            ),
            HttpResponse::new(StatusCode::try_from(400).expect("status"), SdkBody::empty()),
        )
    }

    #[tokio::test]
    async fn throttled_calls_are_retried_and_other_errors_are_not() {
        let quick = Backoff::doubling(Duration::from_millis(1), Duration::from_millis(4));
        let mut calls = 0;
        let result = retry(quick, is_throttled, || {
            calls += 1;
            let n = calls;
            async move {
                if n <= 5 {
                    Err(error("ThrottlingException"))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.expect("sixth call"), 6);

        let mut calls = 0;
        let result: std::result::Result<u32, _> = retry(quick, is_throttled, || {
            calls += 1;
            async { Err(error("ExecutionDoesNotExist")) }
        })
        .await;
        assert_eq!(
            result.expect_err("not retried").code(),
            Some("ExecutionDoesNotExist")
        );
        assert_eq!(calls, 1);
    }
}
