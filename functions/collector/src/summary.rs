//! The summary of one execution: per target and memory size the run counts, time statistics,
//! what the log tails said, the cost per invocation and the seed's score points; per target the
//! recommendations and the total score. This is `summary.json`, and what the CSVs, the charts and
//! the report show.

use std::collections::BTreeSet;

use bench_types::series::Series;
use bench_types::stats::{describe, mean};
use bench_types::{Concurrency, ExecutionRef, ReadMode};
use serde::Serialize;

use crate::comparison::{
    combined_scores, speedups, subjective_notes, target_modes, vcpu_range, vcpu_table,
    CombinedScore, Speedup, TargetMode, VcpuRow,
};
use crate::concurrency_map::{concurrency_maps, ConcurrencyMap};
use crate::config::{ReportConfig, SubjectiveScores};
use crate::costs::{run_cost, DurationBasis, RunCost, S3Basis};
use crate::pricing::Prices;
use crate::recommend::{recommend, Choice, Recommendation};
use crate::records::{Outcome, Run, RunStatus};
use crate::scoring::total_scores;

/// One target (at one concurrency, for a swept target) at one memory size.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Cell {
    /// The series: the target's name, or `NAME@CONCURRENCY` for a swept target.
    pub(crate) target: String,
    /// The target's name, as in the input.
    pub(crate) target_name: String,
    /// The concurrency its runs were given (`None`: sequential, or not recorded).
    pub(crate) concurrency: Option<Concurrency>,
    pub(crate) memory_mb: u32,
    /// Records of this target and size, whatever their outcome.
    pub(crate) runs: usize,
    /// Runs that count: succeeded and are valid measurements (see [`crate::records::InvalidReason`]).
    pub(crate) ok: usize,
    pub(crate) failures: usize,
    /// Runs that succeeded but are not valid measurements (stale memory configuration, objects
    /// not read, a wrong result): left out of the time and cost statistics.
    pub(crate) invalid: usize,
    pub(crate) mean_time_s: Option<f64>,
    pub(crate) std_time_s: Option<f64>,
    pub(crate) min_time_s: Option<f64>,
    pub(crate) median_time_s: Option<f64>,
    pub(crate) max_time_s: Option<f64>,
    /// From the REPORT lines of the log tails, when there were any.
    pub(crate) mean_duration_ms: Option<f64>,
    pub(crate) mean_billed_duration_ms: Option<f64>,
    pub(crate) max_memory_used_mb: Option<u32>,
    pub(crate) mean_init_duration_ms: Option<f64>,
    /// Mean cost of one invocation (USD) and its parts.
    pub(crate) cost_usd: Option<f64>,
    pub(crate) compute_cost_usd: Option<f64>,
    pub(crate) request_cost_usd: Option<f64>,
    pub(crate) s3_cost_usd: Option<f64>,
    /// `billed`, `timed` or `mixed` (see [`crate::costs`]).
    pub(crate) duration_basis: Option<String>,
    /// `reported`, `estimated`, `unknown` or `mixed`.
    pub(crate) s3_basis: Option<String>,
    /// The seed's score points at this size (only with several targets).
    pub(crate) score_points: Option<f64>,
    /// The fewest and the most vCPUs the valid runs reported (`stats.vcpus`, what the reader's
    /// runtime saw); `None` from readers without `stats`.
    pub(crate) vcpus_min: Option<u32>,
    pub(crate) vcpus_max: Option<u32>,
    /// The distinct error names of the failed runs.
    pub(crate) errors: Vec<String>,
}

/// A run left out of the statistics because it is not a valid measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InvalidRun {
    pub(crate) round: u32,
    pub(crate) memory_mb: u32,
    pub(crate) target: String,
    pub(crate) reported_memory_mb: Option<u32>,
    /// Why, e.g. `read 998 of 1000 listed objects` (several reasons `; `-separated).
    pub(crate) invalid_reason: String,
}

