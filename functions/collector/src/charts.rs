//! The charts, as the seed showed them, drawn with plotters' SVG backend: mean time per memory
//! size (one line per target, the standard deviation as error bars), standard deviation per
//! memory size, cost per memory size, and the trend over the executions of the index.
//!
//! The x axis is categorical (the memory sizes are far apart and uneven, 128 .. 10240), so points
//! sit at positions 0..n with the size as label. A target with no valid run at a size leaves a gap
//! in its line and a cross at the bottom of the time chart (the seed's NaN).

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::cold_starts::ColdStartCell;
use crate::error::CollectorError;
use crate::heatmap::{render_heatmap, Heatmap};
use crate::index::Index;
use crate::scoring::HALF_POINTS_FROM_MB;
use crate::summary::Summary;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 520;

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
    if !summary.speedups.is_empty() {
        specs.push(("speedup.svg", speedup_chart(summary)));
    }
    specs.push(("cost.svg", cost_chart(summary)));
    if !summary.cold_starts.is_empty() {
        specs.push(("cold-start.svg", cold_start_chart(summary)));
    }
    specs.push(("trend.svg", trend_chart(index)));
    let mut charts = specs
        .into_iter()
        .map(|(file_name, chart)| {
            Ok(Chart {
                file_name: file_name.to_string(),
                title: chart.title.clone(),
                svg: render(&chart, file_name)?,
            })
        })
        .collect::<Result<Vec<_>, CollectorError>>()?;
    charts.extend(concurrency_heatmaps(summary));
    Ok(charts)
}

/// The file names of a swept target's heatmaps: mean time, then cost.
pub(crate) fn heatmap_files(target: &str) -> [String; 2] {
    [
        format!("concurrency-time-{target}.svg"),
        format!("concurrency-cost-{target}.svg"),
    ]
}

