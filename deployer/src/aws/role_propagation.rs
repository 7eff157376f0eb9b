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

/// Attempts before the last error is returned (with [`PAUSE`], about two minutes).
pub const ATTEMPTS: u32 = 30;
/// The pause between two attempts.
pub const PAUSE: Duration = Duration::from_secs(4);

/// The service that assumes the role, each with its own way of saying "not yet".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssumingService {
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
    pub fn is_propagation_error(self, code: Option<&str>, message: &str) -> bool {
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
}

/// Runs `call` until it succeeds, fails otherwise, or [`ATTEMPTS`] refusals of `service` have
/// been seen, pausing [`PAUSE`] between attempts.
pub async fn retry_while_propagating<T, E, F, Fut>(
    service: AssumingService,
    call: F,
) -> Result<T, SdkError<E, HttpResponse>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata,
{
    retry_with(service, ATTEMPTS, PAUSE, call).await
}

/// [`retry_while_propagating`] with explicit bounds (the unit tests use short ones).
pub async fn retry_with<T, E, F, Fut>(
    service: AssumingService,
    attempts: u32,
    pause: Duration,
    mut call: F,
) -> Result<T, SdkError<E, HttpResponse>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e)
                if attempt < attempts
                    && service.is_propagation_error(e.code(), e.message().unwrap_or_default()) =>
            {
                attempt += 1;
                tokio::time::sleep(pause).await;
            }
            other => return other,
        }
    }
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
        assert!(AssumingService::Scheduler
            .is_propagation_error(error.code(), error.message().unwrap_or_default()));
    }

    #[tokio::test]
    async fn retries_the_refusal_and_returns_other_errors_at_once() {
        let mut calls = 0;
        let result: Result<u32, _> = retry_with(
            AssumingService::Scheduler,
            5,
            Duration::from_millis(1),
            || {
                calls += 1;
                let n = calls;
                async move {
                    if n < 3 {
                        Err(scheduler_error("ValidationException", SCHEDULER_REFUSAL))
                    } else {
                        Ok(n)
                    }
                }
            },
        )
        .await;
        assert_eq!(result.expect("third attempt succeeds"), 3);

        let mut calls = 0;
        let result: Result<u32, _> = retry_with(
            AssumingService::Scheduler,
            5,
            Duration::from_millis(1),
            || {
                calls += 1;
                async { Err(scheduler_error("ValidationException", "bad expression")) }
            },
        )
        .await;
        assert_eq!(
            result.expect_err("not retried").code(),
            Some("ValidationException")
        );
        assert_eq!(calls, 1);

        let mut calls = 0;
        let _ = retry_with::<u32, _, _, _>(
            AssumingService::Scheduler,
            4,
            Duration::from_millis(1),
            || {
                calls += 1;
                async { Err(scheduler_error("ValidationException", SCHEDULER_REFUSAL)) }
            },
        )
        .await;
        assert_eq!(calls, 4, "bounded by the attempts");
    }
}
