//! `local-s3`: runs the local S3 server until SIGINT/SIGTERM (or stdin EOF with
//! `--exit-on-stdin-eof`). Prints one line `endpoint=http://127.0.0.1:PORT` on stdout when ready
//! (with `--tls`: first `ca=PATH`, the CA certificate clients must trust, then
//! `endpoint=https://127.0.0.1:PORT`), and on exit, with `--tls`, a line `handshakes full=N
//! resumed=N failed=N` on stderr. At every SIGUSR1 it prints `counts connections=N
//! first_connection=S [full=N resumed=N failed=N]` on stderr: a harness takes one client run's
//! connections and handshakes by the difference, and its init time from the first connection.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use local_s3::{
    FaultKind, LocalS3, ObjectSet, ServerConfig, ServerCounts, TlsIdentity, TlsKey, TlsSettings,
};
use system::signal::stop_signal;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "A local S3-compatible server with injectable latency and faults"
)]
struct Args {
    /// Port on 127.0.0.1 (0 = a free port; the chosen one is printed).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Data directory (default: a temp dir removed on exit).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Fixed delay added to every request, in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    latency_ms: f64,
    /// Extra uniform random delay 0..=jitter, in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    jitter_ms: f64,
    /// Probability (0.0-1.0) that a request fails with one of --faults.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Fault kinds drawn by --fault-rate: 500, 503, reset (comma separated).
    #[arg(long, value_delimiter = ',', default_value = "500,503,reset")]
    faults: Vec<String>,
    /// A key whose GET/HEAD always fails with 500 (repeatable).
    #[arg(long = "fail-key")]
    fail_keys: Vec<String>,
    /// Create this bucket (and populate it when --objects-count > 0).
    #[arg(long)]
    objects_bucket: Option<String>,
    /// Key prefix of the uploaded objects.
    #[arg(long, default_value = "")]
    objects_prefix: String,
    /// Number of objects to upload.
    #[arg(long, default_value_t = 0)]
    objects_count: u64,
    /// Smallest uploaded object, bytes.
    #[arg(long, default_value_t = 1000)]
    objects_min_size: u64,
    /// Largest uploaded object, bytes.
    #[arg(long, default_value_t = 50_000)]
    objects_max_size: u64,
    /// String written into exactly one uploaded object ("" for none).
    #[arg(long, default_value = bench_types::MAGIC_STRING)]
    objects_magic: String,
    /// Generator key (same key, same objects).
    #[arg(long, default_value_t = bench_types::objects::DEFAULT_GENERATOR_KEY)]
    objects_generator_key: u64,
    /// Speak HTTPS as S3 does (TLS 1.2 and 1.3), with a CA generated at start.
    #[arg(long)]
    tls: bool,
    /// With --tls, the certificates' key: rsa (RSA 2048, as S3) or ecdsa (P-256).
    #[arg(long, default_value = "rsa")]
    tls_key: TlsKey,
    /// With --tls, let clients resume sessions (off: every connection a full handshake).
    #[arg(long)]
    tls_resumption: bool,
    /// Exit when stdin reaches EOF, so that a parent that dies takes the server down.
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

fn millis(value: f64, flag: &str) -> anyhow::Result<Duration> {
    if !value.is_finite() || value < 0.0 {
        anyhow::bail!("--{flag} is {value}; it must be a number of milliseconds >= 0");
    }
    Ok(Duration::from_secs_f64(value / 1000.0))
}

impl Args {
    fn server_config(&self) -> anyhow::Result<ServerConfig> {
        let fault_kinds = self
            .faults
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.parse::<FaultKind>())
            .collect::<Result<Vec<_>, _>>()
            .context("--faults")?;
        Ok(ServerConfig {
            latency: millis(self.latency_ms, "latency-ms")?,
            jitter: millis(self.jitter_ms, "jitter-ms")?,
            fault_rate: self.fault_rate,
            fault_kinds,
            failing_keys: self.fail_keys.clone(),
            root: self.root.clone(),
            tls: match self.tls {
                true => Some(
                    TlsIdentity::generate(TlsSettings {
                        key: self.tls_key,
                        resumption: self.tls_resumption,
                    })
                    .context("--tls")?,
                ),
                false => None,
            },
            ..ServerConfig::default()
        })
    }

    fn object_set(&self) -> ObjectSet {
        ObjectSet {
            count: self.objects_count,
            min_size: self.objects_min_size,
            max_size: self.objects_max_size,
            magic: (!self.objects_magic.is_empty()).then(|| self.objects_magic.clone()),
            generator_key: self.objects_generator_key,
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = args.server_config()?;
    let config_tls = config.tls.clone();
    let object_set = args.object_set();
    object_set
        .validate()
        .context("check --objects-min-size, --objects-max-size and --objects-magic")?;

    // Handlers first: a SIGTERM right after the endpoint line must stop us cleanly, not kill us.
    let stop = stop_signal(args.exit_on_stdin_eof).context("installing the signal handlers")?;
    let server = LocalS3::start_on_port(config, args.port)
        .await
        .context("starting local-s3")?;
    if let Some(bucket) = &args.objects_bucket {
        server
            .create_bucket(bucket)
            .await
            .with_context(|| format!("creating bucket {bucket}"))?;
        if object_set.count > 0 {
            let report = server
                .populate(bucket, &args.objects_prefix, &object_set)
                .await
                .with_context(|| format!("populating s3://{bucket}/{}", args.objects_prefix))?;
            tracing::info!(?report, "populated");
        }
    }

    print_counts_on_sigusr1(server.counts()).context("installing the SIGUSR1 handler")?;
    let mut stdout = std::io::stdout().lock();
    if let Some(ca) = server.ca_path() {
        writeln!(stdout, "ca={}", ca.display()).context("writing the CA line")?;
    }
    writeln!(stdout, "endpoint={}", server.endpoint()).context("writing the endpoint line")?;
    stdout.flush().context("flushing stdout")?;
    drop(stdout);

    let reason = stop.await;
    tracing::info!("{reason}: stopping");
    if let Some(tls) = &config_tls {
        print_handshakes(tls);
    }
    server.shutdown().await;
    Ok(())
}

/// `handshakes full=N resumed=N failed=N` on stderr: the server's TLS handshakes so far.
fn print_handshakes(tls: &TlsIdentity) {
    eprintln!("handshakes {}", tls.handshakes());
}

/// At every SIGUSR1, [`ServerCounts::report_line`] on stderr.
fn print_counts_on_sigusr1(counts: ServerCounts) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut usr1 = signal(SignalKind::user_defined1())?;
    tokio::spawn(async move {
        while usr1.recv().await.is_some() {
            eprintln!("{}", counts.report_line());
        }
    });
    Ok(())
}
