//! The chart: median wall time against concurrency, one line per reader and the lower bound
//! dashed, one panel per CPU setting (sequential drawn at C = 1). Both axes are logarithmic:
//! sequential runs take N x L while concurrent ones take a few rounds of L. A `concurrency:
//! "auto"` case has no C to stand at: it is a dotted horizontal line at its median wall, across
//! the panel, in its reader's colour (`rust auto`), so that it reads against every fixed C.

use std::path::Path;

use bench_types::Concurrency;
use plotters::prelude::*;

use crate::lower_bound::lower_bound_s;
use crate::readers::ReaderKind;
use crate::results::CaseResult;

/// `chart.svg` could not be drawn or written (a full disk, an unwritable folder); the message is
/// the plotting library's.
#[derive(Debug, thiserror::Error)]
#[error("could not draw the chart {path}: {message}")]
pub struct ChartError {
    path: String,
    message: String,
}

/// What the chart needs beside the cases.
#[derive(Debug, Clone)]
pub(crate) struct ChartInput<'a> {
    pub(crate) cases: &'a [CaseResult],
    /// The CPU settings, one panel each.
    pub(crate) settings: &'a [f64],
    /// Objects read per run, for the lower bound.
    pub(crate) objects: u64,
    /// The server's latency per request, in seconds.
    pub(crate) latency_s: f64,
    /// The list time of the lower bound, in seconds.
    pub(crate) list_s: f64,
    pub(crate) title: String,
}

fn color(reader: ReaderKind) -> RGBColor {
    match reader {
        ReaderKind::Rust => RGBColor(0xb7, 0x41, 0x0e),
        ReaderKind::RustSdk => RGBColor(0xe8, 0x8a, 0x3c),
        ReaderKind::Python => RGBColor(0x30, 0x69, 0x98),
        ReaderKind::Node => RGBColor(0x3c, 0x87, 0x3a),
    }
}

/// The (C, wall) points of `reader` at `cpus`, by C; fixed concurrencies only.
fn series(cases: &[CaseResult], cpus: f64, reader: ReaderKind) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = cases
        .iter()
        .filter(|c| c.cpus == cpus && c.reader == reader)
        .filter_map(|c| Some((f64::from(c.concurrency.fixed()?), c.wall_s?)))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points
}

/// The median wall of `reader`'s `auto` case at `cpus`, if it ran and counted.
fn auto_wall(cases: &[CaseResult], cpus: f64, reader: ReaderKind) -> Option<f64> {
    cases
        .iter()
        .find(|c| c.cpus == cpus && c.reader == reader && c.concurrency == Concurrency::Auto)
        .and_then(|c| c.wall_s)
}

