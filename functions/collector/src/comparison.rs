//! The seed's comparisons beyond the time tables: the vCPUs each runtime saw at each memory size
//! (the seed's table in "Benchmark Setup"), the speed-up of a concurrent target over a sequential
//! one (the seed's Figure 6, "Improvement from Sequential to Concurrent"), and the combined score
//! (subjective + objective, "Combining Subjective and Objective Results").

use std::collections::BTreeSet;

use bench_types::ReadMode;
use serde::Serialize;

use crate::config::{ReportConfig, SubjectiveScores};
use crate::records::Run;
use crate::summary::{Cell, TargetScore};

/// How a target read: what its runs reported in `stats.mode`, else its `payload.mode`, else the
/// reader contract's default (concurrent).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TargetMode {
    pub(crate) target: String,
    /// `sequential`, `concurrent`, or `mixed` (its runs reported both; left out of the speed-up).
    pub(crate) mode: String,
    /// `reported` (the runs' `stats.mode`), `configured` (the target's `payload.mode`) or
    /// `default` (neither: the contract's default, concurrent).
    pub(crate) source: String,
}

impl TargetMode {
    pub(crate) fn is(&self, mode: ReadMode) -> bool {
        self.mode == mode.as_str()
    }
}

/// The modes of the targets, in the targets' order.
pub(crate) fn target_modes(
    targets: &[String],
    config: &ReportConfig,
    runs: &[Run],
) -> Vec<TargetMode> {
    targets
        .iter()
        .map(|target| {
            let reported: BTreeSet<&'static str> = runs
                .iter()
                .filter(|r| &r.target == target)
                .filter_map(|r| r.success()?.stats.as_ref().map(|s| s.mode.as_str()))
                .collect();
            let configured = config.target(target).and_then(|t| t.mode);
            let (mode, source) = match (reported.len(), configured) {
                (1, _) => (
                    reported.iter().next().copied().unwrap_or_default(),
                    "reported",
                ),
                (0, Some(mode)) => (mode.as_str(), "configured"),
                (0, None) => (ReadMode::default().as_str(), "default"),
                _ => ("mixed", "reported"),
            };
            TargetMode {
                target: target.clone(),
                mode: mode.to_string(),
                source: source.to_string(),
            }
        })
        .collect()
}

/// The range of `stats.vcpus` the valid runs of one target at one size reported.
pub(crate) fn vcpu_range<'a>(
    runs: impl IntoIterator<Item = &'a Run>,
) -> (Option<u32>, Option<u32>) {
    let vcpus: Vec<u32> = runs
        .into_iter()
        .filter_map(|r| r.valid_success()?.stats.as_ref().map(|s| s.vcpus))
        .collect();
    (vcpus.iter().min().copied(), vcpus.iter().max().copied())
}

/// `2`, or `1-2` when the runs disagree; `None` when no run reported.
pub(crate) fn vcpu_text(min: Option<u32>, max: Option<u32>) -> Option<String> {
    match (min, max) {
        (Some(a), Some(b)) if a == b => Some(a.to_string()),
        (Some(a), Some(b)) => Some(format!("{a}-{b}")),
        (Some(a), None) | (None, Some(a)) => Some(a.to_string()),
        (None, None) => None,
    }
}

/// One row of the vCPU table: a memory size and, per target (in the summary's `targets` order),
/// what its runs reported (`"2"`, `"1-2"`, or `null` when none did).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VcpuRow {
    pub(crate) memory_mb: u32,
    pub(crate) vcpus: Vec<Option<String>>,
}

/// The seed's vCPU table: memory rows, target columns.
pub(crate) fn vcpu_table(targets: &[String], memory_sizes: &[u32], cells: &[Cell]) -> Vec<VcpuRow> {
    memory_sizes
        .iter()
        .map(|&memory_mb| VcpuRow {
            memory_mb,
            vcpus: targets
                .iter()
                .map(|t| {
                    cells
                        .iter()
                        .find(|c| &c.target == t && c.memory_mb == memory_mb)
                        .and_then(|c| vcpu_text(c.vcpus_min, c.vcpus_max))
                })
                .collect(),
        })
        .collect()
}

/// How much faster a concurrent target was than a sequential one at one memory size.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Speedup {
    pub(crate) sequential: String,
    pub(crate) concurrent: String,
    pub(crate) memory_mb: u32,
    pub(crate) sequential_mean_s: Option<f64>,
    pub(crate) concurrent_mean_s: Option<f64>,
    /// `sequential_mean_s / concurrent_mean_s`: 10 means the concurrent target took a tenth of
    /// the time; `None` when either has no valid run there.
    pub(crate) speedup: Option<f64>,
}