/// A target's total of the seed's objective score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TargetScore {
    pub(crate) target: String,
    pub(crate) score: f64,
}

/// Everything the collector concluded about one execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    pub(crate) execution: ExecutionRef,
    pub(crate) label: String,
    pub(crate) data_bucket: Option<String>,
    pub(crate) data_prefix: Option<String>,
    pub(crate) targets: Vec<String>,
    pub(crate) memory_sizes: Vec<u32>,
    pub(crate) rounds: u32,
    pub(crate) runs: usize,
    pub(crate) failures: usize,
    pub(crate) invalid: usize,
    pub(crate) cells: Vec<Cell>,
    pub(crate) invalid_runs: Vec<InvalidRun>,
    /// Empty with a single target.
    pub(crate) scores: Vec<TargetScore>,
    pub(crate) recommendations: Vec<Recommendation>,
    pub(crate) prices: Prices,
    pub(crate) balanced_weight: f64,
    /// Plain-language remarks for the report (what was excluded, estimated, ...).
    pub(crate) notes: Vec<String>,
    /// The cold starts per function and memory size (none without a warm-up).
    pub(crate) cold_starts: Vec<crate::cold_starts::ColdStartCell>,
    /// How each target read (sequential or concurrent), in the targets' order.
    pub(crate) target_modes: Vec<TargetMode>,
    /// The seed's vCPU table: per memory size, what each target's runs reported, in the order
    /// of `targets` (`"2"`, `"1-2"` when the runs disagree, `null` when none reported).
    pub(crate) vcpu_table: Vec<VcpuRow>,
    /// The seed's Figure 6: per sequential and concurrent target and memory size, the sequential
    /// mean time over the concurrent one. Empty without a target of each mode.
    pub(crate) speedups: Vec<Speedup>,
    /// The input's `subjectiveScores` (target, category, grade 1 to 6); empty when not given.
    pub(crate) subjective_scores: SubjectiveScores,
    /// Subjective + objective score per target, highest first; empty without
    /// `subjectiveScores` or without an objective score (a single target).
    pub(crate) combined_scores: Vec<CombinedScore>,
    /// Per target run at several concurrency values: time and cost over memory size x
    /// concurrency, and the best concurrency at each size. Empty without a sweep.
    pub(crate) concurrency_maps: Vec<ConcurrencyMap>,
}

impl Summary {
    pub(crate) fn cell(&self, target: &str, memory_mb: u32) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.target == target && c.memory_mb == memory_mb)
    }

    pub(crate) fn score_of(&self, target: &str) -> Option<f64> {
        self.scores
            .iter()
            .find(|s| s.target == target)
            .map(|s| s.score)
    }

    pub(crate) fn recommendation_of(&self, target: &str) -> Option<&Recommendation> {
        self.recommendations.iter().find(|r| r.target == target)
    }
}

