//! `deploy run`: starts an execution, follows its history (reporting each finished
//! configuration), renders the seed-style table and the recommendations, and downloads the
//! report.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent, HistoryEventType};
use aws_smithy_types::date_time::Format;
use bench_types::series::Series;
use bench_types::{Concurrency, RunRecord};
use serde_json::Value;

use crate::aws::sdk_error::classify;
use crate::aws::Clients;
use crate::benchmark_plan::benchmark_plan;
use crate::config::BenchConfig;
use crate::error::{DeployError, Result};
use crate::follow::{throttled, HistoryFollower};
use crate::history::{record_from_task_parameters, record_time};
use crate::names::{StackNames, RESULTS_PREFIX};
use crate::progress::{Event, Reporter};
use crate::resources::state_machine;
use crate::restore::{self, Restored};
use crate::table::{render_recommendations, render_table};
use bench_types::GivenInput;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Execution name; default `run-<UTC time>`.
    pub name: Option<String>,
    /// Contract 1 input; the default (`{}`) runs the deployed defaults.
    pub input: GivenInput,
    /// Where to download `runs/<name>/`; `None` skips the download.
    pub download_dir: Option<PathBuf>,
    /// The pause between two looks at the execution (2 s by default).
    pub poll_interval: Duration,
    /// How long to follow before giving up (4 hours by default); the execution keeps running.
    pub timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            name: None,
            input: GivenInput::default(),
            download_dir: None,
            poll_interval: Duration::from_secs(2),
            timeout: Duration::from_secs(4 * 3600),
        }
    }
}

/// What a run gave.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The execution's name (the given one, else `run-<UTC time>`).
    pub name: String,
    /// The execution's ARN.
    pub execution_arn: String,
    /// How it ended: `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: String,
    /// One per (round, memory, target, concurrency), in the order the collector got them.
    pub records: Vec<RunRecord>,
    /// The execution's output (the collector's summary) when it succeeded.
    pub output: Option<Value>,
    /// The execution's error name when it failed, e.g. `InvalidInput`.
    pub error: Option<String>,
    /// The execution's cause when it failed.
    pub cause: Option<String>,
    /// The seed-style table: mean seconds per memory size (rows) and target (columns).
    pub table: String,
    /// The collector's recommendations, one line per target (empty without a summary).
    pub recommendations: String,
    /// Functions `run` put back at their memory size of before the run, because the execution
    /// ended FAILED, TIMED_OUT or ABORTED with them elsewhere.
    pub restored: Vec<Restored>,
    /// The local folder holding the downloaded results.
    pub downloaded: Option<PathBuf>,
    /// Every file downloaded into it.
    pub downloaded_files: Vec<PathBuf>,
}

/// A default execution name from the current UTC time, e.g. `run-2026-11-27T06-15-51Z`.
pub(crate) fn default_execution_name() -> String {
    let now = aws_smithy_types::DateTime::from(SystemTime::now())
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| "now".into());
    let stamp: String = now
        .chars()
        .take_while(|c| *c != '.')
        .map(|c| if c == ':' { '-' } else { c })
        .collect();
    let stamp = if stamp.ends_with('Z') {
        stamp
    } else {
        format!("{stamp}Z")
    };
    format!("run-{stamp}")
}

