//! ARNs: the partition a region belongs to, and Lambda function names or ARNs the benchmark can
//! sweep (unqualified, in the stack's partition and region).

/// The partition of a region: `aws`, `aws-cn` (Beijing, Ningxia), `aws-us-gov` (GovCloud), or one
/// of the isolated partitions. Every ARN the project writes takes its partition from here.
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else {
        "aws"
    }
}

/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME`.
pub fn function_arn(region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:{}:lambda:{region}:{account}:function:{name}",
        partition_for_region(region)
    )
}

/// Why a function reference cannot be a benchmark target. The text completes the sentence
/// "`VALUE` is ...", so callers can put the field in front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRefError(pub String);

impl std::fmt::Display for FunctionRefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a target's `functionName`: a plain function name, or the full unqualified ARN of a
/// function in `region` (and so its partition). The benchmark changes the memory of `$LATEST`,
/// which a version or alias does not follow, so qualified names and ARNs are refused, and so are
/// partial ARNs (`ACCOUNT:function:NAME`), whose account and region would be guessed.
pub fn check_function_ref(value: &str, region: &str) -> Result<(), FunctionRefError> {
    const UNQUALIFIED: &str =
        "the benchmark changes the memory of the function's $LATEST, which a version or alias does not follow: give the unqualified name or ARN";
    if value.is_empty() {
        return Err(FunctionRefError(
            "empty: give the function's name or ARN".into(),
        ));
    }
    if let Some(rest) = value.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.split(':').collect();
        let partition = partition_for_region(region);
        return match parts.as_slice() {
            [p, "lambda", r, account, "function", name] => {
                if *p != partition {
                    Err(FunctionRefError(format!(
                        "in partition {p}, but the stack is in {region} (partition {partition}): a state machine can only run functions of its own partition"
                    )))
                } else if *r != region {
                    Err(FunctionRefError(format!(
                        "in region {r}, but the stack is in {region}: deploy the benchmark in the function's region"
                    )))
                } else if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                    Err(FunctionRefError(format!(
                        "not a Lambda function ARN: the account `{account}` is not 12 digits"
                    )))
                } else if name.is_empty() {
                    Err(FunctionRefError(
                        "not a Lambda function ARN: the function name is empty".into(),
                    ))
                } else {
                    Ok(())
                }
            }
            [_, "lambda", _, _, "function", _, qualifier] => Err(FunctionRefError(format!(
                "a qualified ARN (version or alias `{qualifier}`); {UNQUALIFIED}"
            ))),
            _ => Err(FunctionRefError(
                "not a Lambda function ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME)"
                    .into(),
            )),
        };
    }
    let parts: Vec<&str> = value.split(':').collect();
    match parts.as_slice() {
        [_name] => Ok(()),
        [_name, qualifier] => Err(FunctionRefError(format!(
            "a qualified name (version or alias `{qualifier}`); {UNQUALIFIED}"
        ))),
        _ => Err(FunctionRefError(
            "a partial ARN (ACCOUNT:function:NAME): give the function's name or its full ARN"
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(partition_for_region("eu-west-1"), "aws");
        assert_eq!(partition_for_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_for_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_for_region("us-iso-east-1"), "aws-iso");
        assert_eq!(partition_for_region("us-isob-east-1"), "aws-iso-b");
        assert_eq!(
            function_arn("cn-northwest-1", "111122223333", "reader"),
            "arn:aws-cn:lambda:cn-northwest-1:111122223333:function:reader"
        );
    }

    #[test]
    fn names_and_unqualified_arns_of_the_stack_region_pass() {
        check_function_ref("my-reader", "eu-west-1").expect("name");
        check_function_ref(
            "arn:aws:lambda:eu-west-1:111122223333:function:my-reader",
            "eu-west-1",
        )
        .expect("arn");
        check_function_ref(
            "arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:r",
            "us-gov-west-1",
        )
        .expect("gov arn");
    }

    #[test]
    fn qualified_partial_and_foreign_references_say_why() {
        let why = |v: &str| check_function_ref(v, "eu-west-1").expect_err(v).to_string();
        assert!(why("my-reader:live").starts_with("a qualified name (version or alias `live`)"));
        assert!(
            why("arn:aws:lambda:eu-west-1:111122223333:function:my-reader:7")
                .starts_with("a qualified ARN (version or alias `7`)")
        );
        assert!(why("111122223333:function:my-reader").starts_with("a partial ARN"));
        assert!(why("arn:aws-cn:lambda:eu-west-1:111122223333:function:r")
            .starts_with("in partition aws-cn"));
        assert!(why("arn:aws:lambda:us-east-1:111122223333:function:r")
            .starts_with("in region us-east-1"));
        assert!(why("arn:aws:s3:::bucket").starts_with("not a Lambda function ARN"));
        assert!(why("").starts_with("empty"));
    }
}
