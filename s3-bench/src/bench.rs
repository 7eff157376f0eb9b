//! One benchmark run from start to end: the S3 server (over HTTPS unless `--plain-http`), the
//! list time, then per CPU setting every reader's start-up baseline and
//! every case, several runs each (interleaved, so drift on the machine spreads over all readers
//! alike), the server's handshake counts, and the outputs.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bench_types::{Concurrency, ReadMode};
use serde::Serialize;
use system::cgroup::{CpuController, CpuGroup, QuotaError};
use system::time::utc_now_secs;

use crate::chart::{self, ChartInput};
use crate::listing;
use crate::machine::{load_average, Machine};
use crate::plan::{Case, Plan};
use crate::readers::{memory_for_cpus, reader_env, reader_event, ReaderKind, ReaderPrograms};
use crate::results::{self, Baseline, CaseResult, Goal, Handshakes, SettingInfo, Transport};
use crate::runner::{run_reader, RunSample, RunSpec};
use crate::server::{S3Server, ServerSpec};
use crate::table;

/// The bucket the server is populated in and the readers read.
const BUCKET: &str = "s3-bench-data";
/// A prefix with no objects: the readers' start-up baseline lists it.
const EMPTY_PREFIX: &str = "s3-bench-empty/";
/// Prefix of the CPU quota groups: `s3-bench-PID-N`.
const CGROUP_PREFIX: &str = "s3-bench-";

/// Why a run stopped before its outputs were written.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The S3 server did not start; the message says how (a missing binary, no endpoint line).
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
    /// The harness's own listing failed or found another object count than it uploaded.
    #[error(transparent)]
    List(#[from] crate::listing::ListError),
    /// `chart.svg` could not be drawn or written.
    #[error(transparent)]
    Chart(#[from] crate::chart::ChartError),
    /// An output file or the `logs` folder could not be written; check the `--out` folder.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file or folder.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// Which cores serve and which read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoreLayout {
    /// The S3 server and the harness; `None` when there is one core only.
    pub server_core: Option<usize>,
    /// The readers.
    pub reader_cores: Vec<usize>,
}

impl CoreLayout {
    /// The last allowed core serves; the others read. With one core, both share it.
    pub fn split(allowed: &[usize]) -> Self {
        match allowed.split_last() {
            Some((&last, rest)) if !rest.is_empty() => Self {
                server_core: Some(last),
                reader_cores: rest.to_vec(),
            },
            _ => Self {
                server_core: None,
                reader_cores: allowed.to_vec(),
            },
        }
    }
}

/// Everything one run measured (`results.json`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchResults {
    /// When the run ended, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date_utc: String,
    /// The machine it ran on.
    pub machine: Machine,
    /// The settings it ran with.
    pub plan: Plan,
    /// Which cores served and which read.
    pub cores: CoreLayout,
    /// `v1`, `v2`, or why no quota could be set.
    pub cgroup: String,
    /// The server's added latency per request, in milliseconds.
    pub latency_ms: u64,
    /// Median time of a full listing with a fresh client, used in every lower bound.
    pub list_time_s: f64,
    /// HTTPS or HTTP, and the whole run's connections and TLS handshakes.
    pub transport: Transport,
    /// Each CPU setting as it ran, in the plan's order.
    pub settings: Vec<SettingInfo>,
    /// Every reader's start-up baseline at every setting.
    pub baselines: Vec<Baseline>,
    /// Every case's figures: per setting, in the plan's case order.
    pub cases: Vec<CaseResult>,
    /// The goals, checked on `cases`, then each Rust reader's `auto` against its
    /// fastest fixed C, per setting.
    pub goals: Vec<Goal>,
    /// Remarks on how the run was set up (a debug build, one core only, no 2-CPU quota).
    pub notes: Vec<String>,
}

/// What a run needs from outside.
#[derive(Debug, Clone)]
pub struct BenchInputs {
    /// The resolved settings.
    pub plan: Plan,
    /// The installed readers.
    pub programs: ReaderPrograms,
    /// The `local-s3` binary.
    pub server_bin: PathBuf,
    /// Where the outputs go, and the readers' output in `logs/`.
    pub out_dir: PathBuf,
    /// Which cores serve and which read.
    pub cores: CoreLayout,
}

fn write(path: &Path, text: &str) -> Result<(), BenchError> {
    fs::write(path, text).map_err(|source| BenchError::Write {
        path: path.display().to_string(),
        source,
    })
}

