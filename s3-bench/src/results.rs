//! The figures of one benchmark run (`results.json`): per case the medians of its runs, the
//! ratio to the lower bound, CPU per object, peak RSS, connections, the Rust / peer wall ratios,
//! the limits a `concurrency: "auto"` case settled on, and the goals checked on them.

use bench_types::stats::median;
use bench_types::{Concurrency, ReadMode};
use serde::{Deserialize, Serialize};

use crate::lower_bound::lower_bound_s;
use crate::plan::{Case, Plan};
use crate::readers::ReaderKind;
use crate::runner::RunSample;

/// How the readers reached the S3 server over the whole run (`results.json` `transport`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transport {
    /// `https` (the default: TLS 1.2/1.3 with an RSA 2048 certificate, as S3) or `http`
    /// (`--plain-http`).
    pub scheme: String,
    /// Whether the server let clients resume TLS sessions (`--tls-resumption`).
    pub tls_resumption: bool,
    /// TCP connections the server accepted in the whole run after its own uploads: every reader
    /// run, the start-up baselines and the harness's own listings.
    pub connections: u64,
    /// The server's TLS handshakes in its whole life, as it printed them at its exit: one per
    /// connection above (with resumption off, a full one), plus those of its own upload of the
    /// objects at its start, which `connections` leaves out. `None` with plain HTTP or
    /// when it printed none.
    pub handshakes: Option<Handshakes>,
}

/// The median handshakes of a case's runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HandshakeMedians {
    /// Full handshakes.
    pub full: f64,
    /// Resumed sessions.
    pub resumed: f64,
}

impl Handshakes {
    /// The handshakes between `earlier` and these counts.
    pub(crate) fn since(self, earlier: Handshakes) -> Handshakes {
        Handshakes {
            full: self.full.saturating_sub(earlier.full),
            resumed: self.resumed.saturating_sub(earlier.resumed),
            failed: self.failed.saturating_sub(earlier.failed),
        }
    }
}

impl Transport {
    /// Whether the run was over HTTPS.
    pub fn tls(&self) -> bool {
        self.scheme == "https"
    }
}

/// TLS handshakes the S3 server completed, by kind (its `handshakes` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Handshakes {
    /// Full handshakes: the certificate sent and verified, a key exchange.
    pub full: u64,
    /// Resumed sessions (with `--tls-resumption` only).
    pub resumed: u64,
    /// Handshakes that failed, e.g. a client that did not trust the CA.
    pub failed: u64,
}

/// One CPU setting as it ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingInfo {
    /// Requested CPUs (0 = no quota).
    pub cpus: f64,
    /// Whether the quota was in force.
    pub quota_applied: bool,
    /// Lambda memory size with this CPU share (1769 MB = 1 vCPU).
    pub memory_mb: u32,
    /// Cores the readers were pinned to.
    pub reader_cores: Vec<usize>,
    /// Why the quota could not be set, or other remarks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A reader's start-up cost: one run against an empty prefix (interpreter, imports, client,
/// one empty LIST). Subtracted for the "net" CPU per object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Baseline {
    /// The CPU setting it ran at (0 = no quota).
    pub cpus: f64,
    /// The reader measured.
    pub reader: ReaderKind,
    /// The run against the empty prefix.
    pub sample: RunSample,
}