/// Summarizes checked runs. Targets keep the input's order (then others by name); memory
/// sizes are the configured ones and any the records show, ascending.
pub(crate) fn summarize(execution: &ExecutionRef, config: &ReportConfig, runs: &[Run]) -> Summary {
    let targets = target_order(config, runs);
    let memory_sizes = memory_sizes(config, runs);
    let priced: Vec<(&Run, Option<RunCost>)> =
        runs.iter().map(|r| (r, run_cost(r, config))).collect();
    let mut cells = cells(&targets, &memory_sizes, &priced);
    let target_modes = target_modes(&targets, config, runs);
    // The seed ranked its concurrent readers; its sequential one was the baseline of Figure 6.
    let ranked: Vec<String> = targets
        .iter()
        .zip(&target_modes)
        .filter(|(_, m)| !m.is(ReadMode::Sequential))
        .map(|(t, _)| t.clone())
        .collect();
    let scores = score(&ranked, &memory_sizes, &mut cells);
    let recommendations = recommendations(&targets, &cells, config.balanced_weight);
    let invalid_runs = invalid_runs(runs);
    let failures = runs
        .iter()
        .filter(|r| r.status() == RunStatus::Failed)
        .count();
    let rounds = config
        .rounds
        .unwrap_or_else(|| runs.iter().map(|r| r.round).max().unwrap_or(0));
    let mut notes = notes(runs.len(), failures, &invalid_runs, &priced, targets.len());
    notes.extend(subjective_notes(
        &targets,
        !scores.is_empty(),
        &config.subjective_scores,
    ));
    if !scores.is_empty() && ranked.len() < targets.len() {
        let baselines: Vec<&str> = targets
            .iter()
            .filter(|t| !ranked.contains(t))
            .map(String::as_str)
            .collect();
        notes.push(format!(
            "The objective score ranks the concurrent targets, as the seed did; {} read sequentially, the baseline of the speed-up table, and is not ranked.",
            baselines.join(", ")
        ));
    }
    let vcpu_table = vcpu_table(&targets, &memory_sizes, &cells);
    let speedups = speedups(&target_modes, &memory_sizes, &cells);
    let combined_scores = combined_scores(&scores, &config.subjective_scores);
    let concurrency_maps = concurrency_maps(&cells, &memory_sizes);

    Summary {
        execution: execution.clone(),
        label: config.label.clone(),
        data_bucket: config.data_bucket.clone(),
        data_prefix: config.data_prefix.clone(),
        targets,
        memory_sizes,
        rounds,
        runs: runs.len(),
        failures,
        invalid: invalid_runs.len(),
        cells,
        invalid_runs,
        scores,
        recommendations,
        prices: config.prices.clone(),
        balanced_weight: config.balanced_weight,
        notes,
        cold_starts: Vec::new(),
        target_modes,
        vcpu_table,
        speedups,
        subjective_scores: config.subjective_scores.clone(),
        combined_scores,
        concurrency_maps,
    }
}

/// The series in the input's order of targets (then the others the records name, by name),
/// each target's concurrency values in order; a configured target without any record keeps
/// its place under its own name.
fn target_order(config: &ReportConfig, runs: &[Run]) -> Vec<String> {
    let configured: Vec<String> = config.targets.iter().map(|t| t.name.clone()).collect();
    let series = Series::of(runs.iter().map(|r| (r.target_name.as_str(), r.concurrency)));
    series.labels_in_order(&configured)
}

