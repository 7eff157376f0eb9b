//! Reads run records out of an execution's history: the state machine hands every
//! (round, memory, target) record to the collector (`{"action": "record", ...}`), so each
//! scheduled collector task carries one finished configuration.

use bench_types::RunRecord;
use serde_json::Value;

/// The record carried by a Lambda task's parameters (`TaskScheduled`'s `parameters`, or
/// `LambdaFunctionScheduled`'s `input`), if it is a collector `record` call.
pub(crate) fn record_from_task_parameters(parameters: &str) -> Option<RunRecord> {
    let value: Value = serde_json::from_str(parameters).ok()?;
    // lambda:invoke tasks put the event under Payload; a plain Lambda ARN task gets it directly.
    let payload = value.get("Payload").unwrap_or(&value);
    let payload = match payload {
        Value::String(text) => serde_json::from_str(text).ok()?,
        other => other.clone(),
    };
    if payload.get("action").and_then(Value::as_str) != Some("record") {
        return None;
    }
    serde_json::from_value(payload.get("record")?.clone()).ok()
}

/// The timed section of a successful record (`output.time`, seconds), if it has one.
pub(crate) fn record_time(record: &RunRecord) -> Option<f64> {
    record
        .output
        .as_ref()
        .and_then(|o| o.get("time"))
        .and_then(Value::as_f64)
        .filter(|t| t.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_record_calls_and_ignores_others() {
        let params = r#"{"FunctionName":"c","Payload":{"action":"record","execution":{"id":"i","name":"n","startTime":"t"},
            "resultsBucket":"b","resultsPrefix":"runs/",
            "record":{"round":2,"memoryMb":1024,"target":"rust","functionName":"f","ok":true,
                      "output":{"lang":"rust","detail":"d","result":"1000","time":1.5},"invoke":{}}}}"#;
        let record = record_from_task_parameters(params).expect("record");
        assert_eq!(
            (
                record.round,
                record.memory_mb,
                record.target.as_str(),
                record.ok
            ),
            (2, 1024, "rust", true)
        );
        assert_eq!(record_time(&record), Some(1.5));
        let report =
            r#"{"FunctionName":"c","Payload":{"action":"report","execution":{},"input":{}}}"#;
        assert!(record_from_task_parameters(report).is_none());
        let update = r#"{"FunctionName":"f","MemorySize":1024}"#;
        assert!(record_from_task_parameters(update).is_none());
    }

    #[test]
    fn failed_records_have_no_time() {
        let params = r#"{"Payload":{"action":"record","record":{"round":1,"memoryMb":128,"target":"rust","ok":false,"error":"Lambda.Unknown","cause":"x"}}}"#;
        let record = record_from_task_parameters(params).expect("record");
        assert!(!record.ok);
        assert_eq!(record_time(&record), None);
    }
}