fn say(line: &str) {
    eprintln!("s3-bench: {line}");
}

/// Runs the whole benchmark and writes `results.json`, `table.txt`, `table.md` and `chart.svg`.
pub async fn run(inputs: &BenchInputs) -> Result<BenchResults, BenchError> {
    let plan = &inputs.plan;
    let logs = inputs.out_dir.join("logs");
    fs::create_dir_all(&logs).map_err(|source| BenchError::Write {
        path: logs.display().to_string(),
        source,
    })?;
    let mut machine = Machine::describe(
        inputs.cores.reader_cores.len() + usize::from(inputs.cores.server_core.is_some()),
    );
    let mut notes = run_notes(&inputs.cores);

    let prefix = format!("bench/{}/", plan.objects);
    let server = start_server(inputs, &prefix).await?;
    // Its own uploads at start are not the run's connections.
    let at_start = server
        .counts_so_far()
        .await
        .ok_or(crate::server::ServerError::NoCounts)?;
    let scheme = server.scheme().to_owned();
    let endpoint = server.endpoint().to_owned();
    let ca = server.ca();
    let list_s = listing::list_time_s(
        &endpoint,
        ca.map(|ca| ca.pem.as_str()),
        BUCKET,
        &prefix,
        plan.objects,
        5,
    )
    .await?;
    say(&format!(
        "server at {endpoint}{}; list time {:.1} ms",
        ca.map(|ca| format!(", CA {}", ca.path.display()))
            .unwrap_or_default(),
        list_s * 1000.0
    ));

    let controller = CpuController::detect();
    controller.remove_stale_groups(CGROUP_PREFIX);
    let context = RunContext {
        inputs,
        server: &server,
        endpoint: &endpoint,
        ca_file: ca.map(|ca| ca.path.as_path()),
        prefix: &prefix,
        logs: &logs,
        list_s,
    };
    let mut settings = Vec::new();
    let mut baselines = Vec::new();
    let mut cases = Vec::new();
    for &cpus in &plan.cpus {
        let outcome = context.measure_setting(&controller, cpus).await;
        settings.push(outcome.info);
        baselines.extend(outcome.baselines);
        cases.extend(outcome.cases);
    }
    let at_end = server.counts_so_far().await;
    let connections = at_end.map_or(0, |end| {
        end.connections.saturating_sub(at_start.connections)
    });
    let handshakes = server.stop().await;
    let transport = Transport {
        tls_resumption: plan.tls_resumption,
        scheme,
        connections,
        handshakes,
    };
    notes.extend(transport_note(&transport));

    results::fill_rust_ratios(&mut cases);
    let mut goals = if plan.lambda_sizes {
        results::lambda_size_goals(&cases)
    } else {
        results::goals(&cases)
    };
    goals.extend(results::auto_goals(&cases));
    machine.load_at_end = load_average();
    let results = BenchResults {
        date_utc: utc_now_secs(),
        machine,
        plan: plan.clone(),
        cores: inputs.cores.clone(),
        cgroup: cgroup_label(&controller),
        latency_ms: plan.latency_ms,
        list_time_s: list_s,
        transport,
        settings,
        baselines,
        cases,
        goals,
        notes,
    };
    write_outputs(&inputs.out_dir, &results)?;
    Ok(results)
}

/// What the reader of the results should know about how this run was set up.
fn run_notes(cores: &CoreLayout) -> Vec<String> {
    let mut notes = Vec::new();
    if cfg!(debug_assertions) {
        notes.push("debug build of the harness (and of the reader and server unless --reader-bin / --server-bin name release builds); use --release for figures".to_owned());
    }
    if cores.server_core.is_none() {
        notes.push("one core only: the server shares it with the readers".to_owned());
    }
    if cores.reader_cores.len() < 2 {
        notes.push(format!(
            "2-CPU quota not run by default: the readers have {} core(s) once the server has its own",
            cores.reader_cores.len()
        ));
    }
    notes
}

/// What is odd about the run's TLS handshakes, if anything: none reported, failures (a reader
/// that did not trust the CA), or fewer than the run's connections (the server's count also
/// has its own uploads at start, so it may be higher, not lower).
fn transport_note(transport: &Transport) -> Option<String> {
    if !transport.tls() {
        return None;
    }
    let Some(Handshakes {
        full,
        resumed,
        failed,
    }) = transport.handshakes
    else {
        return Some("the S3 server printed no `handshakes` line at its exit: TLS handshakes not counted (its stderr is above)".to_owned());
    };
    if failed > 0 {
        return Some(format!(
            "{failed} TLS handshake(s) failed: a reader did not trust the server's CA (see the runs marked FAILED and their logs)"
        ));
    }
    let handshakes = full + resumed;
    (handshakes < transport.connections).then(|| {
        format!(
            "the server completed {handshakes} TLS handshakes for {} connections: some connections never finished one",
            transport.connections
        )
    })
}

