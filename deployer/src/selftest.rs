//! `deploy selftest`: the acceptance run a user makes before trusting the tool with an account.
//! It deploys a throwaway stack with a schedule (so every new role meets IAM's propagation delay
//! in Lambda, Step Functions and Scheduler), runs 1 round x 2 memory sizes, checks the records,
//! the report, the index and the restored memory, destroys everything (also when a check fails),
//! checks that nothing is left, and prints what it cost. `deploy selftest --local` runs the same
//! against the strict local stack (the CI test).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::SdkConfig;
use serde_json::Value;

use crate::aws::CallLog;
use crate::config::BenchConfig;
use crate::package::Packages;
use crate::progress::{Event, SharedReporter};
use crate::run::{RunOptions, RunOutcome};
use crate::{resources, Deployer};

/// The memory sizes of the run (a small and a larger one).
pub(crate) const MEMORY_SIZES: [u32; 2] = [512, 1024];
/// Objects the throwaway stack uploads (each 1-50 KB, as the seed's).
pub(crate) const OBJECTS: u64 = 100;
/// A schedule that does not fire during the test (the first run is a month away).
pub(crate) const SCHEDULE: &str = "rate(30 days)";

/// Prices used for the cost estimate (us-east-1, 2026): Step Functions STANDARD per state
/// transition, S3 PUT/LIST and GET per request. Lambda's cost comes from the collector's summary.
const USD_PER_TRANSITION: f64 = 0.000_025;
const USD_PER_S3_PUT: f64 = 0.000_005;
const USD_PER_S3_GET: f64 = 0.000_000_4;

/// One check and whether it held.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub(crate) what: String,
    pub(crate) passed: bool,
    pub(crate) detail: String,
}

/// What the run cost, estimated from what it did.
#[derive(Debug, Clone, Default)]
pub(crate) struct CostEstimate {
    /// Benchmark invocations (timed and warm-up), from the collector's per-cell cost.
    pub(crate) lambda_usd: f64,
    pub(crate) transitions: u64,
    pub(crate) step_functions_usd: f64,
    /// Uploading the test objects and the collector's writes and reads (an upper estimate).
    pub(crate) s3_usd: f64,
}

impl CostEstimate {
    pub(crate) fn total(&self) -> f64 {
        self.lambda_usd + self.step_functions_usd + self.s3_usd
    }
}

/// The outcome of a selftest.
#[derive(Debug, Clone)]
pub(crate) struct SelftestReport {
    pub(crate) stack: String,
    pub(crate) checks: Vec<Check>,
    pub(crate) cost: CostEstimate,
}

impl SelftestReport {
    pub(crate) fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.passed)
    }
}

impl fmt::Display for SelftestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "selftest of stack {}:", self.stack)?;
        for c in &self.checks {
            writeln!(
                f,
                "  [{}] {}{}",
                if c.passed { "ok" } else { "FAILED" },
                c.what,
                if c.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", c.detail)
                }
            )?;
        }
        let c = &self.cost;
        writeln!(
            f,
            "cost (estimate): ${:.5} = Lambda ${:.5} + Step Functions ${:.5} ({} transitions) + S3 ${:.5}",
            c.total(),
            c.lambda_usd,
            c.step_functions_usd,
            c.transitions,
            c.s3_usd
        )?;
        write!(
            f,
            "selftest {}",
            if self.passed() { "PASSED" } else { "FAILED" }
        )
    }
}

/// A stack name no one else uses: `selftest-` and 8 characters of the time.
pub(crate) fn throwaway_stack_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut n = nanos;
    let suffix: String = (0..8)
        .map(|_| {
            let c = alphabet[(n % 36) as usize] as char;
            n /= 36;
            c
        })
        .collect();
    format!("selftest-{suffix}")
}

/// The throwaway stack's configuration: `base`'s architecture, region and targets' shape, with a
/// small sweep, a small object set and a schedule.
pub(crate) fn selftest_config(base: &BenchConfig, stack: &str) -> BenchConfig {
    let mut config = base.clone();
    config.stack_name = stack.to_owned();
    config.memory_sizes = MEMORY_SIZES.to_vec();
    config.rounds = 1;
    config.warmup = true;
    config.schedule = Some(SCHEDULE.to_owned());
    config.data_bucket = None;
    config.results_bucket = None;
    // The stack's own readers only: another function may not be this throwaway stack's to run.
    config.targets = base
        .targets
        .iter()
        .filter(|t| t.function.is_none())
        .cloned()
        .collect();
    if config.targets.is_empty() {
        // The Rust reader, which every stack deploys.
        config.targets = crate::config::seed_targets().into_iter().take(1).collect();
    }
    config.objects.count = OBJECTS;
    config
}

