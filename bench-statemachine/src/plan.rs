//! The typed benchmark plan: everything the generated state machine bakes in as its defaults,
//! plus the settings that only exist at plan time (poll and retry policies, the collector).

use std::collections::BTreeMap;

use bench_types::input::DEFAULT_CONCURRENCY;
use bench_types::objects::ObjectSet;
use bench_types::schedule::function_groups;
use bench_types::validation::RunShape;
use bench_types::{Concurrency, ExecutionInput, ReadMode, Target, MAGIC_STRING, SEED_MEMORY_SIZES};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::arn::{function_arn, state_machine_arn, PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION};

/// The stack name the placeholder defaults are derived from (buckets, function names).
const DEFAULT_STACK_NAME: &str = "lambda-bench";

/// One function under test: contract 1's target, as the plan bakes it into the defaults.
pub use bench_types::input::Target as TargetSpec;

/// Where the reader finds the test objects (contract 2's `s3_bucket_name`, `folder`, `find`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataLocation {
    /// The bucket holding the test objects (contract 1 `bucket`).
    pub bucket: String,
    /// The key prefix the reader lists, e.g. `bench/1000/` (contract 1 `prefix`).
    pub prefix: String,
    /// The string to look for; `None` only counts the objects.
    pub find: Option<String>,
    /// The prefix of the few objects the warm-up reads (contract 1 `warmupPrefix`); `None`: the
    /// warm-up reads what its target reads.
    #[serde(default)]
    pub warmup_prefix: Option<String>,
    /// What a reader must return for its run to count (the object count, or with `find` the key
    /// holding the string); `None`: not checked.
    #[serde(default)]
    pub expected_result: Option<String>,
}

/// Where the collector writes the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultsLocation {
    /// The bucket the collector writes records and reports to (contract 1 `resultsBucket`).
    pub bucket: String,
    /// The key prefix above each execution's folder, e.g. `runs/` (contract 1 `resultsPrefix`).
    pub prefix: String,
}

/// How the state machine waits for `LastUpdateStatus` after a memory update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollPolicy {
    /// Seconds between two `GetFunctionConfiguration` polls.
    pub interval_seconds: u32,
    /// Polls after which a configuration is recorded as failed (`UpdatePollLimit`).
    pub limit: u32,
}

/// One Step Functions retrier's timing (the error names are fixed by the template).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// Seconds before the first retry (ASL `IntervalSeconds`, at least 1).
    pub interval_seconds: u32,
    /// Retries after the first attempt (ASL `MaxAttempts`; 0 turns retrying off).
    pub max_attempts: u32,
    /// Factor by which the interval grows at each retry (ASL `BackoffRate`, at least 1.0).
    pub backoff_rate: f64,
}

/// The retriers of the three kinds of Task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicies {
    /// `aws-sdk:lambda:*` tasks: update in progress (ResourceConflict), throttling, service errors.
    pub update: RetryPolicy,
    /// The warm-up and timed invokes: AWS's recommended Lambda retrier.
    pub invoke: RetryPolicy,
    /// The collector invokes (records and report).
    pub collector: RetryPolicy,
}

/// The whole benchmark as deploy bakes it into the state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchmarkPlan {
    /// Names the run in the results (contract 1 `label`) and the definition's Comment.
    pub label: String,
    /// The functions under test, each invoked at every memory size in every round.
    pub targets: Vec<TargetSpec>,
    /// The memory sizes to sweep, in MB, in the order they are measured.
    pub memory_sizes: Vec<u32>,
    /// How many times the whole sweep is repeated.
    pub rounds: u32,
    /// Whether each configuration gets one untimed invoke before the timed one (so the timed
    /// one is warm).
    pub warmup: bool,
    /// The concurrency values every concurrent target runs at, after its function's one memory
    /// update (contract 1 `concurrencies`; a target's payload `concurrency` replaces them).
    #[serde(default = "default_concurrencies")]
    pub concurrencies: Vec<Concurrency>,
    /// Where the readers find the test objects.
    pub data: DataLocation,
    /// Where the collector writes the results.
    pub results: ResultsLocation,
    /// The collector Lambda (name or ARN).
    pub collector_function: String,
    /// The state machine's own name: an execution checks that no other one is running.
    pub state_machine_name: String,
    /// Account and region used to turn function names into ARNs for the IAM policy.
    pub account_id: String,
    /// The region of the state machine and of the functions given by name, e.g. `eu-west-1`.
    pub region: String,
    /// How the state machine waits for a memory update to finish.
    pub poll: PollPolicy,
    /// The retriers of the Lambda API, invoke and collector tasks.
    pub retries: RetryPolicies,
    /// The seed's subjective grades for the collector's combined score (target, category,
    /// grade 1 to 6; see `bench_types::subjective`), baked into the default input as
    /// `subjectiveScores` when not empty. The collector checks them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subjective_scores: BTreeMap<String, BTreeMap<String, f64>>,
}

fn default_concurrencies() -> Vec<Concurrency> {
    vec![Concurrency::Fixed(DEFAULT_CONCURRENCY)]
}

