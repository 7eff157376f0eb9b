//! The command line: `s3-bench [OPTIONS]` runs the benchmark; `s3-bench measure ...` is the
//! internal wrapper the harness puts around every reader process (see [`crate::measure`]).

use std::path::PathBuf;

use bench_types::Concurrency;
use clap::{Args, Parser, Subcommand};

use crate::readers::ReaderKind;

/// The whole command line: a subcommand, or the benchmark's options.
#[derive(Debug, Parser)]
#[command(
    name = "s3-bench",
    about = "Benchmarks the Rust S3 reader against the lower bound and against Python and Node.js peers",
    long_about = "Starts the project's S3 server with a per-request latency, populates it with objects, and runs the \
                  Rust reader and the Python (asyncio + aioboto3) and Node.js (AWS SDK v3) peers, \
                  sequentially and at several concurrencies, under Lambda-like CPU quotas, over HTTPS \
                  (--plain-http for HTTP). Writes a terminal table, results.json, best.md and chart.svg into the \
                  output folder."
)]
pub struct Cli {
    /// An internal subcommand; `None` runs the benchmark.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The benchmark's options (used when there is no subcommand).
    #[command(flatten)]
    pub bench: BenchArgs,
}

/// The internal subcommands the harness runs itself as, hidden from `--help`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Internal: run one command inside a cgroup and CPU set and write its rusage as JSON.
    #[command(hide = true)]
    Measure(MeasureArgs),
    /// Internal: run one command inside a CPU set (it replaces this process; nothing measured).
    #[command(hide = true)]
    Place(PlaceArgs),
}

/// The benchmark's settings. Defaults follow issue 7: L = 20 ms, N = 1000 objects of
/// 1,000-50,000 bytes, C = 16, 64, 128, 256 (and `auto` for the Rust readers), three runs each,
/// CPU quotas 0.58 and 1 (and 2 when the machine has a core to spare for the server); over HTTPS.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// A smoke run for CI (under 2 minutes): 200 objects, C = 64 (and auto for the Rust readers),
    /// one run, 1 CPU, no figure asserted.
    #[arg(long)]
    pub quick: bool,
    /// The low-memory sweep (about 12 minutes): the CPU shares of Lambda's 128, 256, 512, 1024
    /// and 1769 MB (0.072, 0.145, 0.29, 0.58, 1 CPU), concurrent only, C = 16 and 64 (and auto for
    /// the Rust readers), three runs each, with its own goals (issue 13).
    #[arg(long, conflicts_with = "quick")]
    pub lambda_sizes: bool,
    /// Per-request latency of the S3 server, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub latency_ms: u64,
    /// Number of objects to upload and read.
    #[arg(long)]
    pub objects: Option<u64>,
    /// Smallest object, in bytes.
    #[arg(long, default_value_t = 1000)]
    pub min_size: u64,
    /// Largest object, in bytes.
    #[arg(long, default_value_t = 50_000)]
    pub max_size: u64,
    /// Concurrencies of the concurrent mode (comma separated): numbers from 1 to 4096, and
    /// `auto` (the Rust readers adapt their own limit; Python and Node.js skip it), e.g.
    /// 16,64,auto. Default 16,64,128,256,auto.
    #[arg(long, value_delimiter = ',', value_parser = parse_concurrency)]
    pub concurrency: Option<Vec<Concurrency>>,
    /// Runs of every concurrent case; the median is reported.
    #[arg(long)]
    pub runs: Option<u32>,
    /// Runs of every sequential case (each takes N x L, 20 s with the defaults).
    #[arg(long)]
    pub seq_runs: Option<u32>,
    /// CPU quotas to run under, in CPUs (comma separated), e.g. 0.58,1. `0` means no quota.
    #[arg(long, value_delimiter = ',')]
    pub cpus: Option<Vec<f64>>,
    /// Readers to run (comma separated); default all four, rust-sdk concurrent only.
    #[arg(long, value_delimiter = ',')]
    pub readers: Option<Vec<ReaderKind>>,
    /// Skip the sequential mode.
    #[arg(long)]
    pub no_sequential: bool,
    /// Output folder; default `bench-results/<UTC time>` under the workspace root.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The Rust reader binary (`s3-read`); default: built with cargo in the harness's profile.
    #[arg(long)]
    pub reader_bin: Option<PathBuf>,
    /// The S3 server binary (`local-s3`); default: built with cargo in the harness's profile.
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// Seconds after which one reader run is killed and recorded as failed.
    #[arg(long, default_value_t = 120)]
    pub run_timeout_s: u64,
    /// Talk to the S3 server over plain HTTP. By default it speaks HTTPS, as S3 does (TLS 1.2/1.3,
    /// RSA 2048), with a CA it generates, which every reader trusts through SSL_CERT_FILE,
    /// AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS.
    #[arg(long)]
    pub plain_http: bool,
    /// Let the S3 server resume TLS sessions (off by default: every new connection is a full
    /// handshake, the case AWS does not rule out).
    #[arg(long, conflicts_with = "plain_http")]
    pub tls_resumption: bool,
}

/// One `--concurrency` value: `auto` (any case) or a whole number; the plan checks its range
/// (so that 0 is refused with the option's name and the values it takes).
fn parse_concurrency(text: &str) -> Result<Concurrency, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case(Concurrency::AUTO) {
        return Ok(Concurrency::Auto);
    }
    text.parse::<u32>()
        .map(Concurrency::Fixed)
        .map_err(|_| format!("{text:?} is neither a whole number nor \"auto\""))
}

/// Arguments of the internal `measure` wrapper.
#[derive(Debug, Clone, Args)]
pub struct MeasureArgs {
    /// `cgroup.procs` file to join before starting the command.
    #[arg(long)]
    pub cgroup_procs: Option<PathBuf>,
    /// CPU cores the command may run on (comma separated).
    #[arg(long, value_delimiter = ',')]
    pub cores: Option<Vec<usize>>,
    /// Where to write the command's resource usage as JSON.
    #[arg(long)]
    pub usage_out: PathBuf,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// Arguments of the internal `place` launcher (used to pin the S3 server to its own core).
#[derive(Debug, Clone, Args)]
pub struct PlaceArgs {
    /// CPU cores the command may run on (comma separated).
    #[arg(long, value_delimiter = ',')]
    pub cores: Vec<usize>,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}