/// Deploys, runs, checks and destroys a throwaway stack through `sdk` with `packages`, reporting
/// each step to `reporter`.
pub(crate) async fn selftest(
    sdk: &SdkConfig,
    base: &BenchConfig,
    packages: &Packages,
    reporter: SharedReporter,
) -> crate::Result<SelftestReport> {
    let stack = throwaway_stack_name();
    let config = selftest_config(base, &stack);
    let deployer = Deployer::connect(config, sdk, CallLog::default())
        .await?
        .with_reporter(reporter.clone());
    let mut checks = Vec::new();
    let mut cost = CostEstimate::default();

    reporter.report(Event::SelftestDeploying {
        stack: stack.clone(),
    });
    let deployed = deployer.deploy(packages, None).await;
    checks.push(check("deploy with a schedule", &deployed, |_| {
        String::new()
    }));
    if deployed.is_ok() {
        let download = tempfile::tempdir().map_err(|e| crate::DeployError::io("temp dir", e))?;
        let ran = deployer
            .run(&RunOptions {
                name: None,
                input: bench_types::GivenInput::labelled("selftest"),
                download_dir: Some(download.path().to_path_buf()),
                poll_interval: Duration::from_secs(1),
                timeout: Duration::from_secs(900),
            })
            .await;
        checks.push(check("run", &ran, |o| o.status.clone()));
        if let Ok(outcome) = &ran {
            checks.extend(check_outcome(&deployer, outcome).await);
            cost = estimate_cost(&deployer, outcome).await;
        }
    }

    reporter.report(Event::SelftestDestroying {
        stack: stack.clone(),
    });
    let destroyed = deployer.destroy().await;
    checks.push(check("destroy", &destroyed, |removed| {
        format!("{} resources", removed.len())
    }));
    checks.push(nothing_left(&deployer).await);
    Ok(SelftestReport {
        stack,
        checks,
        cost,
    })
}

fn check<T, E: fmt::Display>(
    what: &str,
    result: &Result<T, E>,
    detail: impl Fn(&T) -> String,
) -> Check {
    match result {
        Ok(value) => Check {
            what: what.into(),
            passed: true,
            detail: detail(value),
        },
        Err(e) => Check {
            what: what.into(),
            passed: false,
            detail: e.to_string(),
        },
    }
}

fn verdict(what: &str, passed: bool, detail: String) -> Check {
    Check {
        what: what.into(),
        passed,
        detail,
    }
}

/// The checks on a finished run: every record, the report, the index, the restored memory.
async fn check_outcome(d: &Deployer, outcome: &RunOutcome) -> Vec<Check> {
    let mut checks = vec![verdict(
        "execution succeeded",
        outcome.status == "SUCCEEDED",
        format!(
            "{} {}",
            outcome.status,
            outcome.cause.clone().unwrap_or_default()
        ),
    )];
    // One record per (memory size, target, concurrency): a swept target has one per value.
    let runs_per_size = crate::benchmark_plan::benchmark_plan(&d.config, &d.names)
        .shape()
        .targets;
    let expected = MEMORY_SIZES.len() * usize::try_from(runs_per_size).unwrap_or(usize::MAX);
    let good = outcome
        .records
        .iter()
        .filter(|r| {
            r.ok && r
                .output
                .as_ref()
                .and_then(|o| o["stats"]["memoryMb"].as_u64())
                == Some(u64::from(r.memory_mb))
        })
        .count();
    checks.push(verdict(
        "every configuration ok at its memory size",
        outcome.records.len() == expected && good == expected,
        format!("{good} of {expected}"),
    ));
    let files: Vec<String> = outcome
        .downloaded_files
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    let report_ok = ["report.html", "summary.json", "runs.csv", "runs.json"]
        .iter()
        .all(|f| files.iter().any(|g| g == f));
    checks.push(verdict(
        "report, summary and CSV written and downloaded",
        report_ok,
        format!("{} files", files.len()),
    ));
    let index = read_json(d, "runs/index.json").await;
    let indexed = index.as_ref().is_some_and(|i| {
        i["executions"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["name"] == outcome.name.as_str()))
    });
    checks.push(verdict(
        "execution listed in runs/index.json",
        indexed,
        String::new(),
    ));
    let memory = resources::function::read(&d.clients, &d.names.reader_function)
        .await
        .ok()
        .flatten()
        .map(|f| f.memory_mb);
    checks.push(verdict(
        "reader memory restored",
        memory == Some(d.config.reader_memory_mb as i32),
        memory.map_or_else(|| "not found".to_owned(), |m| format!("{m} MB")),
    ));
    checks
}