/// One case's runs and figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseResult {
    /// The CPU setting (0 = no quota).
    pub cpus: f64,
    /// The reader measured.
    pub reader: ReaderKind,
    /// Sequential or concurrent.
    pub mode: ReadMode,
    /// GETs in flight at most (1 in sequential mode), or `"auto"`: the reader adapted its own
    /// limit (see `autoLimits`).
    pub concurrency: Concurrency,
    /// Every run, failed ones included.
    pub samples: Vec<RunSample>,
    /// How many of `samples` count (the medians are over these).
    pub ok_runs: usize,
    /// Median of the readers' own timed section (`time`), in seconds.
    pub wall_s: Option<f64>,
    /// Fastest counted run's `time`, in seconds.
    pub wall_min_s: Option<f64>,
    /// Slowest counted run's `time`, in seconds.
    pub wall_max_s: Option<f64>,
    /// Median wall of the whole process (start-up included), in seconds.
    pub process_wall_s: Option<f64>,
    /// The physical lower bound of this case, in seconds: the list time plus ceil(N / C)
    /// request latencies. `None` for `auto`, which has no C of its own (it is compared with
    /// its reader's fastest fixed C instead, see [`auto_goals`]).
    pub lower_bound_s: Option<f64>,
    /// `wall_s / lower_bound_s`.
    pub bound_ratio: Option<f64>,
    /// Median CPU (user + system, all threads, whole process) per object, in ms.
    pub cpu_ms_per_object: Option<f64>,
    /// The same less the reader's start-up CPU (its empty-prefix baseline), in ms.
    pub net_cpu_ms_per_object: Option<f64>,
    /// Median peak RSS, in MiB.
    pub peak_rss_mib: Option<f64>,
    /// Median TCP connections opened.
    pub connections: Option<f64>,
    /// Median TLS handshakes per run (`None` over plain HTTP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshakes: Option<HandshakeMedians>,
    /// Median init time (process start to its first connection), in ms.
    pub init_ms: Option<f64>,
    /// Under a quota: median whole-process wall over its CPU floor (CPU time / quota): 1.0
    /// means the reader never waited for anything but CPU.
    pub cpu_floor_ratio: Option<f64>,
    /// For peers: Rust's median wall at the same setting, mode and C over this one's.
    pub rust_wall_ratio: Option<f64>,
    /// For `auto`: the limits its counted runs took (each run's are in its sample's
    /// `autoConcurrency`); `None` for fixed C, or when no run reported them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_limits: Option<AutoLimits>,
}

/// The in-flight limits of an `auto` case's counted runs, from each run's
/// `stats.autoConcurrency`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoLimits {
    /// Runs that reported their limits.
    pub runs: usize,
    /// Median of the runs' final limits: where auto settled.
    pub final_median: f64,
    /// Median of the runs' mean limits (each GET weighing the limit it started under).
    pub mean_median: f64,
    /// The lowest limit any run took.
    pub min: u32,
    /// The highest limit any run took.
    pub max: u32,
}

impl AutoLimits {
    /// The limits of `samples` (counted runs only); `None` when none reported them.
    fn of(samples: &[&RunSample]) -> Option<Self> {
        let autos: Vec<&bench_types::AutoConcurrency> = samples
            .iter()
            .filter_map(|s| s.auto_concurrency.as_ref())
            .collect();
        let finals: Vec<f64> = autos.iter().map(|a| f64::from(a.final_limit)).collect();
        let means: Vec<f64> = autos.iter().map(|a| a.mean).collect();
        Some(Self {
            runs: autos.len(),
            final_median: median(&finals)?,
            mean_median: median(&means)?,
            min: autos.iter().map(|a| a.min).min()?,
            max: autos.iter().map(|a| a.max).max()?,
        })
    }
}

/// One of the goals, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Goal {
    /// Short label in the table, e.g. `peak RSS: rust / best peer`.
    pub name: String,
    /// How the value is computed.
    pub definition: String,
    /// The measured ratio; `None` when this run did not measure it.
    pub value: Option<f64>,
    /// The goal is met when `value <= target`.
    pub target: f64,
    /// `None` when not measured in this run.
    pub met: Option<bool>,
    /// What else the figure needs to be read, printed after the verdict (e.g. for auto: the
    /// best fixed C and the limit auto settled on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Aggregates one case's samples.
