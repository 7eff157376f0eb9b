//! One benchmark run from start to end: the S3 server behind the counting proxy, the list
//! time, then per CPU setting every reader's start-up baseline and every case, several runs
//! each (interleaved, so drift on the machine spreads over all readers alike), and the outputs.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bench_types::ReadMode;
use serde::Serialize;

use crate::cgroup::{CgroupFs, CpuGroup};
use crate::chart::{self, ChartInput};
use crate::listing;
use crate::machine::{load_average, Machine};
use crate::plan::{Case, Plan};
use crate::proxy::CountingProxy;
use crate::readers::{memory_for_cpus, reader_env, reader_event, ReaderKind, ReaderPrograms};
use crate::results::{self, Baseline, CaseResult, Goal, SettingInfo};
use crate::runner::{run_reader, RunSample, RunSpec};
use crate::server::{S3Server, ServerSpec};
use crate::table;

pub const BUCKET: &str = "s3-bench-data";
/// A prefix with no objects: the readers' start-up baseline lists it.
pub const EMPTY_PREFIX: &str = "s3-bench-empty/";

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
    #[error(transparent)]
    List(#[from] crate::listing::ListError),
    #[error(transparent)]
    Chart(#[from] crate::chart::ChartError),
    #[error("could not start the counting proxy: {0}")]
    Proxy(#[source] std::io::Error),
    #[error("could not write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Which cores serve and which read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoreLayout {
    /// The S3 server, the proxy and the harness; `None` when there is one core only.
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
    pub date_utc: String,
    pub machine: Machine,
    pub plan: Plan,
    pub cores: CoreLayout,
    /// `v1`, `v2`, or why no quota could be set.
    pub cgroup: String,
    pub latency_ms: u64,
    /// Median time of a full listing with a fresh client, used in every lower bound.
    pub list_time_s: f64,
    pub settings: Vec<SettingInfo>,
    pub baselines: Vec<Baseline>,
    pub cases: Vec<CaseResult>,
    pub goals: Vec<Goal>,
    pub notes: Vec<String>,
}

/// What a run needs from outside.
#[derive(Debug, Clone)]
pub struct BenchInputs {
    pub plan: Plan,
    pub programs: ReaderPrograms,
    pub server_bin: PathBuf,
    pub out_dir: PathBuf,
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
    let mut notes = Vec::new();
    if cfg!(debug_assertions) {
        notes.push("debug build of the harness (and of the reader and server unless --reader-bin / --server-bin name release builds); use --release for figures".to_owned());
    }
    if inputs.cores.server_core.is_none() {
        notes.push("one core only: the server shares it with the readers".to_owned());
    }
    if inputs.cores.reader_cores.len() < 2 {
        notes.push(format!(
            "2-CPU quota not run by default: the readers have {} core(s) once the server has its own",
            inputs.cores.reader_cores.len()
        ));
    }

    let prefix = format!("bench/{}/", plan.objects);
    say(&format!(
        "starting the S3 server: {} objects of {}-{} bytes, latency {} ms",
        plan.objects, plan.min_size, plan.max_size, plan.latency_ms
    ));
    let server = S3Server::start(&ServerSpec {
        bin: inputs.server_bin.clone(),
        latency_ms: plan.latency_ms,
        bucket: BUCKET.to_owned(),
        prefix: prefix.clone(),
        objects: plan.objects,
        min_size: plan.min_size,
        max_size: plan.max_size,
        cores: inputs.cores.server_core.map(|c| vec![c]),
        start_timeout: Duration::from_secs(300),
    })
    .await?;
    let proxy = CountingProxy::start(server.addr())
        .await
        .map_err(BenchError::Proxy)?;
    let endpoint = proxy.endpoint();
    let list_s = listing::list_time_s(&endpoint, BUCKET, &prefix, plan.objects, 5).await?;
    say(&format!(
        "server at {} (proxy {endpoint}); list time {:.1} ms",
        server.endpoint(),
        list_s * 1000.0
    ));

    let cgroups = CgroupFs::detect();
    let cgroup_label = match &cgroups {
        Ok(fs_) => fs_.version().to_owned(),
        Err(e) => e.to_string(),
    };
    let mut settings = Vec::new();
    let mut baselines = Vec::new();
    let mut cases = Vec::new();
    for &cpus in &plan.cpus {
        let (group, note) = quota_group(&cgroups, cpus);
        if let Some(note) = &note {
            say(note);
        }
        let setting = SettingInfo {
            cpus,
            quota_applied: group.is_some(),
            memory_mb: if cpus > 0.0 { memory_for_cpus(cpus) } else { 0 },
            reader_cores: inputs.cores.reader_cores.clone(),
            note,
        };
        let ctx = SettingContext {
            inputs,
            proxy: &proxy,
            endpoint: &endpoint,
            group: group.as_ref(),
            setting: &setting,
            logs: &logs,
        };
        let mut setting_baselines = Vec::new();
        for &reader in &plan.readers {
            let sample = ctx.baseline(reader).await;
            say(&format!(
                "[{cpus} CPU] {reader} start-up baseline: {:.3} s CPU, {:.1} MiB{}",
                sample.usage.cpu_s(),
                sample.usage.max_rss_kib as f64 / 1024.0,
                sample
                    .error
                    .as_deref()
                    .map(|e| format!(" FAILED: {e}"))
                    .unwrap_or_default()
            ));
            setting_baselines.push(Baseline {
                cpus,
                reader,
                sample,
            });
        }
        let plan_cases = plan.cases();
        let mut samples: Vec<Vec<RunSample>> = vec![Vec::new(); plan_cases.len()];
        let max_runs = plan_cases.iter().map(|c| c.runs).max().unwrap_or(0);
        for rep in 0..max_runs {
            for (i, case) in plan_cases.iter().enumerate().filter(|(_, c)| rep < c.runs) {
                let sample = ctx.case_run(case, &prefix, rep).await;
                say(&format!(
                    "[{cpus} CPU] {} {} C={} run {}/{}: {}",
                    case.reader,
                    mode_name(case.mode),
                    case.concurrency,
                    rep + 1,
                    case.runs,
                    match (&sample.error, sample.time_s) {
                        (Some(e), _) => format!("FAILED: {e}"),
                        (None, t) => format!(
                            "{:.3} s, {:.3} s CPU, {:.1} MiB, {} conns",
                            t.unwrap_or(0.0),
                            sample.usage.cpu_s(),
                            sample.usage.max_rss_kib as f64 / 1024.0,
                            sample.connections
                        ),
                    }
                ));
                samples[i].push(sample);
            }
        }
        for (case, runs) in plan_cases.iter().zip(samples) {
            let baseline_cpu = setting_baselines
                .iter()
                .find(|b| b.reader == case.reader && b.sample.ok())
                .map(|b| b.sample.usage.cpu_s());
            cases.push(results::summarize(
                cpus,
                case,
                runs,
                plan,
                list_s,
                baseline_cpu,
            ));
        }
        baselines.extend(setting_baselines);
        settings.push(setting);
        // `group` is dropped here: every run of this setting has exited, so it can be removed.
    }
    server.stop().await;
    drop(proxy);

    results::fill_rust_ratios(&mut cases);
    let goals = results::goals(&cases);
    machine.load_at_end = load_average();
    let results = BenchResults {
        date_utc: utc_now(),
        machine,
        plan: plan.clone(),
        cores: inputs.cores.clone(),
        cgroup: cgroup_label,
        latency_ms: plan.latency_ms,
        list_time_s: list_s,
        settings,
        baselines,
        cases,
        goals,
        notes,
    };
    write_outputs(&inputs.out_dir, &results)?;
    Ok(results)
}

fn mode_name(mode: ReadMode) -> &'static str {
    match mode {
        ReadMode::Sequential => "sequential",
        ReadMode::Concurrent => "concurrent",
    }
}

/// The quota group for `cpus`, or why there is none.
fn quota_group(
    cgroups: &Result<CgroupFs, crate::cgroup::QuotaError>,
    cpus: f64,
) -> (Option<CpuGroup>, Option<String>) {
    if cpus == 0.0 {
        return (None, Some("no CPU quota requested (--cpus 0)".to_owned()));
    }
    let name = format!(
        "s3-bench-{}-{}",
        std::process::id(),
        (cpus * 1000.0).round() as u64
    );
    match cgroups {
        Ok(fs_) => match fs_.create(&name, cpus) {
            Ok(group) => (Some(group), None),
            Err(e) => (
                None,
                Some(format!(
                    "quota {cpus} CPU could not be set, ran without it: {e}"
                )),
            ),
        },
        Err(e) => (
            None,
            Some(format!(
                "quota {cpus} CPU could not be set, ran without it: {e}"
            )),
        ),
    }
}

struct SettingContext<'a> {
    inputs: &'a BenchInputs,
    proxy: &'a CountingProxy,
    endpoint: &'a str,
    group: Option<&'a CpuGroup>,
    setting: &'a SettingInfo,
    logs: &'a Path,
}

