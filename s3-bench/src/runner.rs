//! Runs one reader process under the measuring wrapper and turns what it printed and used into
//! a [`RunSample`].

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use bench_types::AutoConcurrency;
use serde::{Deserialize, Serialize};
use system::process::GroupChild;

use crate::measure::{read_usage, ChildUsage};
use crate::results::Handshakes;
use crate::server::S3Server;

/// How to run one reader process.
#[derive(Debug, Clone)]
pub(crate) struct RunSpec {
    /// Program and arguments.
    pub(crate) command: Vec<String>,
    /// Environment variables added to the harness's.
    pub(crate) env: Vec<(String, String)>,
    /// `cgroup.procs` of the CPU quota group, if any.
    pub(crate) cgroup_procs: Option<PathBuf>,
    /// Cores the reader may use, if pinned.
    pub(crate) cores: Option<Vec<usize>>,
    /// After this the run is killed and recorded as failed.
    pub(crate) timeout: Duration,
    /// Where the reader's stdout and stderr are kept (`NAME.out`, `NAME.err`, `NAME.usage.json`).
    pub(crate) log_stem: PathBuf,
}

/// One run of one reader.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSample {
    /// The reader's own timed section (`time` of its result), in seconds.
    pub time_s: Option<f64>,
    /// What the reader answered (`result`): the object count.
    pub result: Option<String>,
    /// The CPU, peak RSS and wall of the whole reader process (all zero when not measured).
    pub usage: ChildUsage,
    /// TCP connections the reader opened to the S3 endpoint.
    pub connections: u64,
    /// Init time: from the wrapper starting the reader's process to the reader's first
    /// connection to the S3 endpoint (as the server accepted it), in seconds (interpreter, imports, client set-up: what Lambda's Init Duration
    /// covers, up to the first request). `None` when it connected to nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_s: Option<f64>,
    /// The TLS handshakes the server completed during the run (`None` over plain HTTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshakes: Option<Handshakes>,
    /// The reader's `stats`, as it printed them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<serde_json::Value>,
    /// With `concurrency: "auto"`: the limits the reader's adaptive limiter took (its
    /// `stats.autoConcurrency`: initial, min, max, final, mean, changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_concurrency: Option<AutoConcurrency>,
    /// Why the run does not count, if it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RunSample {
    /// Whether the run counts (no `error`).
    pub(crate) fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// What a reader keeps of the harness's environment; the rest it gets from [`RunSpec::env`].
const KEPT_VARIABLES: [&str; 4] = ["PATH", "HOME", "LANG", "TMPDIR"];

fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut name = stem.file_name().unwrap_or_default().to_os_string();
    name.push(ext);
    stem.with_file_name(name)
}

/// Runs `spec` to its end (or its timeout) and checks that it read `expect_objects` objects.
/// Its connections, TLS handshakes and first connection are the `server`'s counts after the run
/// less those before it.
pub(crate) async fn run_reader(
    spec: &RunSpec,
    server: &S3Server,
    expect_objects: u64,
) -> RunSample {
    let usage_path = with_ext(&spec.log_stem, ".usage.json");
    let _ = std::fs::remove_file(&usage_path);
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => return failed(format!("cannot find the s3-bench executable: {err}")),
    };
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg("measure").arg("--usage-out").arg(&usage_path);
    if let Some(procs) = &spec.cgroup_procs {
        cmd.arg("--cgroup-procs").arg(procs);
    }
    if let Some(cores) = &spec.cores {
        let list: Vec<String> = cores.iter().map(usize::to_string).collect();
        cmd.arg("--cores").arg(list.join(","));
    }
    cmd.arg("--").args(&spec.command);
    // A Lambda's environment is its own, not this machine's: a machine-wide SSL_CERT_DIR, for
    // one, would have the Rust readers parse every certificate of the system at start-up.
    cmd.env_clear()
        .envs(
            KEPT_VARIABLES
                .iter()
                .filter_map(|&k| Some((k, std::env::var_os(k)?))),
        )
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let before = server.counts_so_far().await;
    // Its own process group, so a timeout ends the wrapper and the reader together.
    let child = match GroupChild::spawn(&mut cmd) {
        Ok(child) => child,
        Err(err) => return failed(format!("cannot start the measuring wrapper: {err}")),
    };
    let output = match tokio::time::timeout(spec.timeout, child.wait_with_output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(err)) => return failed(format!("waiting for the reader failed: {err}")),
        Err(_) => return failed(format!("timed out after {} s", spec.timeout.as_secs())),
    };
    let after = server.counts_so_far().await;
    let connections = after.zip(before).map_or(0, |(after, before)| {
        after.connections.saturating_sub(before.connections)
    });
    let handshakes = after
        .and_then(|a| a.handshakes)
        .zip(before.and_then(|b| b.handshakes))
        .map(|(after, before)| after.since(before));
    let first_connection = after
        .zip(before)
        .and_then(|(after, _)| after.first_connection_s);
    let _ = std::fs::write(with_ext(&spec.log_stem, ".out"), &output.stdout);
    let _ = std::fs::write(with_ext(&spec.log_stem, ".err"), &output.stderr);

    let usage = read_usage(&usage_path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let parsed = parse_result(&stdout);
    let mut sample = RunSample {
        time_s: parsed.as_ref().map(|r| r.time),
        result: parsed.as_ref().map(|r| r.result.clone()),
        usage: usage.clone().unwrap_or_default(),
        connections,
        init_s: first_connection
            .zip(usage.as_ref().and_then(|u| u.started_monotonic_s))
            .map(|(connected, started)| connected - started)
            .filter(|&init| init >= 0.0),
        handshakes,
        stats: parsed.as_ref().and_then(|r| r.stats.clone()),
        auto_concurrency: parsed
            .as_ref()
            .and_then(|r| auto_concurrency(r.stats.as_ref())),
        error: None,
    };
    let counted = before.is_some() && after.is_some();
    sample.error = check(
        &sample,
        usage.is_some(),
        output.status.success(),
        expect_objects,
        &output.stderr,
    )
    .or_else(|| {
        (!counted)
            .then(|| "the S3 server did not report its counts around the run (SIGUSR1)".to_owned())
    });
    sample
}

