//! `runs.csv` (one row per record) and `summary.csv` (one row per target and memory size):
//! tidy tables that `pandas.read_csv` loads as they are. Column names are snake_case with their
//! unit; a missing value is an empty cell (pandas reads NaN).

use crate::config::ReportConfig;
use crate::costs::run_cost;
use crate::error::CollectorError;
use crate::records::{Outcome, Run};
use crate::summary::{duration_basis_name, s3_basis_name, Summary};

pub const RUNS_COLUMNS: [&str; 43] = [
    "execution",
    "round",
    "memory_mb",
    "target",
    "function_name",
    "status",
    "invalid_reason",
    "error",
    "cause",
    "time_s",
    "result",
    "expected_result",
    "lang",
    "detail",
    "reported_memory_mb",
    "arch",
    "mode",
    "concurrency",
    "objects",
    "listed",
    "bytes",
    "list_ms",
    "read_ms",
    "total_ms",
    "latency_p50_ms",
    "latency_p90_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "retries",
    "read_errors",
    "cold_start",
    "list_requests",
    "get_requests",
    "duration_ms",
    "billed_duration_ms",
    "max_memory_used_mb",
    "init_duration_ms",
    "cost_usd",
    "compute_cost_usd",
    "request_cost_usd",
    "s3_cost_usd",
    "duration_basis",
    "s3_basis",
];

pub const SUMMARY_COLUMNS: [&str; 23] = [
    "target",
    "memory_mb",
    "runs",
    "ok",
    "failures",
    "invalid",
    "mean_time_s",
    "std_time_s",
    "min_time_s",
    "median_time_s",
    "max_time_s",
    "mean_duration_ms",
    "mean_billed_duration_ms",
    "max_memory_used_mb",
    "mean_init_duration_ms",
    "cost_usd",
    "compute_cost_usd",
    "request_cost_usd",
    "s3_cost_usd",
    "duration_basis",
    "s3_basis",
    "score_points",
    "errors",
];

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// One row per record, in the runs' order.
pub fn runs_csv(
    execution_name: &str,
    runs: &[Run],
    config: &ReportConfig,
) -> Result<Vec<u8>, CollectorError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| CollectorError::render("runs.csv", e);
    writer.write_record(RUNS_COLUMNS).map_err(fail)?;
    for run in runs {
        let (error, cause) = match &run.outcome {
            Outcome::Failed { error, cause } => (error.clone(), cause.clone().unwrap_or_default()),
            Outcome::Succeeded(_) => (String::new(), String::new()),
        };
        let success = run.success();
        let stats = success.and_then(|s| s.stats.as_ref());
        let log = run.log.as_ref();
        let cost = run_cost(run, config);
        let row: Vec<String> = vec![
            execution_name.to_string(),
            run.round.to_string(),
            run.memory_mb.to_string(),
            run.target.clone(),
            run.function_name.clone().unwrap_or_default(),
            run.status().as_str().to_string(),
            run.invalid_reason().unwrap_or_default(),
            error,
            cause,
            opt(success.map(|s| s.time_s)),
            opt(success.map(|s| s.result.clone())),
            run.expected.clone().unwrap_or_default(),
            opt(success.map(|s| s.lang.clone())),
            opt(success.map(|s| s.detail.clone())),
            opt(run.reported_memory_mb()),
            opt(stats.map(|s| s.arch.clone())),
            opt(stats.map(|s| format!("{:?}", s.mode).to_lowercase())),
            opt(stats.map(|s| s.concurrency)),
            opt(stats.map(|s| s.objects)),
            opt(stats.and_then(|s| s.listed)),
            opt(stats.map(|s| s.bytes)),
            opt(stats.map(|s| s.list_ms)),
            opt(stats.map(|s| s.read_ms)),
            opt(stats.map(|s| s.total_ms)),
            opt(stats.map(|s| s.latency_ms.p50)),
            opt(stats.map(|s| s.latency_ms.p90)),
            opt(stats.map(|s| s.latency_ms.p99)),
            opt(stats.map(|s| s.latency_ms.max)),
            opt(stats.map(|s| s.retries)),
            opt(stats.map(|s| s.errors)),
            opt(stats.map(|s| s.cold_start)),
            opt(stats.map(|s| s.list_requests)),
            opt(stats.map(|s| s.get_requests)),
            opt(log.and_then(|l| l.duration_ms)),
            opt(log.and_then(|l| l.billed_duration_ms)),
            opt(log.and_then(|l| l.max_memory_used_mb)),
            opt(log.and_then(|l| l.init_duration_ms)),
            opt(cost.as_ref().map(|c| c.cost.total)),
            opt(cost.as_ref().map(|c| c.cost.compute)),
            opt(cost.as_ref().map(|c| c.cost.request)),
            opt(cost.as_ref().map(|c| c.cost.s3)),
            opt(cost.as_ref().map(|c| duration_basis_name(c.duration_basis))),
            opt(cost.as_ref().map(|c| s3_basis_name(c.s3_basis))),
        ];
        writer.write_record(&row).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| CollectorError::render("runs.csv", e))
}

/// One row per target and memory size, in the summary's order.
pub fn summary_csv(summary: &Summary) -> Result<Vec<u8>, CollectorError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| CollectorError::render("summary.csv", e);
    writer.write_record(SUMMARY_COLUMNS).map_err(fail)?;
    for c in &summary.cells {
        let row: Vec<String> = vec![
            c.target.clone(),
            c.memory_mb.to_string(),
            c.runs.to_string(),
            c.ok.to_string(),
            c.failures.to_string(),
            c.invalid.to_string(),
            opt(c.mean_time_s),
            opt(c.std_time_s),
            opt(c.min_time_s),
            opt(c.median_time_s),
            opt(c.max_time_s),
            opt(c.mean_duration_ms),
            opt(c.mean_billed_duration_ms),
            opt(c.max_memory_used_mb),
            opt(c.mean_init_duration_ms),
            opt(c.cost_usd),
            opt(c.compute_cost_usd),
            opt(c.request_cost_usd),
            opt(c.s3_cost_usd),
            opt(c.duration_basis.clone()),
            opt(c.s3_basis.clone()),
            opt(c.score_points),
            c.errors.join(";"),
        ];
        writer.write_record(&row).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| CollectorError::render("summary.csv", e))
}
