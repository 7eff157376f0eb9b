//! The results as a table: aligned text for the terminal, Markdown for the README; and the
//! transport line (HTTPS or HTTP, the whole run's connections and TLS handshakes).

use bench_types::text_table::{Align, TextTable};
use bench_types::ReadMode;

use crate::results::{CaseResult, Goal, Transport};

/// The columns: what the case is, left-aligned; its figures, right-aligned.
const COLUMNS: [(&str, Align); 14] = [
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
    ("TLS hs", Align::Right),
    ("init ms", Align::Right),
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
        handshakes(c.handshakes),
        num(c.init_ms, 1),
        num(c.rust_wall_ratio, 2),
    ]
}

/// Full handshakes per run, `+Nr` for resumed ones.
fn handshakes(h: Option<crate::results::HandshakeMedians>) -> String {
    match h {
        None => "-".to_owned(),
        Some(h) if h.resumed > 0.0 => format!("{:.0}+{:.0}r", h.full, h.resumed),
        Some(h) => format!("{:.0}", h.full),
    }
}

/// Each reader at its fastest concurrency, per CPU setting: what the `--lambda-sizes` sweep is
/// for (Lambda memory, wall, CPU per object, its CPU floor, handshakes, RSS, init).
const BEST_COLUMNS: [(&str, Align); 11] = [
    ("MB", Align::Right),
    ("CPUs", Align::Left),
    ("reader", Align::Left),
    ("best C", Align::Right),
    ("wall s", Align::Right),
    ("CPU ms/obj", Align::Right),
    ("wall/CPU floor", Align::Right),
    ("TLS hs", Align::Right),
    ("RSS MiB", Align::Right),
    ("init ms", Align::Right),
    ("rust/this", Align::Right),
];

fn best_table(cases: &[CaseResult]) -> TextTable {
    let mut table = TextTable::new(BEST_COLUMNS);
    let best = crate::results::best_cases(cases);
    for c in &best {
        let rust_best = best
            .iter()
            .find(|r| r.cpus == c.cpus && r.reader == crate::readers::ReaderKind::Rust)
            .and_then(|r| r.wall_s);
        table.push_row(vec![
            if c.cpus > 0.0 {
                crate::readers::memory_for_cpus(c.cpus).to_string()
            } else {
                "-".into()
            },
            format!("{}", c.cpus),
            c.reader.to_string(),
            c.concurrency.to_string(),
            num(c.wall_s, 3),
            num(c.cpu_ms_per_object, 3),
            num(c.cpu_floor_ratio, 2),
            handshakes(c.handshakes),
            num(c.peak_rss_mib, 1),
            num(c.init_ms, 1),
            num(rust_best.zip(c.wall_s).map(|(r, w)| r / w), 3),
        ]);
    }
    table
}

/// Each reader at its best concurrency per CPU setting, as aligned text.
pub fn best_text_table(cases: &[CaseResult]) -> String {
    best_table(cases).render("  ")
}

