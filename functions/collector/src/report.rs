//! `report.html`: one self-contained page (inline CSS, the SVG charts inline, no script, no
//! external URL) with the seed-style tables (memory rows, target columns, NaN for a failed cell)
//! next to the charts. The page is filled from a handlebars template kept in this crate.

use handlebars::Handlebars;
use serde::Serialize;
use serde_json::json;

use crate::charts::Chart;
use crate::error::CollectorError;
use bench_types::subjective::SUBJECTIVE_CATEGORIES;

use crate::recommend::Choice;
use crate::scoring::HALF_POINTS_FROM_MB;
use crate::summary::{Cell, Summary};

const TEMPLATE: &str = include_str!("../templates/report.html.hbs");

#[derive(Debug, Serialize)]
struct TableCell {
    text: String,
    nan: bool,
}

#[derive(Debug, Serialize)]
struct Row {
    cells: Vec<TableCell>,
    total: bool,
}

#[derive(Debug, Serialize)]
struct Table {
    title: String,
    header: Vec<String>,
    rows: Vec<Row>,
    caption: String,
}

/// Formats a number with about three significant digits (seconds, USD).
pub(crate) fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 9) as usize;
    format!("{value:.decimals$}")
}

/// How a table shows a number, and what an empty cell means.
#[derive(Clone, Copy)]
struct Format {
    number: fn(f64) -> String,
    /// `true`: an empty cell is a failure (red NaN, as the seed); `false`: not reported ("–").
    missing_is_failure: bool,
    /// Append "(k of n)" where fewer rounds counted than ran.
    show_partial: bool,
}

const SECONDS: Format = Format {
    number: significant,
    missing_is_failure: true,
    show_partial: true,
};
const PLAIN: Format = Format {
    number: significant,
    missing_is_failure: true,
    show_partial: false,
};
const REPORTED: Format = Format {
    number: whole,
    missing_is_failure: false,
    show_partial: false,
};
const TIMES: Format = Format {
    number: times,
    missing_is_failure: true,
    show_partial: false,
};
const POINTS: Format = Format {
    number: one_decimal,
    missing_is_failure: true,
    show_partial: false,
};

fn times(value: f64) -> String {
    format!("{}×", significant(value))
}

fn whole(value: f64) -> String {
    format!("{value:.0}")
}

fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

fn cell_text(value: Option<f64>, cell: Option<&Cell>, format: Format) -> TableCell {
    match value {
        None if format.missing_is_failure => TableCell {
            text: "NaN".into(),
            nan: true,
        },
        None => TableCell {
            text: "\u{2013}".into(),
            nan: false,
        },
        Some(v) => {
            let mut text = (format.number)(v);
            if let Some(c) = cell.filter(|c| format.show_partial && c.ok < c.runs) {
                text = format!("{text} ({} of {})", c.ok, c.runs);
            }
            TableCell { text, nan: false }
        }
    }
}

fn seed_table(
    summary: &Summary,
    title: &str,
    caption: &str,
    value: impl Fn(&Cell) -> Option<f64>,
    format: Format,
) -> Table {
    sized_table(
        summary,
        &summary.memory_sizes,
        &summary.targets,
        title,
        caption,
        value,
        format,
    )
}

/// A seed-style table over some of the memory sizes (the seed's low-end and high-end tables)
/// and some of the targets (the ranked ones, in the score table).
fn sized_table(
    summary: &Summary,
    memory_sizes: &[u32],
    targets: &[String],
    title: &str,
    caption: &str,
    value: impl Fn(&Cell) -> Option<f64>,
    format: Format,
) -> Table {
    let mut header = vec!["memory size (MB)".to_string()];
    header.extend(targets.iter().cloned());
    let rows = memory_sizes
        .iter()
        .map(|&m| {
            let mut cells = vec![TableCell {
                text: m.to_string(),
                nan: false,
            }];
            cells.extend(targets.iter().map(|t| {
                let cell = summary.cell(t, m);
                cell_text(cell.and_then(&value), cell, format)
            }));
            Row {
                cells,
                total: false,
            }
        })
        .collect();
    Table {
        title: title.into(),
        header,
        rows,
        caption: caption.into(),
    }
}

