//! Contract 1: the execution input. Every field of a given input is optional; the state
//! machine merges it over the defaults baked in at deploy time, which are an [`ExecutionInput`]
//! with every field set (bench-statemachine's `BenchmarkPlan::execution_input`), and the
//! collector checks the merged input into an [`ExecutionInput`] (see [`crate::validation`]).
//!
//! On the wire every field is present, `find` and `expectedResult` as `null` when not set, and
//! a target's `payload` as `{}`: the definition reads them by path, and a path to a missing
//! field fails the execution.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::concurrency::Concurrency;

/// One function under test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Short label used in tables and charts, e.g. `rust`.
    pub name: String,
    /// Function name or ARN.
    pub function_name: String,
    /// Merged over the reader event, so a target may override `folder`, `mode`, `concurrency`.
    /// Its `concurrency` may also be `"auto"` or a list (this target's own sweep, in place of
    /// the input's `concurrencies`).
    #[serde(default)]
    pub payload: Map<String, Value>,
    /// Whether the target's reader takes `concurrency: "auto"` (the Rust reader does); `auto` in
    /// the input's `concurrencies` skips the targets without it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_concurrency: bool,
}

/// The effective input of one execution, after the merge over the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionInput {
    /// The functions under test, each swept over every memory size.
    pub targets: Vec<Target>,
    /// The memory sizes swept, in MB, in the order they are run.
    pub memory_sizes: Vec<u32>,
    /// How many times the whole sweep runs (1 to [`crate::validation::MAX_ROUNDS`]).
    pub rounds: u32,
    /// Whether each timed invoke follows an untimed one at the same memory size.
    pub warmup: bool,
    /// The concurrency values every concurrent target runs at, each after the same memory
    /// update (a target's own `payload.concurrency` replaces them; sequential targets run once).
    #[serde(default = "default_concurrencies")]
    pub concurrencies: Vec<Concurrency>,
    /// The key prefix of the few objects the warm-up reads, e.g. `bench/warmup/`: enough to
    /// start the sandbox and take every path a read takes (client, listing, GET, TLS), at a
    /// fraction of a full read's time and cost. `None`: the warm-up reads what its target reads.
    #[serde(default)]
    pub warmup_prefix: Option<String>,
    /// The bucket holding the test objects.
    pub bucket: String,
    /// The key prefix of the test objects, e.g. `bench/1000/`.
    pub prefix: String,
    /// The string to look for; `None` only counts the objects.
    #[serde(default)]
    pub find: Option<String>,
    /// The bucket the collector writes the records and the report to.
    pub results_bucket: String,
    /// The key prefix of the results, e.g. `runs/`.
    pub results_prefix: String,
    /// Free text telling executions apart in the report and `index.json`, e.g. `scheduled`.
    #[serde(default)]
    pub label: String,
    /// What every reader must return to count as a measurement (the object count, or with
    /// `find` the key holding it); deploy bakes in the one of the objects it uploaded.
    #[serde(default)]
    pub expected_result: Option<String>,
}

