//! `runs.csv` (one row per record) and `summary.csv` (one row per target and memory size):
//! tidy tables that `pandas.read_csv` loads as they are. Column names are snake_case with their
//! unit; a missing value is an empty cell (pandas reads NaN).

use bench_types::ReadMode;
use serde::{Serialize, Serializer};

use crate::config::ReportConfig;
use crate::costs::{run_cost, DurationBasis, RunCost, S3Basis};
use crate::error::CollectorError;
use crate::records::{Outcome, Run};
use crate::summary::{Cell, Summary};

/// The columns of `runs.csv`, in order: the fields of its row type (checked by a test), and
/// what readers of the file (the report's users, pandas scripts, the tests) rely on.
pub const RUNS_COLUMNS: [&str; 45] = [
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
    "in_flight_max",
    "auto_limit_final",
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

/// The columns of `summary.csv`, in order (see [`RUNS_COLUMNS`]).
pub const SUMMARY_COLUMNS: [&str; 26] = [
    "target",
    "concurrency",
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
    "vcpus_min",
    "vcpus_max",
];

/// One row of `runs.csv`: its fields, in order, are the columns.
#[derive(Debug, Default, Serialize)]
struct RunRow<'a> {
    execution: &'a str,
    round: u32,
    memory_mb: u32,
    target: &'a str,
    function_name: Option<&'a str>,
    status: &'a str,
    invalid_reason: Option<String>,
    error: Option<&'a str>,
    cause: Option<&'a str>,
    #[serde(serialize_with = "shortest")]
    time_s: Option<f64>,
    result: Option<&'a str>,
    expected_result: Option<&'a str>,
    lang: Option<&'a str>,
    detail: Option<&'a str>,
    reported_memory_mb: Option<u32>,
    arch: Option<&'a str>,
    mode: Option<ReadMode>,
    /// The concurrency the run was given (`auto` included), else the one its reader reported.
    concurrency: Option<String>,
    /// The most objects the reader had in flight (`stats.concurrency`).
    in_flight_max: Option<u32>,
    /// An `auto` run's limit at its end (`stats.autoConcurrency.final`).
    auto_limit_final: Option<u32>,
    objects: Option<u64>,
    listed: Option<u64>,
    bytes: Option<u64>,
    #[serde(serialize_with = "shortest")]
    list_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    read_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    total_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    latency_p50_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    latency_p90_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    latency_p99_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    latency_max_ms: Option<f64>,
    retries: Option<u64>,
    read_errors: Option<u64>,
    cold_start: Option<bool>,
    list_requests: Option<u64>,
    get_requests: Option<u64>,
    #[serde(serialize_with = "shortest")]
    duration_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    billed_duration_ms: Option<f64>,
    max_memory_used_mb: Option<u32>,
    #[serde(serialize_with = "shortest")]
    init_duration_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    cost_usd: Option<f64>,
    #[serde(serialize_with = "shortest")]
    compute_cost_usd: Option<f64>,
    #[serde(serialize_with = "shortest")]
    request_cost_usd: Option<f64>,
    #[serde(serialize_with = "shortest")]
    s3_cost_usd: Option<f64>,
    duration_basis: Option<DurationBasis>,
    s3_basis: Option<S3Basis>,
}

