//! `deploy run`: starts an execution, follows its history with progress bars, prints the
//! seed-style table and the recommendations, and downloads the report.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};
use aws_smithy_types::date_time::Format;
use bench_types::RunRecord;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::aws::sdk_error::classify;
use crate::aws::Clients;
use crate::benchmark_plan::benchmark_plan;
use crate::config::BenchConfig;
use crate::error::{DeployError, Result};
use crate::follow::{throttled, HistoryFollower};
use crate::history::{record_from_task_parameters, record_time};
use crate::names::{StackNames, RESULTS_PREFIX};
use crate::resources::state_machine;
use crate::restore::{self, Restored};
use crate::table::{render_recommendations, render_table};

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Execution name; default `run-<UTC time>`.
    pub name: Option<String>,
    /// Contract 1 input; `{}` runs the deployed defaults.
    pub input: Value,
    /// Where to download `runs/<name>/`; `None` skips the download.
    pub download_dir: Option<PathBuf>,
    pub poll_interval: Duration,
    pub timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            name: None,
            input: Value::Object(Default::default()),
            download_dir: None,
            poll_interval: Duration::from_secs(2),
            timeout: Duration::from_secs(4 * 3600),
        }
    }
}

/// What a run gave.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub name: String,
    pub execution_arn: String,
    pub status: String,
    /// One per (round, memory, target), in the order the collector got them.
    pub records: Vec<RunRecord>,
    /// The execution's output (the collector's summary) when it succeeded.
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub table: String,
    pub recommendations: String,
    /// Functions `run` put back at their memory size of before the run, because the execution
    /// ended FAILED, TIMED_OUT or ABORTED with them elsewhere.
    pub restored: Vec<Restored>,
    /// The local folder holding the downloaded results.
    pub downloaded: Option<PathBuf>,
    pub downloaded_files: Vec<PathBuf>,
}

