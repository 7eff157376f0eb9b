//! Shared parts of the end-to-end tests: the function binaries of this build, the local stack
//! with the stack deployed on it, and readers of what the collector wrote.

#![allow(dead_code)] // each test file uses a part of this module

use std::path::{Path, PathBuf};
use std::time::Duration;

use deployer::aws::CallLog;
use deployer::config::{BenchConfig, ReadMode, TargetConfig};
use deployer::local::{functions, LocalBench, LocalStackOptions};
use deployer::package::Packages;
use deployer::run::{RunOptions, RunOutcome};
use deployer::Deployer;
use serde_json::Value;
pub(crate) use test_support::s3::{get_bytes, get_json, list_keys};

/// The folder cargo put this build's binaries in (`deploy`, and with it `s3-reader` and
/// `collector` when the workspace's binaries were built in the same invocation).
pub(crate) fn bin_dir() -> PathBuf {
    let deploy = Path::new(env!("CARGO_BIN_EXE_deploy"));
    let dir = deploy.parent().unwrap_or(Path::new(".")).to_path_buf();
    for bin in ["s3-reader", "collector"] {
        assert!(
            dir.join(bin).is_file(),
            "{} is missing: run `cargo build --workspace --bins` (cargo test --workspace builds it) and run scripts/setup",
            dir.join(bin).display()
        );
    }
    dir
}

/// Stripped copies of this build's functions, zipped by the deployer (debug binaries are
/// hundreds of MB; moto's CreateFunction is slow for big zips).
pub(crate) fn packages(staging: &Path) -> Packages {
    functions::package_binaries(&bin_dir(), staging, true)
        .unwrap_or_else(|e| panic!("packaging the functions: {e:#}"))
}

/// The small sweep of the tests: 2 sizes, 1 round, 60 objects, concurrent (at 64, the
/// deployed `concurrencies`) and sequential.
pub(crate) fn small_config(stack: &str) -> BenchConfig {
    let mut config = deployer::local::config::quick_default().expect("local.toml parses");
    config.stack_name = stack.into();
    config.memory_sizes = vec![512, 1769];
    config.rounds = 1;
    config.objects.count = 60;
    config.objects.max_size = 20_000;
    config.architecture = functions::host_architecture().expect("a Lambda architecture");
    // One value by default (local.toml sweeps its Rust targets); a test sweeps through the
    // execution input's `concurrencies`.
    config.concurrency = bench_types::concurrency::ConcurrencyList::fixed(64);
    config.targets = vec![
        TargetConfig {
            name: "concurrent".into(),
            function: None,
            mode: Some(ReadMode::Concurrent),
            concurrency: None,
            ..Default::default()
        },
        TargetConfig {
            name: "sequential".into(),
            function: None,
            mode: Some(ReadMode::Sequential),
            concurrency: None,
            ..Default::default()
        },
    ];
    config
}

/// The local stack (20 ms per S3 request) and the stack deployed on it.
pub(crate) async fn start_and_deploy(
    config: BenchConfig,
    packages: &Packages,
) -> (LocalBench, Deployer) {
    let bench = LocalBench::start(&LocalStackOptions::default())
        .await
        .unwrap_or_else(|e| panic!("local stack did not start ({e:#}); run scripts/setup"));
    let deployer = Deployer::connect(config, bench.sdk_config(), CallLog::default())
        .await
        .expect("connect to the local stack");
    deployer.deploy(packages, None).await.expect("deploy");
    (bench, deployer)
}

/// Deploys `deployer`'s stack again with `targets` added to its configuration (so that the
/// state machine's role may run them), and waits until the changed policy applies (IAM is
/// eventually consistent; the local stack reads a role's policies again after 2 s).
pub(crate) async fn redeploy_with_targets(
    deployer: &Deployer,
    bench: &LocalBench,
    packages: &Packages,
    targets: impl IntoIterator<Item = TargetConfig>,
) -> Deployer {
    let mut config = deployer.config.clone();
    config.targets.extend(targets);
    let redeployed = Deployer::connect(config, bench.sdk_config(), CallLog::default())
        .await
        .expect("connect");
    redeployed
        .deploy(packages, None)
        .await
        .expect("deploy with the added targets");
    tokio::time::sleep(Duration::from_secs(3)).await;
    redeployed
}

/// Runs an execution to its end (bounded), with `input` (contract 1) passed on exactly as
/// written: some tests give inputs that only the state machine's own checks refuse.
pub(crate) async fn run(
    deployer: &Deployer,
    name: &str,
    input: Value,
    download: Option<&Path>,
) -> RunOutcome {
    let Value::Object(fields) = input else {
        panic!("run {name}: the input must be a JSON object");
    };
    deployer
        .run(&RunOptions {
            name: Some(name.into()),
            input: bench_types::GivenInput::unchecked(fields),
            download_dir: download.map(Path::to_path_buf),
            poll_interval: Duration::from_millis(500),
            timeout: Duration::from_secs(240),
        })
        .await
        .unwrap_or_else(|e| panic!("run {name}: {e:#}"))
}

/// The run records inside `runs.json` (Map states may nest them in arrays).
pub(crate) fn records_of(runs_json: &Value) -> Vec<Value> {
    fn walk(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(o) if o.contains_key("memoryMb") && o.contains_key("target") => {
                out.push(v.clone())
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&runs_json["runs"], &mut out);
    out
}

/// The configured memory of a function now.
pub(crate) async fn memory_of(deployer: &Deployer, function: &str) -> i32 {
    test_support::lambda::memory_of(&deployer.clients.lambda, function)
        .await
        .unwrap_or_default()
}