impl<'a> RunRow<'a> {
    fn of(execution: &'a str, run: &'a Run, config: &ReportConfig) -> Self {
        let (error, cause) = match &run.outcome {
            Outcome::Failed { error, cause } => (Some(error.as_str()), cause.as_deref()),
            Outcome::Succeeded(_) => (None, None),
        };
        let success = run.success();
        let stats = success.and_then(|s| s.stats.as_ref());
        let log = run.log.as_ref();
        let cost = run_cost(run, config);
        let price = |part: fn(&RunCost) -> f64| cost.as_ref().map(part);
        Self {
            execution,
            round: run.round,
            memory_mb: run.memory_mb,
            target: &run.target_name,
            function_name: run.function_name.as_deref(),
            status: run.status().as_str(),
            invalid_reason: run.invalid_reason(),
            error,
            cause,
            time_s: success.map(|s| s.time_s),
            result: success.map(|s| s.result.as_str()),
            expected_result: run.expected.as_deref(),
            lang: success.map(|s| s.lang.as_str()),
            detail: success.map(|s| s.detail.as_str()),
            reported_memory_mb: run.reported_memory_mb(),
            arch: stats.map(|s| s.arch.as_str()),
            mode: stats.map(|s| s.mode),
            concurrency: run
                .concurrency
                .map(|c| c.to_string())
                .or_else(|| stats.map(|s| s.concurrency.to_string())),
            in_flight_max: stats.map(|s| s.concurrency),
            auto_limit_final: stats
                .and_then(|s| s.auto_concurrency.as_ref())
                .map(|a| a.final_limit),
            objects: stats.map(|s| s.objects),
            listed: stats.and_then(|s| s.listed),
            bytes: stats.map(|s| s.bytes),
            list_ms: stats.map(|s| s.list_ms),
            read_ms: stats.map(|s| s.read_ms),
            total_ms: stats.map(|s| s.total_ms),
            latency_p50_ms: stats.map(|s| s.latency_ms.p50),
            latency_p90_ms: stats.map(|s| s.latency_ms.p90),
            latency_p99_ms: stats.map(|s| s.latency_ms.p99),
            latency_max_ms: stats.map(|s| s.latency_ms.max),
            retries: stats.map(|s| s.retries),
            read_errors: stats.map(|s| s.errors),
            cold_start: stats.map(|s| s.cold_start),
            list_requests: stats.map(|s| s.list_requests),
            get_requests: stats.map(|s| s.get_requests),
            duration_ms: log.and_then(|l| l.duration_ms),
            billed_duration_ms: log.and_then(|l| l.billed_duration_ms),
            max_memory_used_mb: log.and_then(|l| l.max_memory_used_mb),
            init_duration_ms: log.and_then(|l| l.init_duration_ms),
            cost_usd: price(|c| c.cost.total),
            compute_cost_usd: price(|c| c.cost.compute),
            request_cost_usd: price(|c| c.cost.request),
            s3_cost_usd: price(|c| c.cost.s3),
            duration_basis: cost.as_ref().map(|c| c.duration_basis),
            s3_basis: cost.as_ref().map(|c| c.s3_basis),
        }
    }
}

/// One row of `summary.csv`: its fields, in order, are the columns.
#[derive(Debug, Default, Serialize)]
struct SummaryRow<'a> {
    target: &'a str,
    /// The concurrency of a swept target's row (`auto` included); empty otherwise.
    concurrency: Option<String>,
    memory_mb: u32,
    runs: usize,
    ok: usize,
    failures: usize,
    invalid: usize,
    #[serde(serialize_with = "shortest")]
    mean_time_s: Option<f64>,
    #[serde(serialize_with = "shortest")]
    std_time_s: Option<f64>,
    #[serde(serialize_with = "shortest")]
    min_time_s: Option<f64>,
    #[serde(serialize_with = "shortest")]
    median_time_s: Option<f64>,
    #[serde(serialize_with = "shortest")]
    max_time_s: Option<f64>,
    #[serde(serialize_with = "shortest")]
    mean_duration_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    mean_billed_duration_ms: Option<f64>,
    max_memory_used_mb: Option<u32>,
    #[serde(serialize_with = "shortest")]
    mean_init_duration_ms: Option<f64>,
    #[serde(serialize_with = "shortest")]
    cost_usd: Option<f64>,
    #[serde(serialize_with = "shortest")]
    compute_cost_usd: Option<f64>,
    #[serde(serialize_with = "shortest")]
    request_cost_usd: Option<f64>,
    #[serde(serialize_with = "shortest")]
    s3_cost_usd: Option<f64>,
    duration_basis: Option<&'a str>,
    s3_basis: Option<&'a str>,
    #[serde(serialize_with = "shortest")]
    score_points: Option<f64>,
    /// The distinct error names, `;`-separated.
    errors: String,
    /// The fewest and the most vCPUs the valid runs reported (`stats.vcpus`).
    vcpus_min: Option<u32>,
    vcpus_max: Option<u32>,
}