/// A default execution name from the current UTC time, e.g. `run-2026-11-27T06-15-51Z`.
pub fn default_execution_name() -> String {
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

/// Starts the execution and follows it to its end.
pub async fn run(
    c: &Clients,
    names: &StackNames,
    config: &BenchConfig,
    opts: &RunOptions,
) -> Result<RunOutcome> {
    let name = opts.name.clone().unwrap_or_else(default_execution_name);
    state_machine::ensure_no_run(c, &names.state_machine_arn(), "starting a run").await?;
    let originals = restore::capture(c, &target_functions(&opts.input, config, names)).await?;
    let started = c
        .sfn
        .start_execution()
        .state_machine_arn(names.state_machine_arn())
        .name(&name)
        .input(opts.input.to_string())
        .send()
        .await
        .map_err(|e| classify("states:StartExecution", e))?;
    let arn = started.execution_arn().to_owned();
    eprintln!("started execution {name}\n  {arn}");

    let memory_sizes: Vec<u32> = opts
        .input
        .get("memorySizes")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_else(|| config.memory_sizes.clone());
    let targets: Vec<String> = opts
        .input
        .get("targets")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_else(|| config.targets.iter().map(|t| t.name.clone()).collect());
    let rounds = opts
        .input
        .get("rounds")
        .and_then(Value::as_u64)
        .and_then(|r| u32::try_from(r).ok())
        .unwrap_or(config.rounds);

    let bars = MultiProgress::new();
    let style = ProgressStyle::with_template("  round {prefix} {bar:30} {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let per_round = (memory_sizes.len() * targets.len()) as u64;
    let round_bars: Vec<ProgressBar> = (1..=rounds)
        .map(|r| {
            let bar = bars.add(ProgressBar::new(per_round).with_style(style.clone()));
            bar.set_prefix(r.to_string());
            bar
        })
        .collect();

    let deadline = Instant::now() + opts.timeout;
    let mut follower = HistoryFollower::default();
    let mut seen_configs = BTreeSet::new();
    let mut records: Vec<RunRecord> = Vec::new();
    let described = loop {
        // The status first, then the history: when the status says the execution ended, the
        // history read after it is complete.
        let described = throttled("states:DescribeExecution", || {
            c.sfn.describe_execution().execution_arn(&arn).send()
        })
        .await?;
        for event in follower.new_events(c, &arn).await? {
            let parameters = match event.r#type() {
                HistoryEventType::TaskScheduled => event
                    .task_scheduled_event_details()
                    .map(|d| d.parameters().to_owned()),
                HistoryEventType::LambdaFunctionScheduled => event
                    .lambda_function_scheduled_event_details()
                    .and_then(|d| d.input().map(str::to_owned)),
                _ => None,
            };
            let Some(record) = parameters.as_deref().and_then(record_from_task_parameters) else {
                continue;
            };
            if !seen_configs.insert((record.round, record.memory_mb, record.target.clone())) {
                continue; // a retried record call
            }
            if let Some(bar) = usize::try_from(record.round)
                .ok()
                .and_then(|r| r.checked_sub(1))
                .and_then(|i| round_bars.get(i))
            {
                bar.inc(1);
                bar.set_message(match record_time(&record) {
                    Some(t) if record.ok => {
                        format!("{} MB {}: {t:.3} s", record.memory_mb, record.target)
                    }
                    _ => format!("{} MB {}: failed", record.memory_mb, record.target),
                });
            }
            records.push(record);
        }
        if *described.status() != ExecutionStatus::Running {
            break described;
        }
        if Instant::now() > deadline {
            return Err(DeployError::Timeout {
                what: format!("execution {name}"),
                seconds: opts.timeout.as_secs(),
            });
        }
        tokio::time::sleep(opts.poll_interval).await;
    };
    for bar in &round_bars {
        bar.finish();
    }

    let output: Option<Value> = described
        .output()
        .and_then(|o| serde_json::from_str(o).ok());
    let recommendations = output
        .as_ref()
        .and_then(|o| o.get("recommendations"))
        .and_then(|r| serde_json::from_value::<Vec<bench_types::Recommendation>>(r.clone()).ok())
        .map(|r| render_recommendations(&r))
        .unwrap_or_default();
    // The execution restores the memory itself when it can; when it ended otherwise, deploy does.
    let restored = match described.status() {
        ExecutionStatus::Failed | ExecutionStatus::TimedOut | ExecutionStatus::Aborted => {
            restore::restore(c, &originals).await?
        }
        _ => Vec::new(),
    };
    let mut outcome = RunOutcome {
        restored,
        name: name.clone(),
        execution_arn: arn,
        status: described.status().as_str().to_owned(),
        table: render_table(&memory_sizes, &targets, &records),
        records,
        output,
        error: described.error().map(str::to_owned),
        cause: described.cause().map(str::to_owned),
        recommendations,
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

/// The functions an execution with `input` sweeps: the input's targets, else the deployed ones.
fn target_functions(input: &Value, config: &BenchConfig, names: &StackNames) -> Vec<String> {
    match input.get("targets").and_then(Value::as_array) {
        Some(targets) => targets
            .iter()
            .filter_map(|t| t.get("functionName").and_then(Value::as_str))
            .map(str::to_owned)
            .collect(),
        None => benchmark_plan(config, names)
            .targets
            .into_iter()
            .map(|t| t.function_name)
            .collect(),
    }
}

/// Downloads every object under `prefix` into `dir`, keeping the relative paths.
pub async fn download_prefix(
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

/// The end of a run on the terminal: status, the seed-style table, the recommendations and
/// where the downloaded report is (shared by `deploy run` and `deploy local`).
pub fn print_outcome(outcome: &RunOutcome) {
    println!(
        "\nexecution {}: {}{}",
        outcome.name,
        outcome.status,
        match (&outcome.error, &outcome.cause) {
            (Some(e), Some(c)) => format!(" ({e}: {c})"),
            (Some(e), None) => format!(" ({e})"),
            _ => String::new(),
        }
    );
    println!(
        "\nmean seconds per invocation ({} records):",
        outcome.records.len()
    );
    print!("{}", outcome.table);
    for r in &outcome.restored {
        println!(
            "restored {} to {} MB (the execution left it at {} MB)",
            r.function, r.to_mb, r.from_mb
        );
    }
    if !outcome.recommendations.is_empty() {
        println!("\nrecommendations:");
        print!("{}", outcome.recommendations);
    }
    if let Some(dir) = &outcome.downloaded {
        let dir = display_path(dir);
        println!(
            "\nreport: {} files in {}/{}",
            outcome.downloaded_files.len(),
            dir.display(),
            outcome
                .downloaded_files
                .iter()
                .find(|f| f.ends_with("report.html"))
                .map(|f| format!(" (open {})", display_path(f).display()))
                .unwrap_or_default()
        );
    }
}

/// A path for messages: relative to the current folder when inside it.
pub fn display_path(path: &std::path::Path) -> std::path::PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            path.strip_prefix(cwd)
                .ok()
                .map(std::path::Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf())
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