/// An execution input as someone gives it: the Step Functions console, `deploy run --input`,
/// the schedule. Every field is optional; the state machine merges the given fields over the
/// deployed defaults, and a given field replaces its default whole (`States.JsonMerge` is
/// shallow). Only the fields given are written, so `{}` runs the defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GivenInput {
    /// Replaces the deployed targets (see [`ExecutionInput::targets`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<Target>>,
    /// Replaces the deployed memory sizes, in MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_sizes: Option<Vec<u32>>,
    /// Replaces the deployed number of rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u32>,
    /// Turns the untimed invoke before each timed one on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<bool>,
    /// Replaces the deployed concurrency sweep, e.g. `[1, 8, 64, "auto"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrencies: Option<Vec<Concurrency>>,
    /// `Some(None)` is a given `null`: the warm-up reads what its target reads.
    #[serde(
        default,
        deserialize_with = "given",
        skip_serializing_if = "Option::is_none"
    )]
    pub warmup_prefix: Option<Option<String>>,
    /// Points the readers at another data bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// Points the readers at other objects of the bucket, e.g. `bench/200/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `Some(None)` is a given `null`: no search, even where the defaults have one.
    #[serde(
        default,
        deserialize_with = "given",
        skip_serializing_if = "Option::is_none"
    )]
    pub find: Option<Option<String>>,
    /// Writes the results to another bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_bucket: Option<String>,
    /// Writes the results under another prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_prefix: Option<String>,
    /// The execution's label (see [`ExecutionInput::label`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `Some(None)` is a given `null`: no expected result, so every answer counts.
    #[serde(
        default,
        deserialize_with = "given",
        skip_serializing_if = "Option::is_none"
    )]
    pub expected_result: Option<Option<String>>,
    /// Fields this type does not name, passed on as given: the collector's `balancedWeight`
    /// and `prices`, or anything the definition's own checks are to refuse.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl GivenInput {
    /// `{"label": label}`: the deployed defaults, labelled.
    pub fn labelled(label: impl Into<String>) -> Self {
        Self {
            label: Some(label.into()),
            ..Self::default()
        }
    }

    /// An input passed on exactly as written, unchecked here: for inputs the state machine's
    /// own checks are meant to see (the console can send anything).
    pub fn unchecked(fields: Map<String, Value>) -> Self {
        Self {
            other: fields,
            ..Self::default()
        }
    }

    /// The input as the JSON Step Functions receives.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| Value::Object(Map::new()))
    }

    /// The names of the targets it sweeps, if it names them.
    pub fn target_names(&self) -> Option<Vec<String>> {
        match (&self.targets, self.other.get("targets")) {
            (Some(targets), _) => Some(targets.iter().map(|t| t.name.clone()).collect()),
            (None, Some(Value::Array(raw))) => Some(
                raw.iter()
                    .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The functions of the targets it sweeps, if it names them.
    pub fn target_functions(&self) -> Option<Vec<String>> {
        match (&self.targets, self.other.get("targets")) {
            (Some(targets), _) => Some(targets.iter().map(|t| t.function_name.clone()).collect()),
            (None, Some(Value::Array(raw))) => Some(
                raw.iter()
                    .filter_map(|t| t.get("functionName").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// The concurrency a run uses when neither the input nor the target names one.
pub const DEFAULT_CONCURRENCY: u32 = 64;

fn default_concurrencies() -> Vec<Concurrency> {
    vec![Concurrency::Fixed(DEFAULT_CONCURRENCY)]
}

/// A field that is present, `null` included (`Some(None)`); absent fields stay `None` through
/// `#[serde(default)]`.
fn given<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unset_fields_travel_as_null_and_an_empty_payload_as_an_object() {
        let input = ExecutionInput {
            targets: vec![Target {
                name: "rust".into(),
                function_name: "reader".into(),
                payload: Map::new(),
                auto_concurrency: false,
            }],
            memory_sizes: vec![128],
            rounds: 1,
            warmup: false,
            concurrencies: vec![Concurrency::Fixed(8), Concurrency::Auto],
            warmup_prefix: None,
            bucket: "data".into(),
            prefix: "bench/".into(),
            find: None,
            results_bucket: "results".into(),
            results_prefix: "runs/".into(),
            label: "l".into(),
            expected_result: None,
        };
        let json = serde_json::to_value(&input).unwrap();
        assert_eq!(
            json,
            json!({"targets": [{"name": "rust", "functionName": "reader", "payload": {}}],
                "memorySizes": [128], "rounds": 1, "warmup": false, "concurrencies": [8, "auto"], "warmupPrefix": null, "bucket": "data",
                "prefix": "bench/", "find": null, "resultsBucket": "results",
                "resultsPrefix": "runs/", "label": "l", "expectedResult": null})
        );
        assert_eq!(
            serde_json::from_value::<ExecutionInput>(json).unwrap(),
            input
        );
    }

    #[test]
    fn a_given_input_writes_only_what_was_given() {
        assert_eq!(GivenInput::default().to_json(), json!({}));
        assert_eq!(
            GivenInput::labelled("local").to_json(),
            json!({"label": "local"})
        );
        let given: GivenInput = serde_json::from_value(json!({
            "rounds": 2, "find": null, "balancedWeight": 0.7
        }))
        .unwrap();
        assert_eq!(given.rounds, Some(2));
        assert_eq!(given.find, Some(None), "a given null is kept");
        assert_eq!(given.expected_result, None);
        assert_eq!(
            given.to_json(),
            json!({"rounds": 2, "find": null, "balancedWeight": 0.7})
        );
    }

    #[test]
    fn a_wrong_type_is_refused_and_an_unchecked_input_passes_on_as_written() {
        assert!(serde_json::from_value::<GivenInput>(json!({"rounds": "two"})).is_err());
        let raw = json!({"targets": [{"name": "x", "functionName": "f", "payload": null}]});
        let Value::Object(fields) = raw.clone() else {
            unreachable!()
        };
        let unchecked = GivenInput::unchecked(fields);
        assert_eq!(unchecked.to_json(), raw);
        assert_eq!(unchecked.target_names(), Some(vec!["x".to_string()]));
        assert_eq!(unchecked.target_functions(), Some(vec!["f".to_string()]));
    }
}