/// Writes the SVG to `path`.
pub(crate) fn draw(path: &Path, input: &ChartInput<'_>) -> Result<(), ChartError> {
    let err = |e: &dyn std::fmt::Display| ChartError {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let panels = input.settings.len().max(1);
    let size = (520 * panels as u32, 420);
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root
        .titled(&input.title, ("sans-serif", 18))
        .map_err(|e| err(&e))?;

    let max_c = input
        .cases
        .iter()
        .filter_map(|c| c.concurrency.fixed())
        .map(f64::from)
        .fold(2.0, f64::max);
    let walls: Vec<f64> = input.cases.iter().filter_map(|c| c.wall_s).collect();
    let bound_min = lower_bound_s(input.list_s, input.objects, max_c as u32, input.latency_s);
    let y_min = walls.iter().copied().fold(bound_min, f64::min).max(1e-3) * 0.8;
    let y_max = walls.iter().copied().fold(y_min * 2.0, f64::max) * 1.25;

    for (area, &cpus) in root.split_evenly((1, panels)).iter().zip(input.settings) {
        let caption = if cpus == 0.0 {
            "no CPU quota".to_owned()
        } else {
            format!("{cpus} CPU")
        };
        let mut cs: Vec<f64> = input
            .cases
            .iter()
            .filter(|c| c.cpus == cpus)
            .filter_map(|c| c.concurrency.fixed())
            .map(f64::from)
            .collect();
        cs.sort_by(f64::total_cmp);
        cs.dedup();
        let x_range = (0.8f64, max_c * 1.25);
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(
                (x_range.0..x_range.1)
                    .log_scale()
                    .with_key_points(cs.clone()),
                (y_min..y_max).log_scale(),
            )
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(0xf2, 0xf2, 0xf2))
            .x_desc("concurrency C (1 = sequential)")
            .y_desc("wall s (median)")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.2}"))
            .draw()
            .map_err(|e| err(&e))?;

        let bound: Vec<(f64, f64)> = cs
            .iter()
            .map(|&c| {
                (
                    c,
                    lower_bound_s(input.list_s, input.objects, c as u32, input.latency_s),
                )
            })
            .collect();
        chart
            .draw_series(DashedLineSeries::new(bound, 6, 4, BLACK.stroke_width(1)))
            .map_err(|e| err(&e))?
            .label("lower bound")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK));

        for reader in ReaderKind::ALL {
            let points = series(input.cases, cpus, reader);
            if points.is_empty() {
                continue;
            }
            let style = color(reader).stroke_width(2);
            chart
                .draw_series(LineSeries::new(points.clone(), style))
                .map_err(|e| err(&e))?
                .label(reader.name())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, color(reader).filled())),
                )
                .map_err(|e| err(&e))?;
        }
        for reader in ReaderKind::ALL {
            let Some(wall) = auto_wall(input.cases, cpus, reader) else {
                continue;
            };
            let style = color(reader).stroke_width(2);
            let across = [(x_range.0, wall), (x_range.1, wall)];
            chart
                .draw_series(DashedLineSeries::new(across, 2, 4, style))
                .map_err(|e| err(&e))?
                .label(format!("{reader} auto"))
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (3, 0)], style)
                        + PathElement::new(vec![(7, 0), (10, 0)], style)
                        + PathElement::new(vec![(14, 0), (16, 0)], style)
                });
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bench_types::ReadMode;

    fn case(cpus: f64, reader: ReaderKind, c: u32, wall: f64) -> CaseResult {
        CaseResult {
            cpus,
            reader,
            mode: if c == 1 {
                ReadMode::Sequential
            } else {
                ReadMode::Concurrent
            },
            concurrency: Concurrency::Fixed(c),
            samples: vec![],
            ok_runs: 1,
            wall_s: Some(wall),
            wall_min_s: Some(wall),
            wall_max_s: Some(wall),
            process_wall_s: None,
            lower_bound_s: None,
            bound_ratio: None,
            cpu_ms_per_object: None,
            net_cpu_ms_per_object: None,
            peak_rss_mib: None,
            connections: None,
            handshakes: None,
            init_ms: None,
            cpu_floor_ratio: None,
            rust_wall_ratio: None,
            auto_limits: None,
        }
    }

    #[test]
    fn draws_a_panel_per_setting_and_a_line_per_reader() -> Result<(), Box<dyn std::error::Error>> {
        let mut cases = Vec::new();
        for cpus in [0.58, 1.0] {
            for (reader, k) in [
                (ReaderKind::Rust, 1.0),
                (ReaderKind::Python, 3.0),
                (ReaderKind::Node, 2.0),
            ] {
                cases.push(case(cpus, reader, 1, 20.0 * k));
                for c in [16, 64, 256] {
                    cases.push(case(cpus, reader, c, k * 20.0 / f64::from(c)));
                }
            }
            // Rust's auto case: a line across the panel, not a point at some C.
            let mut auto = case(cpus, ReaderKind::Rust, 64, 0.35);
            auto.concurrency = Concurrency::Auto;
            cases.push(auto);
        }
        assert_eq!(
            series(&cases, 1.0, ReaderKind::Rust).len(),
            4,
            "1, 16, 64, 256"
        );
        assert_eq!(auto_wall(&cases, 1.0, ReaderKind::Rust), Some(0.35));
        assert_eq!(auto_wall(&cases, 1.0, ReaderKind::Python), None);
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("chart.svg");
        draw(
            &path,
            &ChartInput {
                cases: &cases,
                settings: &[0.58, 1.0],
                objects: 1000,
                latency_s: 0.02,
                list_s: 0.03,
                title: "test".into(),
            },
        )?;
        let svg = std::fs::read_to_string(&path)?;
        let doc = roxmltree::Document::parse(&svg)?;
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
            .collect();
        for label in [
            "0.58 CPU",
            "1 CPU",
            "rust",
            "python",
            "node",
            "lower bound",
            "rust auto",
        ] {
            assert!(
                texts.iter().any(|t| t == label),
                "no {label:?} in {texts:?}"
            );
        }
        // One polyline per reader per panel, plus the legend samples.
        let polylines = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .count();
        assert!(polylines >= 6, "{polylines} polylines");
        Ok(())
    }
}
