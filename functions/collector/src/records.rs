//! Run records (contract 3): flattening the nested arrays Map states produce, and checking each
//! record into a [`Run`] the statistics can trust.

use std::fmt;

use bench_types::series::Series;
use bench_types::{Concurrency, ExpectedResult, ReaderStats};
use serde_json::Value;

use crate::error::CollectorError;
use crate::lambda_log::{report_of_invoke, LambdaReport};

/// One checked record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) round: u32,
    pub(crate) memory_mb: u32,
    /// The series the run belongs to, which the tables and charts show: the target's name, or
    /// for a target swept over several concurrency values `NAME@VALUE` (see [`Series`]).
    pub(crate) target: String,
    /// The target's name, as in the input.
    pub(crate) target_name: String,
    /// The concurrency the run was given (`None`: sequential, or a record from before the
    /// sweep).
    pub(crate) concurrency: Option<Concurrency>,
    pub(crate) function_name: Option<String>,
    pub(crate) outcome: Outcome,
    /// The platform report of the invoke's log tail (absent under moto).
    pub(crate) log: Option<LambdaReport>,
    /// The result a correct run gives (the record's `expected.result`), when known.
    pub(crate) expected: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Boxed: a reader result is several times the size of a failure.
    Succeeded(Box<Success>),
    Failed {
        error: String,
        cause: Option<String>,
    },
}

/// A reader result (contract 2), with what other-language readers may omit left optional.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Success {
    pub(crate) time_s: f64,
    pub(crate) lang: String,
    pub(crate) detail: String,
    pub(crate) result: String,
    pub(crate) stats: Option<ReaderStats>,
}

/// How a run counts in the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunStatus {
    /// Succeeded at the configured memory size: counted.
    Ok,
    /// The invocation failed (the seed's NaN).
    Failed,
    /// Succeeded, but is not a valid measurement: a stale memory configuration, objects not
    /// read, or a wrong result (see [`InvalidReason`]).
    Invalid,
}

/// Why a successful run is not a valid measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InvalidReason {
    /// The function reported another memory size than configured (a stale configuration).
    StaleMemory {
        reported_mb: u32,
        configured_mb: u32,
    },
    /// The reader failed to read some objects (`stats.errors`).
    ReadErrors { errors: u64 },
    /// The reader read fewer objects than it listed (`stats.objects < stats.listed`).
    Incomplete { read: u64, listed: u64 },
    /// The reader's `result` is not the expected one.
    WrongResult { result: String, expected: String },
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::StaleMemory {
                reported_mb,
                configured_mb,
            } => write!(
                f,
                "reported {reported_mb} MB, not the configured {configured_mb} MB (a stale memory configuration)"
            ),
            Self::ReadErrors { errors } => write!(
                f,
                "{errors} object{} could not be read (stats.errors)",
                if *errors == 1 { "" } else { "s" }
            ),
            Self::Incomplete { read, listed } => {
                write!(f, "read {read} of {listed} listed objects")
            }
            Self::WrongResult { result, expected } => {
                write!(f, "result {result:?} is not the expected {expected:?}")
            }
        }
    }
}

impl RunStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Invalid => "invalid",
        }
    }
}

impl Run {
    /// The memory size the function itself reported: the reader's `stats.memoryMb`, else the
    /// REPORT line's `Memory Size`.
    pub(crate) fn reported_memory_mb(&self) -> Option<u32> {
        let from_stats = match &self.outcome {
            Outcome::Succeeded(s) => s.stats.as_ref().map(|st| st.memory_mb),
            Outcome::Failed { .. } => None,
        };
        from_stats.or_else(|| self.log.as_ref().and_then(|l| l.memory_size_mb))
    }

    pub(crate) fn status(&self) -> RunStatus {
        match &self.outcome {
            Outcome::Failed { .. } => RunStatus::Failed,
            Outcome::Succeeded(_) if self.invalid_reasons().is_empty() => RunStatus::Ok,
            Outcome::Succeeded(_) => RunStatus::Invalid,
        }
    }