/// The configured memory sizes and those the records show, ascending.
fn memory_sizes(config: &ReportConfig, runs: &[Run]) -> Vec<u32> {
    config
        .memory_sizes
        .iter()
        .copied()
        .chain(runs.iter().map(|r| r.memory_mb))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// One cell per target and memory size, targets outer.
fn cells(
    targets: &[String],
    memory_sizes: &[u32],
    priced: &[(&Run, Option<RunCost>)],
) -> Vec<Cell> {
    let mut cells = Vec::with_capacity(targets.len() * memory_sizes.len());
    for target in targets {
        for &memory_mb in memory_sizes {
            let here: Vec<&(&Run, Option<RunCost>)> = priced
                .iter()
                .filter(|(r, _)| &r.target == target && r.memory_mb == memory_mb)
                .collect();
            let mut cell = cell(target, memory_mb, &here);
            // The series' target and concurrency, from any of its runs (at any size).
            match priced.iter().find(|(r, _)| &r.target == target) {
                Some((run, _)) => {
                    cell.target_name.clone_from(&run.target_name);
                    cell.concurrency = run.concurrency;
                }
                None => cell.target_name.clone_from(target),
            }
            cells.push(cell);
        }
    }
    cells
}

/// The seed's objective score: each cell's points, and each target's total. Only with several
/// targets (there is nothing to rank otherwise).
fn score(targets: &[String], memory_sizes: &[u32], cells: &mut [Cell]) -> Vec<TargetScore> {
    if targets.len() < 2 {
        return Vec::new();
    }
    let rows: Vec<(u32, Vec<Option<f64>>)> = memory_sizes
        .iter()
        .map(|&m| {
            (
                m,
                targets
                    .iter()
                    .map(|t| find(cells, t, m).and_then(|c| c.mean_time_s))
                    .collect(),
            )
        })
        .collect();
    for (memory_mb, means) in &rows {
        let points = crate::scoring::points_at(*memory_mb, means);
        for (target, p) in targets.iter().zip(points) {
            if let Some(c) = cells
                .iter_mut()
                .find(|c| &c.target == target && c.memory_mb == *memory_mb)
            {
                c.score_points = Some(p);
            }
        }
    }
    targets
        .iter()
        .zip(total_scores(&rows, targets.len()))
        .map(|(t, s)| TargetScore {
            target: t.clone(),
            score: s,
        })
        .collect()
}

/// Per target, the fastest, cheapest and balanced size among those with a mean time and cost.
fn recommendations(
    targets: &[String],
    cells: &[Cell],
    balanced_weight: f64,
) -> Vec<Recommendation> {
    targets
        .iter()
        .map(|t| {
            let candidates: Vec<Choice> = cells
                .iter()
                .filter(|c| &c.target == t)
                .filter_map(|c| {
                    Some(Choice {
                        memory_mb: c.memory_mb,
                        mean_time_s: c.mean_time_s?,
                        cost_usd: c.cost_usd?,
                    })
                })
                .collect();
            recommend(t, &candidates, balanced_weight)
        })
        .collect()
}

/// The runs that succeeded but are not valid measurements, with the reason.
fn invalid_runs(runs: &[Run]) -> Vec<InvalidRun> {
    runs.iter()
        .filter_map(|r| {
            Some(InvalidRun {
                invalid_reason: r.invalid_reason()?,
                round: r.round,
                memory_mb: r.memory_mb,
                target: r.target.clone(),
                reported_memory_mb: r.reported_memory_mb(),
            })
        })
        .collect()
}

fn find<'a>(cells: &'a [Cell], target: &str, memory_mb: u32) -> Option<&'a Cell> {
    cells
        .iter()
        .find(|c| c.target == target && c.memory_mb == memory_mb)
}

fn cell(target: &str, memory_mb: u32, runs: &[&(&Run, Option<RunCost>)]) -> Cell {
    let times: Vec<f64> = runs
        .iter()
        .filter_map(|(r, _)| r.valid_success())
        .map(|s| s.time_s)
        .collect();
    let time = describe(&times);
    let valid_logs: Vec<_> = runs
        .iter()
        .filter(|(r, _)| r.status() == RunStatus::Ok)
        .filter_map(|(r, _)| r.log.as_ref())
        .collect();
    let log_mean = |f: &dyn Fn(&crate::lambda_log::LambdaReport) -> Option<f64>| {
        mean(&valid_logs.iter().filter_map(|l| f(l)).collect::<Vec<_>>())
    };
    let costs: Vec<&RunCost> = runs.iter().filter_map(|(_, c)| c.as_ref()).collect();
    let cost_mean =
        |f: &dyn Fn(&RunCost) -> f64| mean(&costs.iter().map(|c| f(c)).collect::<Vec<_>>());
    let basis = |names: Vec<&'static str>| -> Option<String> {
        let distinct: BTreeSet<&str> = names.into_iter().collect();
        match distinct.len() {
            0 => None,
            1 => distinct.into_iter().next().map(str::to_owned),
            _ => Some("mixed".to_string()),
        }
    };
    let errors: BTreeSet<String> = runs
        .iter()
        .filter_map(|(r, _)| match &r.outcome {
            Outcome::Failed { error, .. } => Some(error.clone()),
            Outcome::Succeeded(_) => None,
        })
        .collect();
    let (vcpus_min, vcpus_max) = vcpu_range(runs.iter().map(|(r, _)| *r));
    Cell {
        target: target.to_string(),
        target_name: target.to_string(),
        concurrency: None,
        memory_mb,
        runs: runs.len(),
        ok: times.len(),
        failures: runs
            .iter()
            .filter(|(r, _)| r.status() == RunStatus::Failed)
            .count(),
        invalid: runs
            .iter()
            .filter(|(r, _)| r.status() == RunStatus::Invalid)
            .count(),
        mean_time_s: time.map(|d| d.mean),
        std_time_s: time.and_then(|d| d.std),
        min_time_s: time.map(|d| d.min),
        median_time_s: time.map(|d| d.median),
        max_time_s: time.map(|d| d.max),
        mean_duration_ms: log_mean(&|l| l.duration_ms),
        mean_billed_duration_ms: log_mean(&|l| l.billed_duration_ms),
        max_memory_used_mb: valid_logs.iter().filter_map(|l| l.max_memory_used_mb).max(),
        mean_init_duration_ms: log_mean(&|l| l.init_duration_ms),
        cost_usd: cost_mean(&|c| c.cost.total),
        compute_cost_usd: cost_mean(&|c| c.cost.compute),
        request_cost_usd: cost_mean(&|c| c.cost.request),
        s3_cost_usd: cost_mean(&|c| c.cost.s3),
        duration_basis: basis(
            costs
                .iter()
                .map(|c| duration_basis_name(c.duration_basis))
                .collect(),
        ),
        s3_basis: basis(costs.iter().map(|c| s3_basis_name(c.s3_basis)).collect()),
        score_points: None,
        vcpus_min,
        vcpus_max,
        errors: errors.into_iter().collect(),
    }
}

