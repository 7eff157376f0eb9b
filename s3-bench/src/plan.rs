//! What one benchmark run does: the settings resolved from the command line (with the `--quick`
//! and default presets) and the list of cases every CPU setting runs.

use bench_types::concurrency::MAX_CONCURRENCY;
use bench_types::{Concurrency, ReadMode};
use serde::Serialize;

use crate::cli::BenchArgs;
use crate::readers::ReaderKind;

/// Why the command line does not make a plan.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    /// An option is out of range; the message names it and says what to pass.
    #[error("--{field} {value} is out of range; {fix}")]
    OutOfRange {
        /// The option without its `--`, e.g. `concurrency`.
        field: &'static str,
        /// The value given, as text.
        value: String,
        /// What to pass instead.
        fix: &'static str,
    },
}

/// The resolved settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// `--quick`: the smoke-run preset (200 objects, C = 64 and auto, one run, 1 CPU).
    pub quick: bool,
    /// `--lambda-sizes`: the low-memory preset (Lambda's 128 to 1769 MB, C = 16, 64 and auto).
    pub lambda_sizes: bool,
    /// The server's added latency per request, in milliseconds.
    pub latency_ms: u64,
    /// Objects uploaded, and read by every run.
    pub objects: u64,
    /// Smallest object, in bytes.
    pub min_size: u64,
    /// Largest object, in bytes.
    pub max_size: u64,
    /// The concurrencies C of the concurrent mode: fixed numbers, and `auto` (the reader adapts
    /// its own limit), which only the readers that take it run
    /// ([`ReaderKind::supports_auto_concurrency`]).
    pub concurrencies: Vec<Concurrency>,
    /// Runs of every concurrent case; the median is reported.
    pub runs: u32,
    /// Runs of every sequential case.
    pub seq_runs: u32,
    /// CPU quotas; `0` runs without a quota.
    pub cpus: Vec<f64>,
    /// The readers to run, in this order.
    pub readers: Vec<ReaderKind>,
    /// `--readers` was given: every listed reader runs every mode.
    pub explicit_readers: bool,
    /// Whether the sequential mode runs (`--no-sequential` turns it off).
    pub sequential: bool,
    /// Seconds after which one reader run is killed and recorded as failed.
    pub run_timeout_s: u64,
    /// The server speaks HTTPS (the default; `--plain-http` turns it off).
    pub tls: bool,
    /// The server lets clients resume TLS sessions (`--tls-resumption`).
    pub tls_resumption: bool,
}

/// One reader in one mode at one concurrency (1 for sequential), or concurrent with
/// `concurrency: "auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Case {
    pub(crate) reader: ReaderKind,
    pub(crate) mode: ReadMode,
    pub(crate) concurrency: Concurrency,
    /// How many times the case runs.
    pub(crate) runs: u32,
}

/// Lambda memory sizes of the low-memory sweep, in MB: the seed's lowest four and one vCPU.
pub const LAMBDA_SIZES_MB: [u32; 5] = [128, 256, 512, 1024, 1769];

/// The CPU share of each of [`LAMBDA_SIZES_MB`] (1769 MB = 1 vCPU), rounded as Lambda's
/// documentation rounds them: 0.072, 0.145, 0.29, 0.58, 1.
pub fn lambda_size_cpus() -> Vec<f64> {
    LAMBDA_SIZES_MB
        .iter()
        .map(|&mb| {
            let share = f64::from(mb) / system::cgroup::MB_PER_VCPU;
            let digits = if share < 0.2 { 1000.0 } else { 100.0 };
            (share * digits).round() / digits
        })
        .collect()
}