    /// Why a successful run is not a valid measurement; empty for a valid run and a failure.
    pub(crate) fn invalid_reasons(&self) -> Vec<InvalidReason> {
        let Outcome::Succeeded(success) = &self.outcome else {
            return Vec::new();
        };
        let mut reasons = Vec::new();
        if let Some(reported_mb) = self.reported_memory_mb() {
            if reported_mb != self.memory_mb {
                reasons.push(InvalidReason::StaleMemory {
                    reported_mb,
                    configured_mb: self.memory_mb,
                });
            }
        }
        if let Some(stats) = &success.stats {
            if stats.errors > 0 {
                reasons.push(InvalidReason::ReadErrors {
                    errors: stats.errors,
                });
            }
            if let Some(listed) = stats.listed {
                if stats.objects < listed {
                    reasons.push(InvalidReason::Incomplete {
                        read: stats.objects,
                        listed,
                    });
                }
            }
        }
        if let Some(expected) = &self.expected {
            if success.result != *expected {
                reasons.push(InvalidReason::WrongResult {
                    result: success.result.clone(),
                    expected: expected.clone(),
                });
            }
        }
        reasons
    }

    /// The reasons of an invalid run as one text (`; `-separated); `None` unless invalid.
    pub(crate) fn invalid_reason(&self) -> Option<String> {
        let reasons = self.invalid_reasons();
        (!reasons.is_empty()).then(|| {
            reasons
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    pub(crate) fn success(&self) -> Option<&Success> {
        match &self.outcome {
            Outcome::Succeeded(s) => Some(s.as_ref()),
            Outcome::Failed { .. } => None,
        }
    }

    /// The success, only when it counts in the statistics.
    pub(crate) fn valid_success(&self) -> Option<&Success> {
        self.success().filter(|_| self.status() == RunStatus::Ok)
    }
}

/// Flattens nested arrays (a Map inside a Map gives `[[r, r], [r]]`) into one list of records,
/// in order. `null` items (a Map branch that produced nothing) are dropped.
pub(crate) fn flatten(value: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    // An explicit stack keeps deep nesting from recursing; each item is pushed once, so it ends.
    let mut stack: Vec<&Value> = vec![value];
    while let Some(item) = stack.pop() {
        match item {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Null => {}
            other => out.push(other.clone()),
        }
    }
    out
}

/// Checks every record. Later records with the same (round, memory, target, concurrency)
/// replace earlier ones, as a retried `record` call overwrites its stored object. The result
/// is sorted by round, memory size, the position of the target in `target_order` (then by
/// name) and concurrency, and each run is named by its series.
pub(crate) fn parse_runs(
    records: &[Value],
    target_order: &[String],
) -> Result<Vec<Run>, CollectorError> {
    let mut runs: Vec<Run> = Vec::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        let run = parse_run(index, record)?;
        runs.retain(|r| {
            !(r.round == run.round
                && r.memory_mb == run.memory_mb
                && r.target_name == run.target_name
                && r.concurrency == run.concurrency)
        });
        runs.push(run);
    }
    let position = |target: &str| {
        target_order
            .iter()
            .position(|t| t == target)
            .unwrap_or(usize::MAX)
    };
    runs.sort_by(|a, b| {
        let key = |r: &Run| {
            (
                r.round,
                r.memory_mb,
                position(&r.target_name),
                r.target_name.clone(),
                r.concurrency,
            )
        };
        key(a).cmp(&key(b))
    });
    let series = Series::of(runs.iter().map(|r| (r.target_name.as_str(), r.concurrency)));
    for run in &mut runs {
        run.target = series.label(&run.target_name, run.concurrency);
    }
    Ok(runs)
}

/// Checks one record; `index` is its position in the flattened list, for the error message.
pub(crate) fn parse_run(index: usize, record: &Value) -> Result<Run, CollectorError> {
    let mut name = format!("record #{index}");
    let Some(object) = record.as_object() else {
        return Err(CollectorError::InvalidRecord {
            record: name,
            reason: format!("must be an object, found {record}"),
        });
    };
    let round = whole_number(&name, object.get("round"), "round")?;
    let memory_mb = whole_number(&name, object.get("memoryMb"), "memoryMb")?;
    let target = match object.get("target") {
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        other => {
            return Err(CollectorError::InvalidRecord {
                record: name,
                reason: format!(
                    "field target must be the target's name, found {}",
                    shown(other)
                ),
            })
        }
    };
    let concurrency =
        match object.get("concurrency") {
            None | Some(Value::Null) => None,
            Some(value) => Some(Concurrency::from_json(value).map_err(|why| {
                CollectorError::InvalidRecord {
                    record: format!(
                        "record #{index} (round {round}, {memory_mb} MB, target {target})"
                    ),
                    reason: format!("field concurrency must be a number, \"auto\" or null: {why}"),
                }
            })?),
        };
    name = match concurrency {
        Some(c) => format!(
            "record #{index} (round {round}, {memory_mb} MB, target {target}, concurrency {c})"
        ),
        None => format!("record #{index} (round {round}, {memory_mb} MB, target {target})"),
    };
    let ok = match object.get("ok") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(CollectorError::InvalidRecord {
                record: name,
                reason: format!("field ok must be true or false, found {other}"),
            })
        }
    };
    let error = object.get("error").filter(|e| !e.is_null());
    let log = object.get("invoke").and_then(report_of_invoke);
    let expected = match object.get("expected") {
        None | Some(Value::Null) => None,
        Some(expected) => Some(
            serde_json::from_value::<ExpectedResult>(expected.clone())
                .map_err(|e| CollectorError::InvalidRecord {
                    record: name.clone(),
                    reason: format!(
                        "field expected must be {{\"result\": \"...\"}}, the result a correct run gives ({e})"
                    ),
                })?
                .result,
        ),
    };
    let function_name = object
        .get("functionName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let outcome = if ok {
        Outcome::Succeeded(Box::new(parse_output(&name, object.get("output"))?))
    } else if let Some(error) = error {
        Outcome::Failed {
            error: error
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| error.to_string()),
            cause: object.get("cause").filter(|c| !c.is_null()).map(|c| {
                c.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| c.to_string())
            }),
        }
    } else {
        return Err(CollectorError::RecordWithoutOutcome { record: name });
    };
    Ok(Run {
        round,
        memory_mb,
        target_name: target.clone(),
        target,
        concurrency,
        function_name,
        outcome,
        log,
        expected,
    })
}