impl SettingContext<'_> {
    fn spec(&self, command: Vec<String>, stem: String) -> RunSpec {
        RunSpec {
            command,
            env: reader_env(self.endpoint, self.setting.memory_mb),
            cgroup_procs: self.group.map(CpuGroup::procs_file),
            cores: Some(self.setting.reader_cores.clone()).filter(|c| !c.is_empty()),
            timeout: Duration::from_secs(self.inputs.plan.run_timeout_s),
            log_stem: self.logs.join(stem),
        }
    }

    async fn baseline(&self, reader: ReaderKind) -> RunSample {
        let event = reader_event(BUCKET, EMPTY_PREFIX, ReadMode::Concurrent, 64);
        let command = self.inputs.programs.command(reader, &event);
        let stem = format!("cpu{}-{reader}-baseline", self.setting.cpus);
        run_reader(&self.spec(command, stem), self.proxy, 0).await
    }

    async fn case_run(&self, case: &Case, prefix: &str, rep: u32) -> RunSample {
        let event = reader_event(BUCKET, prefix, case.mode, case.concurrency);
        let command = self.inputs.programs.command(case.reader, &event);
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
            self.proxy,
            self.inputs.plan.objects,
        )
        .await
    }
}

/// Writes `results.json`, `table.txt`, `table.md` and `chart.svg` into `dir`.
pub fn write_outputs(dir: &Path, results: &BenchResults) -> Result<(), BenchError> {
    let json = serde_json::to_string_pretty(results).unwrap_or_default();
    write(&dir.join("results.json"), &json)?;
    let text = format!(
        "{}\n{}",
        table::text_table(&results.cases),
        table::goals_text(&results.goals)
    );
    write(&dir.join("table.txt"), &text)?;
    write(
        &dir.join("table.md"),
        &table::markdown_table(&results.cases),
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

/// Now in UTC as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_from_unix(secs)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (days to civil date after H. Hinnant).
pub fn utc_from_unix(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_from_unix(1_795_000_000), "2026-11-18T11:06:40Z");
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
