//! A description of the machine a run happened on, for the results and the README.

use std::fs;

use serde::Serialize;

/// The machine a run happened on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    /// The CPU's `model name` from `/proc/cpuinfo` (`unknown` when absent).
    pub cpu_model: String,
    /// Cores this process may use.
    pub cores: usize,
    /// Total memory (`MemTotal`), in MiB.
    pub memory_mib: u64,
    /// The kernel release, e.g. `6.8.0-45-generic`.
    pub kernel: String,
    /// The CPU architecture, e.g. `x86_64` or `aarch64`.
    pub arch: String,
    /// 1-minute load average when the run started and ended: other work on the machine shows here.
    pub load_at_start: Option<f64>,
    /// 1-minute load average when the run ended.
    pub load_at_end: Option<f64>,
}

impl Machine {
    /// This machine, with `cores` as the cores the run may use.
    pub(crate) fn describe(cores: usize) -> Self {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .and_then(|r| r.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_mib = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024);
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        Self {
            cpu_model,
            cores,
            memory_mib,
            kernel,
            arch: std::env::consts::ARCH.to_owned(),
            load_at_start: load_average(),
            load_at_end: None,
        }
    }
}

/// The 1-minute load average.
pub(crate) fn load_average() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_this_machine() {
        let m = Machine::describe(2);
        assert_eq!(m.cores, 2);
        assert!(m.memory_mib > 0);
        assert!(!m.kernel.is_empty());
        assert!(m.load_at_start.is_some());
    }
}