/// Reads the reader result. A payload that arrives as a JSON string (some runtimes) is parsed.
fn parse_output(record: &str, output: Option<&Value>) -> Result<Success, CollectorError> {
    let bad = |field: &str, reason: String| CollectorError::InvalidReaderOutput {
        record: record.to_string(),
        field: field.to_string(),
        reason,
    };
    let parsed;
    let output = match output {
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|e| bad("output", format!("a string that is not JSON ({e})")))?;
            &parsed
        }
        Some(v @ Value::Object(_)) => v,
        other => {
            return Err(bad(
                "output",
                format!(
                    "a successful record needs the reader result, found {}",
                    shown(other)
                ),
            ))
        }
    };
    let time_s = match output.get("time") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        other => {
            return Err(CollectorError::NonNumericTime {
                record: record.to_string(),
                found: shown(other),
            })
        }
    };
    if !(time_s.is_finite() && time_s >= 0.0) {
        return Err(bad(
            "output.time",
            format!("must be a non-negative number of seconds, found {time_s}"),
        ));
    }
    let text = |field: &str| -> Result<String, CollectorError> {
        match output.get(field) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(n @ Value::Number(_)) => Ok(n.to_string()),
            Some(other) => Err(bad(
                &format!("output.{field}"),
                format!("must be a string, found {other}"),
            )),
        }
    };
    let stats = match output.get("stats") {
        None | Some(Value::Null) => None,
        Some(stats) => Some(
            serde_json::from_value::<ReaderStats>(stats.clone())
                .map_err(|e| bad("output.stats", format!("not the reader's stats ({e})")))?,
        ),
    };
    Ok(Success {
        time_s,
        lang: text("lang")?,
        detail: text("detail")?,
        result: text("result")?,
        stats,
    })
}

