//! The reader's benchmark (prints figures; it asserts nothing):
//!
//! `cargo run --release -p s3-reader --example bench`
//!
//! 1. Starts the `local-s3` binary (built by this example if missing) pinned to CPU 1, with 20 ms
//!    per request, populated with 1000 objects of 1,000-50,000 bytes.
//! 2. Pins itself to CPU 0 and reads them on a single-threaded Tokio runtime, concurrency 64:
//!    wall time over the lower bound (list time + ceil(N/C) x 20 ms), CPU time per object
//!    (getrusage), peak RSS, as the median of several runs; then sequentially, against N x 20 ms.
//! 3. Measures the server alone: GETs/s of 25 KB objects with no latency, loopback load from
//!    this process.
//!
//! Flags (env): BENCH_CLIENT (direct or sdk; direct), BENCH_OBJECTS (1000), BENCH_CONCURRENCY (64), BENCH_LATENCY_MS (20),
//! BENCH_REPEATS (5 concurrent runs; the median is reported), BENCH_SKIP_SEQUENTIAL=1,
//! BENCH_THROUGHPUT_SECS (5).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bench_types::ReadMode;
use nix::sched::{sched_setaffinity, CpuSet};
use nix::sys::resource::{getrusage, UsageWho};
use nix::unistd::Pid;
use s3_reader::{read_objects, ClientFactory, GetClient, ReadRequest, RetryPolicy};
use system::cgroup::machine_cpus;
use system::process::KillOnDrop;

const BUCKET: &str = "bench-data";

/// The server, killed when the bench ends, also on error.
struct Server {
    child: KillOnDrop,
    endpoint: String,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={v:?} is not a valid number")),
        Err(_) => Ok(default),
    }
}

/// `target/<profile>/local-s3`, next to this example's directory; built when missing.
fn local_s3_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the bench executable")?;
    let profile_dir = exe
        .parent()
        .and_then(|examples| examples.parent())
        .context("the bench executable is not under target/<profile>/examples")?;
    let binary = profile_dir.join("local-s3");
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let release = profile_dir.ends_with("release");
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "local-s3", "--bin", "local-s3"]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().context("building local-s3")?;
        if !status.success() || !binary.exists() {
            bail!("could not build local-s3 ({status}); run cargo build --release -p local-s3");
        }
    }
    Ok(binary)
}

