//! The charts, as the seed showed them, drawn with plotters' SVG backend: mean time per memory
//! size (one line per target, the standard deviation as error bars), standard deviation per
//! memory size, cost per memory size, and the trend over the executions of the index.
//!
//! The x axis is categorical (the memory sizes are far apart and uneven, 128 .. 10240), so points
//! sit at positions 0..n with the size as label. A target with no valid run at a size leaves a gap
//! in its line and a cross at the bottom of the time chart (the seed's NaN).

use plotters::prelude::*;

use crate::error::CollectorError;
use crate::index::Index;
use crate::scoring::HALF_POINTS_FROM_MB;
use crate::summary::Summary;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 520;
/// The column on the right that holds the legend.
const LEGEND_WIDTH: u32 = 150;

/// Distinct, print-safe colors (Okabe-Ito), cycled when there are more targets.
const COLORS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
];

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub(crate) name: String,
    /// One value per x position; `None` leaves a gap.
    pub(crate) values: Vec<Option<f64>>,
    /// Half the height of an error bar at each position, if any.
    pub(crate) spread: Vec<Option<f64>>,
    /// Positions where the target failed (drawn as a cross on the x axis).
    pub(crate) failed: Vec<bool>,
}

/// A line chart over categorical x positions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineChart {
    pub(crate) title: String,
    pub(crate) x_desc: String,
    pub(crate) y_desc: String,
    pub(crate) x_labels: Vec<String>,
    pub(crate) series: Vec<Series>,
    /// Start the y axis at zero (times) or at the smallest value (costs).
    pub(crate) y_from_zero: bool,
}

/// A named SVG chart, ready to be written as `NAME.svg` and inlined into the report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chart {
    pub(crate) file_name: String,
    pub(crate) title: String,
    pub(crate) svg: String,
}

/// All charts of one execution; the trend is drawn from `index` (this execution included).
pub(crate) fn charts(summary: &Summary, index: &Index) -> Result<Vec<Chart>, CollectorError> {
    let mut specs = vec![("time.svg", time_chart(summary))];
    // The seed's figures 2 and 3: the low and the high end on their own scales.
    let (low, high): (Vec<u32>, Vec<u32>) = summary
        .memory_sizes
        .iter()
        .partition(|&&m| m < HALF_POINTS_FROM_MB);
    if !low.is_empty() && !high.is_empty() {
        for (file_name, sizes, end) in [
            ("time-low.svg", low, "low"),
            ("time-high.svg", high, "high"),
        ] {
            let part = Summary {
                memory_sizes: sizes,
                ..summary.clone()
            };
            let mut chart = time_chart(&part);
            chart.title =
                format!("Mean time, {end} end of the memory sizes (bars: ±1 sd, ×: failed)");
            specs.push((file_name, chart));
        }
    }
    specs.push(("stddev.svg", stddev_chart(summary)));
    specs.push(("cost.svg", cost_chart(summary)));
    if !summary.cold_starts.is_empty() {
        specs.push(("cold-start.svg", cold_start_chart(summary)));
    }
    specs.push(("trend.svg", trend_chart(index)));
    specs
        .into_iter()
        .map(|(file_name, chart)| {
            Ok(Chart {
                file_name: file_name.to_string(),
                title: chart.title.clone(),
                svg: render(&chart, file_name)?,
            })
        })
        .collect()
}

fn memory_labels(summary: &Summary) -> Vec<String> {
    summary.memory_sizes.iter().map(u32::to_string).collect()
}

fn per_target(
    summary: &Summary,
    value: impl Fn(&crate::summary::Cell) -> Option<f64>,
    spread: bool,
) -> Vec<Series> {
    summary
        .targets
        .iter()
        .map(|t| {
            let cells: Vec<_> = summary
                .memory_sizes
                .iter()
                .map(|&m| summary.cell(t, m))
                .collect();
            Series {
                name: t.clone(),
                values: cells.iter().map(|c| c.and_then(&value)).collect(),
                spread: cells
                    .iter()
                    .map(|c| {
                        if spread {
                            c.and_then(|c| c.std_time_s)
                        } else {
                            None
                        }
                    })
                    .collect(),
                failed: cells
                    .iter()
                    .map(|c| c.is_some_and(|c| c.runs > 0 && c.mean_time_s.is_none()))
                    .collect(),
            }
        })
        .collect()
}

