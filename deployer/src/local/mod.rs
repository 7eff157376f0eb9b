//! `deploy local`: the whole benchmark on this machine, no AWS account. It installs what is
//! missing (`scripts/setup`), builds both functions for this machine, starts local-s3 (with a
//! per-request latency), the local Lambda runtime and moto bridged to it, deploys with the normal
//! deploy code, runs the quick benchmark (`local.toml`), downloads the report, and stops every
//! process on exit, Ctrl-C, SIGTERM and failure. Its progress goes to a reporter; the CLI prints
//! the outcome it returns (table, recommendations, times).
//!
//! Library use (the end-to-end tests):
//! ```no_run
//! # async fn demo(bins: &std::path::Path, staging: &std::path::Path) -> anyhow::Result<()> {
//! use deployer::local::{functions, LocalBench, LocalStackOptions};
//! let packages = functions::package_binaries(bins, staging, true)?;
//! let bench = LocalBench::start(&LocalStackOptions::default()).await?;
//! let config = deployer::local::config::quick_default()?;
//! let deployer = deployer::Deployer::connect(config, bench.sdk_config(), Default::default()).await?;
//! deployer.deploy(&packages, None).await?;
//! bench.shutdown().await;
//! # Ok(()) }
//! ```

mod authorizer;
pub mod config;
pub mod endpoints;
pub mod functions;
mod setup;
mod stack;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use crate::aws::CallLog;
use crate::cli::GlobalArgs;
use crate::package::{self, Packages};
use crate::progress::{Event, LocalStackInfo, Reporter, SharedReporter};
use crate::run::{RunOptions, RunOutcome};
use crate::selftest::SelftestReport;
use crate::Deployer;
use functions::BuildProfile;

pub use local_stack::moto::StrictOptions;
pub use stack::{LocalBench, LocalStackOptions, DEFAULT_S3_LATENCY};

/// Flags of `deploy local` (the global flags such as `--rounds`, `--memory-sizes`, `--objects`,
/// `--target`, `--config` apply too).
#[derive(Debug, Clone, Args)]
pub(crate) struct LocalArgs {
    /// Take the function binaries (s3-reader, collector, built for this machine) from DIR
    /// instead of building them; they are stripped before zipping.
    #[arg(long, value_name = "DIR")]
    pub(crate) functions_dir: Option<PathBuf>,
    /// Build the functions with the release profile (optimized as for AWS; minutes more the
    /// first time). Default: the profile `deploy` itself was built with.
    #[arg(long)]
    pub(crate) release: bool,
    /// Latency local-s3 adds to every request, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub(crate) s3_latency_ms: u64,
    /// Switch off strict mode (AWS's role propagation, update latency and API quotas, on by
    /// default so that what fails on AWS fails here first). Faster, and less like AWS.
    #[arg(long)]
    pub(crate) lenient: bool,
    /// Serve local-s3 over plain HTTP instead of HTTPS (on AWS, S3 is always HTTPS: each new
    /// connection a TLS handshake, every body decrypted, which a reader at 128 MB pays for).
    #[arg(long)]
    pub(crate) plain_http: bool,
    /// Folder the report is downloaded into (`DIR/EXECUTION-NAME/`).
    #[arg(long, default_value = "out/local-report")]
    pub(crate) report_dir: PathBuf,
    /// Give up following the execution after this many minutes.
    #[arg(long, default_value_t = 15)]
    pub(crate) timeout_minutes: u64,
}

/// What `deploy local` did: the run's outcome and how long its parts took.
#[derive(Debug, Clone)]
pub(crate) struct LocalRun {
    pub(crate) outcome: RunOutcome,
    /// Installing what was missing and building the functions.
    pub(crate) setup_and_build: Duration,
    /// Starting the local stack, deploying to it, running the benchmark, stopping the stack.
    pub(crate) stack_deploy_and_run: Duration,
    pub(crate) total: Duration,
}

/// Runs `deploy local` to its end; every process it started is gone when this returns, also
/// on Ctrl-C / SIGTERM (which make it return an error).
pub(crate) async fn main(
    global: &GlobalArgs,
    args: &LocalArgs,
    reporter: SharedReporter,
) -> anyhow::Result<LocalRun> {
    let stop = system::signal::stop_signal(false).context("installing the signal handlers")?;
    let interrupted = async {
        let signal = stop.await;
        reporter.report(Event::Interrupted { signal });
        signal
    };
    tokio::select! {
        result = run_local(global, args, &reporter) => result,
        signal = interrupted => anyhow::bail!("interrupted by {signal}; every local process was stopped"),
    }
}