impl<'a> SummaryRow<'a> {
    fn of(c: &'a Cell) -> Self {
        Self {
            target: &c.target_name,
            concurrency: c.concurrency.map(|v| v.to_string()),
            memory_mb: c.memory_mb,
            runs: c.runs,
            ok: c.ok,
            failures: c.failures,
            invalid: c.invalid,
            mean_time_s: c.mean_time_s,
            std_time_s: c.std_time_s,
            min_time_s: c.min_time_s,
            median_time_s: c.median_time_s,
            max_time_s: c.max_time_s,
            mean_duration_ms: c.mean_duration_ms,
            mean_billed_duration_ms: c.mean_billed_duration_ms,
            max_memory_used_mb: c.max_memory_used_mb,
            mean_init_duration_ms: c.mean_init_duration_ms,
            cost_usd: c.cost_usd,
            compute_cost_usd: c.compute_cost_usd,
            request_cost_usd: c.request_cost_usd,
            s3_cost_usd: c.s3_cost_usd,
            duration_basis: c.duration_basis.as_deref(),
            s3_basis: c.s3_basis.as_deref(),
            score_points: c.score_points,
            errors: c.errors.join(";"),
            vcpus_min: c.vcpus_min,
            vcpus_max: c.vcpus_max,
        }
    }
}

/// A number as Rust displays it (`2`, `0.0000002`: no exponent, no trailing `.0`), as the
/// tables always wrote them; the csv crate's own float format would write `2.0` and `2e-7`.
fn shortest<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(number) => serializer.collect_str(number),
        None => serializer.serialize_none(),
    }
}

/// One row per record, in the runs' order.
pub(crate) fn runs_csv(
    execution_name: &str,
    runs: &[Run],
    config: &ReportConfig,
) -> Result<Vec<u8>, CollectorError> {
    write_csv(
        "runs.csv",
        runs.iter()
            .map(|run| RunRow::of(execution_name, run, config)),
    )
}

/// One row per target and memory size, in the summary's order.
pub(crate) fn summary_csv(summary: &Summary) -> Result<Vec<u8>, CollectorError> {
    write_csv("summary.csv", summary.cells.iter().map(SummaryRow::of))
}

/// `cold_starts.csv`: one row per function and memory size.
pub(crate) fn cold_starts_csv(
    cells: &[crate::cold_starts::ColdStartCell],
) -> Result<Vec<u8>, CollectorError> {
    write_csv("cold_starts.csv", cells.iter().cloned())
}

/// The header (the row type's field names) and the rows; a table without rows still has its
/// header, taken from a default row.
fn write_csv<R: Serialize + Default>(
    file: &str,
    rows: impl Iterator<Item = R>,
) -> Result<Vec<u8>, CollectorError> {
    let fail = |e: &dyn std::fmt::Display| CollectorError::render(file, e);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut written = 0usize;
    for row in rows {
        writer.serialize(row).map_err(|e| fail(&e))?;
        written += 1;
    }
    if written == 0 {
        writer.serialize(R::default()).map_err(|e| fail(&e))?;
    }
    let mut bytes = writer.into_inner().map_err(|e| fail(&e))?;
    if written == 0 {
        // Keep the header line only.
        let end = bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.truncate(end);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ReportConfig;

    fn header(csv: &[u8]) -> Vec<String> {
        let mut reader = csv::Reader::from_reader(csv);
        reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_columns_are_the_published_ones_in_order_even_without_rows() {
        let config = ReportConfig::from_input(&serde_json::json!({})).unwrap();
        let runs = runs_csv("e1", &[], &config).unwrap();
        assert_eq!(header(&runs), RUNS_COLUMNS);
        assert_eq!(runs.iter().filter(|b| **b == b'\n').count(), 1);
        let summary = summary_csv(&Summary::default()).unwrap();
        assert_eq!(header(&summary), SUMMARY_COLUMNS);
    }

    #[test]
    fn numbers_keep_the_plain_format_and_missing_values_are_empty() {
        let cell = Cell {
            target: "rust@auto".into(),
            target_name: "rust".into(),
            concurrency: Some(bench_types::Concurrency::Auto),
            memory_mb: 128,
            runs: 2,
            ok: 1,
            failures: 1,
            mean_time_s: Some(2.0),
            cost_usd: Some(0.000_000_2),
            duration_basis: Some("billed".into()),
            errors: vec!["A".into(), "B".into()],
            vcpus_min: Some(1),
            vcpus_max: Some(2),
            ..Cell::default()
        };
        let summary = Summary {
            cells: vec![cell],
            ..Summary::default()
        };
        let text = String::from_utf8(summary_csv(&summary).unwrap()).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert_eq!(
            row,
            "rust,auto,128,2,1,1,0,2,,,,,,,,,0.0000002,,,,billed,,,A;B,1,2"
        );
    }
}
