//! The cost of one run: what it used (billed time, architecture, S3 requests) priced by
//! [`crate::pricing`]. Where the log tail gave no billed duration (moto, or a truncated tail) the
//! reader's timed section stands in, rounded up to the millisecond as Lambda bills; where the
//! reader did not count its S3 requests they are estimated from the objects it read.

use bench_types::Architecture;
use serde::Serialize;

use crate::config::ReportConfig;
use crate::pricing::{Cost, Usage};
use crate::records::Run;

/// Keys per LIST page (S3's maximum, which readers use).
const KEYS_PER_LIST_PAGE: u64 = 1000;

/// Where the billed time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DurationBasis {
    /// The REPORT line's Billed Duration.
    Billed,
    /// The reader's `time`, rounded up to the millisecond.
    Timed,
}

/// Where the S3 request counts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum S3Basis {
    /// `stats.getRequests` / `stats.listRequests`.
    Reported,
    /// One GET per object read and one LIST per 1000 keys.
    Estimated,
    /// Nothing to go by: counted as 0.
    Unknown,
}

/// The priced usage of one valid run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RunCost {
    pub(crate) usage: Usage,
    pub(crate) cost: Cost,
    pub(crate) duration_basis: DurationBasis,
    pub(crate) s3_basis: S3Basis,
}

/// Prices a run that counts in the statistics; `None` for failed or stale runs.
pub(crate) fn run_cost(run: &Run, config: &ReportConfig) -> Option<RunCost> {
    let success = run.valid_success()?;
    let (billed_ms, duration_basis) = match run.log.as_ref().and_then(|l| l.billed_duration_ms) {
        Some(ms) => (ms, DurationBasis::Billed),
        // Less a nanosecond, so that 0.7 s (700.0000000000001 ms in floating point) bills 700 ms.
        None => (
            (success.time_s * 1000.0 - 1e-6).ceil(),
            DurationBasis::Timed,
        ),
    };
    let arch = success
        .stats
        .as_ref()
        .and_then(|s| Architecture::parse(&s.arch))
        .or_else(|| config.target(&run.target_name).and_then(|t| t.architecture))
        .unwrap_or(Architecture::Arm64);
    let objects_read = success
        .stats
        .as_ref()
        .map(|s| s.objects)
        .or_else(|| success.result.trim().parse::<u64>().ok());
    let (s3_gets, s3_lists, s3_basis) = match &success.stats {
        Some(s) if s.get_requests + s.list_requests > 0 => {
            (s.get_requests, s.list_requests, S3Basis::Reported)
        }
        _ => match objects_read {
            Some(objects) => (
                objects,
                objects.div_ceil(KEYS_PER_LIST_PAGE).max(1),
                S3Basis::Estimated,
            ),
            None => (0, 0, S3Basis::Unknown),
        },
    };
    let usage = Usage {
        memory_mb: run.memory_mb,
        billed_ms,
        arch,
        s3_gets,
        s3_lists,
    };
    let cost = config.prices.invocation_cost(&usage);
    Some(RunCost {
        usage,
        cost,
        duration_basis,
        s3_basis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::parse_run;
    use base64::Engine;
    use serde_json::json;

    fn config() -> ReportConfig {
        ReportConfig::from_input(
            &json!({"targets": [{"name": "go", "functionName": "f", "architecture": "x86_64"}]}),
        )
        .unwrap()
    }

    #[test]
    fn without_a_log_tail_the_timed_section_is_billed_and_s3_is_estimated() {
        let run = parse_run(
            0,
            &json!({"round": 1, "memoryMb": 1024, "target": "go", "ok": true,
            "output": {"lang": "go", "detail": "", "result": "1500", "time": 1.2341}}),
        )
        .unwrap();
        let c = run_cost(&run, &config()).unwrap();
        assert_eq!(c.usage.billed_ms, 1235.0);
        assert_eq!(c.usage.arch, Architecture::X86_64);
        assert_eq!((c.usage.s3_gets, c.usage.s3_lists), (1500, 2));
        assert_eq!(
            (c.duration_basis, c.s3_basis),
            (DurationBasis::Timed, S3Basis::Estimated)
        );
    }

    #[test]
    fn the_billed_duration_of_the_log_tail_is_used() {
        let tail = "REPORT RequestId: x\tDuration: 1200.50 ms\tBilled Duration: 1201 ms\tMemory Size: 1024 MB\tMax Memory Used: 40 MB\t";
        let run = parse_run(
            0,
            &json!({"round": 1, "memoryMb": 1024, "target": "rust", "ok": true,
            "invoke": {"LogResult": base64::engine::general_purpose::STANDARD.encode(tail)},
            "output": {"lang": "rust", "detail": "", "result": "MyKey", "time": 1.1}}),
        )
        .unwrap();
        let c = run_cost(&run, &config()).unwrap();
        assert_eq!(
            (c.usage.billed_ms, c.duration_basis),
            (1201.0, DurationBasis::Billed)
        );
        assert_eq!(
            (c.usage.arch, c.s3_basis, c.usage.s3_gets),
            (Architecture::Arm64, S3Basis::Unknown, 0)
        );
    }

    #[test]
    fn failed_runs_have_no_cost() {
        let run = parse_run(0, &json!({"round": 1, "memoryMb": 128, "target": "go", "ok": false, "error": "Lambda.Unknown"})).unwrap();
        assert_eq!(run_cost(&run, &config()), None);
    }
}