async fn run_local(
    global: &GlobalArgs,
    args: &LocalArgs,
    reporter: &SharedReporter,
) -> anyhow::Result<LocalRun> {
    let started = Instant::now();
    let root = system::paths::workspace_root();
    let config = config::load(global, &root)?;
    // Installing moto and the runtimes and packaging the Python and Node.js readers is mostly
    // download, building the Rust functions is CPU: side by side they take as long as the longer.
    let (scripts, packages) = std::thread::scope(|scope| {
        let scripts = scope.spawn(|| {
            setup::ensure_setup(&root, reporter.as_ref())?;
            functions::local_script_readers(&root, &config)
        });
        let packages = local_packages(
            &root,
            args.functions_dir.as_deref(),
            args.release,
            reporter.as_ref(),
        );
        (scripts.join(), packages)
    });
    let scripts =
        scripts.map_err(|_| anyhow::anyhow!("installing the local stack's tools panicked"))??;
    let packages = packages?.with(scripts);
    let built = started.elapsed();

    let run_started = Instant::now();
    let options = LocalStackOptions {
        s3_latency: Duration::from_millis(args.s3_latency_ms),
        strict: (!args.lenient).then(StrictOptions::default),
        tls: !args.plain_http,
    };
    let bench = LocalBench::start(&options).await?;
    reporter.report(Event::LocalStackStarted(LocalStackInfo {
        s3: bench.s3_endpoint(),
        s3_tls: bench.s3_tls(),
        s3_latency: options.s3_latency,
        moto: bench.moto_endpoint(),
        strict: options.strict.clone(),
        lambda: bench.lambda.runtime.url(),
        cpu_quota: bench.cpu_quota(),
    }));
    let outcome = deploy_and_run(&bench, config, args, &packages, reporter).await;
    bench.shutdown().await;
    Ok(LocalRun {
        outcome: outcome?,
        setup_and_build: built,
        stack_deploy_and_run: run_started.elapsed(),
        total: started.elapsed(),
    })
}

/// `deploy selftest --local`: the acceptance run of [`crate::selftest`] against the local stack
/// (strict unless `lenient`), with functions built for this machine.
pub(crate) async fn selftest(
    global: &GlobalArgs,
    functions_dir: Option<&std::path::Path>,
    lenient: bool,
    reporter: SharedReporter,
) -> anyhow::Result<SelftestReport> {
    let root = system::paths::workspace_root();
    setup::ensure_setup(&root, reporter.as_ref())?;
    let config = config::load(global, &root)?;
    let packages = local_packages(&root, functions_dir, false, reporter.as_ref())?
        .with(functions::local_script_readers(&root, &config)?);
    let options = LocalStackOptions {
        strict: (!lenient).then(StrictOptions::default),
        ..LocalStackOptions::default()
    };
    let bench = LocalBench::start(&options).await?;
    let report = crate::selftest::selftest(bench.sdk_config(), &config, &packages, reporter).await;
    bench.shutdown().await;
    report.context("selftest on the local stack")
}

/// `--functions-dir` binaries, else a build for this machine; stripped unless a release build
/// (whose profile strips them already).
fn local_packages(
    root: &std::path::Path,
    functions_dir: Option<&std::path::Path>,
    release: bool,
    reporter: &dyn Reporter,
) -> anyhow::Result<Packages> {
    let staging = package::target_dir(root)
        .join("lambda-packages")
        .join("local");
    match functions_dir {
        Some(dir) => functions::package_binaries(dir, &staging, true),
        None => {
            let profile = if release {
                BuildProfile::Release
            } else {
                BuildProfile::of_this_binary()
            };
            let bins = functions::build_functions(root, profile, reporter)?;
            functions::package_binaries(&bins, &staging, profile == BuildProfile::Dev)
        }
    }
}

async fn deploy_and_run(
    bench: &LocalBench,
    config: crate::config::BenchConfig,
    args: &LocalArgs,
    packages: &Packages,
    reporter: &SharedReporter,
) -> anyhow::Result<RunOutcome> {
    let deployer = Deployer::connect(config, bench.sdk_config(), CallLog::default())
        .await
        .context("connecting to the local stack")?
        .with_reporter(reporter.clone());
    let t = Instant::now();
    reporter.report(Event::LocalDeployStarted {
        stack: deployer.names.stack.clone(),
        objects: deployer.config.objects.count,
        architecture: deployer.config.architecture,
    });
    deployer
        .deploy(packages, None)
        .await
        .context("deploying to the local stack")?;
    reporter.report(Event::LocalDeployed {
        elapsed: t.elapsed(),
    });
    let c = &deployer.config;
    reporter.report(Event::LocalRunStarting {
        memory_sizes: c.memory_sizes.clone(),
        rounds: c.rounds,
        targets: c.targets.iter().map(|t| t.name.clone()).collect(),
    });
    let opts = RunOptions {
        name: None,
        input: bench_types::GivenInput::labelled("local"),
        download_dir: Some(args.report_dir.clone()),
        poll_interval: Duration::from_millis(500),
        timeout: Duration::from_secs(args.timeout_minutes.saturating_mul(60)),
    };
    deployer.run(&opts).await.context("running the benchmark")
}