/// Starts the execution and follows it to its end, reporting its records as they come.
pub(crate) async fn run(
    c: &Clients,
    names: &StackNames,
    config: &BenchConfig,
    opts: &RunOptions,
    reporter: &dyn Reporter,
) -> Result<RunOutcome> {
    let name = opts.name.clone().unwrap_or_else(default_execution_name);
    state_machine::ensure_no_run(c, &names.state_machine_arn(), "starting a run").await?;
    let originals = restore::capture(c, &target_functions(&opts.input, config, names)).await?;
    let arn = start_execution(c, names, &name, opts).await?;
    let sweep = sweep_of(opts, config, names);
    reporter.report(Event::ExecutionStarted {
        name: name.clone(),
        arn: arn.clone(),
        rounds: sweep.rounds,
        configurations_per_round: (sweep.memory_sizes.len() * sweep.runs_per_size) as u64,
    });
    let (described, records) = follow_to_end(c, &arn, &name, opts, &sweep.series, reporter).await?;
    let status = described.status().clone();
    reporter.report(Event::ExecutionEnded {
        status: status.as_str().to_owned(),
    });
    let restored = restore_if_ended_early(c, &status, &originals).await?;
    let output: Option<Value> = described
        .output()
        .and_then(|o| serde_json::from_str(o).ok());
    let mut outcome = RunOutcome {
        restored,
        name: name.clone(),
        execution_arn: arn,
        status: status.as_str().to_owned(),
        table: render_table(&sweep.memory_sizes, &sweep.targets, &records),
        records,
        recommendations: recommendations_in(output.as_ref()),
        output,
        error: described.error().map(str::to_owned),
        cause: described.cause().map(str::to_owned),
        downloaded: None,
        downloaded_files: Vec::new(),
    };
    if let Some(dir) = &opts.download_dir {
        let local = dir.join(&name);
        let prefix = format!("{RESULTS_PREFIX}{name}/");
        outcome.downloaded_files =
            download_prefix(c, &names.results_bucket, &prefix, &local).await?;
        outcome.downloaded = Some(local);
    }
    Ok(outcome)
}

/// Starts the execution `name` of the stack's state machine; returns its ARN.
async fn start_execution(
    c: &Clients,
    names: &StackNames,
    name: &str,
    opts: &RunOptions,
) -> Result<String> {
    let started = c
        .sfn
        .start_execution()
        .state_machine_arn(names.state_machine_arn())
        .name(name)
        .input(opts.input.to_json().to_string())
        .send()
        .await
        .map_err(|e| classify("states:StartExecution", e))?;
    Ok(started.execution_arn().to_owned())
}

/// What an execution sweeps: the memory sizes, targets and rounds of its input, else those
/// deployed.
struct Sweep {
    memory_sizes: Vec<u32>,
    targets: Vec<String>,
    /// The (target, concurrency) runs after each memory update.
    runs_per_size: usize,
    /// What those runs are called (`rust@8` for a swept target).
    series: Series,
    rounds: u32,
}

/// The sweep of `opts.input`, with the deployed configuration's values where it names none.
fn sweep_of(opts: &RunOptions, config: &BenchConfig, names: &StackNames) -> Sweep {
    let given = &opts.input;
    let plan = benchmark_plan(config, names);
    let targets = given.targets.clone().unwrap_or(plan.targets);
    let concurrencies = given.concurrencies.clone().unwrap_or(plan.concurrencies);
    // An input the collector will refuse still counts its targets once each.
    let runs: Vec<(String, Option<Concurrency>)> =
        match bench_types::schedule::function_groups(&targets, &concurrencies) {
            Ok(groups) => groups
                .into_iter()
                .flat_map(|g| g.targets)
                .map(|t| (t.target.name, t.concurrency))
                .collect(),
            Err(_) => targets.iter().map(|t| (t.name.clone(), None)).collect(),
        };
    Sweep {
        memory_sizes: given
            .memory_sizes
            .clone()
            .unwrap_or_else(|| config.memory_sizes.clone()),
        targets: given
            .target_names()
            .unwrap_or_else(|| config.targets.iter().map(|t| t.name.clone()).collect()),
        runs_per_size: runs.len(),
        series: Series::of(runs.iter().map(|(name, c)| (name.as_str(), *c))),
        rounds: given.rounds.unwrap_or(config.rounds),
    }
}

