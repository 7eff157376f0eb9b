//! `report.html`: one self-contained page (inline CSS, the SVG charts inline, no script, no
//! external URL) with the seed-style tables (memory rows, target columns, NaN for a failed cell)
//! next to the charts. The page is filled from a handlebars template kept in this crate.

use handlebars::Handlebars;
use serde::Serialize;
use serde_json::json;

use crate::charts::Chart;
use crate::error::CollectorError;
use crate::recommend::Choice;
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
const POINTS: Format = Format {
    number: one_decimal,
    missing_is_failure: true,
    show_partial: false,
};

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
            cells.extend(summary.targets.iter().map(|t| {
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
    let mut table = seed_table(
        summary,
        "Objective score (seed)",
        "Points per memory size; the last row is the seed's objective score.",
        |c| c.score_points,
        POINTS,
    );
    let mut cells = vec![TableCell {
        text: "total".into(),
        nan: false,
    }];
    cells.extend(summary.targets.iter().map(|t| TableCell {
        text: summary.score_of(t).map(one_decimal).unwrap_or_default(),
        nan: false,
    }));
    table.rows.push(Row { cells, total: true });
    table
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
        caption: "Invalid runs reported another memory size than configured (a stale configuration) and are left out of the statistics.".into(),
    }
}

/// A row of the results: tables, and the chart that goes with them.
#[derive(Debug, Serialize)]
struct Panel {
    tables: Vec<Table>,
    charts: Vec<serde_json::Value>,
}

fn chart_json(charts: &[Chart], file_name: &str) -> Vec<serde_json::Value> {
    charts
        .iter()
        .filter(|c| c.file_name == file_name)
        .map(|c| json!({"title": c.title, "fileName": c.file_name, "svg": c.svg}))
        .collect()
}

fn panels(summary: &Summary, charts: &[Chart]) -> Vec<Panel> {
    let mut panels = vec![
        Panel {
            tables: vec![seed_table(
                summary,
                "Mean time (s)",
                "Mean of the valid rounds; NaN = no valid run (failed); \"(k of n)\" = only k of n rounds counted.",
                |c| c.mean_time_s,
                SECONDS,
            )],
            charts: chart_json(charts, "time.svg"),
        },
        Panel {
            tables: vec![seed_table(
                summary,
                "Standard deviation (s)",
                "Sample standard deviation over the valid rounds; NaN with fewer than two.",
                |c| c.std_time_s,
                PLAIN,
            )],
            charts: chart_json(charts, "stddev.svg"),
        },
        Panel {
            tables: vec![seed_table(
                summary,
                "Cost per 1000 invocations (USD)",
                "Mean over the valid rounds: Lambda compute + request + S3 requests.",
                |c| c.cost_usd.map(|usd| usd * 1000.0),
                PLAIN,
            )],
            charts: chart_json(charts, "cost.svg"),
        },
    ];
    let mut counts = Vec::new();
    if !summary.scores.is_empty() {
        counts.push(score_table(summary));
    }
    counts.push(runs_table(summary));
    counts.push(seed_table(
        summary,
        "Lambda compute per 1000 invocations (USD)",
        "The memory-dependent part of the cost: GB-seconds x the architecture's price.",
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
    panels.push(Panel {
        tables: counts,
        charts: Vec::new(),
    });
    if !summary.cold_starts.is_empty() {
        panels.push(Panel {
            tables: vec![cold_start_table(summary)],
            charts: chart_json(charts, "cold-start.svg"),
        });
    }
    panels.push(Panel {
        tables: Vec::new(),
        charts: chart_json(charts, "trend.svg"),
    });
    // The seed's figures 2 and 3, side by side under the full mean-time chart.
    let mut ends = chart_json(charts, "time-low.svg");
    ends.extend(chart_json(charts, "time-high.svg"));
    if !ends.is_empty() {
        panels.insert(
            1,
            Panel {
                tables: Vec::new(),
                charts: ends,
            },
        );
    }
    panels
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
                TableCell {
                    text: c.function.clone(),
                    nan: false,
                },
                number(Some(f64::from(c.memory_mb))),
                number(Some(c.count as f64)),
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
            "function",
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

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(significant(35.14), "35.1");
        assert_eq!(significant(1.8734), "1.87");
        assert_eq!(significant(0.000_427_1), "0.000427");
        assert_eq!(significant(121.3), "121");
        assert_eq!(significant(0.0), "0");
    }
}