/// `quota` is the CPU quota that was in force (`None`: none could be set, so no CPU floor).
pub(crate) fn summarize(
    quota: Option<f64>,
    cpus: f64,
    case: &Case,
    samples: Vec<RunSample>,
    plan: &Plan,
    list_s: f64,
    baseline_cpu_s: Option<f64>,
) -> CaseResult {
    let ok: Vec<&RunSample> = samples.iter().filter(|s| s.ok()).collect();
    let pick = |f: &dyn Fn(&RunSample) -> Option<f64>| -> Vec<f64> {
        ok.iter().filter_map(|s| f(s)).collect()
    };
    let walls = pick(&|s| s.time_s);
    let n = plan.objects as f64;
    let cpu = median(&pick(&|s| Some(s.usage.cpu_s())));
    let wall = median(&walls);
    let lower_bound = case
        .concurrency
        .fixed()
        .map(|c| lower_bound_s(list_s, plan.objects, c, plan.latency_s()));
    CaseResult {
        cpus,
        reader: case.reader,
        mode: case.mode,
        concurrency: case.concurrency,
        ok_runs: ok.len(),
        wall_s: wall,
        wall_min_s: walls.iter().copied().reduce(f64::min),
        wall_max_s: walls.iter().copied().reduce(f64::max),
        process_wall_s: median(&pick(&|s| Some(s.usage.wall_s))),
        lower_bound_s: lower_bound,
        bound_ratio: wall.zip(lower_bound).map(|(w, b)| w / b),
        cpu_ms_per_object: cpu.map(|c| c * 1000.0 / n),
        net_cpu_ms_per_object: cpu
            .zip(baseline_cpu_s)
            .map(|(c, b)| (c - b).max(0.0) * 1000.0 / n),
        peak_rss_mib: median(&pick(&|s| Some(s.usage.max_rss_kib as f64 / 1024.0))),
        connections: median(&pick(&|s| Some(s.connections as f64))),
        handshakes: median(&pick(&|s| s.handshakes.map(|h| h.full as f64)))
            .zip(median(&pick(&|s| s.handshakes.map(|h| h.resumed as f64))))
            .map(|(full, resumed)| HandshakeMedians { full, resumed }),
        init_ms: median(&pick(&|s| s.init_s.map(|i| i * 1000.0))),
        cpu_floor_ratio: quota
            .filter(|&q| q > 0.0)
            .and_then(|q| median(&pick(&|s| cpu_floor_ratio(s, q)))),
        rust_wall_ratio: None,
        auto_limits: (case.concurrency == Concurrency::Auto)
            .then(|| AutoLimits::of(&ok))
            .flatten(),
        samples,
    }
}

/// A run's whole-process wall over its CPU time divided by the quota `cpus`.
fn cpu_floor_ratio(sample: &RunSample, cpus: f64) -> Option<f64> {
    let floor = sample.usage.cpu_s() / cpus;
    (floor > 0.0).then(|| sample.usage.wall_s / floor)
}

/// Fills `rust_wall_ratio` of every peer case from the Rust case of the same setting, mode and C
/// (`auto` with `auto`).
pub(crate) fn fill_rust_ratios(cases: &mut [CaseResult]) {
    let rust: Vec<(f64, ReadMode, Concurrency, Option<f64>)> = cases
        .iter()
        .filter(|c| c.reader == ReaderKind::Rust)
        .map(|c| (c.cpus, c.mode, c.concurrency, c.wall_s))
        .collect();
    for case in cases.iter_mut().filter(|c| c.reader.is_peer()) {
        let rust_wall = rust
            .iter()
            .find(|(cpus, mode, c, _)| {
                *cpus == case.cpus && *mode == case.mode && *c == case.concurrency
            })
            .and_then(|r| r.3);
        case.rust_wall_ratio = rust_wall.zip(case.wall_s).map(|(r, p)| r / p);
    }
}

fn find(cases: &[CaseResult], cpus: f64, reader: ReaderKind, c: u32) -> Option<&CaseResult> {
    cases.iter().find(|x| {
        x.cpus == cpus
            && x.reader == reader
            && x.mode == ReadMode::Concurrent
            && x.concurrency == Concurrency::Fixed(c)
    })
}

/// The lowest median wall of `reader`'s fixed concurrent cases at `cpus`.
fn best_wall(cases: &[CaseResult], cpus: f64, reader: ReaderKind) -> Option<f64> {
    best_case(cases, cpus, reader).and_then(|c| c.wall_s)
}

/// The smallest value among the peers' cases at (`cpus`, C = `c`).
fn best_peer(
    cases: &[CaseResult],
    cpus: f64,
    c: u32,
    f: impl Fn(&CaseResult) -> Option<f64>,
) -> Option<f64> {
    [ReaderKind::Python, ReaderKind::Node]
        .into_iter()
        .filter_map(|p| find(cases, cpus, p, c).and_then(&f))
        .reduce(f64::min)
}

fn goal(name: &str, definition: &str, value: Option<f64>, target: f64) -> Goal {
    Goal {
        name: name.to_owned(),
        definition: definition.to_owned(),
        value,
        target,
        met: value.map(|v| v <= target),
        note: None,
    }
}

