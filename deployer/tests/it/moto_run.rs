//! `deploy run` against moto: the deployed state machine executes in moto's interpreter; the
//! functions are moto's simple Lambda backend (invokes answer with queued responses, in
//! order), since this test is about following the execution, not about the functions.

use std::sync::Arc;
use std::time::Duration;

use deployer::aws::CallLog;
use deployer::config::BenchConfig;
use deployer::package::{Package, Packages};
use deployer::progress::{Event, Recorder};
use deployer::run::RunOptions;
use deployer::Deployer;
use local_stack::moto::{MotoOptions, MotoServer, StrictOptions, TokenBucket};
use serde_json::json;
use test_support::collector_answer::collector_answer_of;
use test_support::lambda::memory_of;

/// Larger than Lambda's 6 MB response limit: the invoke fails (Function.ResponseSizeTooLarge).
fn oversized_answer() -> String {
    "x".repeat(6_000_100)
}

/// The collector's answer to the input check of `{}` (it runs no code here).
async fn valid(d: &Deployer) -> String {
    collector_answer_of(&d.clients.sfn, &d.names.state_machine_arn(), &json!({})).await
}

fn reader(time: f64) -> String {
    json!({"lang": "stand-in", "detail": "queued", "result": "12", "time": time}).to_string()
}

