//! The platform report of a Lambda log tail. `lambda:invoke` with `LogType: Tail` returns the
//! last 4 KB of the log, base64-encoded, in `LogResult`; its report says what Lambda billed. In
//! the text log format (the default) it is the REPORT line:
//! `REPORT RequestId: ..\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\t
//! Max Memory Used: 18 MB\tInit Duration: 29.37 ms`. With `LoggingConfig.LogFormat = JSON` it
//! is a JSON line of type `platform.report` (the Telemetry API's event schema):
//! `{"time": "..", "type": "platform.report", "record": {"requestId": "..", "metrics":
//! {"durationMs": 102.25, "billedDurationMs": 103, "memorySizeMB": 128, "maxMemoryUsedMB": 18,
//! "initDurationMs": 29.37}, "status": "success"}}`. moto returns no `LogResult`.

use base64::Engine;
use serde::Serialize;
use serde_json::Value;

/// What a platform report says; every field is optional because a truncated tail may cut it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LambdaReport {
    pub(crate) duration_ms: Option<f64>,
    pub(crate) billed_duration_ms: Option<f64>,
    pub(crate) memory_size_mb: Option<u32>,
    pub(crate) max_memory_used_mb: Option<u32>,
    pub(crate) init_duration_ms: Option<f64>,
}

/// The report of a whole `lambda:invoke` result, when it holds a decodable `LogResult` with a
/// report in either format. A tail that does not decode is ignored: AWS, not the user, wrote it.
pub(crate) fn report_of_invoke(invoke: &Value) -> Option<LambdaReport> {
    let encoded = invoke.get("LogResult")?.as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    parse_report(&String::from_utf8_lossy(&bytes))
}

/// Parses the last platform report of a log tail, a text REPORT line or a JSON
/// `platform.report` line, whichever comes last. Lines that are neither (the function's own
/// logs, text or JSON, and a first line the 4 KB cut started mid-way) are skipped.
pub(crate) fn parse_report(log: &str) -> Option<LambdaReport> {
    log.lines().rev().find_map(|line| {
        let line = line.trim();
        if line.starts_with("REPORT ") {
            Some(parse_text_report(line))
        } else if line.starts_with('{') {
            parse_json_report(line)
        } else {
            None
        }
    })
}

/// `REPORT RequestId: ..\tDuration: .. ms\t...`.
fn parse_text_report(line: &str) -> LambdaReport {
    let mut report = LambdaReport::default();
    for part in line.split('\t') {
        let Some((name, value)) = part.split_once(':') else {
            continue;
        };
        let number = value
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<f64>().ok());
        match name.trim() {
            "Duration" => report.duration_ms = number,
            "Billed Duration" => report.billed_duration_ms = number,
            "Memory Size" => report.memory_size_mb = number.and_then(whole_mb),
            "Max Memory Used" => report.max_memory_used_mb = number.and_then(whole_mb),
            "Init Duration" => report.init_duration_ms = number,
            _ => {}
        }
    }
    report
}

/// `{"type": "platform.report", "record": {"metrics": {...}}}`; `None` for any other line.
fn parse_json_report(line: &str) -> Option<LambdaReport> {
    let event: Value = serde_json::from_str(line).ok()?;
    if event.get("type").and_then(Value::as_str) != Some("platform.report") {
        return None;
    }
    let metrics = event.get("record").and_then(|r| r.get("metrics"));
    let number = |name: &str| metrics.and_then(|m| m.get(name)).and_then(Value::as_f64);
    Some(LambdaReport {
        duration_ms: number("durationMs"),
        billed_duration_ms: number("billedDurationMs"),
        memory_size_mb: number("memorySizeMB").and_then(whole_mb),
        max_memory_used_mb: number("maxMemoryUsedMB").and_then(whole_mb),
        init_duration_ms: number("initDurationMs"),
    })
}