/// Every (sequential, concurrent) pair of targets at every memory size: sequential targets
/// outer, concurrent inner, each in the targets' order, then memory sizes ascending. Empty
/// without a target of each mode.
pub(crate) fn speedups(modes: &[TargetMode], memory_sizes: &[u32], cells: &[Cell]) -> Vec<Speedup> {
    let mean = |target: &str, memory_mb: u32| {
        cells
            .iter()
            .find(|c| c.target == target && c.memory_mb == memory_mb)
            .and_then(|c| c.mean_time_s)
    };
    let mut out = Vec::new();
    for sequential in modes.iter().filter(|m| m.is(ReadMode::Sequential)) {
        for concurrent in modes.iter().filter(|m| m.is(ReadMode::Concurrent)) {
            for &memory_mb in memory_sizes {
                let s = mean(&sequential.target, memory_mb);
                let c = mean(&concurrent.target, memory_mb);
                out.push(Speedup {
                    sequential: sequential.target.clone(),
                    concurrent: concurrent.target.clone(),
                    memory_mb,
                    sequential_mean_s: s,
                    concurrent_mean_s: c,
                    speedup: match (s, c) {
                        (Some(s), Some(c)) if c > 0.0 => Some(s / c),
                        _ => None,
                    },
                });
            }
        }
    }
    out
}

/// One line of the seed's table "Language, Subjective Score, Objective Score, Combined Score".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CombinedScore {
    pub(crate) target: String,
    /// The sum of the target's seven grades; `None` when `subjectiveScores` does not grade it.
    pub(crate) subjective_score: Option<f64>,
    pub(crate) objective_score: f64,
    /// Subjective + objective; `None` without a subjective score.
    pub(crate) combined_score: Option<f64>,
}

