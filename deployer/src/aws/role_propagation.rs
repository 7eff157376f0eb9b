//! Retrying a call while a role created moments ago is not yet usable by a service.
//!
//! IAM is eventually consistent: a role that `CreateRole` has just returned can take seconds
//! (at worst a minute or two) before Lambda, Step Functions or EventBridge Scheduler may assume
//! it, and each service refuses it meanwhile with its own code and message. Those are matched on
//! the error's code and message (an `SdkError`'s `Display` is the fixed text "service error").

use std::future::Future;
use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::retry::{retry, Backoff};

/// Attempts before the last error is returned: 30, 4 s apart (about two minutes).
pub(crate) const BACKOFF: Backoff = Backoff::fixed(Duration::from_secs(4), 30);

/// The service that assumes the role, each with its own way of saying "not yet".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AssumingService {
    /// 400 `InvalidParameterValueException`: "The role defined for the function cannot be
    /// assumed by Lambda."
    Lambda,
    /// `AccessDeniedException`: "Neither the global service principal states.amazonaws.com, nor
    /// the regional one is authorized to assume the provided role."
    StepFunctions,
    /// 400 `ValidationException`: "The execution role you provide must allow AWS EventBridge
    /// Scheduler to assume the role."
    Scheduler,
}

impl AssumingService {
    /// True when `code` and `message` are this service's refusal of a role not yet usable.
    pub(crate) fn is_propagation_error(self, code: Option<&str>, message: &str) -> bool {
        match self {
            Self::Lambda => {
                code == Some("InvalidParameterValueException")
                    && (message.contains("cannot be assumed")
                        || message.contains("role defined for the function"))
            }
            Self::StepFunctions => {
                matches!(code, Some("AccessDeniedException" | "InvalidArn"))
                    && message.contains("assume")
            }
            Self::Scheduler => code == Some("ValidationException") && message.contains("assume"),
        }
    }

    /// True when `error` is this service's refusal of a role not yet usable.
    pub(crate) fn refuses<E: ProvideErrorMetadata>(
        self,
        error: &SdkError<E, HttpResponse>,
    ) -> bool {
        self.is_propagation_error(error.code(), error.message().unwrap_or_default())
    }
}

/// Runs `call` until it succeeds, fails otherwise, or the attempts of [`BACKOFF`] are used up
/// by refusals of `service`.
pub(crate) async fn retry_while_propagating<T, E, F, Fut>(
    service: AssumingService,
    call: F,
) -> Result<T, SdkError<E, HttpResponse>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata,
{
    retry(BACKOFF, |e| service.refuses(e), call).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_scheduler::operation::create_schedule::CreateScheduleError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn scheduler_error(code: &str, message: &str) -> SdkError<CreateScheduleError, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(
            CreateScheduleError::generic(meta),
            HttpResponse::new(StatusCode::try_from(400).expect("status"), SdkBody::empty()),
        )
    }

    const SCHEDULER_REFUSAL: &str =
        "The execution role you provide must allow AWS EventBridge Scheduler to assume the role.";

    #[test]
    fn each_service_is_recognised_by_its_own_code_and_message() {
        assert!(AssumingService::Lambda.is_propagation_error(
            Some("InvalidParameterValueException"),
            "The role defined for the function cannot be assumed by Lambda."
        ));
        assert!(!AssumingService::Lambda.is_propagation_error(
            Some("InvalidParameterValueException"),
            "Unzipped size must be smaller"
        ));
        assert!(AssumingService::StepFunctions.is_propagation_error(
            Some("AccessDeniedException"),
            "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role."
        ));
        assert!(!AssumingService::StepFunctions.is_propagation_error(
            Some("AccessDeniedException"),
            "User is not authorized to perform: states:CreateStateMachine"
        ));
        assert!(AssumingService::Scheduler
            .is_propagation_error(Some("ValidationException"), SCHEDULER_REFUSAL));
        assert!(!AssumingService::Scheduler
            .is_propagation_error(Some("ValidationException"), "Invalid schedule expression"));
    }

    #[test]
    fn sdk_errors_display_a_fixed_text_so_the_code_and_message_are_what_is_matched() {
        let error = scheduler_error("ValidationException", SCHEDULER_REFUSAL);
        assert_eq!(error.to_string(), "service error");
        assert!(AssumingService::Scheduler.refuses(&error));
    }

    #[tokio::test]
    async fn retries_the_refusal_and_returns_other_errors_at_once() {
        let quick = |attempts| Backoff::fixed(Duration::from_millis(1), attempts);
        let refused =
            |e: &SdkError<CreateScheduleError, HttpResponse>| AssumingService::Scheduler.refuses(e);
        let mut calls = 0;
        let result: Result<u32, _> = retry(quick(5), refused, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(scheduler_error("ValidationException", SCHEDULER_REFUSAL))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.expect("third attempt succeeds"), 3);

        let mut calls = 0;
        let result: Result<u32, _> = retry(quick(5), refused, || {
            calls += 1;
            async { Err(scheduler_error("ValidationException", "bad expression")) }
        })
        .await;
        assert_eq!(
            result.expect_err("not retried").code(),
            Some("ValidationException")
        );
        assert_eq!(calls, 1);

        let mut calls = 0;
        let result: Result<u32, _> = retry(quick(4), refused, || {
            calls += 1;
            async { Err(scheduler_error("ValidationException", SCHEDULER_REFUSAL)) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 4, "bounded by the attempts");
    }
}
