//! Every name and ARN of the stack, derived from the stack name, the account and the region.

use crate::config::BenchConfig;

/// The prefix the test objects live under (`bench/COUNT/`); the reader's policy covers it all.
pub const DATA_ROOT_PREFIX: &str = "bench/";
/// Where the collector writes (contract 3).
pub const RESULTS_PREFIX: &str = "runs/";
/// The Scheduler group the schedule lives in.
pub const SCHEDULE_GROUP: &str = "default";

/// The names of one deployed stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackNames {
    pub stack: String,
    pub account: String,
    pub region: String,
    pub data_bucket: String,
    pub results_bucket: String,
    pub data_prefix: String,
    pub reader_function: String,
    pub collector_function: String,
    pub reader_role: String,
    pub collector_role: String,
    pub state_machine_role: String,
    pub schedule_role: String,
    pub state_machine: String,
    pub schedule: String,
}

impl StackNames {
    /// Derives every name from `config` in `account` and `region`.
    pub fn new(config: &BenchConfig, account: &str, region: &str) -> Self {
        let stack = config.stack_name.as_str();
        let bucket = |kind: &str| format!("{stack}-{kind}-{account}-{region}");
        Self {
            stack: stack.to_owned(),
            account: account.to_owned(),
            region: region.to_owned(),
            data_bucket: config.data_bucket.clone().unwrap_or_else(|| bucket("data")),
            results_bucket: config
                .results_bucket
                .clone()
                .unwrap_or_else(|| bucket("results")),
            data_prefix: format!("{DATA_ROOT_PREFIX}{}/", config.objects.count),
            reader_function: format!("{stack}-s3-reader"),
            collector_function: format!("{stack}-collector"),
            reader_role: format!("{stack}-reader"),
            collector_role: format!("{stack}-collector"),
            state_machine_role: format!("{stack}-statemachine"),
            schedule_role: format!("{stack}-scheduler"),
            state_machine: stack.to_owned(),
            schedule: format!("{stack}-schedule"),
        }
    }

    /// The partition of the region (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }

    pub fn role_arn(&self, role: &str) -> String {
        format!("arn:{}:iam::{}:role/{role}", self.partition(), self.account)
    }

    pub fn function_arn(&self, function: &str) -> String {
        format!(
            "arn:{}:lambda:{}:{}:function:{function}",
            self.partition(),
            self.region,
            self.account
        )
    }

    pub fn state_machine_arn(&self) -> String {
        format!(
            "arn:{}:states:{}:{}:stateMachine:{}",
            self.partition(),
            self.region,
            self.account,
            self.state_machine
        )
    }

    pub fn bucket_arn(&self, bucket: &str) -> String {
        format!("arn:{}:s3:::{bucket}", self.partition())
    }

    /// The CloudWatch Logs group Lambda writes a function's logs to, as an ARN pattern.
    pub fn log_group_arn(&self, function: &str) -> String {
        format!(
            "arn:{}:logs:{}:{}:log-group:/aws/lambda/{function}:*",
            self.partition(),
            self.region,
            self.account
        )
    }

    /// The Step Functions console page of the state machine.
    pub fn console_url(&self) -> String {
        format!(
            "https://{region}.console.aws.amazon.com/states/home?region={region}#/statemachines/view/{arn}",
            region = self.region,
            arn = self.state_machine_arn()
        )
    }
}

/// `aws-cn` for China regions, `aws-us-gov` for GovCloud, `aws` elsewhere.
pub fn partition_of(region: &str) -> &'static str {
    bench_types::arn::partition_for_region(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_aws_limits_for_the_longest_stack_name() {
        let config = BenchConfig {
            stack_name: "a".repeat(crate::config::MAX_STACK_NAME_LEN),
            ..BenchConfig::default()
        };
        let n = StackNames::new(&config, "123456789012", "ap-southeast-4");
        assert!(n.results_bucket.len() <= 63, "{}", n.results_bucket);
        for name in [
            &n.reader_function,
            &n.collector_function,
            &n.reader_role,
            &n.state_machine_role,
            &n.schedule_role,
            &n.schedule,
        ] {
            assert!(name.len() <= 64, "{name}");
        }
    }

    #[test]
    fn arns_and_console_url() {
        let n = StackNames::new(&BenchConfig::default(), "111122223333", "eu-west-1");
        assert_eq!(n.data_bucket, "lambda-bench-data-111122223333-eu-west-1");
        assert_eq!(n.data_prefix, "bench/1000/");
        assert_eq!(
            n.state_machine_arn(),
            "arn:aws:states:eu-west-1:111122223333:stateMachine:lambda-bench"
        );
        assert_eq!(
            n.console_url(),
            "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/statemachines/view/arn:aws:states:eu-west-1:111122223333:stateMachine:lambda-bench"
        );
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
    }
}