/// The goals of issue 7, each from this run's figures.
pub(crate) fn goals(cases: &[CaseResult]) -> Vec<Goal> {
    let rust64 = find(cases, 1.0, ReaderKind::Rust, 64);
    let at058 = |peer| {
        best_wall(cases, 0.58, ReaderKind::Rust)
            .zip(best_wall(cases, 0.58, peer))
            .map(|(r, p)| r / p)
    };
    let vs_peer = |f: fn(&CaseResult) -> Option<f64>| {
        rust64
            .and_then(f)
            .zip(best_peer(cases, 1.0, 64, f))
            .map(|(r, p)| r / p)
    };
    vec![
        goal(
            "rust C=64 at 1 CPU / lower bound",
            "median wall of Rust concurrent C=64 under a 1-CPU quota over (list time + ceil(N/64) x L)",
            rust64.and_then(|c| c.bound_ratio),
            1.10,
        ),
        goal(
            "0.58 CPU: rust / python wall",
            "Rust's best concurrent median wall over Python's best concurrent median wall, both at 0.58 CPU",
            at058(ReaderKind::Python),
            0.35,
        ),
        goal(
            "0.58 CPU: rust / node wall",
            "Rust's best concurrent median wall over Node's best concurrent median wall, both at 0.58 CPU",
            at058(ReaderKind::Node),
            0.35,
        ),
        goal(
            "CPU per object: rust / best peer",
            "whole-process CPU (rusage, threads included) per object, C=64 at 1 CPU, Rust over the lower of Python and Node",
            vs_peer(|c| c.cpu_ms_per_object),
            1.0 / 3.0,
        ),
        goal(
            "net CPU per object: rust / best peer",
            "as above, less each reader's start-up CPU (an empty-prefix run)",
            vs_peer(|c| c.net_cpu_ms_per_object),
            1.0 / 3.0,
        ),
        goal(
            "peak RSS: rust / best peer",
            "median ru_maxrss, C=64 at 1 CPU, Rust over the lower of Python and Node",
            vs_peer(|c| c.peak_rss_mib),
            0.5,
        ),
    ]
}

/// `auto` is within this of its reader's fastest fixed C: auto wall / best fixed wall.
pub const AUTO_TARGET: f64 = 1.10;

/// One goal per `auto` case (the Rust readers', per CPU setting, in case order): its median
/// wall over the median wall of the same reader's fastest fixed concurrency at the same
/// setting, in this run; within 10% ([`AUTO_TARGET`]) is met. The note names that C and the
/// limit auto settled on (the median of its runs' final limits).
pub(crate) fn auto_goals(cases: &[CaseResult]) -> Vec<Goal> {
    cases
        .iter()
        .filter(|c| c.mode == ReadMode::Concurrent && c.concurrency == Concurrency::Auto)
        .map(|auto| {
            let setting = if auto.cpus == 0.0 {
                "no quota".to_owned()
            } else {
                format!("{} CPU", auto.cpus)
            };
            let best = best_case(cases, auto.cpus, auto.reader);
            let ratio = auto
                .wall_s
                .zip(best.and_then(|b| b.wall_s))
                .map(|(a, b)| a / b);
            let best_text = best.and_then(|b| b.wall_s.map(|w| (b.concurrency, w))).map_or_else(
                || "no fixed C measured".to_owned(),
                |(c, w)| format!("best fixed C = {c} ({w:.3} s)"),
            );
            let settled = auto.auto_limits.as_ref().map_or_else(
                || "auto's limits not reported".to_owned(),
                |l| {
                    format!(
                        "auto {:.3} s, settled at {:.0} (median final limit; range {}-{})",
                        auto.wall_s.unwrap_or(f64::NAN),
                        l.final_median,
                        l.min,
                        l.max
                    )
                },
            );
            Goal {
                note: Some(format!("{best_text}; {settled}")),
                ..goal(
                    &format!("{setting}: {} auto / best fixed", auto.reader),
                    &format!(
                        "median wall of {}'s concurrency-auto case over the median wall of its fastest fixed C, both at {setting} in this run",
                        auto.reader
                    ),
                    ratio,
                    AUTO_TARGET,
                )
            }
        })
        .collect()
}

/// The fixed concurrent case of `reader` at `cpus` with the lowest median wall (`auto` is not a
/// concurrency to pick: it is compared with this one, see [`auto_goals`]).
fn best_case(cases: &[CaseResult], cpus: f64, reader: ReaderKind) -> Option<&CaseResult> {
    cases
        .iter()
        .filter(|x| x.cpus == cpus && x.reader == reader && x.mode == ReadMode::Concurrent)
        .filter(|x| x.concurrency != Concurrency::Auto)
        .filter(|x| x.wall_s.is_some())
        .min_by(|a, b| {
            a.wall_s
                .partial_cmp(&b.wall_s)
                .unwrap_or(std::cmp::Ordering::Equal)
        })
}

