//! A heatmap as SVG text: memory sizes as rows, concurrency values as columns, each cell
//! coloured by its value on a log scale (viridis: dark is low, bright is high) and labelled
//! with it; a frame marks each row's best cell. Plain SVG, so the report inlines it as it does
//! the other charts.

use std::fmt::Write;

/// One heatmap's content.
#[derive(Debug, Clone)]
pub(crate) struct Heatmap {
    pub(crate) title: String,
    /// What the rows are, e.g. `memory (MB)`.
    pub(crate) row_desc: String,
    /// What the columns are, e.g. `concurrency`.
    pub(crate) column_desc: String,
    pub(crate) row_labels: Vec<String>,
    pub(crate) column_labels: Vec<String>,
    /// `[row][column]`; `None` is an empty (grey) cell.
    pub(crate) values: Vec<Vec<Option<f64>>>,
    /// Per row, the column of its framed best cell.
    pub(crate) best: Vec<Option<usize>>,
    /// Formats a value for its cell.
    pub(crate) label: fn(f64) -> String,
}

/// Viridis at five stops, low to high.
const RAMP: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];
const LEFT: usize = 120;
const TOP: usize = 64;
const CELL_HEIGHT: usize = 34;
const MAX_WIDTH: usize = 960;

/// The colour of `t` in 0..=1 along [`RAMP`].
fn colour(t: f64) -> (u8, u8, u8) {
    let t = t.clamp(0.0, 1.0) * (RAMP.len() - 1) as f64;
    let i = (t.floor() as usize).min(RAMP.len() - 2);
    let f = t - i as f64;
    let (a, b) = (RAMP[i], RAMP[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The heatmap as a standalone SVG document.
pub(crate) fn render_heatmap(map: &Heatmap) -> String {
    let columns = map.column_labels.len().max(1);
    let cell_width = ((MAX_WIDTH - LEFT - 20) / columns).clamp(56, 120);
    let width = LEFT + cell_width * columns + 20;
    let height = TOP + CELL_HEIGHT * map.row_labels.len() + 44;
    let present: Vec<f64> = map
        .values
        .iter()
        .flatten()
        .flatten()
        .copied()
        .filter(|v| *v > 0.0 && v.is_finite())
        .collect();
    let (low, high) = present
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let scale = |v: f64| {
        if high > low && v > 0.0 {
            (v.ln() - low.ln()) / (high.ln() - low.ln())
        } else {
            0.0
        }
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#
    );
    let _ = write!(
        svg,
        r#"<rect width="{width}" height="{height}" fill="white"/><text x="{}" y="22" font-size="16" text-anchor="middle">{}</text>"#,
        width / 2,
        escape(&map.title)
    );
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" font-size="13" text-anchor="middle">{}</text>"#,
        LEFT + cell_width * columns / 2,
        TOP - 26,
        escape(&map.column_desc)
    );
    for (c, label) in map.column_labels.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="13" text-anchor="middle">{}</text>"#,
            LEFT + c * cell_width + cell_width / 2,
            TOP - 8,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="14" y="{}" font-size="13" text-anchor="middle" transform="rotate(-90 14 {})">{}</text>"#,
        TOP + CELL_HEIGHT * map.row_labels.len() / 2,
        TOP + CELL_HEIGHT * map.row_labels.len() / 2,
        escape(&map.row_desc)
    );
    for (r, label) in map.row_labels.iter().enumerate() {
        let y = TOP + r * CELL_HEIGHT;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="13" text-anchor="end">{}</text>"#,
            LEFT - 8,
            y + CELL_HEIGHT / 2 + 5,
            escape(label)
        );
        for c in 0..map.column_labels.len() {
            let x = LEFT + c * cell_width;
            let value = map
                .values
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .flatten();
            let (fill, text, ink) = match value {
                Some(v) => {
                    let (red, green, blue) = colour(scale(v));
                    let light =
                        f64::from(red) * 0.299 + f64::from(green) * 0.587 + f64::from(blue) * 0.114
                            > 140.0;
                    (
                        format!("rgb({red},{green},{blue})"),
                        (map.label)(v),
                        if light { "black" } else { "white" },
                    )
                }
                None => ("rgb(225,225,225)".to_owned(), "NaN".to_owned(), "black"),
            };
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{y}" width="{cell_width}" height="{CELL_HEIGHT}" fill="{fill}" stroke="white"/><text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{ink}">{}</text>"#,
                x + cell_width / 2,
                y + CELL_HEIGHT / 2 + 4,
                escape(&text)
            );
        }
        if let Some(c) = map.best.get(r).copied().flatten() {
            let _ = write!(
                svg,
                r#"<rect class="best" x="{}" y="{}" width="{}" height="{}" fill="none" stroke="black" stroke-width="3"/>"#,
                LEFT + c * cell_width + 2,
                y + 2,
                cell_width - 4,
                CELL_HEIGHT - 4
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text x="{LEFT}" y="{}" font-size="12">framed: the best fixed concurrency of the row; colour: log scale, dark = low</text></svg>"#,
        height - 14
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_is_labelled_and_the_best_framed() {
        let map = Heatmap {
            title: "rust: mean time (s)".into(),
            row_desc: "memory (MB)".into(),
            column_desc: "concurrency".into(),
            row_labels: vec!["256".into(), "1024".into()],
            column_labels: vec!["8".into(), "64".into(), "auto".into()],
            values: vec![
                vec![Some(1.0), Some(2.0), None],
                vec![Some(0.5), Some(0.25), Some(0.3)],
            ],
            best: vec![Some(0), Some(1)],
            label: |v| format!("{v:.2}"),
        };
        let svg = render_heatmap(&map);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        for text in [
            "1.00", "2.00", "NaN", "0.50", "0.25", "0.30", "auto", "1024",
        ] {
            assert!(svg.contains(&format!(">{text}</text>")), "{text} in {svg}");
        }
        assert_eq!(svg.matches(r#"class="best""#).count(), 2);
        // The lowest value is the ramp's dark end, the highest its bright end.
        assert!(svg.contains("fill=\"rgb(68,1,84)\""), "{svg}");
        assert!(svg.contains("fill=\"rgb(253,231,37)\""), "{svg}");
    }
}