fn failed(error: String) -> RunSample {
    RunSample {
        error: Some(error),
        ..RunSample::default()
    }
}

/// Why a finished run does not count, if it does not.
fn check(
    sample: &RunSample,
    have_usage: bool,
    exited_ok: bool,
    expect_objects: u64,
    stderr: &[u8],
) -> Option<String> {
    let tail = || {
        let text = String::from_utf8_lossy(stderr);
        let lines: Vec<&str> = text.lines().rev().take(3).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    };
    if !have_usage {
        return Some(format!("the measuring wrapper wrote no usage: {}", tail()));
    }
    if !exited_ok {
        return Some(format!(
            "exited with {:?}: {}",
            sample.usage.exit_code,
            tail()
        ));
    }
    match &sample.result {
        None => Some(format!("printed no result JSON: {}", tail())),
        Some(r) if *r != expect_objects.to_string() => {
            Some(format!("answered {r} objects, expected {expect_objects}"))
        }
        Some(_) => None,
    }
}

/// The part of a contract-2 result the harness needs; `stats` stays raw, since readers in
/// other languages may fill it partly or not at all.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct PrintedResult {
    result: String,
    time: f64,
    #[serde(default)]
    stats: Option<serde_json::Value>,
}

/// The `autoConcurrency` of a reader's `stats`, when it printed them whole.
fn auto_concurrency(stats: Option<&serde_json::Value>) -> Option<AutoConcurrency> {
    let auto = stats?.get("autoConcurrency")?;
    serde_json::from_value(auto.clone()).ok()
}

/// The last line of `stdout` that parses as a reader result, or else all of it (pretty JSON).
fn parse_result(stdout: &str) -> Option<PrintedResult> {
    stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<PrintedResult>(line.trim()).ok())
        .or_else(|| serde_json::from_str(stdout.trim()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_last_result_line_of_any_reader() {
        let python = r#"{"lang": "python", "detail": "d", "result": "1000", "time": 1.5, "stats": {"memoryMb": 1023, "vcpus": 1, "arch": "x86_64", "mode": "concurrent", "concurrency": 64, "objects": 1000, "bytes": 5, "listMs": 1.0, "readMs": 2.0, "totalMs": 3.0, "latencyMs": {"p50": 1, "p90": 2, "p99": 3, "max": 4}, "retries": 0, "errors": 0, "coldStart": true, "reusedConnections": false}}"#;
        let out = format!("some log line\n{python}\n");
        let parsed = parse_result(&out);
        assert_eq!(parsed.as_ref().map(|r| r.result.as_str()), Some("1000"));
        assert_eq!(parsed.as_ref().map(|r| r.time), Some(1.5));
        assert_eq!(
            parse_result(r#"{"lang":"x","detail":"","result":"3","time":0.1}"#).map(|r| r.stats),
            Some(None)
        );
        assert!(parse_result("not json").is_none());
        let pretty = "{\n  \"lang\": \"rust\",\n  \"detail\": \"\",\n  \"result\": \"7\",\n  \"time\": 0.5\n}\n";
        assert_eq!(parse_result(pretty).map(|r| r.result), Some("7".to_owned()));
    }

    #[test]
    fn an_auto_run_reports_its_limits() {
        let line = r#"{"lang":"rust","detail":"d","result":"1000","time":0.4,"stats":{"concurrency":96,"autoConcurrency":{"initial":16,"min":16,"max":160,"final":96,"mean":88.5,"changes":14}}}"#;
        let parsed = parse_result(line);
        let auto = auto_concurrency(parsed.as_ref().and_then(|r| r.stats.as_ref()));
        assert_eq!(
            auto,
            Some(AutoConcurrency {
                initial: 16,
                min: 16,
                max: 160,
                final_limit: 96,
                mean: 88.5,
                changes: 14,
            })
        );
        // A fixed C (or a reader without the field) has none.
        assert_eq!(
            auto_concurrency(Some(&serde_json::json!({"concurrency": 64}))),
            None
        );
        assert_eq!(auto_concurrency(None), None);
    }

    #[test]
    fn a_wrong_count_does_not_count() {
        let mut sample = RunSample {
            result: Some("999".into()),
            ..RunSample::default()
        };
        let err = check(&sample, true, true, 1000, b"");
        assert_eq!(err.as_deref(), Some("answered 999 objects, expected 1000"));
        sample.result = Some("1000".into());
        assert_eq!(check(&sample, true, true, 1000, b""), None);
        assert!(check(&sample, true, false, 1000, b"boom")
            .unwrap_or_default()
            .contains("boom"));
    }

    #[test]
    fn log_files_sit_beside_the_stem() {
        assert_eq!(
            with_ext(Path::new("/o/logs/rust-c64-r1"), ".out"),
            PathBuf::from("/o/logs/rust-c64-r1.out")
        );
    }
}