/// Mean `Init Duration` of the cold starts per memory size, one line per function.
pub(crate) fn cold_start_chart(summary: &Summary) -> LineChart {
    let mut functions: Vec<&str> = Vec::new();
    for cell in &summary.cold_starts {
        if !functions.contains(&cell.function.as_str()) {
            functions.push(&cell.function);
        }
    }
    let series = functions
        .iter()
        .map(|function| {
            let values: Vec<Option<f64>> = summary
                .memory_sizes
                .iter()
                .map(|&m| {
                    summary
                        .cold_starts
                        .iter()
                        .find(|c| c.function == *function && c.memory_mb == m)
                        .and_then(|c| c.mean_init_duration_ms)
                })
                .collect();
            Series {
                name: (*function).to_owned(),
                spread: vec![None; values.len()],
                failed: vec![false; values.len()],
                values,
            }
        })
        .collect();
    LineChart {
        title: "Cold start: mean Init Duration per memory size".into(),
        x_desc: "memory size (MB)".into(),
        y_desc: "Init Duration (ms)".into(),
        x_labels: memory_labels(summary),
        series,
        y_from_zero: true,
    }
}

pub(crate) fn time_chart(summary: &Summary) -> LineChart {
    LineChart {
        title: "Mean time per memory size (bars: ±1 standard deviation, ×: failed)".into(),
        x_desc: "memory size (MB)".into(),
        y_desc: "time (s)".into(),
        x_labels: memory_labels(summary),
        series: per_target(summary, |c| c.mean_time_s, true),
        y_from_zero: true,
    }
}

pub(crate) fn stddev_chart(summary: &Summary) -> LineChart {
    let mut series = per_target(summary, |c| c.std_time_s, false);
    series
        .iter_mut()
        .for_each(|s| s.failed.iter_mut().for_each(|f| *f = false));
    LineChart {
        title: "Standard deviation of time per memory size".into(),
        x_desc: "memory size (MB)".into(),
        y_desc: "standard deviation (s)".into(),
        x_labels: memory_labels(summary),
        series,
        y_from_zero: true,
    }
}

pub(crate) fn cost_chart(summary: &Summary) -> LineChart {
    let mut series = per_target(summary, |c| c.cost_usd.map(|usd| usd * 1000.0), false);
    series
        .iter_mut()
        .for_each(|s| s.failed.iter_mut().for_each(|f| *f = false));
    LineChart {
        title: "Cost per 1000 invocations (Lambda compute + requests + S3 requests)".into(),
        x_desc: "memory size (MB)".into(),
        y_desc: "USD per 1000 invocations".into(),
        x_labels: memory_labels(summary),
        series,
        y_from_zero: false,
    }
}

/// The fastest mean time of every target in every execution of the index, in start order.
pub(crate) fn trend_chart(index: &Index) -> LineChart {
    let mut targets: Vec<String> = Vec::new();
    for entry in &index.executions {
        for t in &entry.targets {
            if !targets.contains(&t.target) {
                targets.push(t.target.clone());
            }
        }
    }
    // "2026-11-20 06:00": scheduled reruns on one day stay apart; names when there is no time.
    let x_labels = index
        .executions
        .iter()
        .map(|e| match e.start_time.get(..16) {
            Some(minute) => minute.replacen('T', " ", 1),
            None => e.name.clone(),
        })
        .collect();
    let series = targets
        .iter()
        .map(|t| {
            let values: Vec<Option<f64>> = index
                .executions
                .iter()
                .map(|e| {
                    e.targets
                        .iter()
                        .find(|h| &h.target == t)
                        .and_then(|h| h.fastest_time_s)
                })
                .collect();
            Series {
                name: t.clone(),
                spread: vec![None; values.len()],
                failed: vec![false; values.len()],
                values,
            }
        })
        .collect();
    LineChart {
        title: "Trend over executions: fastest mean time per target".into(),
        x_desc: "execution (start time)".into(),
        y_desc: "fastest mean time (s)".into(),
        x_labels,
        series,
        y_from_zero: true,
    }
}

