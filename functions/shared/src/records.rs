//! Contract 3: run records and the collector's event and answer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One (round, memory, target) as the state machine saw it, success or failure.
/// `output` and `invoke` stay raw JSON: a target in another language may answer in its own shape,
/// and the collector validates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub round: u32,
    pub memory_mb: u32,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
    pub ok: bool,
    /// The reader result (the invoke's `Payload`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// The whole `lambda:invoke` result, which on AWS holds `LogResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoke: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// Which execution the records belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionRef {
    pub id: String,
    pub name: String,
    pub start_time: String,
}

/// The collector's small answer, which becomes the execution's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectorSummary {
    pub execution_name: String,
    pub results_uri: String,
    pub report_uri: String,
    pub summary_uri: String,
    pub runs: usize,
    pub failures: usize,
    /// Per target: the fastest, cheapest and balanced memory size.
    pub recommendations: Vec<Value>,
}

/// Where the collector keeps the results of executions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultsLocation {
    pub results_bucket: String,
    /// Defaults to [`DEFAULT_RESULTS_PREFIX`] when absent (contract 1).
    #[serde(default = "default_results_prefix")]
    pub results_prefix: String,
}

/// The prefix results go under when the input names none.
pub const DEFAULT_RESULTS_PREFIX: &str = "runs/";

fn default_results_prefix() -> String {
    DEFAULT_RESULTS_PREFIX.to_string()
}

/// `{"action": "record", ...}`: the state machine hands over one record as soon as it has it.
/// The collector stores it at a key derived from (round, memory, target), so a retried record
/// overwrites itself and the state payload never grows with the number of records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordRequest {
    pub execution: ExecutionRef,
    #[serde(flatten)]
    pub location: ResultsLocation,
    pub record: RunRecord,
}

/// What the collector Lambda accepts. `report` without `runs` reads the records stored by the
/// `record` calls of the same execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum CollectorRequest {
    Record(RecordRequest),
    Report(ReportRequest),
}

/// `{"action": "report", ...}`: aggregate one execution and write the outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRequest {
    pub execution: ExecutionRef,
    /// The effective input; `resultsBucket` and `resultsPrefix` say where to write.
    pub input: Value,
    /// The records inline (possibly nested arrays); when absent, the stored records are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Value>,
}
