//! The one validation pass on the plan model, before anything is rendered.

use std::collections::HashSet;

use bench_types::arn::check_function_ref;
use bench_types::schedule::function_groups;
use bench_types::{MAX_MEMORY_MB, MIN_MEMORY_MB};

use crate::error::PlanError;
use crate::plan::{BenchmarkPlan, RetryPolicy};

/// The most rounds a run may have: `States.ArrayRange` makes at most 1000 items.
pub(crate) use bench_types::validation::MAX_ROUNDS;

/// Checks the plan; the first problem found is returned.
pub fn check_plan(plan: &BenchmarkPlan) -> Result<(), PlanError> {
    if plan.targets.is_empty() {
        return Err(PlanError::NoTargets);
    }
    let mut names = HashSet::new();
    for (index, target) in plan.targets.iter().enumerate() {
        if target.name.trim().is_empty() {
            return Err(PlanError::EmptyTargetName { index });
        }
        if !names.insert(target.name.as_str()) {
            return Err(PlanError::DuplicateTargetName {
                index,
                name: target.name.clone(),
            });
        }
        if target.function_name.trim().is_empty() {
            return Err(PlanError::EmptyFunctionName { index });
        }
        check_function_ref(&target.function_name, &plan.region).map_err(|why| {
            PlanError::FunctionRef {
                index,
                value: target.function_name.clone(),
                reason: why.to_string(),
            }
        })?;
    }
    if plan.concurrencies.is_empty() {
        return Err(PlanError::NoConcurrencies);
    }
    function_groups(&plan.targets, &plan.concurrencies).map_err(PlanError::Concurrency)?;
    if plan.memory_sizes.is_empty() {
        return Err(PlanError::NoMemorySizes);
    }
    let mut sizes = HashSet::new();
    for (index, &value) in plan.memory_sizes.iter().enumerate() {
        if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&value) {
            return Err(PlanError::MemorySizeOutOfRange {
                index,
                value,
                min: MIN_MEMORY_MB,
                max: MAX_MEMORY_MB,
            });
        }
        if !sizes.insert(value) {
            return Err(PlanError::DuplicateMemorySize { index, value });
        }
    }
    if !(1..=MAX_ROUNDS).contains(&plan.rounds) {
        return Err(PlanError::RoundsOutOfRange {
            value: plan.rounds,
            max: MAX_ROUNDS,
        });
    }
    if plan.data.bucket.trim().is_empty() {
        return Err(PlanError::EmptyBucket {
            field: "data.bucket",
        });
    }
    if plan.results.bucket.trim().is_empty() {
        return Err(PlanError::EmptyBucket {
            field: "results.bucket",
        });
    }
    if plan.collector_function.trim().is_empty() {
        return Err(PlanError::EmptyCollector);
    }
    if plan.poll.interval_seconds == 0 {
        return Err(PlanError::PollSetting {
            field: "intervalSeconds",
        });
    }
    if plan.poll.limit == 0 {
        return Err(PlanError::PollSetting { field: "limit" });
    }
    check_retry("update", &plan.retries.update)?;
    check_retry("invoke", &plan.retries.invoke)?;
    check_retry("collector", &plan.retries.collector)?;
    Ok(())
}

/// Step Functions accepts IntervalSeconds >= 1, MaxAttempts 0..=99999999, BackoffRate >= 1.0.
fn check_retry(policy: &'static str, retry: &RetryPolicy) -> Result<(), PlanError> {
    if retry.interval_seconds == 0 {
        return Err(PlanError::RetrySetting {
            policy,
            field: "intervalSeconds",
            problem: "0; give at least 1 second",
        });
    }
    if retry.max_attempts > 99_999_999 {
        return Err(PlanError::RetrySetting {
            policy,
            field: "maxAttempts",
            problem: "above 99999999, the most Step Functions accepts",
        });
    }
    if !retry.backoff_rate.is_finite() || retry.backoff_rate < 1.0 {
        return Err(PlanError::RetrySetting {
            policy,
            field: "backoffRate",
            problem: "below 1.0 (or not a number); give 1.0 or more",
        });
    }
    Ok(())
}
