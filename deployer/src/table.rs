//! The seed-style results table (memory rows, target columns, mean seconds) and the
//! recommendations, as text for the terminal.

use std::collections::BTreeMap;
use std::fmt::Write;

use bench_types::series::Series;
use bench_types::stats::mean;
use bench_types::text_table::{Align, TextTable};
use bench_types::{Recommendation, RunRecord};

use crate::history::record_time;

/// One cell: the times of the successful rounds and the number of failed ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cell {
    pub(crate) times: Vec<f64>,
    pub(crate) failures: usize,
}

impl Cell {
    pub(crate) fn mean(&self) -> Option<f64> {
        mean(&self.times)
    }

    fn render(&self) -> String {
        match (self.mean(), self.failures) {
            (None, 0) => "-".into(),
            (None, _) => "failed".into(),
            (Some(m), 0) => format!("{m:.3}"),
            (Some(m), f) => format!("{m:.3} ({f} failed)"),
        }
    }
}

/// Mean seconds per (memory, series), from the records: a series is a target at one
/// concurrency (named as [`Series::label`]).
pub(crate) fn cells(records: &[RunRecord], series: &Series) -> BTreeMap<(u32, String), Cell> {
    let mut cells: BTreeMap<(u32, String), Cell> = BTreeMap::new();
    for r in records {
        let label = series.label(&r.target, r.concurrency);
        let cell = cells.entry((r.memory_mb, label)).or_default();
        match record_time(r).filter(|_| r.ok) {
            Some(t) => cell.times.push(t),
            None => cell.failures += 1,
        }
    }
    cells
}

/// The table: one row per memory size (in the given order), one column per target, or per
/// (target, concurrency) for a swept target (`rust@8`). A configuration whose every round failed
/// shows `failed` (the seed's NaN).
pub(crate) fn render_table(
    memory_sizes: &[u32],
    targets: &[String],
    records: &[RunRecord],
) -> String {
    let series = Series::of(records.iter().map(|r| (r.target.as_str(), r.concurrency)));
    let targets = &series.labels_in_order(targets);
    let cells = cells(records, &series);
    let columns = std::iter::once("memory (MB)")
        .chain(targets.iter().map(String::as_str))
        .map(|header| (header, Align::Right));
    let mut table = TextTable::new(columns);
    for &mb in memory_sizes {
        let row = targets.iter().map(|t| {
            cells
                .get(&(mb, t.clone()))
                .map_or_else(|| "-".to_owned(), Cell::render)
        });
        table.push_row(std::iter::once(mb.to_string()).chain(row));
    }
    table.render(" | ")
}

/// The collector's recommendations (fastest, cheapest, balanced memory size per target).
pub(crate) fn render_recommendations(recommendations: &[Recommendation]) -> String {
    let mut out = String::new();
    for rec in recommendations {
        let parts: Vec<String> = rec
            .picks()
            .into_iter()
            .filter_map(|(kind, choice)| {
                let c = choice?;
                Some(format!(
                    "{kind} {} MB ({:.3} s, ${:.8})",
                    c.memory_mb, c.mean_time_s, c.cost_usd
                ))
            })
            .collect();
        if parts.is_empty() {
            let _ = writeln!(out, "  {}: no memory size with a valid run", rec.target);
        } else {
            let _ = writeln!(out, "  {}: {}", rec.target, parts.join("; "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(round: u32, mb: u32, target: &str, time: Option<f64>) -> RunRecord {
        RunRecord {
            round,
            memory_mb: mb,
            target: target.into(),
            concurrency: None,
            function_name: None,
            ok: time.is_some(),
            output: time.map(|t| json!({"time": t})),
            invoke: None,
            error: time.is_none().then(|| "Lambda.Unknown".into()),
            cause: None,
        }
    }

    #[test]
    fn means_failures_and_missing_cells() {
        let records = vec![
            record(1, 128, "rust", Some(2.0)),
            record(2, 128, "rust", Some(4.0)),
            record(1, 256, "rust", None),
            record(1, 128, "py", Some(1.0)),
            record(2, 128, "py", None),
        ];
        let table = render_table(&[128, 256], &["rust".into(), "py".into()], &records);
        let rows: Vec<Vec<String>> = table
            .lines()
            .map(|l| l.split('|').map(|c| c.trim().to_owned()).collect())
            .collect();
        assert_eq!(rows[0], ["memory (MB)", "rust", "py"]);
        assert_eq!(rows[2], ["128", "3.000", "1.000 (1 failed)"]);
        assert_eq!(rows[3], ["256", "failed", "-"]);
        assert_eq!(rows.len(), 4);
        let widths: Vec<usize> = table.lines().map(|l| l.chars().count()).collect();
        assert!(
            widths.iter().all(|w| *w == widths[0]),
            "aligned columns:\n{table}"
        );
    }

    #[test]
    fn a_swept_target_has_a_column_per_concurrency() {
        use bench_types::Concurrency;
        let at = |c, time| RunRecord {
            concurrency: Some(c),
            ..record(1, 128, "rust", Some(time))
        };
        let records = vec![
            at(Concurrency::Fixed(64), 1.0),
            at(Concurrency::Auto, 0.5),
            at(Concurrency::Fixed(8), 2.0),
            record(1, 128, "py", Some(3.0)),
        ];
        let table = render_table(
            &[128],
            &["rust".into(), "py".into(), "node".into()],
            &records,
        );
        let rows: Vec<Vec<String>> = table
            .lines()
            .map(|l| l.split('|').map(|c| c.trim().to_owned()).collect())
            .collect();
        assert_eq!(
            rows[0],
            [
                "memory (MB)",
                "rust@8",
                "rust@64",
                "rust@auto",
                "py",
                "node"
            ]
        );
        assert_eq!(rows[2], ["128", "2.000", "1.000", "0.500", "3.000", "-"]);
    }

    #[test]
    fn recommendations_are_one_line_per_target() {
        let recs: Vec<Recommendation> = serde_json::from_value(json!([{"target": "rust",
            "fastest": {"memoryMb": 3008, "meanTimeS": 0.5, "costUsd": 0.00002},
            "cheapest": {"memoryMb": 512, "meanTimeS": 1.5, "costUsd": 0.00001},
            "balanced": null},
            {"target": "go", "fastest": null, "cheapest": null, "balanced": null}]))
        .expect("the collector's recommendations");
        assert_eq!(
            render_recommendations(&recs),
            "  rust: fastest 3008 MB (0.500 s, $0.00002000); cheapest 512 MB (1.500 s, $0.00001000)\n  go: no memory size with a valid run\n"
        );
    }
}