fn duration_basis_name(basis: DurationBasis) -> &'static str {
    match basis {
        DurationBasis::Billed => "billed",
        DurationBasis::Timed => "timed",
    }
}

fn s3_basis_name(basis: S3Basis) -> &'static str {
    match basis {
        S3Basis::Reported => "reported",
        S3Basis::Estimated => "estimated",
        S3Basis::Unknown => "unknown",
    }
}

fn notes(
    runs: usize,
    failures: usize,
    invalid: &[InvalidRun],
    priced: &[(&Run, Option<RunCost>)],
    targets: usize,
) -> Vec<String> {
    let mut notes = Vec::new();
    if failures > 0 {
        notes.push(format!(
            "{failures} of {runs} runs failed; a target and memory size with no successful run shows NaN, as in the seed's tables, and scores 0."
        ));
    }
    for r in invalid {
        notes.push(format!(
            "Invalid run: round {} of {} at {} MB: {}; it is counted as invalid and left out of the time and cost statistics.",
            r.round, r.target, r.memory_mb, r.invalid_reason
        ));
    }
    let costed: Vec<&RunCost> = priced.iter().filter_map(|(_, c)| c.as_ref()).collect();
    let timed = costed
        .iter()
        .filter(|c| c.duration_basis == DurationBasis::Timed)
        .count();
    if timed > 0 {
        notes.push(format!(
            "{timed} of {} counted runs had no Lambda log tail (LogResult, absent under moto): their cost uses the reader's time rounded up to the millisecond instead of the billed duration.",
            costed.len()
        ));
    }
    let estimated = costed
        .iter()
        .filter(|c| c.s3_basis != S3Basis::Reported)
        .count();
    if estimated > 0 {
        notes.push(format!(
            "{estimated} of {} counted runs did not report their S3 requests: one GET per object read and one LIST per 1000 keys are assumed (none when the object count is unknown).",
            costed.len()
        ));
    }
    if targets > 1 {
        notes.push(
            "Score: the seed's objective score; at each memory size the fastest of N targets gets N points, the next N-1, ... (half points from 3008 MB up); a failure gets 0."
                .to_string(),
        );
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Success;
    use serde_json::json;

    fn run(round: u32, memory_mb: u32, target: &str, time_s: Option<f64>) -> Run {
        Run {
            round,
            memory_mb,
            target: target.into(),
            target_name: target.into(),
            concurrency: None,
            function_name: None,
            outcome: match time_s {
                Some(time_s) => Outcome::Succeeded(Box::new(Success {
                    time_s,
                    lang: "rust".into(),
                    detail: String::new(),
                    result: "1000".into(),
                    stats: None,
                })),
                None => Outcome::Failed {
                    error: "Lambda.Unknown".into(),
                    cause: None,
                },
            },
            log: None,
            expected: None,
        }
    }

    fn config(input: serde_json::Value) -> ReportConfig {
        ReportConfig::from_input(&input).unwrap()
    }

    #[test]
    fn configured_targets_come_first_then_the_others_by_name_and_sizes_ascend() {
        let config = config(json!({"targets": [{"name": "rust"}], "memorySizes": [1024, 128]}));
        let runs = [run(1, 512, "zig", None), run(1, 128, "go", Some(1.0))];
        assert_eq!(target_order(&config, &runs), ["rust", "go", "zig"]);
        assert_eq!(memory_sizes(&config, &runs), [128, 512, 1024]);
    }

    #[test]
    fn one_target_has_no_score_and_several_are_ranked_per_size() {
        let runs = [
            run(1, 128, "a", Some(1.0)),
            run(1, 128, "b", Some(2.0)),
            run(1, 256, "a", None),
            run(1, 256, "b", Some(2.0)),
        ];
        let config = config(json!({}));
        let priced: Vec<_> = runs.iter().map(|r| (r, run_cost(r, &config))).collect();
        let targets = ["a".to_owned(), "b".to_owned()];
        let mut cells = cells(&targets, &[128, 256], &priced);
        assert_eq!(cells.len(), 4);
        assert!(score(&targets[..1], &[128, 256], &mut cells.clone()).is_empty());
        let scores = score(&targets, &[128, 256], &mut cells);
        assert_eq!(scores.len(), 2);
        // At 128 MB a is faster (2 points, b 1); at 256 MB only b ran (a failed: 0).
        assert_eq!(find(&cells, "a", 128).unwrap().score_points, Some(2.0));
        assert_eq!(find(&cells, "a", 256).unwrap().score_points, Some(0.0));
        assert!(scores[1].score > 0.0);
    }

    #[test]
    fn a_sequential_target_is_the_baseline_and_not_ranked() {
        let config = config(json!({
            "targets": [
                {"name": "rust"},
                {"name": "python"},
                {"name": "python-sequential", "payload": {"mode": "sequential"}}
            ]
        }));
        // The sequential target is the slowest: ranked, it would hand the others a point each.
        let runs = [
            run(1, 256, "rust", Some(1.0)),
            run(1, 256, "python", Some(2.0)),
            run(1, 256, "python-sequential", Some(9.0)),
        ];
        let execution = ExecutionRef::default();
        let summary = summarize(&execution, &config, &runs);
        assert_eq!(summary.score_of("rust"), Some(2.0));
        assert_eq!(summary.score_of("python"), Some(1.0));
        assert_eq!(summary.score_of("python-sequential"), None);
        assert_eq!(
            summary.cell("python-sequential", 256).unwrap().score_points,
            None
        );
        assert!(
            summary
                .notes
                .iter()
                .any(|n| n.contains("python-sequential read sequentially")),
            "{:?}",
            summary.notes
        );
    }

    #[test]
    fn recommendations_use_only_sizes_with_a_time_and_a_cost() {
        let cell = |memory_mb, mean, cost| Cell {
            target: "rust".into(),
            memory_mb,
            mean_time_s: mean,
            cost_usd: cost,
            ..Cell::default()
        };
        let cells = [
            cell(128, Some(4.0), Some(1.0)),
            cell(256, None, None),
            cell(512, Some(1.0), Some(2.0)),
        ];
        let recs = recommendations(&["rust".to_owned()], &cells, 0.5);
        assert_eq!(recs[0].fastest.map(|c| c.memory_mb), Some(512));
        assert_eq!(recs[0].cheapest.map(|c| c.memory_mb), Some(128));
        assert!(invalid_runs(&[run(1, 128, "rust", Some(1.0))]).is_empty());
    }
}