fn score_table(summary: &Summary) -> Table {
    // Only the ranked targets have a column (a sequential baseline is not ranked).
    let ranked: Vec<String> = summary
        .targets
        .iter()
        .filter(|t| summary.score_of(t).is_some())
        .cloned()
        .collect();
    let mut table = sized_table(
        summary,
        &summary.memory_sizes,
        &ranked,
        "Objective score: points per memory size",
        "At each size the fastest of N targets gets N points, the next N − 1, and so on (half points from 3008 MB up); no valid run gets 0 (NaN in the time table). The total row is the seed's objective score.",
        |c| c.score_points,
        POINTS,
    );
    let mut cells = vec![text_cell("total")];
    cells.extend(ranked.iter().map(|t| TableCell {
        text: summary.score_of(t).map(one_decimal).unwrap_or_default(),
        nan: false,
    }));
    table.rows.push(Row { cells, total: true });
    table
}

fn text_cell(text: impl Into<String>) -> TableCell {
    TableCell {
        text: text.into(),
        nan: false,
    }
}

fn optional_cell(value: Option<f64>, number: fn(f64) -> String) -> TableCell {
    text_cell(value.map_or_else(|| "\u{2013}".to_owned(), number))
}

/// The seed's "Language, Subjective Score, Objective Score, Combined Score", highest first.
fn combined_table(summary: &Summary) -> Table {
    let rows = summary
        .combined_scores
        .iter()
        .map(|c| Row {
            cells: vec![
                text_cell(c.target.clone()),
                optional_cell(c.subjective_score, grade_text),
                text_cell(one_decimal(c.objective_score)),
                optional_cell(c.combined_score, one_decimal),
            ],
            total: false,
        })
        .collect();
    Table {
        title: "Combined score (seed)".into(),
        header: ["target", "subjective score", "objective score", "combined score"]
            .map(String::from)
            .to_vec(),
        rows,
        caption: "Subjective score: the sum of the target's seven grades below; objective score: the total of the points table; combined: their sum, highest first, as the seed ranked its languages. \u{2013} = not graded in subjectiveScores.".into(),
    }
}

/// The subjective grades: category rows, graded target columns, the sum as the last row.
fn subjective_table(summary: &Summary) -> Table {
    let graded: Vec<&String> = summary
        .targets
        .iter()
        .filter(|t| summary.subjective_scores.contains_key(*t))
        .collect();
    let mut header = vec!["category".to_string()];
    header.extend(graded.iter().map(|t| (*t).clone()));
    let grade = |target: &str, category: &str| {
        summary
            .subjective_scores
            .get(target)
            .and_then(|g| g.get(category))
            .copied()
    };
    let mut rows: Vec<Row> = SUBJECTIVE_CATEGORIES
        .iter()
        .map(|category| {
            let mut cells = vec![text_cell(category_label(category))];
            cells.extend(
                graded
                    .iter()
                    .map(|t| optional_cell(grade(t, category), grade_text)),
            );
            Row {
                cells,
                total: false,
            }
        })
        .collect();
    let mut total = vec![text_cell("subjective score")];
    total.extend(graded.iter().map(|t| {
        optional_cell(
            summary
                .subjective_scores
                .get(*t)
                .map(|g| g.values().sum::<f64>()),
            grade_text,
        )
    }));
    rows.push(Row {
        cells: total,
        total: true,
    });
    Table {
        title: "Subjective grades".into(),
        header,
        rows,
        caption: "From subjectiveScores in the execution input: 1 (worst) to 6 (best) developer experience per category, e.g. a higher code complexity grade means less complex code. The article names only its first category, code complexity; the other six names are this project's.".into(),
    }
}

/// A category key as the table shows it: `aws_sdk` → `AWS SDK`, `code_complexity` → `code complexity`.
fn category_label(category: &str) -> String {
    category.replace('_', " ").replace("aws sdk", "AWS SDK")
}