/// The y range: the values and their error bars, padded; a flat or empty chart gets a unit range.
fn y_range(chart: &LineChart) -> (f64, f64) {
    let mut low = f64::INFINITY;
    let mut high = f64::NEG_INFINITY;
    for s in &chart.series {
        for (v, e) in s.values.iter().zip(&s.spread) {
            if let Some(v) = v {
                let e = e.unwrap_or(0.0);
                low = low.min(v - e);
                high = high.max(v + e);
            }
        }
    }
    if !low.is_finite() || !high.is_finite() {
        return (0.0, 1.0);
    }
    if chart.y_from_zero {
        low = 0.0;
    }
    let pad = if high > low {
        (high - low) * 0.08
    } else {
        high.abs().max(1e-9) * 0.1
    };
    let low = if chart.y_from_zero {
        0.0
    } else {
        (low - pad).max(0.0)
    };
    (low, high + pad)
}

/// Draws a chart to SVG text.
pub(crate) fn render(chart: &LineChart, what: &str) -> Result<String, CollectorError> {
    let fail = |e: &dyn std::fmt::Display| CollectorError::render(what, e);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let root = root
            .titled(&chart.title, ("sans-serif", 20))
            .map_err(|e| fail(&e))?;
        // The legend gets its own column on the right, so it never hides a line.
        let (plot_area, legend_area) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        draw_legend(&legend_area, &chart.series).map_err(|e| fail(&e))?;
        let n = chart.x_labels.len().max(1);
        let (y_low, y_high) = y_range(chart);
        let mut ctx = ChartBuilder::on(&plot_area)
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y_low..y_high)
            .map_err(|e| fail(&e))?;
        let labels = &chart.x_labels;
        // Show every k-th label when there are many positions (long trends).
        let every = labels.len().div_ceil(16).max(1);
        let x_formatter = |x: &f64| -> String {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            let i = i as usize;
            if !i.is_multiple_of(every) {
                return String::new();
            }
            labels.get(i).cloned().unwrap_or_default()
        };
        let decimals = label_decimals(y_high - y_low);
        let y_formatter = |y: &f64| format!("{y:.decimals$}");
        ctx.configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .y_labels(8)
            .max_light_lines(0)
            .bold_line_style(RGBColor(225, 225, 225))
            .x_label_formatter(&x_formatter)
            .y_label_formatter(&y_formatter)
            .x_desc(&chart.x_desc)
            .y_desc(&chart.y_desc)
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(|e| fail(&e))?;

        let count = chart.series.len();
        let has_bars = chart
            .series
            .iter()
            .any(|s| s.spread.iter().any(Option::is_some));
        for (i, series) in chart.series.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            // Spread the series a little along x so their error bars do not hide each other.
            let offset = if count > 1 && has_bars {
                (i as f64 - (count - 1) as f64 / 2.0) * (0.24 / count as f64)
            } else {
                0.0
            };
            for segment in segments(&series.values, offset) {
                ctx.draw_series(LineSeries::new(segment, color.stroke_width(2)))
                    .map_err(|e| fail(&e))?;
            }
            for (x, (v, e)) in series.values.iter().zip(&series.spread).enumerate() {
                if let (Some(v), Some(e)) = (v, e) {
                    let x = x as f64 + offset;
                    let cap = 0.06;
                    let bars = [
                        vec![(x, v - e), (x, v + e)],
                        vec![(x - cap, v - e), (x + cap, v - e)],
                        vec![(x - cap, v + e), (x + cap, v + e)],
                    ];
                    ctx.draw_series(
                        bars.into_iter()
                            .map(|p| PathElement::new(p, color.stroke_width(1))),
                    )
                    .map_err(|e| fail(&e))?;
                }
            }
            let crosses: Vec<(f64, f64)> = series
                .failed
                .iter()
                .enumerate()
                .filter(|(_, failed)| **failed)
                .map(|(x, _)| (x as f64 + offset, y_low + (y_high - y_low) * 0.025))
                .collect();
            ctx.draw_series(
                crosses
                    .into_iter()
                    .map(|p| Cross::new(p, 5, color.stroke_width(2))),
            )
            .map_err(|e| fail(&e))?;
            let points: Vec<(f64, f64)> = series
                .values
                .iter()
                .enumerate()
                .filter_map(|(x, v)| v.map(|v| (x as f64 + offset, v)))
                .collect();
            ctx.draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 4, color.filled())),
            )
            .map_err(|e| fail(&e))?;
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// The legend: a colored line and the name of each series, top down.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    series: &[Series],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let y = 40 + 24 * i as i32;
        area.draw(&PathElement::new(
            vec![(8, y), (32, y)],
            color.stroke_width(3),
        ))?;
        area.draw(&Circle::new((20, y), 4, color.filled()))?;
        area.draw(&Text::new(
            s.name.clone(),
            (40, y - 8),
            ("sans-serif", 15).into_font(),
        ))?;
    }
    Ok(())
}