impl Default for BenchmarkPlan {
    /// The seed's benchmark: the Rust reader, the ten memory sizes, three rounds, warm-up on,
    /// 1000 objects under `bench/1000/` searched for `MyMagicString`. Function ARNs use the
    /// placeholder account and region (see [`crate::arn`]).
    fn default() -> Self {
        let arn = |name: &str| function_arn(PLACEHOLDER_REGION, PLACEHOLDER_ACCOUNT, name);
        let mut payload = Map::new();
        payload.insert("mode".into(), Value::from(ReadMode::Concurrent.as_str()));
        Self {
            label: "default".into(),
            targets: vec![TargetSpec {
                name: "rust".into(),
                function_name: arn(&format!("{DEFAULT_STACK_NAME}-s3-reader")),
                payload,
                auto_concurrency: true,
            }],
            memory_sizes: SEED_MEMORY_SIZES.to_vec(),
            rounds: 3,
            warmup: true,
            concurrencies: default_concurrencies(),
            data: DataLocation {
                bucket: format!("{DEFAULT_STACK_NAME}-data"),
                prefix: "bench/1000/".into(),
                find: Some(MAGIC_STRING.into()),
                warmup_prefix: Some("bench/warmup/".into()),
                expected_result: ObjectSet::seed_parity().magic_key("bench/1000/"),
            },
            results: ResultsLocation {
                bucket: format!("{DEFAULT_STACK_NAME}-results"),
                prefix: "runs/".into(),
            },
            collector_function: arn(&format!("{DEFAULT_STACK_NAME}-collector")),
            state_machine_name: DEFAULT_STACK_NAME.into(),
            account_id: PLACEHOLDER_ACCOUNT.into(),
            region: PLACEHOLDER_REGION.into(),
            poll: PollPolicy {
                interval_seconds: 2,
                limit: 30,
            },
            retries: RetryPolicies {
                update: RetryPolicy {
                    interval_seconds: 2,
                    max_attempts: 6,
                    backoff_rate: 2.0,
                },
                invoke: RetryPolicy {
                    interval_seconds: 1,
                    max_attempts: 3,
                    backoff_rate: 2.0,
                },
                collector: RetryPolicy {
                    interval_seconds: 1,
                    max_attempts: 4,
                    backoff_rate: 2.0,
                },
            },
            subjective_scores: BTreeMap::new(),
        }
    }
}

impl BenchmarkPlan {
    /// Contract 1's execution input with every field set: the defaults the definition merges
    /// the execution input over.
    pub fn execution_input(&self) -> ExecutionInput {
        ExecutionInput {
            targets: self
                .targets
                .iter()
                .map(|t| Target {
                    name: t.name.clone(),
                    function_name: t.function_name.clone(),
                    payload: t.payload.clone(),
                    auto_concurrency: t.auto_concurrency,
                })
                .collect(),
            memory_sizes: self.memory_sizes.clone(),
            rounds: self.rounds,
            warmup: self.warmup,
            concurrencies: self.concurrencies.clone(),
            warmup_prefix: self.data.warmup_prefix.clone(),
            bucket: self.data.bucket.clone(),
            prefix: self.data.prefix.clone(),
            find: self.data.find.clone(),
            results_bucket: self.results.bucket.clone(),
            results_prefix: self.results.prefix.clone(),
            label: self.label.clone(),
            expected_result: self.data.expected_result.clone(),
        }
    }

    /// [`Self::execution_input`] as JSON, as the definition embeds it, with the collector's
    /// `subjectiveScores` when the plan has any.
    pub fn default_input(&self) -> Value {
        // Text, numbers, lists and string-keyed maps: nothing here can fail to serialize.
        let mut input = serde_json::to_value(self.execution_input())
            .expect("an execution input always serializes to JSON");
        if let (Value::Object(fields), false) = (&mut input, self.subjective_scores.is_empty()) {
            fields.insert(
                "subjectiveScores".into(),
                serde_json::to_value(&self.subjective_scores)
                    .expect("string-keyed maps of numbers always serialize to JSON"),
            );
        }
        input
    }

    /// The state machine's own ARN.
    pub fn state_machine_arn(&self) -> String {
        state_machine_arn(&self.region, &self.account_id, &self.state_machine_name)
    }

    /// The size of a run of the defaults (a plan whose sweep [`crate::check_plan`] refuses
    /// counts as empty).
    pub fn shape(&self) -> RunShape {
        let groups = function_groups(&self.targets, &self.concurrencies).unwrap_or_default();
        RunShape {
            rounds: u64::from(self.rounds),
            sizes: self.memory_sizes.len() as u64,
            functions: groups.len() as u64,
            targets: groups.iter().map(|g| g.targets.len() as u64).sum(),
        }
    }

    /// The number of (round, memory, target, concurrency) configurations a run of the
    /// defaults measures.
    pub fn configurations(&self) -> u64 {
        self.shape().configurations()
    }

    /// The number of (round, memory, function) steps (memory updates) a run of the defaults
    /// makes.
    pub fn updates(&self) -> u64 {
        let shape = self.shape();
        shape.rounds * shape.sizes * shape.functions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjective_scores_are_in_the_default_input_only_when_given() {
        let plan = BenchmarkPlan::default();
        assert!(plan.default_input().get("subjectiveScores").is_none());
        let grades = BTreeMap::from([("code_complexity".to_owned(), 3.0)]);
        let plan = BenchmarkPlan {
            subjective_scores: BTreeMap::from([("rust".to_owned(), grades)]),
            ..BenchmarkPlan::default()
        };
        assert_eq!(
            plan.default_input()["subjectiveScores"],
            serde_json::json!({"rust": {"code_complexity": 3.0}})
        );
    }
}