/// moto with `options`, and `config`'s stack (3 small objects, stand-in code) deployed on it.
async fn deployed(options: MotoOptions, mut config: BenchConfig) -> (MotoServer, Deployer) {
    let moto = MotoServer::start(options)
        .await
        .unwrap_or_else(|e| panic!("moto server did not start ({e}); run scripts/setup"));
    let sdk = moto.sdk_config().await;
    config.objects.count = 3;
    config.objects.min_size = 100;
    config.objects.max_size = 200;
    let d = Deployer::connect(config, &sdk, CallLog::default())
        .await
        .expect("connect");
    let pkg = |bin: &str| Arc::new(Package::from_bootstrap(bin, b"stand-in").expect("zip"));
    let packages = Packages {
        reader: pkg("s3-reader"),
        collector: pkg("collector"),
        python: Some(pkg("python-reader")),
        node: Some(pkg("node-reader")),
    };
    d.deploy(&packages, None).await.expect("deploy");
    (moto, d)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_follows_the_execution_prints_the_table_and_downloads_the_results() {
    // Strict moto with Step Functions' read APIs throttled far below AWS's quotas: `run` must
    // back off and read the history incrementally rather than give up while the run goes on.
    let strict = StrictOptions {
        role_propagation: Duration::from_secs(2),
        update_latency: Duration::from_millis(500),
        describe_execution: TokenBucket::every(1, Duration::from_millis(700)),
        execution_history: TokenBucket::every(1, Duration::from_millis(700)),
        invoke: None,
    };
    let (moto, d) = deployed(
        MotoOptions::simple_lambda().with_strict(strict),
        BenchConfig {
            stack_name: "bench-run".into(),
            memory_sizes: vec![128, 512, 1024],
            rounds: 1,
            warmup: false,
            targets: deployer::config::seed_targets()
                .into_iter()
                .take(1)
                .collect(),
            ..BenchConfig::default()
        },
    )
    .await;

    // Invokes in order: the input check, timed 128, record, timed 512 (fails), record,
    // timed 1024, record, report.
    let summary = json!({
        "executionName": "run-test", "resultsUri": "s3://r/runs/run-test/", "reportUri": "s3://r/runs/run-test/report.html",
        "summaryUri": "s3://r/runs/run-test/summary.json", "runs": 3, "failures": 1,
        "recommendations": [{"target": "rust",
            "fastest": {"memoryMb": 1024, "meanTimeS": 0.5, "costUsd": 0.0000085},
            "cheapest": {"memoryMb": 128, "meanTimeS": 1.5, "costUsd": 0.0000031},
            "balanced": {"memoryMb": 1024, "meanTimeS": 0.5, "costUsd": 0.0000085}}]
    });
    let answers = [
        valid(&d).await,
        reader(1.5),
        "{}".into(),
        oversized_answer(),
        "{}".into(),
        reader(0.5),
        "{}".into(),
        summary.to_string(),
    ];
    moto.queue_simple_lambda_responses(&answers)
        .await
        .expect("queue");
    // What the collector writes for this execution (it runs no code here, so put it in its place).
    for (key, body) in [
        ("report.html", "<html>report</html>"),
        ("charts/time.svg", "<svg/>"),
    ] {
        d.clients
            .s3
            .put_object()
            .bucket(&d.names.results_bucket)
            .key(format!("runs/run-test/{key}"))
            .body(body.as_bytes().to_vec().into())
            .send()
            .await
            .expect("put");
    }

    let progress = Arc::new(Recorder::default());
    let d = d.with_reporter(progress.clone());
    let out = tempfile::tempdir().expect("tempdir");
    let outcome = d
        .run(&RunOptions {
            name: Some("run-test".into()),
            download_dir: Some(out.path().to_path_buf()),
            poll_interval: Duration::from_millis(300),
            timeout: Duration::from_secs(120),
            ..RunOptions::default()
        })
        .await
        .expect("run");
    println!("{}\n{}", outcome.table, outcome.recommendations);
    assert_eq!(
        outcome.status, "SUCCEEDED",
        "{:?} {:?}",
        outcome.error, outcome.cause
    );
    let seen: Vec<(u32, bool)> = outcome
        .records
        .iter()
        .map(|r| (r.memory_mb, r.ok))
        .collect();
    assert_eq!(seen, [(128, true), (512, false), (1024, true)]);
    // The progress: the start, each configuration as it finished, the end.
    let record = |memory_mb, seconds| Event::RecordReceived {
        round: 1,
        memory_mb,
        target: "rust".into(),
        seconds,
    };
    assert_eq!(
        progress.events(),
        [
            Event::ExecutionStarted {
                name: "run-test".into(),
                arn: outcome.execution_arn.clone(),
                rounds: 1,
                configurations_per_round: 3,
            },
            record(128, Some(1.5)),
            record(512, None),
            record(1024, Some(0.5)),
            Event::ExecutionEnded {
                status: "SUCCEEDED".into()
            },
        ]
    );

    let rows: Vec<Vec<String>> = outcome
        .table
        .lines()
        .map(|l| l.split('|').map(|c| c.trim().to_owned()).collect())
        .collect();
    assert_eq!(rows[0], ["memory (MB)", "rust"]);
    assert_eq!(rows[2], ["128", "1.500"]);
    assert_eq!(rows[3], ["512", "failed"]);
    assert_eq!(rows[4], ["1024", "0.500"]);
    assert!(
        outcome.recommendations.contains("fastest 1024 MB"),
        "{}",
        outcome.recommendations
    );
    assert!(
        outcome.recommendations.contains("cheapest 128 MB"),
        "{}",
        outcome.recommendations
    );

    let local = outcome.downloaded.expect("downloaded");
    assert_eq!(
        std::fs::read_to_string(local.join("report.html")).expect("report"),
        "<html>report</html>"
    );
    assert!(local.join("charts/time.svg").is_file());
    assert_eq!(outcome.downloaded_files.len(), 2);
}

/// An execution stopped from outside (ABORTED) runs no restore state: `deploy run` puts the
/// function back at the memory it had before the run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_restores_the_memory_an_aborted_execution_left_behind() {
    let (moto, d) = deployed(
        MotoOptions::simple_lambda(),
        BenchConfig {
            stack_name: "bench-abort".into(),
            memory_sizes: vec![128, 256, 512, 768, 1536, 2048],
            rounds: 20,
            warmup: true,
            targets: deployer::config::seed_targets()
                .into_iter()
                .take(1)
                .collect(),
            ..BenchConfig::default()
        },
    )
    .await;
    let reader_name = d.names.reader_function.clone();
    let original = d.config.reader_memory_mb as i32;
    moto.queue_simple_lambda_responses(&[valid(&d).await])
        .await
        .expect("queue");

    // Stop the execution as soon as the sweep has changed the reader's memory.
    let execution_arn = d
        .names
        .state_machine_arn()
        .replace(":stateMachine:", ":execution:")
        + ":aborted-run";
    let (lambda, sfn) = (d.clients.lambda.clone(), d.clients.sfn.clone());
    let stopper = tokio::spawn(async move {
        for _ in 0..600 {
            let memory = lambda
                .get_function_configuration()
                .function_name(&reader_name)
                .send()
                .await
                .ok()
                .and_then(|c| c.memory_size);
            if memory.is_some_and(|m| m != original) {
                sfn.stop_execution()
                    .execution_arn(&execution_arn)
                    .send()
                    .await
                    .expect("stopped");
                return memory;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    });
    let outcome = d
        .run(&RunOptions {
            name: Some("aborted-run".into()),
            poll_interval: Duration::from_millis(300),
            timeout: Duration::from_secs(120),
            ..RunOptions::default()
        })
        .await
        .expect("run");
    let left_at = stopper
        .await
        .expect("stopper")
        .expect("the sweep changed the memory");
    // AWS reports a stopped execution ABORTED; moto 5.2.5's interpreter fails it instead
    // (States.Runtime): either way no restore state ran, and `run` restores.
    assert!(
        matches!(outcome.status.as_str(), "ABORTED" | "FAILED"),
        "{} {:?} {:?}",
        outcome.status,
        outcome.error,
        outcome.cause
    );
    assert_eq!(outcome.restored.len(), 1, "{:?}", outcome.restored);
    assert_eq!(outcome.restored[0].to_mb, original);
    assert_ne!(
        outcome.restored[0].from_mb, original,
        "left at {left_at} MB"
    );
    let now = memory_of(&d.clients.lambda, &d.names.reader_function).await;
    assert_eq!(now, Some(original));
}
