//! Turns AWS SDK errors into [`DeployError`]s a user can act on: missing permission (with the
//! action named), bad or expired credentials, and everything else with the operation named.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::DeployError;

/// Error codes AWS services use for a missing permission.
const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
];

/// Error codes for credentials AWS does not accept.
const BAD_CREDENTIAL_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
];

/// The error code of an SDK error (`NoSuchEntity`, `ResourceNotFoundException`, ...), if AWS sent one.
pub(crate) fn code_of<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    err.code()
}

/// The HTTP status of the response, if there was one.
pub(crate) fn status_of<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// True when the error says the resource does not exist (by code, or a bare 404 for HEAD).
pub(crate) fn is_not_found<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    matches!(
        code_of(err),
        Some(
            "NoSuchEntity"
                | "NoSuchBucket"
                | "NotFound"
                | "NoSuchKey"
                | "ResourceNotFoundException"
                | "StateMachineDoesNotExist"
                | "NoSuchPublicAccessBlockConfiguration"
                | "ServerSideEncryptionConfigurationNotFoundError"
        )
    ) || (code_of(err).is_none() && status_of(err) == Some(404))
}

/// Maps an SDK error of `action` (IAM notation, e.g. `iam:CreateRole`) to a [`DeployError`].
pub(crate) fn classify<E>(action: &str, err: SdkError<E, HttpResponse>) -> DeployError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = code_of(&err).unwrap_or_default().to_owned();
    let message = err
        .message()
        .map(str::to_owned)
        .unwrap_or_else(|| DisplayErrorContext(&err).to_string());
    classify_parts(action, &code, status_of(&err), &message)
}

/// [`classify`] on the parts of the error, so the mapping is testable without a response.
pub(crate) fn classify_parts(
    action: &str,
    code: &str,
    status: Option<u16>,
    message: &str,
) -> DeployError {
    if ACCESS_DENIED_CODES.contains(&code) || (code.is_empty() && status == Some(403)) {
        let (named_action, resource) = parse_not_authorized(message);
        return DeployError::AccessDenied {
            action: named_action.unwrap_or_else(|| action.to_owned()),
            resource: resource.map(|r| format!(" on {r}")).unwrap_or_default(),
            message: message.to_owned(),
        };
    }
    if BAD_CREDENTIAL_CODES.contains(&code) {
        return DeployError::NoCredentials {
            detail: format!("AWS rejected them on {action}: {code}: {message}"),
        };
    }
    let lowered = message.to_ascii_lowercase();
    if code.is_empty()
        && (lowered.contains("no credentials") || lowered.contains("credentials provider"))
    {
        return DeployError::NoCredentials {
            detail: message.to_owned(),
        };
    }
    DeployError::Aws {
        operation: action.to_owned(),
        code: if code.is_empty() {
            status.map_or_else(|| "no response".to_owned(), |s| format!("HTTP {s}"))
        } else {
            code.to_owned()
        },
        message: message.to_owned(),
    }
}

/// Reads `... is not authorized to perform: ACTION on resource: RESOURCE ...` from an AWS message.
fn parse_not_authorized(message: &str) -> (Option<String>, Option<String>) {
    let word_after = |marker: &str| {
        message.find(marker).and_then(|at| {
            message[at + marker.len()..]
                .split_whitespace()
                .next()
                .map(|w| w.trim_end_matches(['.', ',']).to_owned())
        })
    };
    (word_after("perform: "), word_after("on resource: "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_names_the_action_from_the_message() {
        let err = classify_parts(
            "iam:CreateRole",
            "AccessDenied",
            Some(403),
            "User: arn:aws:iam::111122223333:user/dev is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/lambda-bench-reader because no identity-based policy allows the iam:CreateRole action",
        );
        match &err {
            DeployError::AccessDenied {
                action, resource, ..
            } => {
                assert_eq!(action, "iam:CreateRole");
                assert_eq!(
                    resource,
                    " on arn:aws:iam::111122223333:role/lambda-bench-reader"
                );
            }
            other => panic!("expected AccessDenied, got {other:?}"),
        }
        assert!(err.to_string().contains("Grant `iam:CreateRole`"));
    }

    #[test]
    fn access_denied_without_details_names_the_called_action() {
        let err = classify_parts(
            "s3:CreateBucket",
            "AccessDenied",
            Some(403),
            "Access Denied",
        );
        assert!(
            matches!(&err, DeployError::AccessDenied { action, .. } if action == "s3:CreateBucket"),
            "{err:?}"
        );
    }

    #[test]
    fn expired_token_is_a_credentials_error() {
        let err = classify_parts(
            "sts:GetCallerIdentity",
            "ExpiredToken",
            Some(403),
            "expired",
        );
        assert_eq!(err.name(), "NoCredentials");
        assert!(err.to_string().contains("AWS_PROFILE"));
    }

    #[test]
    fn other_errors_keep_operation_and_code() {
        let err = classify_parts(
            "lambda:CreateFunction",
            "ServiceException",
            Some(500),
            "boom",
        );
        assert_eq!(
            err.to_string(),
            "lambda:CreateFunction failed: ServiceException: boom"
        );
    }
}
