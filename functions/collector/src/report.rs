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
pub fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 9) as usize;
    format!("{value:.decimals$}")
}

fn cell_text(value: Option<f64>, cell: Option<&Cell>, show_partial: bool) -> TableCell {
    match value {
        None => TableCell {
            text: "NaN".into(),
            nan: true,
        },
        Some(v) => {
            let mut text = significant(v);
            if let Some(c) = cell.filter(|c| show_partial && c.ok < c.runs) {
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
    partial: bool,
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
                cell_text(cell.and_then(&value), cell, partial)
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
        false,
    );
    let mut cells = vec![TableCell {
        text: "total".into(),
        nan: false,
    }];
    cells.extend(summary.targets.iter().map(|t| {
        TableCell {
            text: summary
                .score_of(t)
                .map(|s| format!("{s:.1}"))
                .unwrap_or_default(),
            nan: false,
        }
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
pub fn report_html(summary: &Summary, charts: &[Chart]) -> Result<String, CollectorError> {
    let mut tables = vec![
        seed_table(
            summary,
            "Mean time (s)",
            "Mean of the valid rounds; NaN = no valid run (failed), \"(k of n)\" = only k of n rounds counted.",
            |c| c.mean_time_s,
            true,
        ),
        seed_table(summary, "Standard deviation (s)", "Sample standard deviation over the valid rounds; NaN with fewer than two.", |c| c.std_time_s, false),
        seed_table(
            summary,
            "Cost per 1000 invocations (USD)",
            "Mean over the valid rounds: Lambda compute + request + S3 requests.",
            |c| c.cost_usd.map(|usd| usd * 1000.0),
            false,
        ),
    ];
    if !summary.scores.is_empty() {
        tables.push(score_table(summary));
    }
    tables.push(runs_table(summary));
    if summary
        .cells
        .iter()
        .any(|c| c.mean_billed_duration_ms.is_some())
    {
        tables.push(seed_table(
            summary,
            "Billed duration (ms)",
            "Mean of the REPORT lines' Billed Duration.",
            |c| c.mean_billed_duration_ms,
            false,
        ));
        tables.push(seed_table(
            summary,
            "Max memory used (MB)",
            "Largest Max Memory Used of the REPORT lines.",
            |c| c.max_memory_used_mb.map(f64::from),
            false,
        ));
    }

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
    let charts: Vec<_> = charts
        .iter()
        .map(|c| json!({"title": c.title, "fileName": c.file_name, "svg": c.svg}))
        .collect();
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
        "tables": tables,
        "charts": charts,
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
