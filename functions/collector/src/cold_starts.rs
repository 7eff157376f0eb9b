//! Cold starts: the warm-up invoke after each memory update lands on a fresh sandbox, and its
//! platform report (`Init Duration`, `Duration`, `Max Memory Used`) is what a user of that memory
//! size pays once per new sandbox. Each target's record request carries its function's warm-up;
//! the collector keeps it once per (round, memory size, function) under
//! `EXEC/cold-starts/rRRR-mMMMMM-FUNCTION.json` (a deterministic key: the targets that share the
//! function write the same object), and the report aggregates them per function and memory size.

use bench_types::records::ColdStartInput;
use bench_types::stats::mean;
use bench_types::ExecutionRef;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::CollectorError;
use crate::lambda_log::report_of_invoke;
use crate::pipeline::{check_name, execution_folder, JSON};
use crate::records::Run;
use crate::store::Store;

/// One stored cold start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ColdStartRecord {
    pub(crate) round: u32,
    pub(crate) memory_mb: u32,
    /// The function as the targets name it (name or ARN).
    pub(crate) function_name: String,
    /// The target whose payload the warm-up sent.
    pub(crate) target: String,
    /// The whole `lambda:invoke` result of the warm-up.
    pub(crate) invoke: Value,
}

/// The cold starts of one function at one memory size, over the rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ColdStartCell {
    /// The function's name (the last part of an ARN).
    pub(crate) function: String,
    /// The targets that ran on the function, as the report names them (`rust, rust-direct`).
    pub(crate) targets: String,
    pub(crate) memory_mb: u32,
    /// Cold starts recorded (one per round when every warm-up answered).
    pub(crate) count: usize,
    /// Mean `Init Duration` in ms: the runtime's and the function's start-up.
    pub(crate) mean_init_duration_ms: Option<f64>,
    /// Mean `Duration` of the cold invoke, in ms (the handler's first run).
    pub(crate) mean_duration_ms: Option<f64>,
    /// The highest `Max Memory Used`, in MB.
    pub(crate) max_memory_used_mb: Option<u32>,
}

impl ColdStartCell {
    /// The name the charts give the function: its targets, as the rest of the report names
    /// them, or the function's own where none ran on it.
    pub(crate) fn series_name(&self) -> &str {
        if self.targets.is_empty() {
            &self.function
        } else {
            &self.targets
        }
    }

    /// The name the table gives it: the function and its targets (`reader (rust, rust-direct)`).
    pub(crate) fn full_name(&self) -> String {
        if self.targets.is_empty() {
            self.function.clone()
        } else {
            format!("{} ({})", self.function, self.targets)
        }
    }
}

/// `PREFIX NAME/cold-starts/`.
pub(crate) fn cold_starts_folder(prefix: &str, execution_name: &str) -> String {
    format!("{}cold-starts/", execution_folder(prefix, execution_name))
}

/// A function's name from its name or ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`).
fn short_name(function_name: &str) -> &str {
    function_name.rsplit(':').next().unwrap_or(function_name)
}

/// Keeps the cold start a record request carries, when the warm-up answered (no warm-up: `{}`);
/// returns its key.
pub(crate) async fn store_cold_start<S: Store>(
    store: &S,
    prefix: &str,
    execution: &ExecutionRef,
    round: u32,
    memory_mb: u32,
    function_name: &str,
    cold: &ColdStartInput,
) -> Result<Option<String>, CollectorError> {
    if cold
        .invoke
        .as_object()
        .is_none_or(|fields| fields.is_empty())
    {
        return Ok(None);
    }
    check_name("execution.name", &execution.name)?;
    let function = short_name(function_name);
    check_name("record.functionName", function)?;
    let key = format!(
        "{}r{round:03}-m{memory_mb:05}-{function}.json",
        cold_starts_folder(prefix, &execution.name)
    );
    let record = ColdStartRecord {
        round,
        memory_mb,
        function_name: function_name.to_owned(),
        target: cold.target.clone(),
        invoke: cold.invoke.clone(),
    };
    let body =
        serde_json::to_vec_pretty(&record).map_err(|e| CollectorError::render("cold start", e))?;
    store.put(&key, body, JSON).await?;
    Ok(Some(key))
}