impl Plan {
    /// Resolves the command line; `reader_cores` is how many cores the readers get (the
    /// server keeps one), which decides whether a 2-CPU quota can run by default.
    pub fn from_args(args: &BenchArgs, reader_cores: usize) -> Result<Self, PlanError> {
        use Concurrency::{Auto, Fixed};
        let (objects, concurrencies, runs, seq_runs, cpus) = if args.quick {
            (200, vec![Fixed(64), Auto], 1, 1, vec![1.0])
        } else if args.lambda_sizes {
            (
                1000,
                vec![Fixed(16), Fixed(64), Auto],
                3,
                1,
                lambda_size_cpus(),
            )
        } else {
            let mut cpus = vec![0.58, 1.0];
            if reader_cores >= 2 {
                cpus.push(2.0);
            }
            let fixed = [16, 64, 128, 256].map(Fixed);
            (1000, [&fixed[..], &[Auto]].concat(), 3, 1, cpus)
        };
        let plan = Self {
            quick: args.quick,
            lambda_sizes: args.lambda_sizes,
            latency_ms: args.latency_ms,
            objects: args.objects.unwrap_or(objects),
            min_size: args.min_size,
            max_size: args.max_size,
            concurrencies: args.concurrency.clone().unwrap_or(concurrencies),
            runs: args.runs.unwrap_or(runs),
            seq_runs: args.seq_runs.unwrap_or(seq_runs),
            cpus: args.cpus.clone().unwrap_or(cpus),
            readers: args
                .readers
                .clone()
                .unwrap_or_else(|| ReaderKind::ALL.to_vec()),
            explicit_readers: args.readers.is_some(),
            sequential: !args.no_sequential && !args.lambda_sizes,
            run_timeout_s: args.run_timeout_s,
            tls: !args.plain_http,
            tls_resumption: args.tls_resumption && !args.plain_http,
        };
        plan.validate()?;
        Ok(plan)
    }

    fn validate(&self) -> Result<(), PlanError> {
        let bad = |field, value: String, fix| Err(PlanError::OutOfRange { field, value, fix });
        if self.objects == 0 || self.objects > 100_000 {
            return bad("objects", self.objects.to_string(), "pass 1 to 100000");
        }
        if self.min_size == 0 || self.min_size > self.max_size {
            return bad(
                "min-size",
                self.min_size.to_string(),
                "pass a size of at least 1 and at most --max-size",
            );
        }
        let out_of_range = |c: &Concurrency| {
            c.fixed()
                .is_some_and(|n| !(1..=MAX_CONCURRENCY).contains(&n))
        };
        if self.concurrencies.is_empty() || self.concurrencies.iter().any(out_of_range) {
            let values: Vec<String> = self.concurrencies.iter().map(|c| c.to_string()).collect();
            return bad(
                "concurrency",
                values.join(","),
                "pass values from 1 to 4096, or auto",
            );
        }
        if self.runs == 0 || self.seq_runs == 0 {
            return bad(
                "runs",
                self.runs.min(self.seq_runs).to_string(),
                "pass at least 1",
            );
        }
        if self.cpus.is_empty() || self.cpus.iter().any(|c| !c.is_finite() || *c < 0.0) {
            return bad(
                "cpus",
                format!("{:?}", self.cpus),
                "pass quotas such as 0.58,1 (0 = no quota)",
            );
        }
        if self.readers.is_empty() {
            return bad(
                "readers",
                String::new(),
                "pass rust, rust-sdk, python and/or node",
            );
        }
        if self.run_timeout_s == 0 {
            return bad("run-timeout-s", "0".into(), "pass at least 1");
        }
        Ok(())
    }

    /// The cases of one CPU setting, in reader order: each reader sequential first, then its
    /// concurrent cases in the order of `--concurrency` (`auto` only for the readers that take
    /// it, with as many runs as the fixed ones).
    pub(crate) fn cases(&self) -> Vec<Case> {
        let mut cases = Vec::new();
        for &reader in &self.readers {
            if self.sequential && (self.explicit_readers || reader.runs_sequential_by_default()) {
                cases.push(Case {
                    reader,
                    mode: ReadMode::Sequential,
                    concurrency: Concurrency::Fixed(1),
                    runs: self.seq_runs,
                });
            }
            for &concurrency in &self.concurrencies {
                if concurrency == Concurrency::Auto && !reader.supports_auto_concurrency() {
                    continue;
                }
                cases.push(Case {
                    reader,
                    mode: ReadMode::Concurrent,
                    concurrency,
                    runs: self.runs,
                });
            }
        }
        cases
    }

