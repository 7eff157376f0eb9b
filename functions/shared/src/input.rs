//! Contract 1: the execution input. Every field is optional; the state machine merges the
//! input over the defaults baked in at deploy time.

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
    #[serde(default, skip_serializing_if = "Map::is_empty")]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find: Option<String>,
    pub results_bucket: String,
    pub results_prefix: String,
    #[serde(default)]
    pub label: String,
    /// What every reader must return to count as a measurement (the object count, or with
    /// `find` the key holding it); deploy bakes in the one of the objects it seeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_result: Option<String>,
}