/// The S3 server on its own core, populated with the plan's objects under `prefix`.
async fn start_server(inputs: &BenchInputs, prefix: &str) -> Result<S3Server, BenchError> {
    let plan = &inputs.plan;
    say(&format!(
        "starting the S3 server: {} objects of {}-{} bytes, latency {} ms",
        plan.objects, plan.min_size, plan.max_size, plan.latency_ms
    ));
    Ok(S3Server::start(&ServerSpec {
        bin: inputs.server_bin.clone(),
        latency_ms: plan.latency_ms,
        bucket: BUCKET.to_owned(),
        prefix: prefix.to_owned(),
        objects: plan.objects,
        min_size: plan.min_size,
        max_size: plan.max_size,
        cores: inputs.cores.server_core.map(|c| vec![c]),
        start_timeout: Duration::from_secs(300),
        tls: plan.tls,
        tls_resumption: plan.tls_resumption,
    })
    .await?)
}

/// `v1`, `v2`, or why no quota can be set.
fn cgroup_label(controller: &CpuController) -> String {
    match controller {
        CpuController::Available { version, .. } => version.name().to_owned(),
        CpuController::Unavailable { reason } => no_controller_note(reason),
    }
}

fn no_controller_note(reason: &str) -> String {
    format!(
        "no writable cgroup CPU controller ({reason}); run as root on a machine with cgroups, or pass --cpus 0"
    )
}

fn mode_name(mode: ReadMode) -> &'static str {
    match mode {
        ReadMode::Sequential => "sequential",
        ReadMode::Concurrent => "concurrent",
    }
}

/// The quota group for `cpus`, or why there is none.
fn quota_group(controller: &CpuController, cpus: f64) -> (Option<CpuGroup>, Option<String>) {
    if cpus == 0.0 {
        return (None, Some("no CPU quota requested (--cpus 0)".to_owned()));
    }
    match controller.create_group(CGROUP_PREFIX, cpus) {
        Ok(group) => (Some(group), None),
        Err(QuotaError::Unavailable { reason }) => (
            None,
            Some(format!(
                "quota {cpus} CPU could not be set, ran without it: {}",
                no_controller_note(&reason)
            )),
        ),
        Err(e) => (
            None,
            Some(format!(
                "quota {cpus} CPU could not be set, ran without it: {e}"
            )),
        ),
    }
}

/// What every setting of a run shares.
struct RunContext<'a> {
    inputs: &'a BenchInputs,
    /// The S3 server, asked for its counts around every run.
    server: &'a S3Server,
    endpoint: &'a str,
    /// Over HTTPS, the server's CA certificate, which every reader is told to trust.
    ca_file: Option<&'a Path>,
    /// Where the plan's objects are.
    prefix: &'a str,
    logs: &'a Path,
    list_s: f64,
}

/// One CPU setting as it ran, with its figures.
struct SettingOutcome {
    info: SettingInfo,
    baselines: Vec<Baseline>,
    cases: Vec<CaseResult>,
}

impl RunContext<'_> {
    /// Every reader's start-up baseline and every case at `cpus`, under a quota when one can be
    /// set.
    async fn measure_setting(&self, controller: &CpuController, cpus: f64) -> SettingOutcome {
        let (mut group, note) = quota_group(controller, cpus);
        if let Some(note) = &note {
            say(note);
        }
        let info = SettingInfo {
            cpus,
            quota_applied: group.is_some(),
            memory_mb: if cpus > 0.0 { memory_for_cpus(cpus) } else { 0 },
            reader_cores: self.inputs.cores.reader_cores.clone(),
            note,
        };
        let setting = SettingContext {
            run: self,
            group: group.as_ref(),
            setting: &info,
        };
        let baselines = setting.baselines().await;
        let plan_cases = self.inputs.plan.cases();
        let samples = setting.case_samples(&plan_cases).await;
        let cases = plan_cases
            .iter()
            .zip(samples)
            .map(|(case, runs)| {
                let baseline_cpu = baselines
                    .iter()
                    .find(|b| b.reader == case.reader && b.sample.ok())
                    .map(|b| b.sample.usage.cpu_s());
                results::summarize(
                    Some(cpus).filter(|_| info.quota_applied),
                    cpus,
                    case,
                    runs,
                    &self.inputs.plan,
                    self.list_s,
                    baseline_cpu,
                )
            })
            .collect();
        // Every run of this setting has exited, so its group can go.
        if let Some(Err(e)) = group.as_mut().map(CpuGroup::remove) {
            say(&format!("[{cpus} CPU] {e}"));
        }
        SettingOutcome {
            info,
            baselines,
            cases,
        }
    }
}