/// Every fixed concurrent case that is its reader's fastest at its CPU setting, in case order.
pub(crate) fn best_cases(cases: &[CaseResult]) -> Vec<&CaseResult> {
    cases
        .iter()
        .filter(|c| best_case(cases, c.cpus, c.reader).is_some_and(|b| std::ptr::eq(b, *c)))
        .collect()
}

/// The median init time of `reader` over all its counted runs at `cpus`, in ms.
fn init_ms(cases: &[CaseResult], cpus: f64, reader: ReaderKind) -> Option<f64> {
    let inits: Vec<f64> = cases
        .iter()
        .filter(|c| c.cpus == cpus && c.reader == reader)
        .flat_map(|c| &c.samples)
        .filter(|s| s.ok())
        .filter_map(|s| s.init_s.map(|i| i * 1000.0))
        .collect();
    median(&inits)
}

/// The goals of issue 13 (`--lambda-sizes`): `rust` is the direct path (`rust-direct` in the
/// issue), `rust-sdk` the SDK's GetObject (the issue's `rust`).
pub(crate) fn lambda_size_goals(cases: &[CaseResult]) -> Vec<Goal> {
    const LOW: f64 = 0.072;
    let best_peer_wall = [ReaderKind::Python, ReaderKind::Node]
        .into_iter()
        .filter_map(|p| best_wall(cases, LOW, p))
        .reduce(f64::min);
    let vs_peer = |reader| {
        best_wall(cases, LOW, reader)
            .zip(best_peer_wall)
            .map(|(r, p)| r / p)
    };
    // The "where we stand" CPU figures are at 0.072 CPU, each reader at its best C.
    let cpu_at_low = |reader| best_case(cases, LOW, reader).and_then(|c| c.cpu_ms_per_object);
    let init_vs = |peer| {
        init_ms(cases, 1.0, ReaderKind::Rust)
            .zip(init_ms(cases, 1.0, peer))
            .map(|(r, p)| r / p)
    };
    vec![
        goal(
            "0.072 CPU: rust / best peer wall",
            "direct path's best concurrent median wall over the faster peer's best, both at 0.072 CPU (128 MB)",
            vs_peer(ReaderKind::Rust),
            0.06,
        ),
        goal(
            "0.072 CPU: rust / its CPU floor",
            "the direct path's fastest case at 0.072 CPU: whole-process wall over its CPU time / 0.072",
            best_case(cases, LOW, ReaderKind::Rust).and_then(|c| c.cpu_floor_ratio),
            1.10,
        ),
        goal(
            "0.072 CPU: rust-sdk / best peer wall",
            "the SDK path's best concurrent median wall over the faster peer's best, both at 0.072 CPU",
            vs_peer(ReaderKind::RustSdk),
            0.12,
        ),
        goal(
            "0.072 CPU: rust CPU ms/object",
            "the direct path's whole-process CPU per object over TLS (start-up included), its fastest case at 0.072 CPU",
            cpu_at_low(ReaderKind::Rust),
            0.10,
        ),
        goal(
            "0.072 CPU: rust-sdk CPU ms/object",
            "the SDK path's whole-process CPU per object over TLS (start-up included), its fastest case at 0.072 CPU",
            cpu_at_low(ReaderKind::RustSdk),
            0.20,
        ),
        goal(
            "rust C=64 at 1 CPU / lower bound",
            "median wall of the direct path, C=64, 1 CPU, over (list time + ceil(N/64) x L)",
            find(cases, 1.0, ReaderKind::Rust, 64).and_then(|c| c.bound_ratio),
            1.10,
        ),
        goal(
            "init at 1 CPU: rust / python",
            "median time from process start to the first connection to S3, every run at 1 CPU",
            init_vs(ReaderKind::Python),
            0.25,
        ),
        goal(
            "init at 1 CPU: rust / node",
            "as above, against Node.js",
            init_vs(ReaderKind::Node),
            0.20,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::ChildUsage;

    fn sample(time_s: f64, cpu_s: f64, rss_mib: u64) -> RunSample {
        RunSample {
            time_s: Some(time_s),
            result: Some("1000".into()),
            usage: ChildUsage {
                user_s: cpu_s,
                sys_s: 0.0,
                max_rss_kib: rss_mib * 1024,
                wall_s: time_s + 0.1,
                exit_code: Some(0),
                started_monotonic_s: None,
            },
            connections: 64,
            init_s: Some(cpu_s / 10.0),
            handshakes: Some(Handshakes {
                full: 65,
                resumed: 0,
                failed: 0,
            }),
            stats: None,
            auto_concurrency: None,
            error: None,
        }
    }

    fn plan() -> Plan {
        let args = <crate::cli::Cli as clap::Parser>::parse_from(["s3-bench"]).bench;
        Plan::from_args(&args, 1).unwrap_or_else(|e| panic!("{e}"))
    }

    fn case(reader: ReaderKind, cpus: f64, time_s: f64, cpu_s: f64, rss: u64) -> CaseResult {
        let c = Case {
            reader,
            mode: ReadMode::Concurrent,
            concurrency: Concurrency::Fixed(64),
            runs: 3,
        };
        let samples = vec![
            sample(time_s, cpu_s, rss),
            sample(time_s * 2.0, cpu_s, rss),
            sample(time_s * 0.9, cpu_s, rss),
        ];
        summarize(Some(cpus), cpus, &c, samples, &plan(), 0.02, Some(0.1))
    }

    #[test]
    fn summary_takes_medians_and_ratios() {
        let r = case(ReaderKind::Rust, 1.0, 0.36, 0.3, 10);
        assert_eq!(r.ok_runs, 3);
        assert_eq!(r.wall_s, Some(0.36));
        assert!((r.lower_bound_s.unwrap_or(0.0) - 0.34).abs() < 1e-9);
        assert_eq!(r.auto_limits, None, "a fixed C has no auto limits");
        assert!((r.bound_ratio.unwrap_or(0.0) - 0.36 / 0.34).abs() < 1e-9);
        assert!((r.cpu_ms_per_object.unwrap_or(0.0) - 0.3).abs() < 1e-9);
        assert!((r.net_cpu_ms_per_object.unwrap_or(0.0) - 0.2).abs() < 1e-9);
        assert_eq!(r.peak_rss_mib, Some(10.0));
    }

    #[test]
    fn lambda_size_goals_take_each_reader_at_its_best() {
        let at = |reader, cpus, c: u32, time_s, cpu_s| {
            let mut case = case(reader, cpus, time_s, cpu_s, 10);
            case.concurrency = Concurrency::Fixed(c);
            case
        };
        let cases = vec![
            at(ReaderKind::Rust, 0.072, 16, 1.5, 0.1),
            at(ReaderKind::Rust, 0.072, 64, 1.2, 0.085),
            at(ReaderKind::RustSdk, 0.072, 64, 2.4, 0.17),
            at(ReaderKind::Python, 0.072, 16, 21.0, 1.6),
            at(ReaderKind::Python, 0.072, 64, 22.0, 1.7),
            at(ReaderKind::Node, 0.072, 16, 30.0, 2.2),
            at(ReaderKind::Rust, 1.0, 64, 0.36, 0.09),
            at(ReaderKind::RustSdk, 1.0, 64, 0.37, 0.21),
            at(ReaderKind::Python, 1.0, 64, 1.4, 2.0),
            at(ReaderKind::Node, 1.0, 64, 1.8, 2.0),
        ];
        let goals = lambda_size_goals(&cases);
        let value = |i: usize| goals[i].value.unwrap_or(f64::NAN);
        // Best walls at 0.072: rust 1.2 (C=64) against Python's 21.0 (C=16).
        assert!((value(0) - 1.2 / 21.0).abs() < 1e-9);
        assert_eq!(goals[0].met, Some(true));
        // Its CPU floor: 0.085 s / 0.072 = 1.18 s; the process took 1.2 + 0.1 s.
        assert!((value(1) - 1.3 / (0.085 / 0.072)).abs() < 1e-9);
        assert_eq!(goals[1].met, Some(false));
        assert!((value(2) - 2.4 / 21.0).abs() < 1e-9);
        // CPU per object of each Rust path's fastest case at 0.072 (not the 1-CPU figures).
        assert!((value(3) - 0.085).abs() < 1e-9);
        assert!((value(4) - 0.17).abs() < 1e-9);
        assert_eq!(goals[4].met, Some(true), "0.17 ms <= 0.20 ms");
        // Init (CPU / 10 in these samples): 9 ms against 200 ms.
        assert!((value(6) - 0.045).abs() < 1e-9);
        let best = best_cases(&cases);
        assert_eq!(best.len(), 8, "one per reader and setting");
        assert!(best.iter().any(|c| c.cpus == 0.072
            && c.reader == ReaderKind::Rust
            && c.concurrency == Concurrency::Fixed(64)));
        // A run without the peers measures no ratio, and says so.
        let rust_only: Vec<CaseResult> =
            cases.into_iter().filter(|c| !c.reader.is_peer()).collect();
        assert_eq!(lambda_size_goals(&rust_only)[0].met, None);
    }

    #[test]
    fn failed_runs_are_left_out() {
        let c = Case {
            reader: ReaderKind::Node,
            mode: ReadMode::Sequential,
            concurrency: Concurrency::Fixed(1),
            runs: 2,
        };
        let mut bad = sample(0.01, 0.0, 1);
        bad.error = Some("answered 3 objects, expected 1000".into());
        let r = summarize(
            None,
            1.0,
            &c,
            vec![bad, sample(21.0, 1.0, 50)],
            &plan(),
            0.0,
            None,
        );
        assert_eq!(r.ok_runs, 1);
        assert_eq!(r.wall_s, Some(21.0));
        assert_eq!(r.net_cpu_ms_per_object, None);
        // No quota in force: no CPU floor to compare with.
        assert_eq!(r.cpu_floor_ratio, None);
    }

    #[test]
    fn goals_compare_rust_with_the_best_peer() {
        let mut cases = vec![
            case(ReaderKind::Rust, 1.0, 0.36, 0.3, 10),
            case(ReaderKind::Python, 1.0, 2.0, 3.0, 60),
            case(ReaderKind::Node, 1.0, 1.0, 1.5, 80),
            case(ReaderKind::Rust, 0.58, 0.4, 0.3, 10),
            case(ReaderKind::Python, 0.58, 4.0, 3.0, 60),
            case(ReaderKind::Node, 0.58, 1.0, 1.5, 80),
        ];
        fill_rust_ratios(&mut cases);
        assert!((cases[2].rust_wall_ratio.unwrap_or(0.0) - 0.36).abs() < 1e-9);
        assert_eq!(cases[0].rust_wall_ratio, None);
        let g = goals(&cases);
        assert_eq!(g[0].met, Some(true)); // 0.36 / 0.34
        assert_eq!(g[1].met, Some(true)); // 0.4 / 4.0
        assert_eq!(g[2].met, Some(false)); // 0.4 / 1.0
        assert!((g[3].value.unwrap_or(0.0) - 0.2).abs() < 1e-9); // 0.3 / 1.5
        assert!((g[5].value.unwrap_or(0.0) - 10.0 / 60.0).abs() < 1e-9);
        // Nothing measured at 0.58 CPU: the goal says so instead of passing.
        let only_one_cpu: Vec<CaseResult> = cases.into_iter().filter(|c| c.cpus == 1.0).collect();
        assert_eq!(goals(&only_one_cpu)[1].met, None);
    }

    /// An `auto` case of `reader` at `cpus` whose runs took `walls` and settled at `finals`.
    fn auto_case(reader: ReaderKind, cpus: f64, walls: &[f64], finals: &[u32]) -> CaseResult {
        let c = Case {
            reader,
            mode: ReadMode::Concurrent,
            concurrency: Concurrency::Auto,
            runs: 3,
        };
        let samples = walls
            .iter()
            .zip(finals)
            .map(|(&wall, &final_limit)| RunSample {
                auto_concurrency: Some(bench_types::AutoConcurrency {
                    initial: 16,
                    min: 16,
                    max: final_limit + 32,
                    final_limit,
                    mean: f64::from(final_limit) * 0.9,
                    changes: 12,
                }),
                ..sample(wall, 0.1, 20)
            })
            .collect();
        summarize(Some(cpus), cpus, &c, samples, &plan(), 0.02, Some(0.01))
    }

    #[test]
    fn an_auto_case_keeps_its_limits_and_has_no_bound() {
        let r = auto_case(ReaderKind::Rust, 1.0, &[0.40, 0.30, 0.35], &[96, 128, 112]);
        assert_eq!(r.concurrency, Concurrency::Auto);
        assert_eq!(r.wall_s, Some(0.35));
        // No C, no lower bound: `/bound` stays empty.
        assert_eq!((r.lower_bound_s, r.bound_ratio), (None, None));
        let limits = r.auto_limits.clone().unwrap_or_else(|| panic!("no limits"));
        assert_eq!(limits.runs, 3);
        assert_eq!(limits.final_median, 112.0);
        assert_eq!((limits.min, limits.max), (16, 160));
        assert!((limits.mean_median - 112.0 * 0.9).abs() < 1e-9);
        // In results.json: `"concurrency": "auto"`, the limits, each run's own.
        let json = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(json["concurrency"], "auto");
        assert_eq!(json["autoLimits"]["finalMedian"], 112.0);
        assert_eq!(json["samples"][1]["autoConcurrency"]["final"], 128);
        assert_eq!(json["samples"][1]["autoConcurrency"]["max"], 160);
        // A failed run's limits are not counted.
        let mut failed = auto_case(ReaderKind::Rust, 1.0, &[0.4, 0.3], &[8, 64]);
        failed.samples[0].error = Some("answered 3 objects, expected 1000".into());
        let ok: Vec<&RunSample> = failed.samples.iter().filter(|s| s.ok()).collect();
        assert_eq!(AutoLimits::of(&ok).map(|l| l.final_median), Some(64.0));
        assert_eq!(AutoLimits::of(&[]), None);
    }

    #[test]
    fn auto_is_checked_against_the_fastest_fixed_c() {
        let fixed = |reader, cpus, c: u32, wall| {
            let mut case = case(reader, cpus, wall, 0.1, 10);
            case.concurrency = Concurrency::Fixed(c);
            case
        };
        let mut cases = vec![
            fixed(ReaderKind::Rust, 0.58, 16, 1.4),
            fixed(ReaderKind::Rust, 0.58, 128, 0.30),
            auto_case(
                ReaderKind::Rust,
                0.58,
                &[0.31, 0.32, 0.33],
                &[100, 110, 120],
            ),
            fixed(ReaderKind::RustSdk, 0.58, 64, 0.45),
            auto_case(
                ReaderKind::RustSdk,
                0.58,
                &[0.60, 0.50, 0.55],
                &[40, 48, 56],
            ),
            fixed(ReaderKind::Python, 0.58, 64, 3.0),
            fixed(ReaderKind::Rust, 1.0, 64, 0.40),
            auto_case(ReaderKind::Rust, 1.0, &[0.45, 0.45, 0.45], &[64, 64, 64]),
        ];
        // The auto case is nobody's best C, and the peers' rust/this pairs auto with auto.
        assert!(best_cases(&cases)
            .iter()
            .all(|c| c.concurrency != Concurrency::Auto));
        fill_rust_ratios(&mut cases);
        assert!((cases[4].rust_wall_ratio.unwrap_or(0.0) - 0.32 / 0.55).abs() < 1e-9);
        let goals = auto_goals(&cases);
        let names: Vec<&str> = goals.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "0.58 CPU: rust auto / best fixed",
                "0.58 CPU: rust-sdk auto / best fixed",
                "1 CPU: rust auto / best fixed"
            ]
        );
        // 0.32 s against C = 128's 0.30 s: 1.07, met.
        assert!((goals[0].value.unwrap_or(0.0) - 0.32 / 0.30).abs() < 1e-9);
        assert_eq!(goals[0].met, Some(true));
        assert_eq!(goals[0].target, AUTO_TARGET);
        let note = goals[0].note.clone().unwrap_or_default();
        assert!(note.contains("best fixed C = 128 (0.300 s)"), "{note}");
        assert!(note.contains("settled at 110"), "{note}");
        // 0.55 s against 0.45 s: missed.
        assert_eq!(goals[1].met, Some(false));
        // 0.45 against 0.40: 1.125, missed.
        assert_eq!(goals[2].met, Some(false));
        // Without a fixed C to compare with, the goal says it was not measured.
        let alone = vec![auto_case(ReaderKind::Rust, 1.0, &[0.4], &[64])];
        let goals = auto_goals(&alone);
        assert_eq!((goals.len(), goals[0].met), (1, None));
        assert!(goals[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("no fixed C")));
        // No auto case, no auto goal.
        assert!(auto_goals(&cases[..2]).is_empty());
    }
}