/// Per swept target, its time and cost over memory size x concurrency.
fn concurrency_heatmaps(summary: &Summary) -> Vec<Chart> {
    let mut charts = Vec::new();
    for map in &summary.concurrency_maps {
        let [time_file, cost_file] = heatmap_files(&map.target);
        let column_labels: Vec<String> =
            map.concurrencies.iter().map(ToString::to_string).collect();
        let column_of = |value: Option<u32>| {
            value.and_then(|v| map.concurrencies.iter().position(|c| c.fixed() == Some(v)))
        };
        let heatmap = |title: String,
                       values: &[Vec<Option<f64>>],
                       best: Vec<Option<usize>>,
                       label: fn(f64) -> String| Heatmap {
            title,
            row_desc: "memory (MB)".into(),
            column_desc: "concurrency (objects in flight)".into(),
            row_labels: memory_labels(summary),
            column_labels: column_labels.clone(),
            values: values.to_vec(),
            best,
            label,
        };
        let time = heatmap(
            format!(
                "{}: mean time (s) by memory size and concurrency",
                map.target
            ),
            &map.mean_time_s,
            map.best.iter().map(|b| column_of(b.fastest)).collect(),
            crate::report::significant,
        );
        let per_thousand: Vec<Vec<Option<f64>>> = map
            .cost_usd
            .iter()
            .map(|row| row.iter().map(|v| v.map(|usd| usd * 1000.0)).collect())
            .collect();
        let cost = heatmap(
            format!(
                "{}: cost per 1000 invocations (USD) by memory size and concurrency",
                map.target
            ),
            &per_thousand,
            map.best.iter().map(|b| column_of(b.cheapest)).collect(),
            crate::report::significant,
        );
        for (file_name, heatmap) in [(time_file, time), (cost_file, cost)] {
            charts.push(Chart {
                title: heatmap.title.clone(),
                svg: render_heatmap(&heatmap),
                file_name,
            });
        }
    }
    charts
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
    let mut functions: Vec<&ColdStartCell> = Vec::new();
    for cell in &summary.cold_starts {
        if !functions.iter().any(|f| f.function == cell.function) {
            functions.push(cell);
        }
    }
    let series = functions
        .iter()
        .map(|first| {
            let values: Vec<Option<f64>> = summary
                .memory_sizes
                .iter()
                .map(|&m| {
                    summary
                        .cold_starts
                        .iter()
                        .find(|c| c.function == first.function && c.memory_mb == m)
                        .and_then(|c| c.mean_init_duration_ms)
                })
                .collect();
            Series {
                name: first.series_name().to_owned(),
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

/// The seed's Figure 6: how many times faster each concurrent target was than each sequential
/// one, per memory size. With one sequential target a line is named after the concurrent one.
pub(crate) fn speedup_chart(summary: &Summary) -> LineChart {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for s in &summary.speedups {
        if !pairs.contains(&(s.sequential.as_str(), s.concurrent.as_str())) {
            pairs.push((&s.sequential, &s.concurrent));
        }
    }
    let sequentials: Vec<&str> = pairs.iter().map(|p| p.0).fold(Vec::new(), |mut v, s| {
        if !v.contains(&s) {
            v.push(s);
        }
        v
    });
    let series = pairs
        .iter()
        .map(|&(sequential, concurrent)| {
            let values: Vec<Option<f64>> = summary
                .memory_sizes
                .iter()
                .map(|&m| {
                    summary
                        .speedups
                        .iter()
                        .find(|s| {
                            s.sequential == sequential
                                && s.concurrent == concurrent
                                && s.memory_mb == m
                        })
                        .and_then(|s| s.speedup)
                })
                .collect();
            Series {
                name: match sequentials.len() {
                    1 => concurrent.to_owned(),
                    _ => format!("{concurrent} / {sequential}"),
                },
                spread: vec![None; values.len()],
                failed: vec![false; values.len()],
                values,
            }
        })
        .collect();
    let title = match sequentials.as_slice() {
        [one] => format!("Speed-up over sequential: {one}'s mean time / each concurrent target's"),
        _ => "Speed-up over sequential: sequential mean time / concurrent mean time".to_string(),
    };
    LineChart {
        title,
        x_desc: "memory size (MB)".into(),
        y_desc: "speed-up (×)".into(),
        x_labels: memory_labels(summary),
        series,
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

/// How the y axis maps values: linear, or log10 when the values span a decade or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    Linear,
    Log,
}

/// A chart's values span at least this ratio (largest / smallest) before its y axis turns
/// logarithmic: below it a linear axis reads better (the smallest value still has a fifth of the
/// height); above it the fast targets would lie flat on the axis under a slow one.
pub(crate) const LOG_FROM_RATIO: f64 = 5.0;

/// The y axis of a chart: its scale, its range and ticks in plot coordinates (log10 of the value
/// on a log axis), and the light grid lines between the ticks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct YAxis {
    pub(crate) scale: Scale,
    pub(crate) low: f64,
    pub(crate) high: f64,
    pub(crate) ticks: Vec<f64>,
    pub(crate) minor: Vec<f64>,
}

impl YAxis {
    /// Where a value sits on the axis; `None` for a value a log axis cannot show (<= 0).
    pub(crate) fn to_plot(&self, value: f64) -> Option<f64> {
        match self.scale {
            Scale::Linear => Some(value),
            Scale::Log => (value > 0.0).then(|| value.log10()),
        }
    }

    /// The label of a tick at plot coordinate `y`.
    pub(crate) fn label(&self, y: f64) -> String {
        match self.scale {
            Scale::Linear => {
                let step = match self.ticks.as_slice() {
                    [a, b, ..] => b - a,
                    _ => self.high - self.low,
                };
                plain_number(y, step)
            }
            Scale::Log => {
                let value = 10f64.powf(y);
                plain_number(value, value)
            }
        }
    }
}

/// A number with as many decimals as `step` needs (`0.05` → 2), without trailing zeros.
fn plain_number(value: f64, step: f64) -> String {
    let decimals = if step.is_finite() && step > 0.0 {
        (-(step.log10() + 1e-9).floor()).clamp(0.0, 9.0) as usize
    } else {
        2
    };
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The values a chart draws (the error bars' ends included), as (low, high) of each point.
fn extents(chart: &LineChart) -> Vec<(f64, f64)> {
    chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().zip(&s.spread))
        .filter_map(|(v, e)| v.map(|v| (v, e.unwrap_or(0.0))))
        .filter(|(v, e)| v.is_finite() && e.is_finite())
        .map(|(v, e)| (v - e, v + e))
        .collect()
}

/// The scale a chart reads best on: log when every value is positive and the largest is at
/// least [`LOG_FROM_RATIO`] times the smallest.
pub(crate) fn scale_of(chart: &LineChart) -> Scale {
    let values: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .collect();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if min > 0.0 && max / min >= LOG_FROM_RATIO {
        Scale::Log
    } else {
        Scale::Linear
    }
}

/// The y axis: the values and their error bars, padded; a flat or empty chart gets a unit range.
pub(crate) fn y_axis(chart: &LineChart) -> YAxis {
    match scale_of(chart) {
        Scale::Linear => linear_axis(chart),
        Scale::Log => log_axis(chart),
    }
}

fn linear_axis(chart: &LineChart) -> YAxis {
    let points = extents(chart);
    let (mut low, mut high) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(a, b)| {
            (lo.min(a), hi.max(b))
        });
    if !low.is_finite() || !high.is_finite() {
        (low, high) = (0.0, 1.0);
    } else {
        if chart.y_from_zero {
            low = 0.0;
        }
        let pad = if high > low {
            (high - low) * 0.08
        } else {
            high.abs().max(1e-9) * 0.1
        };
        low = if chart.y_from_zero {
            0.0
        } else {
            (low - pad).max(0.0)
        };
        high += pad;
    }
    let step = nice_step((high - low) / 7.0);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    let ticks = (first..=last).map(|k| k as f64 * step).collect();
    YAxis {
        scale: Scale::Linear,
        low,
        high,
        ticks,
        minor: Vec::new(),
    }
}

/// The smallest of 1, 2, 5 x 10^k at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

fn log_axis(chart: &LineChart) -> YAxis {
    let points = extents(chart);
    let smallest = points
        .iter()
        .map(|&(lo, hi)| if lo > 0.0 { lo } else { (lo + hi) / 2.0 })
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let largest = points
        .iter()
        .map(|&(_, hi)| hi)
        .fold(f64::NEG_INFINITY, f64::max);
    let (low, high) = (smallest.log10(), largest.log10());
    let pad = (high - low).max(0.1) * 0.06;
    let (low, high) = (low - pad, high + pad);
    let ticks = log_ticks(low, high);
    let minor = log_minor(low, high)
        .into_iter()
        .filter(|m| !ticks.iter().any(|t| (t - m).abs() < 1e-9))
        .collect();
    YAxis {
        scale: Scale::Log,
        low,
        high,
        ticks,
        minor,
    }
}

/// The values `m x 10^k` for `m` in `mantissas` between `10^low` and `10^high`, as log10.
fn log_points(low: f64, high: f64, mantissas: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    for exponent in (low.floor() as i32 - 1)..=(high.ceil() as i32) {
        for m in mantissas {
            let y = (m * 10f64.powi(exponent)).log10();
            if y >= low - 1e-9 && y <= high + 1e-9 {
                out.push(y);
            }
        }
    }
    out
}

/// Labelled ticks of a log axis: 1, 2, 5 x 10^k (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, ...); when the
/// range holds fewer than four of those, 1, 2, 3, 5 x 10^k, then every 1..9 x 10^k, so that a
/// narrow range still has labels near its ends; only the powers of ten when it spans so many
/// decades that 1-2-5 would crowd the axis.
pub(crate) fn log_ticks(low: f64, high: f64) -> Vec<f64> {
    if high - low > 4.0 {
        return log_points(low, high, &[1.0]);
    }
    for mantissas in [&[1.0, 2.0, 5.0][..], &[1.0, 2.0, 3.0, 5.0][..]] {
        let ticks = log_points(low, high, mantissas);
        if ticks.len() >= 4 {
            return ticks;
        }
    }
    log_points(low, high, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
}

/// Light grid lines of a log axis: every 1..9 x 10^k, so the eye sees the scale compress.
fn log_minor(low: f64, high: f64) -> Vec<f64> {
    if high - low > 4.0 {
        return Vec::new();
    }
    log_points(low, high, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
}

/// The marker of the i-th series: colours cycle through [`COLORS`], shapes through these, so
/// that every line of up to 56 targets has its own pair and reads without colour too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    OpenCircle,
    OpenSquare,
}

const MARKERS: [Marker; 7] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::OpenCircle,
    Marker::OpenSquare,
];

fn style_of(i: usize) -> (RGBColor, Marker) {
    (COLORS[i % COLORS.len()], MARKERS[i % MARKERS.len()])
}

/// Draws a marker centred at `at`, in the pixels of `canvas`.
fn draw_marker<DB: DrawingBackend>(
    canvas: &DrawingArea<DB, plotters::coord::Shift>,
    marker: Marker,
    at: (i32, i32),
    color: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (x, y) = at;
    let polygon = |points: &[(i32, i32)]| -> Vec<(i32, i32)> {
        points.iter().map(|(dx, dy)| (x + dx, y + dy)).collect()
    };
    match marker {
        Marker::Circle => canvas.draw(&Circle::new(at, 4, color.filled())),
        Marker::OpenCircle => canvas.draw(&Circle::new(at, 4, color.stroke_width(2))),
        Marker::Square => canvas.draw(&Polygon::new(
            polygon(&[(-4, -4), (4, -4), (4, 4), (-4, 4)]),
            color.filled(),
        )),
        Marker::OpenSquare => canvas.draw(&PathElement::new(
            polygon(&[(-4, -4), (4, -4), (4, 4), (-4, 4), (-4, -4)]),
            color.stroke_width(2),
        )),
        Marker::TriangleUp => canvas.draw(&Polygon::new(
            polygon(&[(0, -6), (5, 4), (-5, 4)]),
            color.filled(),
        )),
        Marker::TriangleDown => canvas.draw(&Polygon::new(
            polygon(&[(0, 6), (5, -4), (-5, -4)]),
            color.filled(),
        )),
        Marker::Diamond => canvas.draw(&Polygon::new(
            polygon(&[(0, -6), (6, 0), (0, 6), (-6, 0)]),
            color.filled(),
        )),
    }
}

/// The width of the legend column: the longest name in 17 px sans-serif, its marker and margins.
fn legend_width(series: &[Series]) -> u32 {
    let longest = series
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0) as f64;
    (56.0 + longest * 9.6).clamp(120.0, 320.0) as u32
}

/// A linear f64 range with the ticks and light grid lines of a [`YAxis`] (plotters'
/// `WithKeyPoints` over f64 cannot be used with a mesh: it has no value formatter).
#[derive(Clone)]
struct TickedRange {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
    minor: Vec<f64>,
}

impl Ranged for TickedRange {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// Draws a chart to SVG text.
pub(crate) fn render(chart: &LineChart, what: &str) -> Result<String, CollectorError> {
    let fail = |e: &dyn std::fmt::Display| CollectorError::render(what, e);
    let mut svg = String::new();
    {
        let canvas = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        canvas.fill(&WHITE).map_err(|e| fail(&e))?;
        let root = canvas
            .titled(&chart.title, ("sans-serif", 22))
            .map_err(|e| fail(&e))?;
        // The legend gets its own column on the right, so it never hides a line.
        let (plot_area, legend_area) = root.split_horizontally(WIDTH - legend_width(&chart.series));
        draw_legend(&canvas, &legend_area, &chart.series).map_err(|e| fail(&e))?;
        let n = chart.x_labels.len().max(1);
        let axis = y_axis(chart);
        let y_desc = match axis.scale {
            Scale::Linear => chart.y_desc.clone(),
            Scale::Log => format!("{}, log scale", chart.y_desc),
        };
        let y_range = TickedRange {
            inner: (axis.low..axis.high).into(),
            ticks: axis.ticks.clone(),
            minor: axis.minor.clone(),
        };
        let mut ctx = ChartBuilder::on(&plot_area)
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y_range)
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
        let y_formatter = |y: &f64| axis.label(*y);
        ctx.configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .y_labels(axis.ticks.len().max(1))
            .x_max_light_lines(0)
            .y_max_light_lines(if axis.minor.is_empty() { 0 } else { 9 })
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .x_label_formatter(&x_formatter)
            .y_label_formatter(&y_formatter)
            .x_desc(&chart.x_desc)
            .y_desc(&y_desc)
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 17))
            .draw()
            .map_err(|e| fail(&e))?;

        let count = chart.series.len();
        let has_bars = chart
            .series
            .iter()
            .any(|s| s.spread.iter().any(Option::is_some));
        let to_plot = |v: f64| axis.to_plot(v);
        for (i, series) in chart.series.iter().enumerate() {
            let (color, marker) = style_of(i);
            // Spread the series a little along x so their error bars do not hide each other.
            let offset = if count > 1 && has_bars {
                (i as f64 - (count - 1) as f64 / 2.0) * (0.24 / count as f64)
            } else {
                0.0
            };
            let plotted: Vec<Option<f64>> =
                series.values.iter().map(|v| v.and_then(to_plot)).collect();
            for segment in segments(&plotted, offset) {
                ctx.draw_series(LineSeries::new(segment, color.stroke_width(2)))
                    .map_err(|e| fail(&e))?;
            }
            for (x, (v, e)) in series.values.iter().zip(&series.spread).enumerate() {
                if let (Some(v), Some(e)) = (v, e) {
                    let x = x as f64 + offset;
                    // A bar below zero on a log axis ends at the axis.
                    let bottom = to_plot(v - e).unwrap_or(axis.low).max(axis.low);
                    let Some(top) = to_plot(v + e) else { continue };
                    let top = top.min(axis.high);
                    let cap = 0.06;
                    let bars = [
                        vec![(x, bottom), (x, top)],
                        vec![(x - cap, bottom), (x + cap, bottom)],
                        vec![(x - cap, top), (x + cap, top)],
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
                .map(|(x, _)| (x as f64 + offset, axis.low + (axis.high - axis.low) * 0.025))
                .collect();
            ctx.draw_series(
                crosses
                    .into_iter()
                    .map(|p| Cross::new(p, 5, color.stroke_width(2))),
            )
            .map_err(|e| fail(&e))?;
            for (x, v) in plotted.iter().enumerate() {
                if let Some(v) = v {
                    let at = ctx.backend_coord(&(x as f64 + offset, *v));
                    draw_marker(&canvas, marker, at, color).map_err(|e| fail(&e))?;
                }
            }
        }
        canvas.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// The legend: each series' line, marker and name, top down, in the column on the right.
fn draw_legend<DB: DrawingBackend>(
    canvas: &DrawingArea<DB, plotters::coord::Shift>,
    area: &DrawingArea<DB, plotters::coord::Shift>,
    series: &[Series],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (left, top) = area.get_base_pixel();
    for (i, s) in series.iter().enumerate() {
        let (color, marker) = style_of(i);
        let y = 40 + 26 * i as i32;
        area.draw(&PathElement::new(
            vec![(8, y), (36, y)],
            color.stroke_width(3),
        ))?;
        draw_marker(canvas, marker, (left + 22, top + y), color)?;
        area.draw(&Text::new(
            s.name.clone(),
            (44, y - 9),
            ("sans-serif", 17).into_font(),
        ))?;
    }
    Ok(())
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
        let axis = y_axis(&chart(vec![series("a", vec![Some(1.0), Some(2.0), None])]));
        assert_eq!(axis.scale, Scale::Linear);
        assert_eq!(axis.low, 0.0);
        assert!(axis.high >= 2.1, "{}", axis.high);
        assert_eq!(axis.ticks.first(), Some(&0.0));
        let empty = y_axis(&chart(vec![series("a", vec![None, None, None])]));
        assert_eq!((empty.low, empty.high), (0.0, 1.0));
        let svg = render(&chart(vec![]), "empty").unwrap();
        roxmltree::Document::parse(&svg).unwrap();
    }

    /// The text of every `<text>` element of an SVG.
    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(|t| t.trim().to_owned())
            .collect()
    }

    #[test]
    fn targets_40_times_apart_get_a_log_axis_with_1_2_5_ticks() {
        // python-sequential ~20 s against rust ~0.5 s.
        let slow = series(
            "python-sequential",
            vec![Some(21.0), Some(20.0), Some(19.5)],
        );
        let fast = series("rust", vec![Some(0.9), Some(0.55), Some(0.5)]);
        let chart = chart(vec![slow, fast]);
        assert_eq!(scale_of(&chart), Scale::Log);
        let axis = y_axis(&chart);
        let labels: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
        assert_eq!(labels, ["0.5", "1", "2", "5", "10", "20"]);
        // Every value, error bars included, is inside the axis.
        assert!(axis.low < 0.4f64.log10() && axis.high > 21.1f64.log10());
        let svg = render(&chart, "time").unwrap();
        let texts = texts(&svg);
        assert!(
            texts.iter().any(|t| t == "time (s), log scale"),
            "{texts:?}"
        );
        for label in ["0.5", "1", "2", "5", "10", "20", "python-sequential"] {
            assert!(texts.iter().any(|t| t == label), "no {label} in {texts:?}");
        }
    }

    #[test]
    fn log_ticks_follow_1_2_5_and_fall_back_to_every_digit_or_decades() {
        let labels = |low: f64, high: f64| -> Vec<String> {
            let axis = YAxis {
                scale: Scale::Log,
                low: low.log10(),
                high: high.log10(),
                ticks: log_ticks(low.log10(), high.log10()),
                minor: Vec::new(),
            };
            axis.ticks.iter().map(|t| axis.label(*t)).collect()
        };
        assert_eq!(
            labels(0.09, 25.0),
            ["0.1", "0.2", "0.5", "1", "2", "5", "10", "20"]
        );
        // Less than a decade: 1, 2, 3, 5, or every digit, so the axis still has several labels.
        assert_eq!(labels(0.4, 3.3), ["0.5", "1", "2", "3"]);
        assert_eq!(labels(1.5, 4.5), ["2", "3", "4"]);
        // Many decades: only the powers of ten.
        assert_eq!(
            labels(0.0001, 12.0),
            ["0.0001", "0.001", "0.01", "0.1", "1", "10"]
        );
    }

    #[test]
    fn close_values_stay_on_a_linear_axis_and_zero_forbids_a_log_one() {
        let close = chart(vec![series("a", vec![Some(1.5), Some(6.3), Some(3.0)])]);
        assert_eq!(scale_of(&close), Scale::Linear);
        let with_zero = chart(vec![series("a", vec![Some(0.0), Some(60.0), Some(3.0)])]);
        assert_eq!(scale_of(&with_zero), Scale::Linear);
        let axis = y_axis(&close);
        let labels: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
        assert_eq!(labels, ["0", "1", "2", "3", "4", "5", "6"]);
    }

    #[test]
    fn five_targets_get_five_colour_and_marker_pairs_and_a_legend_wide_enough() {
        let pairs: Vec<_> = (0..5).map(style_of).collect();
        for (i, a) in pairs.iter().enumerate() {
            for b in &pairs[i + 1..] {
                assert!(a.0 != b.0 && a.1 != b.1, "{a:?} {b:?}");
            }
        }
        let names = ["rust", "rust-direct", "python", "node", "python-sequential"];
        let series: Vec<Series> = names
            .iter()
            .map(|n| series(n, vec![Some(1.0), Some(2.0), Some(3.0)]))
            .collect();
        // 17 characters at ~9.6 px each (17 px sans-serif), the marker and margins.
        assert!(
            legend_width(&series) >= 44 + 17 * 9,
            "{}",
            legend_width(&series)
        );
    }
}