/// One setting of a run: its quota group and its description.
struct SettingContext<'a> {
    run: &'a RunContext<'a>,
    group: Option<&'a CpuGroup>,
    setting: &'a SettingInfo,
}

impl SettingContext<'_> {
    fn spec(&self, command: Vec<String>, stem: String) -> RunSpec {
        RunSpec {
            command,
            env: reader_env(self.run.endpoint, self.run.ca_file, self.setting.memory_mb),
            cgroup_procs: self.group.map(CpuGroup::procs_file),
            cores: Some(self.setting.reader_cores.clone()).filter(|c| !c.is_empty()),
            timeout: Duration::from_secs(self.run.inputs.plan.run_timeout_s),
            log_stem: self.run.logs.join(stem),
        }
    }

    /// Every reader's start-up baseline.
    async fn baselines(&self) -> Vec<Baseline> {
        let cpus = self.setting.cpus;
        let mut baselines = Vec::new();
        for &reader in &self.run.inputs.plan.readers {
            let sample = self.baseline(reader).await;
            say(&format!(
                "[{cpus} CPU] {reader} start-up baseline: {:.3} s CPU, {:.1} MiB, init {}{}",
                sample.usage.cpu_s(),
                sample.usage.max_rss_kib as f64 / 1024.0,
                sample
                    .init_s
                    .map_or_else(|| "-".to_owned(), |s| format!("{:.1} ms", s * 1000.0)),
                sample
                    .error
                    .as_deref()
                    .map(|e| format!(" FAILED: {e}"))
                    .unwrap_or_default()
            ));
            baselines.push(Baseline {
                cpus,
                reader,
                sample,
            });
        }
        baselines
    }

    async fn baseline(&self, reader: ReaderKind) -> RunSample {
        let event = reader_event(
            BUCKET,
            EMPTY_PREFIX,
            ReadMode::Concurrent,
            Concurrency::Fixed(64),
        );
        let command = self.run.inputs.programs.command(reader, &event);
        let stem = format!("cpu{}-{reader}-baseline", self.setting.cpus);
        run_reader(&self.spec(command, stem), self.run.server, 0).await
    }

    /// The runs of every case, interleaved (run 1 of every case, then run 2, ...) so that drift
    /// on the machine spreads over all readers alike; `samples[i]` are the runs of `cases[i]`.
    async fn case_samples(&self, cases: &[Case]) -> Vec<Vec<RunSample>> {
        let mut samples: Vec<Vec<RunSample>> = vec![Vec::new(); cases.len()];
        let max_runs = cases.iter().map(|c| c.runs).max().unwrap_or(0);
        for rep in 0..max_runs {
            for (i, case) in cases.iter().enumerate().filter(|(_, c)| rep < c.runs) {
                let sample = self.case_run(case, rep).await;
                say(&format!(
                    "[{} CPU] {} {} C={} run {}/{}: {}",
                    self.setting.cpus,
                    case.reader,
                    mode_name(case.mode),
                    case.concurrency,
                    rep + 1,
                    case.runs,
                    describe_sample(&sample)
                ));
                samples[i].push(sample);
            }
        }
        samples
    }

    async fn case_run(&self, case: &Case, rep: u32) -> RunSample {
        let event = reader_event(BUCKET, self.run.prefix, case.mode, case.concurrency);
        let command = self.run.inputs.programs.command(case.reader, &event);
        let stem = format!(
            "cpu{}-{}-{}{}-r{}",
            self.setting.cpus,
            case.reader,
            mode_name(case.mode),
            case.concurrency,
            rep + 1
        );
        run_reader(
            &self.spec(command, stem),
            self.run.server,
            self.run.inputs.plan.objects,
        )
        .await
    }
}