fn whole_number(record: &str, value: Option<&Value>, field: &str) -> Result<u32, CollectorError> {
    value
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| CollectorError::InvalidRecord {
            record: record.to_string(),
            reason: format!(
                "field {field} must be a whole number, found {}",
                shown(value)
            ),
        })
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None => "nothing (the field is missing)".to_string(),
        Some(v) => {
            let text = v.to_string();
            if text.len() > 80 {
                format!("{}...", text.chars().take(80).collect::<String>())
            } else {
                text
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok_record(round: u32, memory: u32, target: &str, time: f64) -> Value {
        json!({"round": round, "memoryMb": memory, "target": target, "ok": true,
               "output": {"lang": target, "detail": "d", "result": "1000", "time": time}})
    }

    #[test]
    fn nested_map_output_is_flattened_in_order() {
        let nested = json!([
            [ok_record(1, 128, "a", 1.0), [ok_record(1, 256, "a", 2.0)]],
            null,
            [ok_record(2, 128, "a", 3.0)]
        ]);
        let flat = flatten(&nested);
        let times: Vec<f64> = flat
            .iter()
            .map(|r| r["output"]["time"].as_f64().unwrap())
            .collect();
        assert_eq!(times, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn a_success_a_failure_and_a_stale_run_are_told_apart() {
        let records = vec![
            ok_record(1, 128, "rust", 1.5),
            json!({"round": 1, "memoryMb": 128, "target": "go", "ok": false, "error": "Lambda.Unknown", "cause": "timeout"}),
            json!({"round": 1, "memoryMb": 256, "target": "rust", "ok": true,
                   "output": {"lang": "rust", "detail": "", "result": "1000", "time": 1.0,
                              "stats": {"memoryMb": 128, "vcpus": 2, "arch": "aarch64", "mode": "concurrent",
                                        "concurrency": 64, "objects": 1000, "bytes": 1, "listMs": 1.0, "readMs": 1.0,
                                        "totalMs": 2.0, "latencyMs": {"p50": 1.0, "p90": 1.0, "p99": 1.0, "max": 1.0},
                                        "retries": 0, "errors": 0, "coldStart": false, "reusedConnections": false}}}),
        ];
        let runs = parse_runs(&records, &["rust".into(), "go".into()]).unwrap();
        let statuses: Vec<_> = runs
            .iter()
            .map(|r| (r.memory_mb, r.target.as_str(), r.status()))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (128, "rust", RunStatus::Ok),
                (128, "go", RunStatus::Failed),
                (256, "rust", RunStatus::Invalid)
            ]
        );
        assert_eq!(runs[2].reported_memory_mb(), Some(128));
        assert!(runs[2].valid_success().is_none());
    }

    /// A record of our reader at 1024 MB with `stats`, changed by `edit`.
    fn reader_record(edit: impl FnOnce(&mut Value)) -> Value {
        let mut record = json!({"round": 1, "memoryMb": 1024, "target": "rust", "ok": true,
            "output": {"lang": "rust", "detail": "", "result": "1000", "time": 1.0,
                       "stats": {"memoryMb": 1024, "vcpus": 1, "arch": "aarch64", "mode": "concurrent",
                                 "concurrency": 64, "objects": 1000, "listed": 1000, "bytes": 1,
                                 "listMs": 1.0, "readMs": 1.0, "totalMs": 2.0,
                                 "latencyMs": {"p50": 1.0, "p90": 1.0, "p99": 1.0, "max": 1.0},
                                 "retries": 0, "errors": 0, "coldStart": false, "reusedConnections": false}}});
        edit(&mut record);
        record
    }

    fn reasons_of(record: &Value) -> (RunStatus, Vec<InvalidReason>, Option<String>) {
        let run = parse_run(0, record).unwrap();
        (run.status(), run.invalid_reasons(), run.invalid_reason())
    }

    #[test]
    fn a_complete_run_with_the_expected_result_is_valid() {
        let record = reader_record(|r| r["expected"] = json!({"result": "1000"}));
        assert_eq!(reasons_of(&record), (RunStatus::Ok, vec![], None));
        let run = parse_run(0, &record).unwrap();
        assert_eq!(run.expected.as_deref(), Some("1000"));
        assert!(run.valid_success().is_some());
    }

    #[test]
    fn a_stale_memory_size_is_invalid_with_its_reason() {
        let record = reader_record(|r| r["output"]["stats"]["memoryMb"] = json!(512));
        let (status, reasons, text) = reasons_of(&record);
        assert_eq!(status, RunStatus::Invalid);
        assert_eq!(
            reasons,
            vec![InvalidReason::StaleMemory {
                reported_mb: 512,
                configured_mb: 1024
            }]
        );
        assert_eq!(
            text.as_deref(),
            Some("reported 512 MB, not the configured 1024 MB (a stale memory configuration)")
        );
    }

    #[test]
    fn objects_that_failed_to_read_make_the_run_invalid() {
        let record = reader_record(|r| {
            r["output"]["stats"]["errors"] = json!(2);
            r["output"]["stats"]["listed"] = Value::Null;
        });
        let (status, reasons, text) = reasons_of(&record);
        assert_eq!(status, RunStatus::Invalid);
        assert_eq!(reasons, vec![InvalidReason::ReadErrors { errors: 2 }]);
        assert_eq!(
            text.as_deref(),
            Some("2 objects could not be read (stats.errors)")
        );
        assert!(parse_run(0, &record).unwrap().valid_success().is_none());
    }

    #[test]
    fn reading_fewer_objects_than_listed_makes_the_run_invalid() {
        let record = reader_record(|r| {
            r["output"]["stats"]["objects"] = json!(998);
            r["output"]["result"] = json!("998");
        });
        let (status, reasons, text) = reasons_of(&record);
        assert_eq!(status, RunStatus::Invalid);
        assert_eq!(
            reasons,
            vec![InvalidReason::Incomplete {
                read: 998,
                listed: 1000
            }]
        );
        assert_eq!(text.as_deref(), Some("read 998 of 1000 listed objects"));
        // A reader that does not say how many it listed is not judged on it.
        let unknown = reader_record(|r| {
            r["output"]["stats"]["objects"] = json!(998);
            r["output"]["stats"]
                .as_object_mut()
                .unwrap()
                .remove("listed");
        });
        assert_eq!(reasons_of(&unknown).0, RunStatus::Ok);
    }

    #[test]
    fn a_result_other_than_the_expected_one_makes_the_run_invalid() {
        let record = reader_record(|r| {
            r["output"]["result"] = json!("None");
            r["expected"] = json!({"result": "bench/1000/00042.txt"});
        });
        let (status, reasons, text) = reasons_of(&record);
        assert_eq!(status, RunStatus::Invalid);
        assert_eq!(
            reasons,
            vec![InvalidReason::WrongResult {
                result: "None".into(),
                expected: "bench/1000/00042.txt".into()
            }]
        );
        assert_eq!(
            text.as_deref(),
            Some("result \"None\" is not the expected \"bench/1000/00042.txt\"")
        );
        // A reader in another language answering a number, and an expected count as a number.
        let python = json!({"round": 1, "memoryMb": 512, "target": "python", "ok": true,
                            "output": {"lang": "python", "detail": "", "result": 999, "time": 2.0},
                            "expected": {"result": 1000}});
        assert_eq!(
            reasons_of(&python).2.as_deref(),
            Some("result \"999\" is not the expected \"1000\"")
        );
        let right = json!({"round": 1, "memoryMb": 512, "target": "python", "ok": true,
                           "output": {"lang": "python", "detail": "", "result": 1000, "time": 2.0},
                           "expected": {"result": "1000"}});
        assert_eq!(reasons_of(&right).0, RunStatus::Ok);
    }

    #[test]
    fn every_reason_of_a_run_is_named_and_a_failure_has_none() {
        let record = reader_record(|r| {
            r["output"]["stats"]["objects"] = json!(997);
            r["output"]["stats"]["errors"] = json!(3);
            r["output"]["result"] = json!("997");
            r["expected"] = json!({"result": "1000"});
        });
        assert_eq!(
            reasons_of(&record).2.as_deref(),
            Some("3 objects could not be read (stats.errors); read 997 of 1000 listed objects; result \"997\" is not the expected \"1000\"")
        );
        let failed = json!({"round": 1, "memoryMb": 128, "target": "go", "ok": false,
                            "error": "Lambda.Unknown", "expected": {"result": "1000"}});
        assert_eq!(reasons_of(&failed), (RunStatus::Failed, vec![], None));
    }

    #[test]
    fn a_malformed_expected_result_is_a_named_error() {
        let record = reader_record(|r| r["expected"] = json!("1000"));
        let err = parse_run(4, &record).unwrap_err();
        assert_eq!(err.name(), "InvalidRecord");
        assert!(
            err.to_string()
                .contains("record #4 (round 1, 1024 MB, target rust): field expected"),
            "{err}"
        );
    }

    #[test]
    fn a_retried_record_replaces_the_earlier_one() {
        let runs = parse_runs(
            &[ok_record(1, 128, "a", 9.0), ok_record(1, 128, "a", 1.0)],
            &[],
        )
        .unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].success().unwrap().time_s, 1.0);
    }

    #[test]
    fn the_runs_of_a_concurrency_sweep_are_kept_apart_and_named_by_their_series() {
        let at = |concurrency: Value, time: f64| {
            let mut record = ok_record(1, 128, "rust", time);
            record["concurrency"] = concurrency;
            record
        };
        let runs = parse_runs(
            &[
                at(json!("auto"), 3.0),
                at(json!(64), 2.0),
                at(json!(8), 9.0),
                // A retry of the run at 8 replaces it; the others stay.
                at(json!(8), 1.0),
                ok_record(1, 128, "python", 5.0),
            ],
            &["rust".into(), "python".into()],
        )
        .unwrap();
        let seen: Vec<(&str, Option<Concurrency>, f64)> = runs
            .iter()
            .map(|r| {
                (
                    r.target.as_str(),
                    r.concurrency,
                    r.success().unwrap().time_s,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("rust@8", Some(Concurrency::Fixed(8)), 1.0),
                ("rust@64", Some(Concurrency::Fixed(64)), 2.0),
                ("rust@auto", Some(Concurrency::Auto), 3.0),
                ("python", None, 5.0),
            ]
        );
        assert!(runs
            .iter()
            .all(|r| r.target_name == "rust" || r.target_name == "python"));
        let err = parse_run(0, &at(json!(0), 1.0)).unwrap_err();
        assert!(
            err.to_string()
                .contains("field concurrency must be a number, \"auto\" or null"),
            "{err}"
        );
    }

    #[test]
    fn a_record_with_neither_ok_nor_error_is_a_named_error() {
        let err = parse_run(3, &json!({"round": 1, "memoryMb": 128, "target": "a"})).unwrap_err();
        assert_eq!(err.name(), "RecordWithoutOutcome");
        assert!(
            err.to_string()
                .contains("record #3 (round 1, 128 MB, target a)"),
            "{err}"
        );
    }

    #[test]
    fn a_non_numeric_time_is_a_named_error() {
        let mut record = ok_record(1, 128, "a", 0.0);
        record["output"]["time"] = json!("1.873");
        let err = parse_run(0, &record).unwrap_err();
        assert_eq!(err.name(), "NonNumericTime");
        assert!(err.to_string().contains("\"1.873\""), "{err}");
        record["output"].as_object_mut().unwrap().remove("time");
        assert_eq!(parse_run(0, &record).unwrap_err().name(), "NonNumericTime");
    }

    #[test]
    fn a_reader_from_another_language_may_omit_stats_and_answer_as_a_string() {
        let record = json!({"round": 1, "memoryMb": 512, "target": "python", "ok": true,
                            "output": "{\"lang\": \"python\", \"detail\": \"aioboto\", \"result\": 1000, \"time\": 11.5}"});
        let run = parse_run(0, &record).unwrap();
        let success = run.success().unwrap();
        assert_eq!(
            (
                success.time_s,
                success.result.as_str(),
                success.stats.is_none()
            ),
            (11.5, "1000", true)
        );
        assert_eq!(run.status(), RunStatus::Ok);
    }

    #[test]
    fn malformed_records_name_the_field() {
        let err = parse_run(0, &json!({"memoryMb": 128, "target": "a", "ok": true})).unwrap_err();
        assert_eq!(err.name(), "InvalidRecord");
        assert!(err.to_string().contains("round"), "{err}");
        let err = parse_run(
            0,
            &json!({"round": 1, "memoryMb": 128, "target": "a", "ok": true}),
        )
        .unwrap_err();
        assert_eq!(err.name(), "InvalidReaderOutput");
        let mut record = ok_record(1, 128, "a", 1.0);
        record["output"]["stats"] = json!({"memoryMb": "lots"});
        let err = parse_run(0, &record).unwrap_err();
        assert!(err.to_string().contains("output.stats"), "{err}");
    }
}
