//! The results as a table: aligned text for the terminal, Markdown for the README.

use bench_types::text_table::{Align, TextTable};
use bench_types::ReadMode;

use crate::results::{CaseResult, Goal};

/// The columns: what the case is, left-aligned; its figures, right-aligned.
const COLUMNS: [(&str, Align); 12] = [
    ("CPUs", Align::Left),
    ("reader", Align::Left),
    ("mode", Align::Left),
    ("C", Align::Right),
    ("wall s", Align::Right),
    ("runs", Align::Right),
    ("/bound", Align::Right),
    ("CPU ms/obj", Align::Right),
    ("net ms/obj", Align::Right),
    ("RSS MiB", Align::Right),
    ("conns", Align::Right),
    ("rust/this", Align::Right),
];

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

fn row(c: &CaseResult) -> Vec<String> {
    let runs = c.samples.len();
    vec![
        if c.cpus == 0.0 {
            "none".into()
        } else {
            format!("{}", c.cpus)
        },
        c.reader.to_string(),
        match c.mode {
            ReadMode::Sequential => "seq".into(),
            ReadMode::Concurrent => "conc".into(),
        },
        c.concurrency.to_string(),
        num(c.wall_s, 3),
        if c.ok_runs == runs {
            runs.to_string()
        } else {
            format!("{}/{runs} ok", c.ok_runs)
        },
        num(c.bound_ratio, 2),
        num(c.cpu_ms_per_object, 3),
        num(c.net_cpu_ms_per_object, 3),
        num(c.peak_rss_mib, 1),
        num(c.connections, 0),
        num(c.rust_wall_ratio, 2),
    ]
}

fn table(cases: &[CaseResult]) -> TextTable {
    let mut table = TextTable::new(COLUMNS);
    for case in cases {
        table.push_row(row(case));
    }
    table
}

/// An aligned text table, one line per case.
pub fn text_table(cases: &[CaseResult]) -> String {
    table(cases).render("  ")
}

/// The same as a Markdown table.
pub(crate) fn markdown_table(cases: &[CaseResult]) -> String {
    table(cases).markdown()
}

/// The goals, one line each: value, target, met.
pub fn goals_text(goals: &[Goal]) -> String {
    goals
        .iter()
        .map(|g| {
            let verdict = match g.met {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "not measured",
            };
            format!(
                "{:<40} {:>7} (goal <= {:.2})  {verdict}\n",
                g.name,
                num(g.value, 3),
                g.target
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::ReaderKind;

    fn case(reader: ReaderKind, wall: Option<f64>) -> CaseResult {
        CaseResult {
            cpus: 0.58,
            reader,
            mode: ReadMode::Concurrent,
            concurrency: 64,
            samples: vec![Default::default(), Default::default()],
            ok_runs: 2,
            wall_s: wall,
            wall_min_s: wall,
            wall_max_s: wall,
            process_wall_s: None,
            lower_bound_s: 0.34,
            bound_ratio: wall.map(|w| w / 0.34),
            cpu_ms_per_object: Some(0.25),
            net_cpu_ms_per_object: None,
            peak_rss_mib: Some(12.5),
            connections: Some(64.0),
            rust_wall_ratio: None,
        }
    }

    #[test]
    fn text_table_aligns_every_case() {
        let t = text_table(&[
            case(ReaderKind::Rust, Some(0.3612)),
            case(ReaderKind::Python, None),
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("CPUs"));
        assert!(
            lines[2].contains("0.361") && lines[2].contains("rust") && lines[2].contains("12.5")
        );
        assert!(lines[3].contains("python"));
        assert_eq!(lines[2].len(), lines[3].len());
    }

    #[test]
    fn markdown_has_a_row_per_case() {
        let md = markdown_table(&[case(ReaderKind::Node, Some(1.0))]);
        assert_eq!(md.lines().count(), 3);
        assert!(md
            .lines()
            .nth(2)
            .unwrap_or_default()
            .starts_with("| 0.58 | node | conc | 64 | 1.000 |"));
    }
}
