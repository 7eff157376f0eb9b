//! Helpers shared by the integration tests.
#![allow(dead_code)]

use aws_config::SdkConfig;

/// A trust policy that lets Lambda assume the role (moto checks that the role exists).
const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// Creates an IAM role in moto for test functions and returns its ARN.
pub async fn lambda_role(config: &SdkConfig, name: &str) -> String {
    let iam = aws_sdk_iam::Client::new(config);
    let role = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(LAMBDA_TRUST)
        .send()
        .await
        .expect("CreateRole");
    role.role().expect("role").arn().to_string()
}