fn grade_text(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// The seed's vCPU table: what each target's runtime reported at each memory size.
fn vcpu_table(summary: &Summary) -> Table {
    let mut header = vec!["memory size (MB)".to_string()];
    header.extend(summary.targets.iter().cloned());
    let rows = summary
        .vcpu_table
        .iter()
        .map(|r| {
            let mut cells = vec![text_cell(r.memory_mb.to_string())];
            cells.extend(
                r.vcpus
                    .iter()
                    .map(|v| text_cell(v.clone().unwrap_or_else(|| "\u{2013}".to_owned()))),
            );
            Row {
                cells,
                total: false,
            }
        })
        .collect();
    Table {
        title: "vCPUs reported by the runtime".into(),
        header,
        rows,
        caption: "stats.vcpus of the valid runs, as each reader's runtime reports it (the project's readers: Rust std::thread::available_parallelism, which follows the CPU quota; Python os.cpu_count(); Node.js os.availableParallelism()); \"1-2\" = the runs disagreed; \u{2013} = not reported. These are the CPUs the runtime sees, not the CPU share Lambda gives (1769 MB = 1 vCPU); the seed saw 2 at every size up to 3071 MB.".into(),
    }
}

/// The seed's Figure 6 as a table: per memory size, sequential mean / concurrent mean.
fn speedup_table(summary: &Summary) -> Table {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for s in &summary.speedups {
        if !pairs.contains(&(s.sequential.as_str(), s.concurrent.as_str())) {
            pairs.push((&s.sequential, &s.concurrent));
        }
    }
    let mut sequentials: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    sequentials.dedup();
    let mut header = vec!["memory size (MB)".to_string()];
    header.extend(pairs.iter().map(|(s, c)| match sequentials.len() {
        1 => (*c).to_owned(),
        _ => format!("{s} / {c}"),
    }));
    let rows = summary
        .memory_sizes
        .iter()
        .map(|&m| {
            let mut cells = vec![text_cell(m.to_string())];
            cells.extend(pairs.iter().map(|(s, c)| {
                let speedup = summary
                    .speedups
                    .iter()
                    .find(|x| x.sequential == *s && x.concurrent == *c && x.memory_mb == m)
                    .and_then(|x| x.speedup);
                cell_text(speedup, None, TIMES)
            }));
            Row {
                cells,
                total: false,
            }
        })
        .collect();
    let (title, caption) = match sequentials.as_slice() {
        [one] => (
            format!("Speed-up over {one} (×)"),
            format!("{one}'s mean time divided by each concurrent target's at the same memory size (the seed's Figure 6): 20× = the concurrent target took a twentieth of the time. NaN = one of the two has no valid run there."),
        ),
        _ => (
            "Speed-up, sequential / concurrent (×)".to_string(),
            "Each sequential target's mean time divided by each concurrent target's at the same memory size (the seed's Figure 6). NaN = one of the two has no valid run there.".to_string(),
        ),
    };
    Table {
        title,
        header,
        rows,
        caption,
    }
}

fn runs_table(summary: &Summary) -> Table {
    let mut header = vec!["memory size (MB)".to_string()];
    header.extend(summary.targets.iter().cloned());
    let rows = summary
        .memory_sizes
        .iter()
        .map(|&m| {
            let mut cells = vec![TableCell {
                text: m.to_string(),
                nan: false,
            }];
            cells.extend(summary.targets.iter().map(|t| match summary.cell(t, m) {
                Some(c) => TableCell {
                    text: format!("{} / {} / {}", c.ok, c.failures, c.invalid),
                    nan: c.ok == 0,
                },
                None => TableCell {
                    text: "-".into(),
                    nan: true,
                },
            }));
            Row {
                cells,
                total: false,
            }
        })
        .collect();
    Table {
        title: "Runs: ok / failed / invalid".into(),
        header,
        rows,
        caption: "Valid runs / failed invocations / runs that succeeded but are not measurements (another memory size than configured, objects not read, a wrong result; see the notes), left out of the statistics.".into(),
    }
}

/// A row of the results: tables, and the chart that goes with them, under an optional heading.
#[derive(Debug, Serialize)]
struct Panel {
    heading: Option<String>,
    tables: Vec<Table>,
    charts: Vec<serde_json::Value>,
}

impl Panel {
    fn new(heading: Option<&str>, tables: Vec<Table>, charts: Vec<serde_json::Value>) -> Self {
        Self {
            heading: heading.map(str::to_owned),
            tables,
            charts,
        }
    }
}

fn chart_json(charts: &[Chart], file_name: &str) -> Vec<serde_json::Value> {
    charts
        .iter()
        .filter(|c| c.file_name == file_name)
        .map(|c| json!({"title": c.title, "fileName": c.file_name, "svg": c.svg}))
        .collect()
}

const MEAN_CAPTION: &str = "Mean of the valid rounds, in seconds; NaN = no valid run (failed); \"(k of n)\" = only k of n rounds counted.";

/// The mean-time panels: the seed's figure 1, then its low-end and high-end tables with
/// figures 2 and 3 (only the ends that have sizes; one table under figure 1 when only one has).
fn time_panels(summary: &Summary, charts: &[Chart]) -> Vec<Panel> {
    let (low, high): (Vec<u32>, Vec<u32>) = summary
        .memory_sizes
        .iter()
        .partition(|&&m| m < HALF_POINTS_FROM_MB);
    let low_table = || {
        sized_table(
            summary,
            &low,
            &summary.targets,
            &format!("Mean time (s), low end: below {HALF_POINTS_FROM_MB} MB"),
            MEAN_CAPTION,
            |c| c.mean_time_s,
            SECONDS,
        )
    };
    let high_table = || {
        sized_table(
            summary,
            &high,
            &summary.targets,
            &format!("Mean time (s), high end: {HALF_POINTS_FROM_MB} MB and up"),
            MEAN_CAPTION,
            |c| c.mean_time_s,
            SECONDS,
        )
    };
    let heading = Some("Mean time");
    match (low.is_empty(), high.is_empty()) {
        (false, false) => vec![
            Panel::new(heading, Vec::new(), chart_json(charts, "time.svg")),
            Panel::new(None, vec![low_table()], chart_json(charts, "time-low.svg")),
            Panel::new(
                None,
                vec![high_table()],
                chart_json(charts, "time-high.svg"),
            ),
        ],
        (false, true) => vec![Panel::new(
            heading,
            vec![low_table()],
            chart_json(charts, "time.svg"),
        )],
        _ => vec![Panel::new(
            heading,
            vec![high_table()],
            chart_json(charts, "time.svg"),
        )],
    }
}

fn panels(summary: &Summary, charts: &[Chart]) -> Vec<Panel> {
    let mut panels = time_panels(summary, charts);
    panels.push(Panel::new(
        Some("Standard deviation"),
        vec![seed_table(
            summary,
            "Standard deviation (s)",
            "Sample standard deviation (n − 1) over the valid rounds, in seconds; NaN with fewer than two.",
            |c| c.std_time_s,
            PLAIN,
        )],
        chart_json(charts, "stddev.svg"),
    ));
    if !summary.speedups.is_empty() {
        panels.push(Panel::new(
            Some("Improvement from sequential to concurrent"),
            vec![speedup_table(summary)],
            chart_json(charts, "speedup.svg"),
        ));
    }
    for map in &summary.concurrency_maps {
        let [time_file, cost_file] = crate::charts::heatmap_files(&map.target);
        let mut heatmaps = chart_json(charts, &time_file);
        heatmaps.extend(chart_json(charts, &cost_file));
        panels.push(Panel::new(
            Some(&format!("Concurrency: {}", map.target)),
            vec![best_concurrency_table(map)],
            heatmaps,
        ));
    }
    panels.push(Panel::new(
        Some("vCPUs"),
        vec![vcpu_table(summary)],
        Vec::new(),
    ));
    panels.push(Panel::new(
        Some("Cost"),
        vec![seed_table(
            summary,
            "Cost per 1000 invocations (USD)",
            "Mean over the valid rounds: Lambda compute + request + S3 requests.",
            |c| c.cost_usd.map(|usd| usd * 1000.0),
            PLAIN,
        )],
        chart_json(charts, "cost.svg"),
    ));
    if !summary.scores.is_empty() {
        let mut tables = Vec::new();
        if !summary.combined_scores.is_empty() {
            tables.push(combined_table(summary));
        }
        tables.push(score_table(summary));
        if !summary.combined_scores.is_empty() {
            tables.push(subjective_table(summary));
        }
        panels.push(Panel::new(Some("Score"), tables, Vec::new()));
    }
    let mut counts = vec![runs_table(summary)];
    counts.push(seed_table(
        summary,
        "Lambda compute per 1000 invocations (USD)",
        "The memory-dependent part of the cost: GB-seconds × the architecture's price.",
        |c| c.compute_cost_usd.map(|usd| usd * 1000.0),
        PLAIN,
    ));
    if summary
        .cells
        .iter()
        .any(|c| c.mean_billed_duration_ms.is_some())
    {
        counts.push(seed_table(
            summary,
            "Billed duration (ms)",
            "Mean Billed Duration of the log tails' REPORT lines; \u{2013} = not reported (no LogResult).",
            |c| c.mean_billed_duration_ms,
            REPORTED,
        ));
        counts.push(seed_table(
            summary,
            "Max memory used (MB)",
            "Largest Max Memory Used of the REPORT lines.",
            |c| c.max_memory_used_mb.map(f64::from),
            REPORTED,
        ));
    }
    panels.push(Panel::new(Some("Runs and log figures"), counts, Vec::new()));
    if !summary.cold_starts.is_empty() {
        panels.push(Panel::new(
            Some("Cold starts"),
            vec![cold_start_table(summary)],
            chart_json(charts, "cold-start.svg"),
        ));
    }
    panels.push(Panel::new(
        Some("Trend"),
        Vec::new(),
        chart_json(charts, "trend.svg"),
    ));
    panels
}

/// A swept target's best concurrency at each memory size, and `auto` beside it.
fn best_concurrency_table(map: &crate::concurrency_map::ConcurrencyMap) -> Table {
    let value =
        |v: Option<u32>| text_cell(v.map_or_else(|| "\u{2013}".to_owned(), |v| v.to_string()));
    let has_auto = map.best.iter().any(|b| b.auto_time_s.is_some());
    let mut header: Vec<String> = [
        "memory size (MB)",
        "fastest",
        "mean time (s)",
        "cheapest",
        "cost per 1000 (USD)",
        "more stops paying at",
    ]
    .map(str::to_owned)
    .to_vec();
    if has_auto {
        header.extend(["auto (s)".to_owned(), "auto / fastest".to_owned()]);
    }
    let rows = map
        .best
        .iter()
        .map(|b| {
            let mut cells = vec![
                text_cell(b.memory_mb.to_string()),
                value(b.fastest),
                optional_cell(b.fastest_time_s, significant),
                value(b.cheapest),
                optional_cell(b.cheapest_cost_usd.map(|usd| usd * 1000.0), significant),
                value(b.stops_paying_at),
            ];
            if has_auto {
                cells.push(optional_cell(b.auto_time_s, significant));
                cells.push(optional_cell(b.auto_over_fastest, times));
            }
            Row {
                cells,
                total: false,
            }
        })
        .collect();
    Table {
        title: format!("Best concurrency: {}", map.target),
        header,
        rows,
        caption: format!(
            "Among the fixed values at each memory size: the fastest (mean time of the valid rounds) and the cheapest (mean cost); more concurrency stops paying at the smallest value that no larger one beats by {:.0} % or more. auto: the reader adapts its own limit while it runs (its mean time, and that over the fastest fixed value's). The heatmaps frame the fastest and the cheapest.",
            crate::concurrency_map::PAYING_GAIN * 100.0
        ),
    }
}

/// The cold starts per function and memory size.
fn cold_start_table(summary: &Summary) -> Table {
    let number = |value: Option<f64>| TableCell {
        text: value.map_or_else(|| "\u{2013}".to_owned(), significant),
        nan: false,
    };
    let rows = summary
        .cold_starts
        .iter()
        .map(|c| Row {
            cells: vec![
                text_cell(c.full_name()),
                number(Some(f64::from(c.memory_mb))),
                text_cell(c.count.to_string()),
                number(c.mean_init_duration_ms),
                number(c.mean_duration_ms),
                number(c.max_memory_used_mb.map(f64::from)),
            ],
            total: false,
        })
        .collect();
    Table {
        title: "Cold starts".into(),
        header: [
            "function (targets)",
            "memory (MB)",
            "cold starts",
            "Init Duration (ms)",
            "Duration (ms)",
            "Max Memory Used (MB)",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        caption: "The first invoke after each memory update (the warm-up), on a fresh sandbox, once per round and function: the means of its REPORT line's Init Duration and Duration, the largest Max Memory Used; \u{2013} = not reported: no LogResult, or no Init Duration because the update did not change the memory (the function already had that size) and a warm sandbox answered.".into(),
    }
}

fn choice_text(choice: Option<Choice>) -> String {
    match choice {
        None => "no valid run".into(),
        Some(c) => format!(
            "{} MB ({} s, ${} per 1000)",
            c.memory_mb,
            significant(c.mean_time_s),
            significant(c.cost_usd * 1000.0)
        ),
    }
}

/// Renders the page.
pub(crate) fn report_html(summary: &Summary, charts: &[Chart]) -> Result<String, CollectorError> {
    let recommendations: Vec<_> = summary
        .recommendations
        .iter()
        .map(|r| {
            json!({
                "target": r.target,
                "fastest": choice_text(r.fastest),
                "cheapest": choice_text(r.cheapest),
                "balanced": choice_text(r.balanced),
                "score": summary.score_of(&r.target).map(|s| format!("{s:.1}")).unwrap_or_default(),
            })
        })
        .collect();
    let p = &summary.prices;
    let prices = vec![
        json!({"name": "Lambda, arm64, per GB-second", "value": format!("${}", p.gb_second_arm64)}),
        json!({"name": "Lambda, x86_64, per GB-second", "value": format!("${}", p.gb_second_x86_64)}),
        json!({"name": "Lambda, per request", "value": format!("${}", p.request)}),
        json!({"name": "S3, per GET request", "value": format!("${}", p.s3_get)}),
        json!({"name": "S3, per LIST request", "value": format!("${}", p.s3_list)}),
        json!({"name": "Region", "value": p.region}),
    ];
    let data = match (&summary.data_bucket, &summary.data_prefix) {
        (Some(b), Some(p)) => format!("s3://{b}/{p}"),
        (Some(b), None) => format!("s3://{b}/"),
        _ => String::new(),
    };
    let context = json!({
        "title": format!("Lambda memory benchmark: {}", summary.execution.name),
        "execution": summary.execution,
        "label": summary.label,
        "data": data,
        "targetsText": summary.targets.join(", "),
        "memoryText": summary.memory_sizes.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
        "rounds": summary.rounds,
        "runs": summary.runs,
        "failures": summary.failures,
        "invalid": summary.invalid,
        "notes": summary.notes,
        "recommendations": recommendations,
        "scored": !summary.scores.is_empty(),
        "balancedWeight": summary.balanced_weight,
        "panels": panels(summary, charts),
        "prices": prices,
        "pricesSource": p.source,
        "pricesAsOf": p.as_of,
    });
    let mut handlebars = Handlebars::new();
    handlebars.set_strict_mode(true);
    handlebars
        .register_template_string("report", TEMPLATE)
        .map_err(|e| CollectorError::render("report.html", e))?;
    handlebars
        .render("report", &context)
        .map_err(|e| CollectorError::render("report.html", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::comparison::{CombinedScore, Speedup, VcpuRow};
    use crate::summary::TargetScore;
    use std::collections::BTreeMap;

    fn cell(target: &str, memory_mb: u32, mean: f64) -> Cell {
        Cell {
            target: target.into(),
            memory_mb,
            runs: 1,
            ok: 1,
            mean_time_s: Some(mean),
            ..Cell::default()
        }
    }

    /// The text of the table titled `title`: from its heading to the end of the table.
    fn table<'a>(html: &'a str, title: &str) -> &'a str {
        let start = html
            .find(&format!("<h3>{title}</h3>"))
            .unwrap_or_else(|| panic!("no table {title:?}"));
        let end = html[start..].find("</table>").unwrap() + start;
        &html[start..end]
    }

    #[test]
    fn the_page_has_the_seeds_tables_split_at_3008_mb_the_vcpus_speed_ups_and_combined_score() {
        let targets = vec!["rust".to_string(), "python-sequential".to_string()];
        let grades: BTreeMap<String, f64> = SUBJECTIVE_CATEGORIES
            .iter()
            .map(|c| ((*c).to_owned(), 4.0))
            .collect();
        let summary = Summary {
            targets: targets.clone(),
            memory_sizes: vec![1024, 3008],
            cells: vec![
                cell("rust", 1024, 0.5),
                cell("rust", 3008, 0.4),
                cell("python-sequential", 1024, 20.0),
                cell("python-sequential", 3008, 19.0),
            ],
            vcpu_table: vec![
                VcpuRow {
                    memory_mb: 1024,
                    vcpus: vec![Some("1".into()), Some("2".into())],
                },
                VcpuRow {
                    memory_mb: 3008,
                    vcpus: vec![Some("1-2".into()), None],
                },
            ],
            speedups: vec![Speedup {
                sequential: "python-sequential".into(),
                concurrent: "rust".into(),
                memory_mb: 1024,
                sequential_mean_s: Some(20.0),
                concurrent_mean_s: Some(0.5),
                speedup: Some(40.0),
            }],
            scores: vec![
                TargetScore {
                    target: "rust".into(),
                    score: 3.0,
                },
                TargetScore {
                    target: "python-sequential".into(),
                    score: 1.5,
                },
            ],
            subjective_scores: BTreeMap::from([("rust".to_owned(), grades)]),
            combined_scores: vec![
                CombinedScore {
                    target: "rust".into(),
                    subjective_score: Some(28.0),
                    objective_score: 3.0,
                    combined_score: Some(31.0),
                },
                CombinedScore {
                    target: "python-sequential".into(),
                    subjective_score: None,
                    objective_score: 1.5,
                    combined_score: None,
                },
            ],
            ..Summary::default()
        };
        let html = report_html(&summary, &[]).unwrap();
        let low = table(&html, "Mean time (s), low end: below 3008 MB");
        assert!(
            low.contains("<td>1024</td>") && !low.contains("<td>3008</td>"),
            "{low}"
        );
        let high = table(&html, "Mean time (s), high end: 3008 MB and up");
        assert!(
            high.contains("<td>3008</td>") && high.contains("<td>19.0</td>"),
            "{high}"
        );
        let vcpus = table(&html, "vCPUs reported by the runtime");
        assert!(vcpus.contains("<td>1-2</td><td>\u{2013}</td>"), "{vcpus}");
        let speedup = table(&html, "Speed-up over python-sequential (×)");
        assert!(speedup.contains("<td>40.0×</td>"), "{speedup}");
        let combined = table(&html, "Combined score (seed)");
        assert!(
            combined.contains(
                "<th>subjective score</th><th>objective score</th><th>combined score</th>"
            ),
            "{combined}"
        );
        assert!(
            combined.contains("<td>rust</td><td>28</td><td>3.0</td><td>31.0</td>"),
            "{combined}"
        );
        let grades = table(&html, "Subjective grades");
        assert!(grades.contains("<td>AWS SDK</td><td>4</td>"), "{grades}");

        // Without subjective scores: the objective score only; only one end: one mean table.
        let plain = Summary {
            memory_sizes: vec![1024],
            subjective_scores: BTreeMap::new(),
            combined_scores: Vec::new(),
            ..summary
        };
        let html = report_html(&plain, &[]).unwrap();
        assert!(!html.contains("Combined score") && !html.contains("Subjective grades"));
        assert!(html.contains("Objective score: points per memory size"));
        assert!(!html.contains("high end"));
    }

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(significant(35.14), "35.1");
        assert_eq!(significant(1.8734), "1.87");
        assert_eq!(significant(0.000_427_1), "0.000427");
        assert_eq!(significant(121.3), "121");
        assert_eq!(significant(0.0), "0");
    }
}
