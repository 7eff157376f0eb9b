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

/// One function under test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Short label used in tables and charts, e.g. `rust`.
    pub name: String,
    /// Function name or ARN.
    pub function_name: String,
    /// Merged over the reader event, so a target may override `folder`, `mode`, `concurrency`.
    #[serde(default)]
    pub payload: Map<String, Value>,
}

/// The effective input of one execution, after the merge over the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionInput {
    pub targets: Vec<Target>,
    pub memory_sizes: Vec<u32>,
    pub rounds: u32,
    pub warmup: bool,
    pub bucket: String,
    pub prefix: String,
    /// The string to look for; `None` only counts the objects.
    #[serde(default)]
    pub find: Option<String>,
    pub results_bucket: String,
    pub results_prefix: String,
    #[serde(default)]
    pub label: String,
    /// What every reader must return to count as a measurement (the object count, or with
    /// `find` the key holding it); deploy bakes in the one of the objects it uploaded.
    #[serde(default)]
    pub expected_result: Option<String>,
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
            }],
            memory_sizes: vec![128],
            rounds: 1,
            warmup: false,
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
                "memorySizes": [128], "rounds": 1, "warmup": false, "bucket": "data",
                "prefix": "bench/", "find": null, "resultsBucket": "results",
                "resultsPrefix": "runs/", "label": "l", "expectedResult": null})
        );
        assert_eq!(
            serde_json::from_value::<ExecutionInput>(json).unwrap(),
            input
        );
    }
}