/// Polls the execution every `opts.poll_interval` until it is no longer running (at most
/// `opts.timeout`), reporting each record (a finished configuration) its history shows; returns
/// its last description and the records, in the order the collector got them.
async fn follow_to_end(
    c: &Clients,
    arn: &str,
    name: &str,
    opts: &RunOptions,
    series: &Series,
    reporter: &dyn Reporter,
) -> Result<(DescribeExecutionOutput, Vec<RunRecord>)> {
    let deadline = Instant::now() + opts.timeout;
    let mut follower = HistoryFollower::default();
    let mut seen_configs = BTreeSet::new();
    let mut records: Vec<RunRecord> = Vec::new();
    loop {
        // The status first, then the history: when the status says the execution ended, the
        // history read after it is complete.
        let described = throttled("states:DescribeExecution", || {
            c.sfn.describe_execution().execution_arn(arn).send()
        })
        .await?;
        for event in follower.new_events(c, arn).await? {
            let Some(record) = record_in(&event) else {
                continue;
            };
            let key = (
                record.round,
                record.memory_mb,
                record.target.clone(),
                record.concurrency,
            );
            if !seen_configs.insert(key) {
                continue; // a retried record call
            }
            reporter.report(Event::RecordReceived {
                round: record.round,
                memory_mb: record.memory_mb,
                target: series.label(&record.target, record.concurrency),
                seconds: record_time(&record).filter(|_| record.ok),
            });
            records.push(record);
        }
        if *described.status() != ExecutionStatus::Running {
            return Ok((described, records));
        }
        if Instant::now() > deadline {
            return Err(DeployError::Timeout {
                what: format!("execution {name}"),
                seconds: opts.timeout.as_secs(),
            });
        }
        tokio::time::sleep(opts.poll_interval).await;
    }
}

/// The record a history event carries: a scheduled collector `record` task.
fn record_in(event: &HistoryEvent) -> Option<RunRecord> {
    let parameters = match event.r#type() {
        HistoryEventType::TaskScheduled => event
            .task_scheduled_event_details()
            .map(|d| d.parameters().to_owned()),
        HistoryEventType::LambdaFunctionScheduled => event
            .lambda_function_scheduled_event_details()
            .and_then(|d| d.input().map(str::to_owned)),
        _ => None,
    };
    parameters.as_deref().and_then(record_from_task_parameters)
}

/// The execution restores the memory itself when it can; when it ended FAILED, TIMED_OUT or
/// ABORTED, `run` puts the `originals` back.
async fn restore_if_ended_early(
    c: &Clients,
    status: &ExecutionStatus,
    originals: &[restore::Original],
) -> Result<Vec<Restored>> {
    match status {
        ExecutionStatus::Failed | ExecutionStatus::TimedOut | ExecutionStatus::Aborted => {
            restore::restore(c, originals).await
        }
        _ => Ok(Vec::new()),
    }
}

/// The recommendations of the collector's summary (the execution's output), rendered.
fn recommendations_in(output: Option<&Value>) -> String {
    output
        .and_then(|o| o.get("recommendations"))
        .and_then(|r| serde_json::from_value::<Vec<bench_types::Recommendation>>(r.clone()).ok())
        .map(|r| render_recommendations(&r))
        .unwrap_or_default()
}

/// The functions an execution with `input` sweeps: the input's targets, else the deployed ones.
fn target_functions(input: &GivenInput, config: &BenchConfig, names: &StackNames) -> Vec<String> {
    input.target_functions().unwrap_or_else(|| {
        benchmark_plan(config, names)
            .targets
            .into_iter()
            .map(|t| t.function_name)
            .collect()
    })
}

/// Downloads every object under `prefix` into `dir`, keeping the relative paths.
pub(crate) async fn download_prefix(
    c: &Clients,
    bucket: &str,
    prefix: &str,
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pages =
        c.s3.list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("s3:ListBucket", e))?;
        for object in page.contents() {
            let Some(key) = object.key() else { continue };
            let relative = key.trim_start_matches(prefix);
            // Only plain relative paths: a key must not write outside `dir`.
            if relative.is_empty()
                || relative
                    .split('/')
                    .any(|part| part.is_empty() || part == ".." || part == ".")
            {
                continue;
            }
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| DeployError::io(parent, e))?;
            }
            let body =
                c.s3.get_object()
                    .bucket(bucket)
                    .key(key)
                    .send()
                    .await
                    .map_err(|e| classify("s3:GetObject", e))?
                    .body
                    .collect()
                    .await
                    .map_err(|e| DeployError::Aws {
                        operation: "s3:GetObject".into(),
                        code: "ReadBody".into(),
                        message: e.to_string(),
                    })?
                    .into_bytes();
            std::fs::write(&path, &body).map_err(|e| DeployError::io(&path, e))?;
            files.push(path);
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_are_valid_execution_names() {
        let name = default_execution_name();
        assert!(name.starts_with("run-") && name.ends_with('Z'), "{name}");
        assert!(name.len() <= 80);
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{name}"
        );
    }
}