/// The stored cold starts (a JSON array of [`ColdStartRecord`]s), skipping any that does not
/// parse: a cold start is a figure of the report, not a measurement it can fail on.
pub(crate) fn parse_cold_starts(stored: &Value) -> Vec<ColdStartRecord> {
    stored
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| serde_json::from_value(item.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The targets of `runs` on the function `function` (its short name), in order of first run.
fn targets_on(function: &str, runs: &[Run]) -> String {
    let mut targets: Vec<&str> = Vec::new();
    for run in runs {
        let on_it = run
            .function_name
            .as_deref()
            .is_some_and(|f| short_name(f) == function);
        if on_it && !targets.contains(&run.target.as_str()) {
            targets.push(&run.target);
        }
    }
    targets.join(", ")
}

/// One cell per (function, memory size) that has cold starts, functions in order of first
/// appearance, sizes in `memory_sizes` order; `runs` name each function's targets.
pub(crate) fn cold_start_cells(
    records: &[ColdStartRecord],
    memory_sizes: &[u32],
    runs: &[Run],
) -> Vec<ColdStartCell> {
    let mut functions: Vec<&str> = Vec::new();
    for record in records {
        let name = short_name(&record.function_name);
        if !functions.contains(&name) {
            functions.push(name);
        }
    }
    let mut cells = Vec::new();
    for function in functions {
        for &memory_mb in memory_sizes {
            let reports: Vec<_> = records
                .iter()
                .filter(|r| short_name(&r.function_name) == function && r.memory_mb == memory_mb)
                .map(|r| report_of_invoke(&r.invoke).unwrap_or_default())
                .collect();
            if reports.is_empty() {
                continue;
            }
            let values = |f: fn(&crate::lambda_log::LambdaReport) -> Option<f64>| -> Vec<f64> {
                reports.iter().filter_map(f).collect()
            };
            cells.push(ColdStartCell {
                function: function.to_owned(),
                targets: targets_on(function, runs),
                memory_mb,
                count: reports.len(),
                mean_init_duration_ms: mean(&values(|r| r.init_duration_ms)),
                mean_duration_ms: mean(&values(|r| r.duration_ms)),
                max_memory_used_mb: reports.iter().filter_map(|r| r.max_memory_used_mb).max(),
            });
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use serde_json::json;

    fn invoke(init_ms: f64, duration_ms: f64, max_mb: u32) -> Value {
        let tail = format!(
            "START RequestId: x\nREPORT RequestId: x\tDuration: {duration_ms} ms\tBilled Duration: 200 ms\tMemory Size: 256 MB\tMax Memory Used: {max_mb} MB\tInit Duration: {init_ms} ms\n"
        );
        json!({"StatusCode": 200,
               "LogResult": base64::engine::general_purpose::STANDARD.encode(tail)})
    }

    fn record(round: u32, memory_mb: u32, function: &str, invoke: Value) -> ColdStartRecord {
        ColdStartRecord {
            round,
            memory_mb,
            function_name: function.into(),
            target: "rust".into(),
            invoke,
        }
    }

    #[test]
    fn cells_average_the_rounds_per_function_and_size() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:reader";
        let records = [
            record(1, 256, arn, invoke(30.0, 400.0, 20)),
            record(2, 256, "reader", invoke(50.0, 600.0, 22)),
            record(1, 1024, arn, invoke(20.0, 150.0, 21)),
            record(1, 256, "other", json!({"StatusCode": 200})),
        ];
        let run = |target: &str, function: &str| Run {
            round: 1,
            memory_mb: 256,
            target: target.into(),
            target_name: target.into(),
            concurrency: None,
            function_name: Some(function.into()),
            outcome: crate::records::Outcome::Failed {
                error: "E".into(),
                cause: None,
            },
            log: None,
            expected: None,
        };
        let runs = [
            run("rust", arn),
            run("rust-direct", "reader"),
            run("py", "other"),
        ];
        let cells = cold_start_cells(&records, &[256, 1024], &runs);
        assert_eq!(cells.len(), 3);
        assert_eq!(cells[0].function, "reader");
        assert_eq!(cells[0].targets, "rust, rust-direct");
        assert_eq!(cells[2].targets, "py");
        assert_eq!(
            cells[0].count, 2,
            "an ARN and a name of one function are one"
        );
        assert_eq!(cells[0].mean_init_duration_ms, Some(40.0));
        assert_eq!(cells[0].mean_duration_ms, Some(500.0));
        assert_eq!(cells[0].max_memory_used_mb, Some(22));
        assert_eq!(cells[1].memory_mb, 1024);
        // A warm-up without a log tail (moto) counts, with no figures.
        assert_eq!((cells[2].count, cells[2].mean_init_duration_ms), (1, None));
    }

    #[test]
    fn stored_cold_starts_that_do_not_parse_are_skipped() {
        let stored = json!([
            {"round": 1, "memoryMb": 256, "functionName": "f", "target": "t", "invoke": {}},
            {"round": "one"}
        ]);
        assert_eq!(parse_cold_starts(&stored).len(), 1);
    }
}
