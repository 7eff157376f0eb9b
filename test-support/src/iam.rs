//! IAM roles for the functions, state machines and schedules the tests create.

use aws_types::SdkConfig;
use serde_json::json;

/// The account moto answers as (and the tests' ARNs use).
pub const ACCOUNT: &str = "123456789012";

/// Creates a role that `services` (e.g. `lambda.amazonaws.com`) may assume and returns its
/// ARN. With `source_account`, the trust policy has the `aws:SourceAccount` condition the
/// deployer puts on Step Functions and Scheduler roles.
pub async fn create_role(
    config: &SdkConfig,
    name: &str,
    services: &[&str],
    source_account: Option<&str>,
) -> String {
    // One service as a string, several as a list: both are what AWS takes.
    let service = match services {
        [one] => json!(one),
        several => json!(several),
    };
    let mut statement = json!({
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole"
    });
    if let Some(account) = source_account {
        statement["Condition"] = json!({"StringEquals": {"aws:SourceAccount": account}});
    }
    let policy = json!({"Version": "2012-10-17", "Statement": [statement]});
    aws_sdk_iam::Client::new(config)
        .create_role()
        .role_name(name)
        .assume_role_policy_document(policy.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateRole {name}: {e:?}"))
        .role()
        .unwrap_or_else(|| panic!("CreateRole {name} answered no role"))
        .arn()
        .to_string()
}

/// [`create_role`] for Lambda functions.
pub async fn lambda_role(config: &SdkConfig, name: &str) -> String {
    create_role(config, name, &["lambda.amazonaws.com"], None).await
}