/// Decimals of the y labels for a range, so that labels differ but are not noisy.
fn label_decimals(range: f64) -> usize {
    if !(range.is_finite() && range > 0.0) {
        return 2;
    }
    (1 - range.log10().floor() as i32).clamp(0, 8) as usize
}

/// The runs of consecutive present values, as points.
fn segments(values: &[Option<f64>], offset: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (x, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((x as f64 + offset, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(series: Vec<Series>) -> LineChart {
        LineChart {
            title: "t <&> \"q\"".into(),
            x_desc: "memory size (MB)".into(),
            y_desc: "time (s)".into(),
            x_labels: vec!["128".into(), "256".into(), "512".into()],
            series,
            y_from_zero: true,
        }
    }

    fn series(name: &str, values: Vec<Option<f64>>) -> Series {
        let n = values.len();
        Series {
            name: name.into(),
            values,
            spread: vec![Some(0.1); n],
            failed: vec![false; n],
        }
    }

    #[test]
    fn a_chart_is_well_formed_svg_with_labels_and_legend() {
        let svg = render(
            &chart(vec![
                series("rust", vec![Some(1.0), None, Some(0.5)]),
                series("c<++>", vec![None; 3]),
            ]),
            "t",
        )
        .unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(|t| t.trim().to_owned())
            .collect();
        for expected in [
            "128",
            "256",
            "512",
            "rust",
            "c<++>",
            "time (s)",
            "memory size (MB)",
        ] {
            assert!(
                texts.iter().any(|t| t == expected),
                "no label {expected:?} in {texts:?}"
            );
        }
    }

    #[test]
    fn gaps_split_a_line() {
        assert_eq!(
            segments(&[Some(1.0), None, Some(2.0), Some(3.0)], 0.0),
            vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]
        );
        assert!(segments(&[None, None], 0.0).is_empty());
    }

    #[test]
    fn ranges_cover_error_bars_and_survive_empty_charts() {
        let (low, high) = y_range(&chart(vec![series("a", vec![Some(1.0), Some(2.0), None])]));
        assert_eq!(low, 0.0);
        assert!(high >= 2.1, "{high}");
        assert_eq!(
            y_range(&chart(vec![series("a", vec![None, None, None])])),
            (0.0, 1.0)
        );
        let svg = render(&chart(vec![]), "empty").unwrap();
        roxmltree::Document::parse(&svg).unwrap();
    }
}
