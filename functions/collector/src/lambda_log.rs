//! The REPORT line of a Lambda log tail. `lambda:invoke` with `LogType: Tail` returns the last
//! 4 KB of the log, base64-encoded, in `LogResult`; its REPORT line says what Lambda billed:
//! `REPORT RequestId: ..\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\t
//! Max Memory Used: 18 MB\tInit Duration: 29.37 ms`. moto returns no `LogResult`.

use base64::Engine;
use serde::Serialize;
use serde_json::Value;

/// What a REPORT line says; every field is optional because a truncated tail may cut it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaReport {
    pub duration_ms: Option<f64>,
    pub billed_duration_ms: Option<f64>,
    pub memory_size_mb: Option<u32>,
    pub max_memory_used_mb: Option<u32>,
    pub init_duration_ms: Option<f64>,
}

/// The REPORT of a whole `lambda:invoke` result, when it holds a decodable `LogResult` with a
/// REPORT line. A tail that does not decode is ignored: AWS, not the user, wrote it.
pub fn report_of_invoke(invoke: &Value) -> Option<LambdaReport> {
    let encoded = invoke.get("LogResult")?.as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    parse_report(&String::from_utf8_lossy(&bytes))
}

/// Parses the last REPORT line of a log tail.
pub fn parse_report(log: &str) -> Option<LambdaReport> {
    let line = log
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("REPORT "))?;
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
            "Memory Size" => report.memory_size_mb = number.map(|n| n as u32),
            "Max Memory Used" => report.max_memory_used_mb = number.map(|n| n as u32),
            "Init Duration" => report.init_duration_ms = number,
            _ => {}
        }
    }
    Some(report)
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

    #[test]
    fn no_log_result_or_an_undecodable_one_gives_nothing() {
        assert_eq!(report_of_invoke(&json!({"StatusCode": 200})), None);
        assert_eq!(
            report_of_invoke(&json!({"LogResult": "%%% not base64"})),
            None
        );
        assert_eq!(parse_report("START RequestId: x\nEND RequestId: x\n"), None);
    }
}