/// A size in MB as Lambda reports it (a whole number); anything else is not a size.
fn whole_mb(value: f64) -> Option<u32> {
    ((0.0..=f64::from(u32::MAX)).contains(&value) && value.fract() == 0.0).then_some(value as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TAIL: &str = "START RequestId: 8f5 Version: $LATEST\n\
        {\"level\":\"INFO\"}\n\
        END RequestId: 8f5\n\
        REPORT RequestId: 8f5\tDuration: 1873.52 ms\tBilled Duration: 1904 ms\tMemory Size: 1024 MB\tMax Memory Used: 41 MB\tInit Duration: 30.12 ms\t\n";

    #[test]
    fn a_cold_invoke_report_is_read() {
        let encoded = base64::engine::general_purpose::STANDARD.encode(TAIL);
        let report = report_of_invoke(&json!({"StatusCode": 200, "LogResult": encoded})).unwrap();
        assert_eq!(
            report,
            LambdaReport {
                duration_ms: Some(1873.52),
                billed_duration_ms: Some(1904.0),
                memory_size_mb: Some(1024),
                max_memory_used_mb: Some(41),
                init_duration_ms: Some(30.12),
            }
        );
    }

    #[test]
    fn a_warm_invoke_has_no_init_duration() {
        let report = parse_report("REPORT RequestId: x\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB\t").unwrap();
        assert_eq!(report.init_duration_ms, None);
        assert_eq!(report.billed_duration_ms, Some(5.0));
    }

    /// A JSON-format tail as Lambda writes it: platform events and the function's own JSON lines.
    const JSON_TAIL: &str = "{\"time\":\"2026-11-27T10:50:00.000Z\",\"type\":\"platform.start\",\"record\":{\"requestId\":\"8f5\",\"version\":\"$LATEST\"}}\n\
        {\"timestamp\":\"2026-11-27T10:50:00.100Z\",\"level\":\"INFO\",\"message\":\"read\",\"type\":\"app\"}\n\
        {\"time\":\"2026-11-27T10:50:01.900Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"8f5\",\"metrics\":{\"durationMs\":1873.52,\"billedDurationMs\":1904,\"memorySizeMB\":1024,\"maxMemoryUsedMB\":41,\"initDurationMs\":30.12},\"status\":\"success\"}}\n";

    fn cold_1024() -> LambdaReport {
        LambdaReport {
            duration_ms: Some(1873.52),
            billed_duration_ms: Some(1904.0),
            memory_size_mb: Some(1024),
            max_memory_used_mb: Some(41),
            init_duration_ms: Some(30.12),
        }
    }

    #[test]
    fn a_json_format_report_is_read() {
        let encoded = base64::engine::general_purpose::STANDARD.encode(JSON_TAIL);
        let report = report_of_invoke(&json!({"StatusCode": 200, "LogResult": encoded})).unwrap();
        assert_eq!(report, cold_1024());
        // The text tail gives the very same report.
        assert_eq!(parse_report(TAIL), Some(cold_1024()));
    }

    #[test]
    fn a_json_report_as_the_last_line_without_a_newline_is_read() {
        let tail = JSON_TAIL.trim_end();
        assert!(tail.ends_with("\"status\":\"success\"}}"));
        assert_eq!(parse_report(tail), Some(cold_1024()));
        // A warm invoke: no initDurationMs.
        let warm = "{\"time\":\"t\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"x\",\"metrics\":{\"durationMs\":5.0,\"billedDurationMs\":5,\"memorySizeMB\":128,\"maxMemoryUsedMB\":18},\"status\":\"success\"}}";
        let report = parse_report(warm).unwrap();
        assert_eq!(
            (
                report.billed_duration_ms,
                report.memory_size_mb,
                report.init_duration_ms
            ),
            (Some(5.0), Some(128), None)
        );
    }

    #[test]
    fn the_last_report_wins_whichever_format() {
        let text_then_json = format!("{TAIL}{}", JSON_TAIL.replace("1024", "2048"));
        assert_eq!(
            parse_report(&text_then_json).and_then(|r| r.memory_size_mb),
            Some(2048)
        );
        let json_then_text = format!("{}{TAIL}", JSON_TAIL.replace("1024", "2048"));
        assert_eq!(
            parse_report(&json_then_text).and_then(|r| r.memory_size_mb),
            Some(1024)
        );
    }

    #[test]
    fn a_truncated_tail_keeps_the_report_and_skips_the_cut_line() {
        // The 4 KB cut starts mid-way through a line: in both formats the partial first line is
        // not a report, and the report after it is read.
        let json_cut = &JSON_TAIL[JSON_TAIL.find("Z\",\"type").unwrap()..];
        assert!(!json_cut.starts_with('{'));
        assert_eq!(parse_report(json_cut), Some(cold_1024()));
        let text_cut = &TAIL[10..];
        assert_eq!(parse_report(text_cut), Some(cold_1024()));
        // A cut that leaves only the end of a report line: nothing to read, and no error.
        let report_cut = &JSON_TAIL[JSON_TAIL.rfind("\"metrics\"").unwrap()..];
        assert_eq!(parse_report(report_cut), None);
        let text_report_cut = &TAIL[TAIL.find("Billed").unwrap()..];
        assert_eq!(parse_report(text_report_cut), None);
        // A JSON report whose metrics were cut off gives a report with nothing in it.
        let no_metrics =
            "{\"time\":\"t\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"x\"}}";
        assert_eq!(parse_report(no_metrics), Some(LambdaReport::default()));
    }

    #[test]
    fn no_log_result_or_an_undecodable_one_gives_nothing() {
        assert_eq!(report_of_invoke(&json!({"StatusCode": 200})), None);
        assert_eq!(
            report_of_invoke(&json!({"LogResult": "%%% not base64"})),
            None
        );
        assert_eq!(parse_report("START RequestId: x\nEND RequestId: x\n"), None);
        // JSON lines of other types, and JSON that is not an object, are not reports.
        assert_eq!(
            parse_report(
                "{\"type\":\"platform.start\",\"record\":{}}\n{\"level\":\"INFO\"}\n[1]\n"
            ),
            None
        );
    }
}
