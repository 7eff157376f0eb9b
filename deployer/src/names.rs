//! Every name and ARN of the stack, derived from the stack name, the account and the region.

use crate::config::BenchConfig;
use crate::readers::Reader;

/// The prefix the test objects live under (`bench/COUNT/`); the reader's policy covers it all.
pub(crate) const DATA_ROOT_PREFIX: &str = "bench/";
/// How many objects the warm-up reads: a few, so that every path of a read runs (listing, GETs
/// in flight at once, new connections) in a fraction of the time of the full set.
pub const WARMUP_OBJECTS: u64 = 8;
/// Where the collector writes (contract 3).
pub(crate) const RESULTS_PREFIX: &str = "runs/";
/// The Scheduler group the schedule lives in.
pub(crate) const SCHEDULE_GROUP: &str = "default";

/// The names of one deployed stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackNames {
    /// The stack name, e.g. `lambda-bench`; also the state machine's name.
    pub stack: String,
    /// The AWS account (12 digits).
    pub account: String,
    /// The region, e.g. `eu-west-1`.
    pub region: String,
    /// The test objects' bucket: `STACK-data-ACCOUNT-REGION` unless configured.
    pub data_bucket: String,
    /// The collector's bucket: `STACK-results-ACCOUNT-REGION` unless configured.
    pub results_bucket: String,
    /// The test objects' prefix: `bench/COUNT/`.
    pub data_prefix: String,
    /// The reader function (the benchmark's own target): `STACK-s3-reader`.
    pub reader_function: String,
    /// The collector function: `STACK-collector`.
    pub collector_function: String,
    /// The reader's execution role: `STACK-reader`.
    pub reader_role: String,
    /// The collector's execution role: `STACK-collector`.
    pub collector_role: String,
    /// The state machine's role: `STACK-statemachine`.
    pub state_machine_role: String,
    /// The role the schedule starts executions with: `STACK-scheduler`.
    pub schedule_role: String,
    /// The state machine: `STACK`.
    pub state_machine: String,
    /// The EventBridge Scheduler schedule: `STACK-schedule`.
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

    /// The function of one of the stack's readers: `STACK-s3-reader`, `STACK-python-reader`,
    /// `STACK-node-reader`.
    pub fn reader_function_of(&self, reader: Reader) -> String {
        format!("{}-{}", self.stack, reader.function_suffix())
    }

    /// The prefix holding target `target`'s own copy of the objects, `bench/COUNT-TARGET/`:
    /// every target reads its own prefix, as in the seed, so that S3's per-prefix request
    /// scaling treats every target alike; beside (not under) `bench/COUNT/`, which holds the
    /// copy that targets given only in an execution's input read.
    pub fn target_prefix(&self, target: &str) -> String {
        format!("{}-{target}/", self.data_prefix.trim_end_matches('/'))
    }

    /// The prefix of the few objects the warm-up after each memory update reads,
    /// `bench/warmup/` ([`WARMUP_OBJECTS`] of them).
    pub fn warmup_prefix(&self) -> String {
        format!("{DATA_ROOT_PREFIX}warmup/")
    }

    /// The partition of the region (`aws`, `aws-cn`, `aws-us-gov`).
    pub(crate) fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }

    /// The ARN of the role `role` of this account.
    pub fn role_arn(&self, role: &str) -> String {
        format!("arn:{}:iam::{}:role/{role}", self.partition(), self.account)
    }

    /// The ARN of the function `function` in this account and region.
    pub(crate) fn function_arn(&self, function: &str) -> String {
        format!(
            "arn:{}:lambda:{}:{}:function:{function}",
            self.partition(),
            self.region,
            self.account
        )
    }

    /// The ARN of the stack's state machine.
    pub fn state_machine_arn(&self) -> String {
        format!(
            "arn:{}:states:{}:{}:stateMachine:{}",
            self.partition(),
            self.region,
            self.account,
            self.state_machine
        )
    }

    /// The ARN of the bucket `bucket`.
    pub(crate) fn bucket_arn(&self, bucket: &str) -> String {
        format!("arn:{}:s3:::{bucket}", self.partition())
    }

    /// The CloudWatch Logs group Lambda writes a function's logs to, as an ARN pattern.
    pub(crate) fn log_group_arn(&self, function: &str) -> String {
        format!(
            "arn:{}:logs:{}:{}:log-group:/aws/lambda/{function}:*",
            self.partition(),
            self.region,
            self.account
        )
    }

    /// The Step Functions console page of the state machine.
    pub(crate) fn console_url(&self) -> String {
        format!(
            "https://{region}.console.aws.amazon.com/states/home?region={region}#/statemachines/view/{arn}",
            region = self.region,
            arn = self.state_machine_arn()
        )
    }
}

/// `aws-cn` for China regions, `aws-us-gov` for GovCloud, `aws` elsewhere.
pub(crate) fn partition_of(region: &str) -> &'static str {
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