/// One run's figures (or its failure) for the progress log.
fn describe_sample(sample: &RunSample) -> String {
    match (&sample.error, sample.time_s) {
        (Some(e), _) => format!("FAILED: {e}"),
        (None, t) => format!(
            "{:.3} s, {:.3} s CPU, {:.1} MiB, {} conns{}, init {}{}",
            t.unwrap_or(0.0),
            sample.usage.cpu_s(),
            sample.usage.max_rss_kib as f64 / 1024.0,
            sample.connections,
            sample
                .handshakes
                .map(|h| format!(", TLS handshakes {} full {} resumed", h.full, h.resumed))
                .unwrap_or_default(),
            sample
                .init_s
                .map_or_else(|| "-".to_owned(), |s| format!("{:.1} ms", s * 1000.0)),
            sample
                .auto_concurrency
                .as_ref()
                .map(|a| format!(
                    ", auto limit {} -> {} (range {}-{}, {} changes)",
                    a.initial, a.final_limit, a.min, a.max, a.changes
                ))
                .unwrap_or_default()
        ),
    }
}

/// Writes `results.json`, `table.txt`, `table.md`, `best.md` and `chart.svg` into `dir`.
fn write_outputs(dir: &Path, results: &BenchResults) -> Result<(), BenchError> {
    let json = serde_json::to_string_pretty(results).unwrap_or_default();
    write(&dir.join("results.json"), &json)?;
    let text = format!(
        "{}\n{}\neach reader at its best concurrency:\n{}\n{}",
        table::transport_text(&results.transport),
        table::text_table(&results.cases),
        table::best_text_table(&results.cases),
        table::goals_text(&results.goals)
    );
    write(&dir.join("table.txt"), &text)?;
    write(
        &dir.join("table.md"),
        &table::markdown_table(&results.cases),
    )?;
    write(
        &dir.join("best.md"),
        &table::best_markdown_table(&results.cases),
    )?;
    let settings = &results.plan.cpus;
    chart::draw(
        &dir.join("chart.svg"),
        &ChartInput {
            cases: &results.cases,
            settings,
            objects: results.plan.objects,
            latency_s: results.plan.latency_s(),
            list_s: results.list_time_s,
            title: format!(
                "Reading {} S3 objects at {} ms per request: wall time vs concurrency",
                results.plan.objects, results.latency_ms
            ),
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_controller_the_note_says_how_to_run() {
        let note = cgroup_label(&CpuController::Unavailable {
            reason: "no cgroup v1 `cpu` or cgroup v2 mount found".into(),
        });
        assert!(note.contains("no cgroup v1"), "{note}");
        assert!(note.contains("--cpus 0"), "{note}");
        let (group, note) = quota_group(
            &CpuController::Unavailable {
                reason: "none here".into(),
            },
            0.58,
        );
        assert!(group.is_none());
        assert!(note.is_some_and(|n| n.contains("none here") && n.contains("--cpus 0")));
        let (group, note) = quota_group(
            &CpuController::Unavailable {
                reason: "none here".into(),
            },
            0.0,
        );
        assert!(group.is_none());
        assert_eq!(note.as_deref(), Some("no CPU quota requested (--cpus 0)"));
    }

    #[test]
    fn odd_handshake_counts_are_noted() {
        let transport = |handshakes| Transport {
            scheme: "https".into(),
            tls_resumption: false,
            connections: 10,
            handshakes,
        };
        let full = |full, failed| {
            Some(Handshakes {
                full,
                resumed: 0,
                failed,
            })
        };
        assert_eq!(transport_note(&transport(full(10, 0))), None);
        // The server's own uploads at start add handshakes that are not the run's connections.
        assert_eq!(transport_note(&transport(full(43, 0))), None);
        assert!(transport_note(&transport(full(9, 1))).is_some_and(|n| n.contains("CA")));
        assert!(transport_note(&transport(full(8, 0))).is_some_and(|n| n.contains("8 TLS")));
        assert!(transport_note(&transport(None)).is_some_and(|n| n.contains("no `handshakes`")));
        let plain = Transport {
            scheme: "http".into(),
            ..transport(None)
        };
        assert_eq!(transport_note(&plain), None);
    }

    #[test]
    fn the_last_core_serves() {
        assert_eq!(
            CoreLayout::split(&[0, 1]),
            CoreLayout {
                server_core: Some(1),
                reader_cores: vec![0]
            }
        );
        assert_eq!(CoreLayout::split(&[3]).server_core, None);
        assert_eq!(CoreLayout::split(&[0, 1, 2, 3]).reader_cores, vec![0, 1, 2]);
    }
}
