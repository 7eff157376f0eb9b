//! Function ARNs. `deploy plan` makes no AWS call, so it cannot know the account: the default
//! plan uses [`PLACEHOLDER_ACCOUNT`] in [`PLACEHOLDER_REGION`] (moto's default account, so the
//! plan also runs unchanged against the local stack). Deploy replaces them with the real ones.

/// The account of ARNs built at plan time (moto's default account; AWS's documentation example).
pub const PLACEHOLDER_ACCOUNT: &str = "123456789012";
/// The region of ARNs built at plan time.
pub const PLACEHOLDER_REGION: &str = "us-east-1";

/// A function's unqualified ARN from its region, account and name (`bench_types::arn`).
pub use bench_types::arn::function_arn;
use bench_types::arn::partition_for_region;

/// `arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME`.
pub(crate) fn state_machine_arn(region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:{}:states:{region}:{account}:stateMachine:{name}",
        partition_for_region(region)
    )
}

/// The unqualified function ARN for a function given by name or ARN: an ARN is kept (without a
/// version or alias suffix), a name is qualified with `region` and `account` (and the region's
/// partition). Qualified and partial references are refused earlier (`check_plan`).
pub(crate) fn qualify_function(name_or_arn: &str, region: &str, account: &str) -> String {
    if let Some(rest) = name_or_arn.strip_prefix("arn:") {
        // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        let parts: Vec<&str> = rest.split(':').collect();
        if parts.len() >= 6 {
            return format!("arn:{}", parts[..6].join(":"));
        }
        return name_or_arn.to_string();
    }
    function_arn(region, account, name_or_arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_qualified_and_arns_lose_their_qualifier() {
        assert_eq!(
            qualify_function("reader", "eu-west-1", "111122223333"),
            "arn:aws:lambda:eu-west-1:111122223333:function:reader"
        );
        assert_eq!(
            qualify_function(
                "arn:aws:lambda:eu-west-1:111122223333:function:reader:live",
                "us-east-1",
                "123456789012"
            ),
            "arn:aws:lambda:eu-west-1:111122223333:function:reader"
        );
    }
}
