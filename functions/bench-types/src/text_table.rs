//! A table of text cells, rendered with aligned columns for the terminal (a header line, a rule,
//! one line per row) or as Markdown. The deployer's seed-style results and the bench's cases
//! print through it.
//!
//! ```
//! use bench_types::text_table::{Align, TextTable};
//! let mut table = TextTable::new([("memory (MB)", Align::Right), ("rust", Align::Right)]);
//! table.push_row(["128", "2.000"]);
//! assert_eq!(
//!     table.render(" | "),
//!     "memory (MB) |  rust\n------------|------\n        128 | 2.000\n"
//! );
//! ```

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text: cells padded on the right.
    Left,
    /// Numbers: cells padded on the left.
    Right,
}

/// Headers, their alignment, and rows of cells (a short row leaves its last cells empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTable {
    headers: Vec<String>,
    aligns: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl TextTable {
    /// A table with these columns and no rows yet.
    pub fn new<H: Into<String>>(columns: impl IntoIterator<Item = (H, Align)>) -> Self {
        let (headers, aligns) = columns
            .into_iter()
            .map(|(header, align)| (header.into(), align))
            .unzip();
        Self {
            headers,
            aligns,
            rows: Vec::new(),
        }
    }

    /// Adds a row of cells, in column order.
    pub fn push_row<C: Into<String>>(&mut self, cells: impl IntoIterator<Item = C>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Every column as wide as its widest cell, cells joined by `separator`, and under the
    /// header a rule of dashes in which the separator's spaces are dashes too (`" | "` gives
    /// `-|-`, two spaces give one unbroken line).
    pub fn render(&self, separator: &str) -> String {
        let widths = self.widths();
        let rule_separator = separator.replace(' ', "-");
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let mut out = self.line(&self.headers, &widths, separator);
        out.push_str(&rule.join(&rule_separator));
        out.push('\n');
        for row in &self.rows {
            out.push_str(&self.line(row, &widths, separator));
        }
        out
    }

    /// The same as a Markdown table (`---:` for right-aligned columns).
    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut out = line(&self.headers);
        let rule: Vec<String> = self
            .aligns
            .iter()
            .map(|align| match align {
                Align::Left => "---".to_owned(),
                Align::Right => "---:".to_owned(),
            })
            .collect();
        out.push_str(&line(&rule));
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }

    fn widths(&self) -> Vec<usize> {
        (0..self.headers.len())
            .map(|i| {
                std::iter::once(&self.headers)
                    .chain(&self.rows)
                    .filter_map(|row| row.get(i))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    fn line(&self, cells: &[String], widths: &[usize], separator: &str) -> String {
        let padded: Vec<String> = widths
            .iter()
            .zip(&self.aligns)
            .enumerate()
            .map(|(i, (&width, align))| {
                let cell = cells.get(i).map_or("", String::as_str);
                match align {
                    Align::Left => format!("{cell:<width$}"),
                    Align::Right => format!("{cell:>width$}"),
                }
            })
            .collect();
        format!("{}\n", padded.join(separator))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> TextTable {
        let mut table = TextTable::new([("name", Align::Left), ("seconds", Align::Right)]);
        table.push_row(["rust", "0.361"]);
        table.push_row(["python ü", "12.5"]);
        table
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell() {
        assert_eq!(
            table().render("  "),
            "name      seconds\n-----------------\nrust        0.361\npython ü     12.5\n"
        );
    }

    #[test]
    fn the_rule_follows_the_separator() {
        let text = table().render(" | ");
        assert_eq!(text.lines().nth(1), Some("---------|--------"));
        let widths: Vec<usize> = text.lines().map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{text}");
    }

    #[test]
    fn short_rows_are_padded_and_markdown_marks_alignment() {
        let mut table = table();
        table.push_row(["node"]);
        assert!(table.render("  ").ends_with("node             \n"));
        assert_eq!(
            table.markdown(),
            "| name | seconds |\n| --- | ---: |\n| rust | 0.361 |\n| python ü | 12.5 |\n| node |\n"
        );
    }
}
