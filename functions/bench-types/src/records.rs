//! Contract 3: run records and the collector's event and answer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One (round, memory, target, concurrency) as the state machine saw it, success or failure.
/// `output` and `invoke` stay raw JSON: a target in another language may answer in its own shape,
/// and the collector validates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// The round, from 1.
    pub round: u32,
    /// The memory size the target was set to, in MB.
    pub memory_mb: u32,
    /// The target's name, as in the input's `targets`.
    pub target: String,
    /// The concurrency the target ran at (`null`: sequential, or a record from before the
    /// sweep).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<crate::Concurrency>,
    /// The function invoked (name or ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
    /// Whether the invoke succeeded: then `output` is set, else `error` and `cause`.
    pub ok: bool,
    /// The reader result (the invoke's `Payload`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// The whole `lambda:invoke` result, which on AWS holds `LogResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoke: Option<Value>,
    /// The error name Step Functions caught, e.g. `ListFailed` or `States.Timeout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error's cause as Step Functions gives it (often the function's error JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// Which execution the records belong to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionRef {
    /// The execution's ARN.
    pub id: String,
    /// The execution's name: the folder of its results.
    pub name: String,
    /// When it started, as Step Functions gives it (ISO 8601, e.g. `2026-11-20T06:00:00.000Z`).
    pub start_time: String,
}

/// The collector's small answer, which becomes the execution's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectorSummary {
    /// The execution's name.
    pub execution_name: String,
    /// Where the execution's results are: `s3://BUCKET/PREFIX/EXEC/` (a local path from the
    /// `collect` CLI).
    pub results_uri: String,
    /// Where its `report.html` is, in the same form.
    pub report_uri: String,
    /// Where its `summary.json` is, in the same form.
    pub summary_uri: String,
    /// Run records, whatever their outcome.
    pub runs: usize,
    /// Runs whose invoke failed.
    pub failures: usize,
    /// Per target: the fastest, cheapest and balanced memory size.
    pub recommendations: Vec<crate::Recommendation>,
}

/// Where the collector keeps the results of executions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultsLocation {
    /// The bucket the results go to.
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

/// What a correct reader answers for the data set, known at deploy time: the object count
/// (`"1000"`), or with `find` the key of the object holding the string
/// (`"bench/1000/00042.txt"`). A run whose `result` differs is not a valid measurement.
/// A number (`{"result": 1000}`) is read as its text, as the collector reads a reader's
/// numeric `result`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedResult {
    /// The reader's `result` a correct run gives.
    #[serde(deserialize_with = "text_or_number")]
    pub result: String,
}

fn text_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "result must be the expected result as text, found {other}"
        ))),
    }
}

/// `{"action": "record", ...}`: the state machine hands over one record as soon as it has it.
/// The collector stores it at a key derived from (round, memory, target, concurrency), so a retried record
/// overwrites itself and the state payload never grows with the number of records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordRequest {
    /// The execution the record belongs to.
    pub execution: ExecutionRef,
    /// Where the record is stored (`resultsBucket`, `resultsPrefix` at the top level).
    #[serde(flatten)]
    pub location: ResultsLocation,
    /// The record itself.
    pub record: RunRecord,
    /// The result a correct run gives; stored with the record, so the report can check it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<ExpectedResult>,
    /// The warm-up invoke of the record's function at this memory size: the first invoke after
    /// the memory update, on a fresh sandbox (a cold start). Every target of the function carries
    /// the same one; the collector keeps it once per (round, memory size, function).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_start: Option<ColdStartInput>,
}

/// The warm-up invoke as the state machine hands it over (`coldStart` of a record request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColdStartInput {
    /// The target whose payload the warm-up used (the function's first target).
    pub target: String,
    /// The whole `lambda:invoke` result (`LogResult` holds the REPORT line with `Init
    /// Duration`); `{}` when the run had no warm-up.
    pub invoke: serde_json::Value,
}

/// What the collector Lambda accepts. `report` without `runs` reads the records stored by the
/// `record` calls of the same execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum CollectorRequest {
    /// Stores one run record (states `RecordRun`, `RecordFailure`, `RecordTargetFailure`), and
    /// the cold start it carries. Boxed: it is the large variant (the warm-up's log tail).
    Record(Box<RecordRequest>),
    /// Writes the execution's results and report (state `Report`).
    Report(ReportRequest),
    /// Checks an execution's input before anything changes (see [`crate::validation`]).
    Validate(crate::validation::ValidateRequest),
}

/// `{"action": "report", ...}`: aggregate one execution and write the outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRequest {
    /// The execution to report on.
    pub execution: ExecutionRef,
    /// The effective input; `resultsBucket` and `resultsPrefix` say where to write.
    pub input: Value,
    /// The records inline (possibly nested arrays); when absent, the stored records are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record_event(extra: Value) -> Value {
        let mut event = json!({"action": "record",
            "execution": {"id": "arn:x", "name": "e1", "startTime": "2026-11-20T06:00:00.000Z"},
            "resultsBucket": "results",
            "record": {"round": 1, "memoryMb": 128, "target": "rust", "ok": false, "error": "E"}});
        if let (Some(event), Some(extra)) = (event.as_object_mut(), extra.as_object()) {
            event.extend(extra.clone());
        }
        event
    }

    #[test]
    fn a_record_request_carries_the_expected_result_when_given() {
        let request: CollectorRequest =
            serde_json::from_value(record_event(json!({"expected": {"result": "1000"}}))).unwrap();
        let CollectorRequest::Record(record) = request else {
            panic!("not a record request")
        };
        assert_eq!(
            record.expected,
            Some(ExpectedResult {
                result: "1000".into()
            })
        );
        assert_eq!(record.location.results_prefix, DEFAULT_RESULTS_PREFIX);
    }

    #[test]
    fn without_expected_the_request_reads_and_writes_as_before() {
        let event = record_event(json!({}));
        let request: CollectorRequest = serde_json::from_value(event.clone()).unwrap();
        let CollectorRequest::Record(record) = &request else {
            panic!("not a record request")
        };
        assert_eq!(record.expected, None);
        let written = serde_json::to_value(&request).unwrap();
        assert!(written.get("expected").is_none(), "{written}");
    }

    #[test]
    fn an_expected_count_may_be_a_number_but_not_anything_else() {
        let number: ExpectedResult = serde_json::from_value(json!({"result": 1000})).unwrap();
        assert_eq!(number.result, "1000");
        let err = serde_json::from_value::<ExpectedResult>(json!({"result": [1]})).unwrap_err();
        assert!(err.to_string().contains("expected result as text"), "{err}");
        assert!(serde_json::from_value::<ExpectedResult>(json!({})).is_err());
    }
}