    /// The server's added latency per request, in seconds.
    pub(crate) fn latency_s(&self) -> f64 {
        self.latency_ms as f64 / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(line: &[&str]) -> BenchArgs {
        let mut argv = vec!["s3-bench"];
        argv.extend_from_slice(line);
        crate::cli::Cli::parse_from(argv).bench
    }

    #[test]
    fn defaults_follow_the_issue() -> Result<(), PlanError> {
        let plan = Plan::from_args(&args(&[]), 1)?;
        assert_eq!(plan.latency_ms, 20);
        assert_eq!(plan.objects, 1000);
        assert_eq!((plan.min_size, plan.max_size), (1000, 50_000));
        assert_eq!(
            plan.concurrencies,
            [16, 64, 128, 256]
                .map(Concurrency::Fixed)
                .into_iter()
                .chain([Concurrency::Auto])
                .collect::<Vec<_>>()
        );
        assert_eq!(plan.cpus, vec![0.58, 1.0]);
        assert_eq!(plan.runs, 3);
        // rust, python, node x (1 sequential + 4 concurrent) + rust-sdk x 4 concurrent, and
        // auto for rust and rust-sdk.
        assert_eq!(plan.cases().len(), 21);
        assert!(plan
            .cases()
            .iter()
            .all(|c| c.reader != ReaderKind::RustSdk || c.mode == ReadMode::Concurrent));
        assert_eq!(plan.cases()[0].mode, ReadMode::Sequential);
        // A spare core for the readers adds the 2-CPU quota.
        assert_eq!(Plan::from_args(&args(&[]), 2)?.cpus, vec![0.58, 1.0, 2.0]);
        Ok(())
    }

    #[test]
    fn quick_is_small_and_options_override() -> Result<(), PlanError> {
        let quick = Plan::from_args(&args(&["--quick"]), 1)?;
        assert_eq!((quick.objects, quick.runs), (200, 1));
        // 7 fixed (rust, python, node: seq + C=64; rust-sdk C=64) and auto for rust and rust-sdk.
        assert_eq!(quick.cases().len(), 9);
        let sdk_seq = Plan::from_args(&args(&["--quick", "--readers", "rust-sdk"]), 1)?;
        assert_eq!(sdk_seq.cases().len(), 3, "listed readers run every mode");
        let custom = Plan::from_args(
            &args(&[
                "--quick",
                "--readers",
                "rust",
                "--concurrency",
                "8,32",
                "--no-sequential",
            ]),
            1,
        )?;
        let cs: Vec<String> = custom
            .cases()
            .iter()
            .map(|c| c.concurrency.to_string())
            .collect();
        assert_eq!(
            cs,
            ["8", "32"],
            "an explicit list without auto runs no auto case"
        );
        Ok(())
    }

    #[test]
    fn auto_is_a_case_of_the_rust_readers_only() -> Result<(), PlanError> {
        let plan = Plan::from_args(&args(&[]), 1)?;
        let auto: Vec<Case> = plan
            .cases()
            .into_iter()
            .filter(|c| c.concurrency == Concurrency::Auto)
            .collect();
        let readers: Vec<ReaderKind> = auto.iter().map(|c| c.reader).collect();
        assert_eq!(readers, [ReaderKind::Rust, ReaderKind::RustSdk]);
        // Concurrent, with the runs of the fixed concurrent cases, right after them.
        assert!(auto
            .iter()
            .all(|c| c.mode == ReadMode::Concurrent && c.runs == plan.runs));
        let rust: Vec<String> = plan
            .cases()
            .iter()
            .filter(|c| c.reader == ReaderKind::Rust)
            .map(|c| c.concurrency.to_string())
            .collect();
        assert_eq!(rust, ["1", "16", "64", "128", "256", "auto"]);
        // The quick run has one too (at 1 CPU, one run), and --lambda-sizes at every size.
        let quick = Plan::from_args(&args(&["--quick"]), 1)?;
        assert!(quick
            .cases()
            .iter()
            .any(|c| c.reader == ReaderKind::Rust && c.concurrency == Concurrency::Auto));
        let sizes = Plan::from_args(&args(&["--lambda-sizes"]), 1)?;
        assert_eq!(sizes.concurrencies.last(), Some(&Concurrency::Auto));
        // `auto` on the command line, in any case; peers listed alone get only the fixed ones.
        let listed = Plan::from_args(
            &args(&[
                "--concurrency",
                "32,AUTO",
                "--readers",
                "rust,node",
                "--no-sequential",
            ]),
            1,
        )?;
        let cases: Vec<String> = listed
            .cases()
            .iter()
            .map(|c| format!("{} {}", c.reader, c.concurrency))
            .collect();
        assert_eq!(cases, ["rust 32", "rust auto", "node 32"]);
        assert!(crate::cli::Cli::try_parse_from(["s3-bench", "--concurrency", "16,fast"]).is_err());
        Ok(())
    }

    #[test]
    fn lambda_sizes_sweep_the_low_memory_quotas() -> Result<(), PlanError> {
        let plan = Plan::from_args(&args(&["--lambda-sizes"]), 1)?;
        assert_eq!(plan.cpus, vec![0.072, 0.145, 0.29, 0.58, 1.0]);
        assert_eq!((plan.objects, plan.runs), (1000, 3));
        assert_eq!(plan.concurrencies[..2], [16, 64].map(Concurrency::Fixed));
        assert_eq!(plan.concurrencies.len(), 3);
        // Concurrent only: 4 readers x 2 concurrencies, and auto for rust and rust-sdk.
        assert_eq!(plan.cases().len(), 10);
        assert!(plan.cases().iter().all(|c| c.mode == ReadMode::Concurrent));
        let memory: Vec<u32> = plan
            .cpus
            .iter()
            .map(|&c| crate::readers::memory_for_cpus(c))
            .collect();
        assert_eq!(memory, LAMBDA_SIZES_MB.to_vec());
        assert!(
            crate::cli::Cli::try_parse_from(["s3-bench", "--quick", "--lambda-sizes"]).is_err()
        );
        Ok(())
    }

    #[test]
    fn bad_values_name_the_option() {
        let err = Plan::from_args(&args(&["--concurrency", "0"]), 1).err();
        assert!(
            matches!(
                err,
                Some(PlanError::OutOfRange {
                    field: "concurrency",
                    ..
                })
            ),
            "{err:?}"
        );
        let err = Plan::from_args(&args(&["--min-size", "9", "--max-size", "5"]), 1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("--min-size"), "{err}");
        assert!(Plan::from_args(&args(&["--cpus=-1"]), 1).is_err());
    }

    #[test]
    fn https_by_default_plain_http_on_request() -> Result<(), PlanError> {
        let plan = Plan::from_args(&args(&["--quick"]), 1)?;
        assert!(plan.tls && !plan.tls_resumption);
        let resuming = Plan::from_args(&args(&["--tls-resumption"]), 1)?;
        assert!(resuming.tls && resuming.tls_resumption);
        let plain = Plan::from_args(&args(&["--plain-http"]), 1)?;
        assert!(!plain.tls && !plain.tls_resumption);
        // Resumption without TLS is refused, naming both flags.
        let err = crate::cli::Cli::try_parse_from(["s3-bench", "--plain-http", "--tls-resumption"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("--plain-http") && err.contains("--tls-resumption"),
            "{err}"
        );
        Ok(())
    }
}