/// The combined scores of the targets that have an objective score, highest first (targets
/// without a subjective score last, in the targets' order). Empty without subjective scores.
pub(crate) fn combined_scores(
    scores: &[TargetScore],
    subjective: &SubjectiveScores,
) -> Vec<CombinedScore> {
    if subjective.is_empty() {
        return Vec::new();
    }
    let mut rows: Vec<CombinedScore> = scores
        .iter()
        .map(|s| {
            // A swept target's series (`rust@8`) share the target's grades.
            let graded = subjective
                .get(&s.target)
                .or_else(|| subjective.get(bench_types::series::Series::target_of(&s.target)));
            let subjective_score = graded.map(|g| g.values().sum::<f64>());
            CombinedScore {
                target: s.target.clone(),
                subjective_score,
                objective_score: s.score,
                combined_score: subjective_score.map(|g| g + s.score),
            }
        })
        .collect();
    // Stable: equal scores keep the targets' order.
    rows.sort_by(|a, b| match (a.combined_score, b.combined_score) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    rows
}

/// Remarks on the subjective scores: targets graded but not run, run but not graded, and
/// grades without an objective score to add them to.
pub(crate) fn subjective_notes(
    targets: &[String],
    scored: bool,
    subjective: &SubjectiveScores,
) -> Vec<String> {
    let mut notes = Vec::new();
    if subjective.is_empty() {
        return notes;
    }
    if !scored {
        notes.push(
            "subjectiveScores are given, but the objective score needs at least two targets: no combined score."
                .to_string(),
        );
        return notes;
    }
    let not_run: Vec<&str> = subjective
        .keys()
        .map(String::as_str)
        .filter(|t| !targets.iter().any(|r| r == t))
        .collect();
    if !not_run.is_empty() {
        notes.push(format!(
            "subjectiveScores grade {} (not a target of this execution): left out of the combined score.",
            not_run.join(", ")
        ));
    }
    let not_graded: Vec<&str> = targets
        .iter()
        .map(String::as_str)
        .filter(|t| !subjective.contains_key(*t))
        .collect();
    if !not_graded.is_empty() {
        notes.push(format!(
            "subjectiveScores do not grade {}: no combined score for {}.",
            not_graded.join(", "),
            if not_graded.len() == 1 { "it" } else { "them" }
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Outcome, Success};
    use crate::scoring::total_scores;
    use bench_types::subjective::SUBJECTIVE_CATEGORIES;
    use bench_types::ReaderStats;
    use serde_json::json;

    fn run(
        round: u32,
        memory_mb: u32,
        target: &str,
        time_s: f64,
        vcpus: Option<u32>,
        mode: ReadMode,
    ) -> Run {
        Run {
            round,
            memory_mb,
            target: target.into(),
            target_name: target.into(),
            concurrency: None,
            function_name: None,
            outcome: Outcome::Succeeded(Box::new(Success {
                time_s,
                lang: "x".into(),
                detail: String::new(),
                result: "1000".into(),
                stats: vcpus.map(|vcpus| ReaderStats {
                    memory_mb,
                    vcpus,
                    mode,
                    objects: 1000,
                    ..ReaderStats::default()
                }),
            })),
            log: None,
            expected: None,
        }
    }

    fn config(input: serde_json::Value) -> ReportConfig {
        ReportConfig::from_input(&input).unwrap()
    }

    fn summarize(input: serde_json::Value, runs: &[Run]) -> crate::summary::Summary {
        crate::summary::summarize(&bench_types::ExecutionRef::default(), &config(input), runs)
    }

    #[test]
    fn the_vcpu_table_shows_what_the_runs_reported_per_size_and_target() {
        let c = ReadMode::Concurrent;
        let runs = [
            run(1, 256, "rust", 1.0, Some(1), c),
            run(2, 256, "rust", 1.0, Some(1), c),
            run(1, 256, "python", 2.0, Some(2), c),
            run(2, 256, "python", 2.0, Some(2), c),
            // The runs at 1769 MB disagree (the quota was read at a boundary).
            run(1, 1769, "rust", 0.5, Some(1), c),
            run(2, 1769, "rust", 0.5, Some(2), c),
            // A seed reader without stats reports nothing.
            run(1, 1769, "python", 1.0, None, c),
        ];
        let summary = summarize(
            json!({"targets": [{"name": "rust"}, {"name": "python"}]}),
            &runs,
        );
        let rows: Vec<(u32, Vec<Option<&str>>)> = summary
            .vcpu_table
            .iter()
            .map(|r| (r.memory_mb, r.vcpus.iter().map(Option::as_deref).collect()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (256, vec![Some("1"), Some("2")]),
                (1769, vec![Some("1-2"), None]),
            ]
        );
        let cell = summary.cell("rust", 1769).unwrap();
        assert_eq!((cell.vcpus_min, cell.vcpus_max), (Some(1), Some(2)));
    }

    #[test]
    fn the_speed_up_is_the_sequential_mean_over_each_concurrent_mean() {
        let (s, c) = (ReadMode::Sequential, ReadMode::Concurrent);
        let runs = [
            run(1, 256, "python-sequential", 20.0, Some(2), s),
            run(2, 256, "python-sequential", 22.0, Some(2), s),
            run(1, 256, "rust", 0.5, Some(1), c),
            run(2, 256, "rust", 0.6, Some(1), c),
            run(1, 256, "python", 2.0, Some(2), c),
            run(1, 1024, "python-sequential", 16.0, Some(2), s),
            run(1, 1024, "rust", 0.4, Some(1), c),
            // node has no stats; its payload says concurrent.
            run(1, 1024, "node", 1.6, None, c),
        ];
        let summary = summarize(
            json!({"targets": [
                {"name": "rust"}, {"name": "python"},
                {"name": "node", "payload": {"mode": "concurrent"}},
                {"name": "python-sequential"}
            ]}),
            &runs,
        );
        let modes: Vec<(&str, &str, &str)> = summary
            .target_modes
            .iter()
            .map(|m| (m.target.as_str(), m.mode.as_str(), m.source.as_str()))
            .collect();
        assert_eq!(
            modes,
            vec![
                ("rust", "concurrent", "reported"),
                ("python", "concurrent", "reported"),
                ("node", "concurrent", "configured"),
                ("python-sequential", "sequential", "reported"),
            ]
        );
        let find = |conc: &str, m: u32| {
            summary
                .speedups
                .iter()
                .find(|s| s.concurrent == conc && s.memory_mb == m)
                .unwrap()
                .speedup
        };
        assert_eq!(summary.speedups.len(), 3 * 2);
        assert!((find("rust", 256).unwrap() - 21.0 / 0.55).abs() < 1e-9);
        assert_eq!(find("python", 256), Some(10.5));
        assert_eq!(find("rust", 1024), Some(40.0));
        assert_eq!(find("node", 1024), Some(10.0));
        // python did not run at 1024 MB, node not at 256 MB.
        assert_eq!((find("python", 1024), find("node", 256)), (None, None));
        assert!(summary
            .speedups
            .iter()
            .all(|s| s.sequential == "python-sequential"));
    }

    #[test]
    fn without_a_sequential_target_there_is_no_speed_up_and_mixed_modes_are_left_out() {
        let c = ReadMode::Concurrent;
        let runs = [
            run(1, 256, "a", 1.0, Some(1), c),
            run(1, 256, "b", 2.0, Some(1), ReadMode::Sequential),
            run(2, 256, "b", 2.0, Some(1), c),
        ];
        let summary = summarize(json!({}), &runs);
        assert_eq!(summary.target_modes[1].mode, "mixed");
        assert!(summary.speedups.is_empty());
    }

    /// The seed's subjective scores as seven grades each, summing to its table's 28, 35, 38,
    /// 19, 29, 28; targets in the order of the scoring test's table: python, node.js, go, rust,
    /// java, C++.
    fn seed_subjective() -> serde_json::Value {
        let grades = |g: [f64; 7]| -> serde_json::Value {
            SUBJECTIVE_CATEGORIES
                .iter()
                .zip(g)
                .map(|(c, g)| ((*c).to_owned(), json!(g)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        json!({
            "python": grades([5.0, 4.0, 3.0, 5.0, 6.0, 6.0, 6.0]),
            "node.js": grades([6.0, 5.0, 6.0, 5.0, 5.0, 5.0, 6.0]),
            "go": grades([4.0, 6.0, 4.0, 4.0, 4.0, 3.0, 3.0]),
            "rust": grades([3.0, 4.0, 4.0, 6.0, 5.0, 3.0, 3.0]),
            "java": grades([5.0, 4.0, 4.0, 4.0, 5.0, 4.0, 3.0]),
            "C++": grades([2.0, 3.0, 3.0, 2.0, 3.0, 3.0, 3.0]),
        })
    }

    #[test]
    fn the_seeds_combined_table_is_reproduced_from_its_grades_and_times() {
        let targets = ["python", "node.js", "go", "rust", "java", "C++"];
        let table = crate::scoring::tests::seed_table();
        let objective = total_scores(&table, targets.len());
        let scores: Vec<TargetScore> = targets
            .iter()
            .zip(objective)
            .map(|(t, s)| TargetScore {
                target: (*t).to_owned(),
                score: s,
            })
            .collect();
        let subjective = config(json!({"subjectiveScores": seed_subjective()})).subjective_scores;
        let combined = combined_scores(&scores, &subjective);
        let rows: Vec<(&str, f64, f64, f64)> = combined
            .iter()
            .map(|c| {
                (
                    c.target.as_str(),
                    c.subjective_score.unwrap(),
                    c.objective_score,
                    c.combined_score.unwrap(),
                )
            })
            .collect();
        // The article's table, in its order (by combined score).
        assert_eq!(
            rows,
            vec![
                ("rust", 28.0, 37.0, 65.0),
                ("python", 35.0, 27.5, 62.5),
                ("node.js", 38.0, 22.5, 60.5),
                ("C++", 19.0, 26.5, 45.5),
                ("java", 29.0, 14.0, 43.0),
                ("go", 28.0, 12.5, 40.5),
            ]
        );
    }

    #[test]
    fn the_combined_table_comes_through_the_summary_with_ungraded_targets_last() {
        let c = ReadMode::Concurrent;
        let runs = [
            run(1, 256, "a", 1.0, Some(1), c),
            run(1, 256, "b", 2.0, Some(1), c),
            run(1, 256, "z", 3.0, Some(1), c),
        ];
        let all = |g: f64| -> serde_json::Value {
            SUBJECTIVE_CATEGORIES
                .iter()
                .map(|c| ((*c).to_owned(), json!(g)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let summary = summarize(
            json!({"subjectiveScores": {"a": all(1.0), "b": all(6.0), "gone": all(3.0)}}),
            &runs,
        );
        let rows: Vec<(&str, Option<f64>)> = summary
            .combined_scores
            .iter()
            .map(|c| (c.target.as_str(), c.combined_score))
            .collect();
        // a: 3 points + 7; b: 2 points + 42; z is not graded.
        assert_eq!(
            rows,
            vec![("b", Some(44.0)), ("a", Some(10.0)), ("z", None)]
        );
        assert!(
            summary.notes.iter().any(|n| n.contains("gone")),
            "{:?}",
            summary.notes
        );
        assert!(
            summary.notes.iter().any(|n| n.contains("do not grade z")),
            "{:?}",
            summary.notes
        );
        // Without subjective scores: only the objective score.
        assert!(summarize(json!({}), &runs).combined_scores.is_empty());
    }
}
