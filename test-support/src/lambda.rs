//! Lambda functions the tests create.

use std::time::Duration;

use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::Client;

/// Waits (up to a minute) until a new or updated function is Active, as a user would after
/// CreateFunction in strict mode or on AWS.
pub async fn wait_active(lambda: &Client, name: &str) {
    lambda
        .wait_until_function_active_v2()
        .function_name(name)
        .wait(Duration::from_secs(60))
        .await
        .unwrap_or_else(|e| panic!("{name} did not become Active: {e:?}"));
}

/// The function's configured memory size now.
pub async fn memory_of(lambda: &Client, name: &str) -> Option<i32> {
    lambda
        .get_function_configuration()
        .function_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetFunctionConfiguration {name}: {e:?}"))
        .memory_size
}
