//! `deploy local`: the whole benchmark on this machine, no AWS account. It installs what is
//! missing (`scripts/setup`), builds both functions for this machine, starts local-s3 (with a
//! per-request latency), the local Lambda runtime and moto bridged to it, deploys with the normal
//! deploy code, runs the quick benchmark (`local.toml`), prints the table and recommendations,
//! downloads the report, and stops every process on exit, Ctrl-C, SIGTERM and failure.
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

pub mod authorizer;
pub mod config;
pub mod endpoints;
pub mod functions;
pub mod setup;
pub mod stack;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use crate::aws::CallLog;
use crate::cli::GlobalArgs;
use crate::package::{self, Packages};
use crate::run::{RunOptions, RunOutcome};
use crate::Deployer;
use functions::BuildProfile;

pub use local_stack::moto::StrictOptions;
pub use stack::{LocalBench, LocalStackOptions, DEFAULT_S3_LATENCY};

/// Flags of `deploy local` (the global flags such as `--rounds`, `--memory-sizes`, `--objects`,
/// `--target`, `--config` apply too).
#[derive(Debug, Clone, Args)]
pub struct LocalArgs {
    /// Take the function binaries (s3-reader, collector, built for this machine) from DIR
    /// instead of building them; they are stripped before zipping.
    #[arg(long, value_name = "DIR")]
    pub functions_dir: Option<PathBuf>,
    /// Build the functions with the release profile (optimized as for AWS; minutes more the
    /// first time). Default: the profile `deploy` itself was built with.
    #[arg(long)]
    pub release: bool,
    /// Latency local-s3 adds to every request, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub s3_latency_ms: u64,
    /// Switch off strict mode (AWS's role propagation, update latency and API quotas, on by
    /// default so that what fails on AWS fails here first). Faster, and less like AWS.
    #[arg(long)]
    pub lenient: bool,
    /// Folder the report is downloaded into (`DIR/EXECUTION-NAME/`).
    #[arg(long, default_value = "out/local-report")]
    pub report_dir: PathBuf,
    /// Give up following the execution after this many minutes.
    #[arg(long, default_value_t = 15)]
    pub timeout_minutes: u64,
}

/// Runs `deploy local` to its end; every process it started is gone when this returns, also
/// on Ctrl-C / SIGTERM (which make it return an error).
pub async fn main(global: &GlobalArgs, args: &LocalArgs) -> anyhow::Result<()> {
    let stop = system::signal::stop_signal(false).context("installing the signal handlers")?;
    let interrupted = async {
        let signal = stop.await;
        eprintln!("\n{signal}: stopping the local stack");
        signal
    };
    tokio::select! {
        result = run_local(global, args) => result,
        signal = interrupted => anyhow::bail!("interrupted by {signal}; every local process was stopped"),
    }
}

async fn run_local(global: &GlobalArgs, args: &LocalArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let root = system::paths::workspace_root();
    setup::ensure_setup(&root)?;
    let config = config::load(global, &root)?;
    let packages = local_packages(&root, args.functions_dir.as_deref(), args.release)?;
    let built = started.elapsed();

    let run_started = Instant::now();
    let options = LocalStackOptions {
        s3_latency: Duration::from_millis(args.s3_latency_ms),
        strict: (!args.lenient).then(StrictOptions::default),
    };
    let bench = LocalBench::start(&options).await?;
    println!("local stack:");
    println!(
        "  S3     {} (local-s3, {} ms per request)",
        bench.s3_endpoint(),
        args.s3_latency_ms
    );
    println!(
        "  AWS    {} (moto: Lambda, Step Functions, IAM, STS; {})",
        bench.moto_endpoint(),
        match &options.strict {
            Some(strict) => format!(
                "strict: new roles usable after {} s, updates in progress {} s, Step Functions read quotas",
                strict.role_propagation.as_secs_f64(),
                strict.update_latency.as_secs_f64()
            ),
            None => "lenient (--lenient): no AWS timing".to_string(),
        }
    );
    println!("  Lambda {} (local runtime)", bench.lambda.runtime.url());
    match bench.cpu_quota() {
        Ok(how) => println!("  CPU    {how}"),
        Err(reason) => println!(
            "  CPU    WARNING: no CPU quota could be applied ({reason}); every memory size gets the whole machine, so times do not follow memory as on Lambda"
        ),
    }
    let outcome = deploy_and_run(&bench, config, args, &packages).await;
    bench.shutdown().await;
    let outcome = outcome?;
    crate::run::print_outcome(&outcome);
    println!(
        "\ntimes: setup and build {:.1} s, local stack + deploy + run {:.1} s, total {:.1} s",
        built.as_secs_f64(),
        run_started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    if outcome.status != "SUCCEEDED" {
        return Err(crate::DeployError::ExecutionFailed {
            name: outcome.name,
            status: outcome.status,
            error: outcome.error.unwrap_or_default(),
            cause: outcome.cause.unwrap_or_default(),
        }
        .into());
    }
    println!("local stack stopped; nothing is left running");
    Ok(())
}

/// `deploy selftest --local`: the acceptance run of [`crate::selftest`] against the local stack
/// (strict unless `lenient`), with functions built for this machine.
pub async fn selftest(
    global: &GlobalArgs,
    functions_dir: Option<&std::path::Path>,
    lenient: bool,
) -> anyhow::Result<()> {
    let root = system::paths::workspace_root();
    setup::ensure_setup(&root)?;
    let config = config::load(global, &root)?;
    let packages = local_packages(&root, functions_dir, false)?;
    let options = LocalStackOptions {
        strict: (!lenient).then(StrictOptions::default),
        ..LocalStackOptions::default()
    };
    let bench = LocalBench::start(&options).await?;
    let report = crate::selftest::selftest(bench.sdk_config(), &config, &packages).await;
    bench.shutdown().await;
    crate::main_cli::finish_selftest(&report.context("selftest on the local stack")?)
}

/// `--functions-dir` binaries, else a build for this machine; stripped unless a release build
/// (whose profile strips them already).
fn local_packages(
    root: &std::path::Path,
    functions_dir: Option<&std::path::Path>,
    release: bool,
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
            let bins = functions::build_functions(root, profile)?;
            functions::package_binaries(&bins, &staging, profile == BuildProfile::Dev)
        }
    }
}

async fn deploy_and_run(
    bench: &LocalBench,
    config: crate::config::BenchConfig,
    args: &LocalArgs,
    packages: &Packages,
) -> anyhow::Result<RunOutcome> {
    let deployer = Deployer::connect(config, bench.sdk_config(), CallLog::default())
        .await
        .context("connecting to the local stack")?;
    let t = Instant::now();
    eprintln!(
        "deploying stack {} ({} objects, functions for {})",
        deployer.names.stack, deployer.config.objects.count, deployer.config.architecture
    );
    deployer
        .deploy(packages, None)
        .await
        .context("deploying to the local stack")?;
    eprintln!("deployed in {:.1} s", t.elapsed().as_secs_f64());
    let c = &deployer.config;
    eprintln!(
        "running: memory sizes {:?} MB, {} round(s), targets {}",
        c.memory_sizes,
        c.rounds,
        c.targets
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let opts = RunOptions {
        name: None,
        input: serde_json::json!({"label": "local"}),
        download_dir: Some(args.report_dir.clone()),
        poll_interval: Duration::from_millis(500),
        timeout: Duration::from_secs(args.timeout_minutes.saturating_mul(60)),
    };
    deployer.run(&opts).await.context("running the benchmark")
}