/// The same as Markdown.
pub(crate) fn best_markdown_table(cases: &[CaseResult]) -> String {
    best_table(cases).markdown()
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

/// One line: how the readers reached the server, the whole run's connections (the harness's
/// listings included) and the server's TLS handshakes (its own uploads at start included), e.g.
/// `transport: https (TLS, session resumption off); 412 connections, server handshakes full=445
/// resumed=0 failed=0 (its uploads at start included)`.
pub fn transport_text(transport: &Transport) -> String {
    if !transport.tls() {
        return format!(
            "transport: {} (plain, --plain-http); {} connections",
            transport.scheme, transport.connections
        );
    }
    let handshakes = match transport.handshakes {
        Some(h) => format!(
            "server handshakes full={} resumed={} failed={} (its uploads at start included)",
            h.full, h.resumed, h.failed
        ),
        None => "server handshakes not reported".to_owned(),
    };
    format!(
        "transport: {} (TLS, session resumption {}); {} connections, {handshakes}",
        transport.scheme,
        if transport.tls_resumption {
            "on"
        } else {
            "off"
        },
        transport.connections
    )
}

/// The goals, one line each: value, target, met, and the goal's note if it has one (for
/// `auto`: the best fixed C and the limit auto settled on).
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
                "{:<40} {:>7} (goal <= {:.2})  {verdict}{}\n",
                g.name,
                num(g.value, 3),
                g.target,
                g.note
                    .as_deref()
                    .map(|n| format!("; {n}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::ReaderKind;
    use bench_types::Concurrency;

    fn case(reader: ReaderKind, wall: Option<f64>) -> CaseResult {
        CaseResult {
            cpus: 0.58,
            reader,
            mode: ReadMode::Concurrent,
            concurrency: Concurrency::Fixed(64),
            samples: vec![Default::default(), Default::default()],
            ok_runs: 2,
            wall_s: wall,
            wall_min_s: wall,
            wall_max_s: wall,
            process_wall_s: None,
            lower_bound_s: Some(0.34),
            bound_ratio: wall.map(|w| w / 0.34),
            cpu_ms_per_object: Some(0.25),
            net_cpu_ms_per_object: None,
            peak_rss_mib: Some(12.5),
            connections: Some(64.0),
            handshakes: Some(crate::results::HandshakeMedians {
                full: 65.0,
                resumed: 0.0,
            }),
            init_ms: Some(4.5),
            cpu_floor_ratio: Some(1.04),
            rust_wall_ratio: None,
            auto_limits: None,
        }
    }

    #[test]
    fn the_best_table_has_one_row_per_reader_and_setting() {
        let mut slow = case(ReaderKind::Rust, Some(0.9));
        slow.concurrency = Concurrency::Fixed(16);
        let t = best_text_table(&[
            slow,
            case(ReaderKind::Rust, Some(0.36)),
            case(ReaderKind::Python, Some(3.6)),
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert!(lines[0].trim_start().starts_with("MB"));
        // 0.58 CPU is 1024 MB; rust's best is C = 64; python is 10 times slower.
        assert!(
            lines[2].contains("1024") && lines[2].contains("rust") && lines[2].contains(" 64 "),
            "{t}"
        );
        assert!(
            lines[3].contains("python") && lines[3].ends_with("0.100"),
            "{t}"
        );
        assert!(lines[2].contains("1.04") && lines[2].contains("65") && lines[2].contains("4.5"));
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
    fn the_transport_line_says_https_and_the_handshakes() {
        let mut transport = Transport {
            scheme: "https".into(),
            tls_resumption: false,
            connections: 412,
            handshakes: Some(crate::results::Handshakes {
                full: 412,
                resumed: 0,
                failed: 0,
            }),
        };
        assert_eq!(
            transport_text(&transport),
            "transport: https (TLS, session resumption off); 412 connections, server handshakes full=412 resumed=0 failed=0 (its uploads at start included)"
        );
        transport.handshakes = None;
        assert!(transport_text(&transport).ends_with("server handshakes not reported"));
        transport.scheme = "http".into();
        assert_eq!(
            transport_text(&transport),
            "transport: http (plain, --plain-http); 412 connections"
        );
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

    #[test]
    fn the_auto_row_says_auto_and_has_no_bound() {
        let mut auto = case(ReaderKind::Rust, Some(0.3));
        auto.concurrency = Concurrency::Auto;
        auto.lower_bound_s = None;
        auto.bound_ratio = None;
        let md = markdown_table(&[case(ReaderKind::Rust, Some(0.36)), auto.clone()]);
        let row = md.lines().nth(3).unwrap_or_default();
        assert!(
            row.starts_with("| 0.58 | rust | conc | auto | 0.300 | 2 | - | 0.250 |"),
            "{md}"
        );
        // Not a best C: the best table keeps C = 64.
        let best = best_text_table(&[case(ReaderKind::Rust, Some(0.36)), auto]);
        assert!(
            best.lines().nth(2).unwrap_or_default().contains(" 64 "),
            "{best}"
        );
    }

    #[test]
    fn goals_print_their_verdict_and_note() {
        let goal = |value, met, note: Option<&str>| Goal {
            name: "1 CPU: rust auto / best fixed".into(),
            definition: String::new(),
            value,
            target: 1.10,
            met,
            note: note.map(str::to_owned),
        };
        let text = goals_text(&[
            goal(
                Some(1.043),
                Some(true),
                Some("best fixed C = 128 (0.325 s); auto 0.339 s, settled at 112"),
            ),
            goal(Some(1.25), Some(false), None),
            goal(None, None, None),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "1 CPU: rust auto / best fixed              1.043 (goal <= 1.10)  met; best fixed C = 128 (0.325 s); auto 0.339 s, settled at 112"
        );
        assert!(lines[1].ends_with("1.250 (goal <= 1.10)  MISSED"), "{text}");
        assert!(lines[2].ends_with("(goal <= 1.10)  not measured"), "{text}");
    }
}