/// Starts `local-s3` on CPU `cpu` (via `taskset`, when there is more than one CPU).
fn start_server(cpu: usize, args: &[String]) -> anyhow::Result<Server> {
    let binary = local_s3_binary()?;
    let mut cmd = if machine_cpus() > 1 {
        let mut c = Command::new("taskset");
        c.args(["-c", &cpu.to_string()]).arg(&binary);
        c
    } else {
        Command::new(&binary)
    };
    let mut child = KillOnDrop(
        cmd.args(args)
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting local-s3 (is taskset installed?)")?,
    );
    let stdout = child.0.stdout.take().context("local-s3 stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .context("reading the endpoint line")?;
    let endpoint = line
        .trim()
        .strip_prefix("endpoint=")
        .with_context(|| format!("local-s3 printed {line:?}, not endpoint=..."))?
        .to_owned();
    Ok(Server { child, endpoint })
}

fn pin_self_to(cpu: usize) -> anyhow::Result<()> {
    let mut set = CpuSet::new();
    set.set(cpu).context("cpu set")?;
    sched_setaffinity(Pid::from_raw(0), &set).context("sched_setaffinity")?;
    Ok(())
}

/// User + system CPU time of this process, seconds.
fn cpu_seconds() -> anyhow::Result<f64> {
    let usage = getrusage(UsageWho::RUSAGE_SELF).context("getrusage")?;
    let tv = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Ok(tv(usage.user_time()) + tv(usage.system_time()))
}

/// Peak resident set size of this process, MB.
fn peak_rss_mb() -> anyhow::Result<f64> {
    let usage = getrusage(UsageWho::RUSAGE_SELF).context("getrusage")?;
    Ok(usage.max_rss() as f64 / 1024.0) // Linux reports KiB
}

fn client_factory(endpoint: &str) -> ClientFactory {
    let credentials =
        aws_sdk_s3::config::Credentials::new("local", "local", None, None, "s3-reader bench");
    ClientFactory::for_endpoint(endpoint, credentials)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

fn main() -> anyhow::Result<()> {
    let objects: u64 = env_or("BENCH_OBJECTS", 1000)?;
    let concurrency: u32 = env_or("BENCH_CONCURRENCY", 64)?;
    let latency_ms: f64 = env_or("BENCH_LATENCY_MS", 20.0)?;
    let throughput_secs: f64 = env_or("BENCH_THROUGHPUT_SECS", 5.0)?;
    let repeats: usize = env_or("BENCH_REPEATS", 5)?.max(1);
    let client = match std::env::var("BENCH_CLIENT").as_deref() {
        Ok("sdk") => GetClient::Sdk,
        Ok("direct") | Err(_) => GetClient::Direct,
        Ok(other) => bail!("BENCH_CLIENT={other:?}: use direct or sdk"),
    };
    let skip_sequential = std::env::var("BENCH_SKIP_SEQUENTIAL").is_ok_and(|v| v == "1");
    let server_cpu = if machine_cpus() > 1 { 1 } else { 0 };

    println!("# s3-reader bench: {objects} objects of 1,000-50,000 bytes, {latency_ms} ms per request, concurrency {concurrency}, GETs {}", client.as_str());
    println!("# machine: {} CPUs ({}), reader pinned to CPU 0 on a current-thread runtime, local-s3 on CPU {server_cpu}", machine_cpus(), std::env::consts::ARCH);

    let server = start_server(
        server_cpu,
        &[
            "--latency-ms".into(),
            latency_ms.to_string(),
            "--objects-bucket".into(),
            BUCKET.into(),
            "--objects-prefix".into(),
            "bench/".into(),
            "--objects-count".into(),
            objects.to_string(),
            "--objects-min-size".into(),
            "1000".into(),
            "--objects-max-size".into(),
            "50000".into(),
        ],
    )?;
    pin_self_to(0)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    let factory = client_factory(&server.endpoint);
    let retry = RetryPolicy::default();

    // Concurrent.
    let request = ReadRequest {
        bucket: BUCKET.into(),
        prefix: "bench/".into(),
        find: None,
        mode: ReadMode::Concurrent,
        concurrency: bench_types::Concurrency::Fixed(concurrency),
        reuse_connections: false,
        client,
    };
    // A warm-up run so that one-time process costs (TLS provider, allocator growth) are not
    // counted; then the measured run with a new client (cold connection pool), as on Lambda.
    let clients = |request: &ReadRequest| runtime.block_on(factory.clients(request));
    runtime.block_on(read_objects(&clients(&request)?, &request, &retry))?;
    let mut runs = Vec::new();
    for _ in 0..repeats {
        let fresh = clients(&request)?;
        let cpu0 = cpu_seconds()?;
        let outcome = runtime.block_on(read_objects(&fresh, &request, &retry))?;
        let cpu_ms_per_object = (cpu_seconds()? - cpu0) * 1000.0 / objects as f64;
        let waves = objects.div_ceil(u64::from(concurrency)) as f64;
        let lower_bound_ms = outcome.list_ms + waves * latency_ms;
        println!(
            "concurrent run: wall {:.1} ms, lower bound {:.1} ms (list {:.1} + {} x {} ms), ratio {:.3}, CPU {:.3} ms per object, errors {}",
            outcome.total_ms, lower_bound_ms, outcome.list_ms, waves, latency_ms,
            outcome.total_ms / lower_bound_ms, cpu_ms_per_object, outcome.errors
        );
        runs.push((
            outcome.total_ms / lower_bound_ms,
            cpu_ms_per_object,
            outcome,
        ));
    }
    // The run with the median ratio stands for all of them.
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let cpus: Vec<f64> = runs.iter().map(|r| r.1).collect();
    let cpu_ms_per_object = bench_types::stats::median(&cpus).unwrap_or(f64::NAN);
    let (ratio, _, outcome) = runs.swap_remove(runs.len() / 2);
    let rss = peak_rss_mb()?;
    println!(
        "concurrent: objects {} errors {} bytes {} retries {}",
        outcome.objects, outcome.errors, outcome.bytes, outcome.retries
    );
    println!(
        "concurrent: median of {repeats}: wall {:.1} ms -> ratio {:.3} (goal <= 1.10: {})",
        outcome.total_ms,
        ratio,
        verdict(ratio <= 1.10)
    );
    println!(
        "concurrent: median CPU {:.3} ms per object (goal <= 0.15: {}), peak RSS {:.1} MB (goal <= 40: {})",
        cpu_ms_per_object,
        verdict(cpu_ms_per_object <= 0.15),
        rss,
        verdict(rss <= 40.0)
    );
    let mut lat = outcome.latencies_ms.clone();
    let p = bench_types::stats::latency_percentiles(&mut lat);
    println!(
        "concurrent: GET latency p50 {:.1} p90 {:.1} p99 {:.1} max {:.1} ms",
        p.p50, p.p90, p.p99, p.max
    );

    // Sequential.
    if !skip_sequential {
        let seq = ReadRequest {
            mode: ReadMode::Sequential,
            concurrency: bench_types::Concurrency::Fixed(1),
            ..request.clone()
        };
        let outcome = runtime.block_on(read_objects(&clients(&seq)?, &seq, &retry))?;
        let bound = objects as f64 * latency_ms;
        let ratio = outcome.total_ms / bound;
        println!(
            "sequential: wall {:.1} ms vs N x {} ms = {:.1} ms -> ratio {:.3} (goal <= 1.10: {}); list {:.1} ms",
            outcome.total_ms, latency_ms, bound, ratio, verdict(ratio <= 1.10), outcome.list_ms
        );
    }
    drop(server);

    // Server throughput: 25 KB objects, no latency, load from this process (CPU 0).
    let tp_server = start_server(
        server_cpu,
        &[
            "--objects-bucket".into(),
            BUCKET.into(),
            "--objects-prefix".into(),
            "tp/".into(),
            "--objects-count".into(),
            "256".into(),
            "--objects-min-size".into(),
            "25000".into(),
            "--objects-max-size".into(),
            "25000".into(),
        ],
    )?;
    // The load goes through the direct client: the cheapest signed GETs this project has, so
    // that the load generator's core is less of a limit than the server's.
    let tp_request = ReadRequest {
        bucket: BUCKET.into(),
        prefix: "tp/".into(),
        client: GetClient::Direct,
        ..request.clone()
    };
    let direct = runtime
        .block_on(client_factory(&tp_server.endpoint).clients(&tp_request))?
        .direct
        .context("a direct client")?;
    let server_cpu0 = process_cpu_seconds(tp_server.child.0.id())?;
    let (gets, secs) =
        runtime.block_on(load(direct, 64, Duration::from_secs_f64(throughput_secs)))?;
    let server_cpu_ms = (process_cpu_seconds(tp_server.child.0.id())? - server_cpu0) * 1000.0;
    let rate = gets as f64 / secs;
    println!(
        "local-s3 throughput: {gets} GETs of 25,000 bytes in {secs:.2} s = {rate:.0} GETs/s, server on 1 CPU (goal >= 5000: {}); server CPU {:.3} ms per GET ({:.0}% of its core)",
        verdict(rate >= 5000.0),
        server_cpu_ms / gets.max(1) as f64,
        server_cpu_ms / 10.0 / secs
    );
    Ok(())
}

/// User + system CPU seconds of another process (`/proc/PID/stat`, in clock ticks of 1/100 s).
fn process_cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("unexpected /proc/PID/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<f64> {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .context("unexpected /proc/PID/stat")
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

/// `workers` loops of GETs over the 256 keys for `duration`; returns (GETs, seconds).
async fn load(
    client: Arc<s3_reader::direct::DirectClient>,
    workers: usize,
    duration: Duration,
) -> anyhow::Result<(u64, f64)> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        let client = Arc::clone(&client);
        tasks.spawn(async move {
            let mut n = 0u64;
            let mut i = w;
            while Instant::now() < deadline {
                let key = format!("tp/{:05}.txt", i % 256);
                let bytes = client
                    .get(&key, |_| {})
                    .await
                    .map_err(|f| anyhow::anyhow!("GET {key}: {}", f.message()))?;
                anyhow::ensure!(bytes == 25_000, "short body for {key}");
                n += 1;
                i += workers;
            }
            anyhow::Ok(n)
        });
    }
    let mut total = 0;
    while let Some(done) = tasks.join_next().await {
        total += done.context("load task")??;
    }
    Ok((total, started.elapsed().as_secs_f64()))
}