async fn read_json(d: &Deployer, key: &str) -> Option<Value> {
    let object = d
        .clients
        .s3
        .get_object()
        .bucket(&d.names.results_bucket)
        .key(key)
        .send()
        .await
        .ok()?;
    let bytes = object.body.collect().await.ok()?.into_bytes();
    serde_json::from_slice(&bytes).ok()
}

/// After destroy: no function, state machine, schedule or bucket of the stack.
async fn nothing_left(d: &Deployer) -> Check {
    let mut left = Vec::new();
    for f in [&d.names.reader_function, &d.names.collector_function] {
        if !matches!(resources::function::read(&d.clients, f).await, Ok(None)) {
            left.push(format!("function {f}"));
        }
    }
    if !matches!(
        resources::state_machine::read(&d.clients, &d.names.state_machine_arn()).await,
        Ok(None)
    ) {
        left.push(format!("state machine {}", d.names.state_machine));
    }
    if !matches!(
        resources::schedule::read(&d.clients, crate::names::SCHEDULE_GROUP, &d.names.schedule)
            .await,
        Ok(None)
    ) {
        left.push(format!("schedule {}", d.names.schedule));
    }
    for b in [&d.names.data_bucket, &d.names.results_bucket] {
        if d.clients.s3.head_bucket().bucket(b).send().await.is_ok() {
            left.push(format!("bucket {b}"));
        }
    }
    verdict(
        "nothing left after destroy",
        left.is_empty(),
        left.join(", "),
    )
}

/// What the run cost: the benchmark invocations from the collector's per-cell cost (timed and
/// warm-up), the execution's state transitions, and the S3 requests of populating and results.
async fn estimate_cost(d: &Deployer, outcome: &RunOutcome) -> CostEstimate {
    let summary = read_json(d, &format!("runs/{}/summary.json", outcome.name)).await;
    let invocations_per_run = if d.config.warmup { 2.0 } else { 1.0 };
    let lambda_usd = summary
        .as_ref()
        .and_then(|s| s["cells"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|c| {
            c["costUsd"].as_f64().unwrap_or(0.0)
                * c["runs"].as_f64().unwrap_or(0.0)
                * invocations_per_run
        })
        .sum();
    let transitions = count_transitions(d, &outcome.execution_arn).await;
    let puts = d.config.objects.count + 20;
    let gets = 2 * d.config.objects.count * MEMORY_SIZES.len() as u64 + 20;
    CostEstimate {
        lambda_usd,
        transitions,
        step_functions_usd: transitions as f64 * USD_PER_TRANSITION,
        s3_usd: puts as f64 * USD_PER_S3_PUT + gets as f64 * USD_PER_S3_GET,
    }
}

async fn count_transitions(d: &Deployer, execution_arn: &str) -> u64 {
    let mut pages = d
        .clients
        .sfn
        .get_execution_history()
        .execution_arn(execution_arn)
        .max_results(1000)
        .into_paginator()
        .send();
    let mut transitions = 0;
    while let Some(Ok(page)) = pages.next().await {
        transitions += page
            .events()
            .iter()
            .filter(|e| e.r#type().as_str().ends_with("StateEntered"))
            .count() as u64;
    }
    transitions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throwaway_names_are_valid_stack_names() {
        let name = throwaway_stack_name();
        let config = selftest_config(&BenchConfig::default(), &name);
        config.validate().expect("a valid selftest configuration");
        assert!(name.len() <= 20 && name.starts_with("selftest-"), "{name}");
        assert_eq!(config.schedule.as_deref(), Some(SCHEDULE));
        assert_eq!(config.memory_sizes, MEMORY_SIZES);
    }

    #[test]
    fn the_report_fails_when_any_check_fails() {
        let mut report = SelftestReport {
            stack: "s".into(),
            checks: vec![verdict("a", true, String::new())],
            cost: CostEstimate::default(),
        };
        assert!(report.passed());
        report.checks.push(verdict("b", false, "why".into()));
        assert!(!report.passed());
        assert!(report.to_string().contains("[FAILED] b: why"));
        assert!(report.to_string().ends_with("selftest FAILED"));
    }
}
