//! The whole benchmark on the local stack (local-s3 with 20 ms per request, moto's Step
//! Functions interpreter, the local Lambda runtime running this build's real `s3-reader` and
//! `collector`), deployed with the normal deploy code: one sweep that must succeed with every
//! check of issue 6, then the failure paths on the same stack, each followed by a working rerun.

use crate::support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionCode, Runtime};
use deployer::package::Package;
use deployer::Deployer;
use serde_json::json;

use support::{get_bytes, get_json, list_keys, memory_of, records_of, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_benchmark_runs_end_to_end_on_the_local_stack_and_survives_failures() {
    let staging = tempfile::tempdir().expect("tempdir");
    let packages = support::packages(staging.path());
    let config = support::small_config("e2e");
    let (mut bench, deployer) = support::start_and_deploy(config, &packages).await;
    println!(
        "local stack: S3 {} moto {}",
        bench.s3_endpoint(),
        bench.moto_endpoint()
    );
    if let Err(reason) = bench.cpu_quota() {
        println!("no CPU quota: {reason}");
    }

    let t = Instant::now();
    successful_sweep(&deployer, "e2e-ok").await;
    println!("successful sweep: {:.1} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    target_failing_at_one_size(
        &bench,
        &deployer,
        &packages,
        &staging.path().join("s3-reader").join("bootstrap"),
    )
    .await;
    println!("failing target: {:.1} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    s3_authorizes_each_role_like_s3(&bench, &deployer).await;
    println!("S3 authorization: {:.1} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    bad_input_fails_with_invalid_input(&deployer).await;
    println!("bad input: {:.1} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    s3_killed_mid_run_is_a_recorded_failure(&mut bench, &deployer).await;
    println!("S3 killed: {:.1} s", t.elapsed().as_secs_f64());

    // A rerun after all of the above (S3 restarted, same data): deploy changes nothing it must
    // not, and the sweep succeeds again.
    let t = Instant::now();
    deployer.deploy(&packages, None).await.expect("redeploy");
    successful_sweep(&deployer, "e2e-rerun").await;
    println!("rerun: {:.1} s", t.elapsed().as_secs_f64());

    bench.shutdown().await;
}

/// The concurrency values the good sweep runs its concurrent target at (`auto`: the Rust
/// reader's adaptive limit), through the execution input.
const SWEEP: [&str; 3] = ["4", "64", "auto"];

/// Every check of a good sweep: the concurrent target at each value of [`SWEEP`] after one
/// memory update, the sequential one once.
async fn successful_sweep(d: &Deployer, name: &str) {
    let out = tempfile::tempdir().expect("tempdir");
    let input = json!({"label": "e2e", "concurrencies": [4, 64, "auto"]});
    let outcome = run(d, name, input, Some(out.path())).await;
    println!("{name}:\n{}{}", outcome.table, outcome.recommendations);
    assert_eq!(
        outcome.status, "SUCCEEDED",
        "{name}: {:?} {:?}",
        outcome.error, outcome.cause
    );
    let sizes = &d.config.memory_sizes;
    assert_eq!(
        outcome.records.len(),
        sizes.len() * (SWEEP.len() + 1),
        "no record of the sweep lost or overwritten: {:?}",
        outcome.records
    );

    // Every record ok, and the memory really reached the function.
    let mut means: BTreeMap<(u32, String, String), f64> = BTreeMap::new();
    for r in &outcome.records {
        assert!(r.ok, "{name}: record not ok: {r:?}");
        let output = r
            .output
            .as_ref()
            .expect("ok record has the reader's output");
        assert_eq!(
            output["stats"]["memoryMb"].as_u64(),
            Some(u64::from(r.memory_mb)),
            "the reader ran with another memory size than configured: {output}"
        );
        // Every object read, and the magic string found in one of them (`find` is on).
        assert_eq!(output["stats"]["objects"].as_u64(), Some(60), "{output}");
        assert!(
            output["result"]
                .as_str()
                .is_some_and(|k| k.starts_with(&d.names.target_prefix(&r.target))),
            "{output}"
        );
        // The reader got the concurrency its record names; `auto` reports its limits.
        let concurrency = r.concurrency.map(|c| c.to_string()).unwrap_or_default();
        match concurrency.as_str() {
            "auto" => {
                let auto = &output["stats"]["autoConcurrency"];
                assert!(auto["final"].as_u64().is_some_and(|l| l >= 1), "{output}");
                assert_eq!(output["stats"]["concurrency"], auto["max"], "{output}");
            }
            "" => assert_eq!(r.target, "sequential", "{r:?}"),
            fixed => assert_eq!(
                output["stats"]["concurrency"].to_string(),
                fixed,
                "{output}"
            ),
        }
        let time = output["time"].as_f64().expect("time");
        means.insert((r.memory_mb, r.target.clone(), concurrency), time);
    }
    // The concurrent target beats the sequential one at every size and concurrency.
    for &mb in sizes {
        let s = means[&(mb, "sequential".to_string(), String::new())];
        for value in SWEEP {
            let c = means[&(mb, "concurrent".to_string(), value.to_string())];
            println!("{mb} MB: concurrent at {value} {c:.3} s, sequential {s:.3} s");
            assert!(
                c < s,
                "{mb} MB: concurrent at {value} ({c} s) is not faster than sequential ({s} s)"
            );
        }
    }

    // Every collector object is in local S3, and summary.json agrees with runs.json.
    let bucket = &d.names.results_bucket;
    let folder = format!("runs/{name}/");
    let keys = list_keys(&d.clients.s3, bucket, &folder).await;
    for file in [
        "runs.json",
        "summary.json",
        "runs.csv",
        "summary.csv",
        "report.html",
    ] {
        assert!(
            keys.contains(&format!("{folder}{file}")),
            "{file} missing in s3://{bucket}/{folder}: {keys:?}"
        );
    }
    assert!(
        keys.iter().any(|k| k.ends_with(".svg")),
        "no chart: {keys:?}"
    );
    let index = get_json(&d.clients.s3, bucket, "runs/index.json").await;
    assert!(
        index["executions"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["name"] == json!(name))),
        "{name} not in index.json: {index}"
    );
    let runs = get_json(&d.clients.s3, bucket, &format!("{folder}runs.json")).await;
    let summary = get_json(&d.clients.s3, bucket, &format!("{folder}summary.json")).await;
    let records = records_of(&runs);
    assert_eq!(records.len(), outcome.records.len(), "{runs}");
    assert_eq!(summary["runs"].as_u64(), Some(records.len() as u64));
    assert_eq!(summary["failures"].as_u64(), Some(0));
    for cell in summary["cells"].as_array().expect("cells") {
        let (target, mb) = (&cell["targetName"], &cell["memoryMb"]);
        let times: Vec<f64> = records
            .iter()
            .filter(|r| &r["target"] == target && &r["memoryMb"] == mb)
            .filter(|r| r["concurrency"] == cell["concurrency"])
            .filter_map(|r| r["output"]["time"].as_f64())
            .collect();
        assert_eq!(cell["runs"].as_u64(), Some(times.len() as u64), "{cell}");
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        let reported = cell["meanTimeS"].as_f64().expect("meanTimeS");
        assert!(
            (reported - mean).abs() < 1e-9,
            "{cell}: mean of runs.json is {mean}"
        );
    }
    concurrency_map_agrees_with_runs_csv(d, &keys, &folder, &summary).await;

    // One cold start per (round, memory size, function): the warm-up after each memory update,
    // on a fresh sandbox, with the local runtime's Init Duration; the two targets share it.
    let rounds = d.config.rounds as usize;
    let cold: Vec<&String> = keys
        .iter()
        .filter(|k| k.starts_with(&format!("{folder}cold-starts/")))
        .collect();
    assert_eq!(cold.len(), rounds * sizes.len(), "{cold:?}");
    for round in 1..=rounds {
        for &mb in sizes {
            let key = format!(
                "{folder}cold-starts/r{round:03}-m{mb:05}-{}.json",
                d.names.reader_function
            );
            assert!(
                cold.iter().any(|k| **k == key),
                "no cold start {key}: {cold:?}"
            );
        }
    }
    // Every memory update is a new revision of the function, whose invokes never reuse a sandbox
    // of an earlier revision (as on Lambda): every warm-up is a cold start with an Init
    // Duration, also after an update to the size the function already had (whether AWS retires
    // the warm sandboxes then is in the README's list of what only AWS can prove).
    let cells = summary["coldStarts"].as_array().expect("coldStarts");
    assert_eq!(cells.len(), sizes.len(), "{cells:?}");
    for (cell, &mb) in cells.iter().zip(sizes) {
        assert_eq!(cell["memoryMb"].as_u64(), Some(u64::from(mb)), "{cell}");
        assert_eq!(cell["count"].as_u64(), Some(rounds as u64), "{cell}");
        assert!(
            cell["meanInitDurationMs"]
                .as_f64()
                .is_some_and(|ms| ms > 0.0),
            "an Init Duration after every memory update: {cell}"
        );
    }
    assert!(
        cold_somewhere_in(cells),
        "the sweep changes the memory at least once: {cells:?}"
    );
    assert!(
        keys.contains(&format!("{folder}cold_starts.csv")),
        "{keys:?}"
    );
    assert!(
        keys.contains(&format!("{folder}cold-start.svg")),
        "{keys:?}"
    );

    // The local copy of the report is the one in S3.
    let local = outcome.downloaded.expect("downloaded");
    assert!(local.join("report.html").is_file());
    assert_eq!(outcome.downloaded_files.len(), keys.len());

    // The original memory is restored.
    assert_eq!(
        memory_of(d, &d.names.reader_function).await,
        d.config.reader_memory_mb as i32
    );
}

/// The fields of one CSV line: commas inside double quotes, and `""` inside them, as the
/// collector's writer quotes them.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("a field").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().expect("a field").push(c),
        }
    }
    fields
}

async fn get_text(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> String {
    String::from_utf8(get_bytes(s3, bucket, key).await)
        .unwrap_or_else(|e| panic!("s3://{bucket}/{key} is not UTF-8: {e}"))
}

/// The swept target's heatmaps and best-concurrency table are written, and the map in
/// summary.json is what runs.csv gives: the mean time of each (memory size, concurrency) and
/// the fastest fixed value at each size.
async fn concurrency_map_agrees_with_runs_csv(
    d: &Deployer,
    keys: &[String],
    folder: &str,
    summary: &serde_json::Value,
) {
    let bucket = &d.names.results_bucket;
    for file in [
        "concurrency-time-concurrent.svg",
        "concurrency-cost-concurrent.svg",
    ] {
        assert!(
            keys.contains(&format!("{folder}{file}")),
            "{file}: {keys:?}"
        );
    }
    let report = get_text(&d.clients.s3, bucket, &format!("{folder}report.html")).await;
    assert!(
        report.contains("Best concurrency: concurrent"),
        "no best-concurrency table"
    );
    assert!(report.contains("concurrent: mean time (s) by memory size and concurrency"));

    let csv = get_text(&d.clients.s3, bucket, &format!("{folder}runs.csv")).await;
    let mut lines = csv.lines();
    let header = csv_fields(lines.next().expect("header"));
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("runs.csv has no {name} column: {header:?}"))
    };
    let (target, memory, concurrency, time) = (
        column("target"),
        column("memory_mb"),
        column("concurrency"),
        column("time_s"),
    );
    // Mean time per (memory size, concurrency) of the concurrent target, from runs.csv.
    let mut from_csv: BTreeMap<(u64, String), Vec<f64>> = BTreeMap::new();
    for line in lines {
        let fields = csv_fields(line);
        if fields.get(target).map(String::as_str) != Some("concurrent") {
            continue;
        }
        let mb: u64 = fields[memory].parse().expect("memory_mb");
        let t: f64 = fields[time].parse().expect("time_s");
        from_csv
            .entry((mb, fields[concurrency].to_string()))
            .or_default()
            .push(t);
    }
    assert_eq!(
        from_csv.len(),
        d.config.memory_sizes.len() * SWEEP.len(),
        "{from_csv:?}"
    );

    let maps = summary["concurrencyMaps"]
        .as_array()
        .expect("concurrencyMaps");
    assert_eq!(
        maps.len(),
        1,
        "only the concurrent target is swept: {maps:?}"
    );
    let map = &maps[0];
    assert_eq!(map["target"], "concurrent");
    let values: Vec<String> = map["concurrencies"]
        .as_array()
        .expect("concurrencies")
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect();
    assert_eq!(values, SWEEP);
    let rows = map["memorySizes"].as_array().expect("memorySizes");
    for (row, mb) in rows.iter().enumerate() {
        let mb = mb.as_u64().expect("memory size");
        let mut fastest: Option<(f64, &str)> = None;
        for (column, value) in values.iter().enumerate() {
            let times = &from_csv[&(mb, value.clone())];
            let mean = times.iter().sum::<f64>() / times.len() as f64;
            let mapped = map["meanTimeS"][row][column].as_f64().expect("a mean");
            assert!(
                (mapped - mean).abs() < 1e-9,
                "{mb} MB at {value}: {mapped} vs {mean}"
            );
            if value != "auto" && fastest.is_none_or(|(best, _)| mean < best) {
                fastest = Some((mean, value));
            }
        }
        let best = &map["best"][row];
        assert_eq!(best["memoryMb"].as_u64(), Some(mb), "{best}");
        let (_, fastest) = fastest.expect("a fixed value with a time");
        assert_eq!(best["fastest"].to_string(), fastest, "{mb} MB: {best}");
        assert!(best["autoOverFastest"].as_f64().is_some(), "{best}");
    }
}

/// Whether any cold-start cell reports an Init Duration.
fn cold_somewhere_in(cells: &[serde_json::Value]) -> bool {
    cells
        .iter()
        .any(|c| c["meanInitDurationMs"].as_f64().is_some())
}

/// A target (this build's reader behind a script that exits at 512 MB) fails at one size: that
/// configuration is recorded as failed, the sweep completes, its memory is restored. Given only
/// in the input, the state machine's role may not touch it: the execution fails at its first
/// call on it, as on AWS, before any change; once it is in the config and deployed, it runs.
async fn target_failing_at_one_size(
    bench: &deployer::local::LocalBench,
    d: &Deployer,
    packages: &deployer::package::Packages,
    reader_bootstrap: &std::path::Path,
) {
    let function = "e2e-fails-at-512";
    let script = format!(
        "#!/bin/sh\nif [ \"$AWS_LAMBDA_FUNCTION_MEMORY_SIZE\" = 512 ]; then\n  echo 'e2e: this target fails at 512 MB' >&2\n  exit 3\nfi\nexec '{}'\n",
        reader_bootstrap.display()
    );
    let package = Package::from_bootstrap(function, script.as_bytes()).expect("zip");
    let arch = match d.config.architecture {
        deployer::config::Architecture::X86_64 => Architecture::X8664,
        deployer::config::Architecture::Arm64 => Architecture::Arm64,
    };
    let _ = d
        .clients
        .lambda
        .delete_function()
        .function_name(function)
        .send()
        .await;
    d.clients
        .lambda
        .create_function()
        .function_name(function)
        .runtime(Runtime::Providedal2023)
        .handler("bootstrap")
        .architectures(arch)
        .memory_size(300)
        .timeout(60)
        .role(d.names.role_arn(&d.names.reader_role))
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(package.zip))
                .build(),
        )
        .send()
        .await
        .expect("create the failing target");
    // A new function is Pending for a moment (strict mode, as on AWS): wait as a user would.
    test_support::lambda::wait_active(&d.clients.lambda, function).await;

    let input = json!({
        "warmup": false,
        "targets": [{"name": "flaky", "functionName": function,
                     "payload": {"mode": "concurrent", "concurrency": 16}}]
    });
    let denied = run(d, "e2e-not-deployed", input.clone(), None).await;
    assert_eq!(denied.status, "FAILED", "{:?}", denied.cause);
    assert_eq!(
        denied.error.as_deref(),
        Some("Lambda.LambdaException"),
        "{:?}",
        denied.cause
    );
    let cause = denied.cause.clone().unwrap_or_default();
    assert!(
        cause.contains("is not authorized to perform: lambda:GetFunctionConfiguration"),
        "{cause}"
    );
    assert!(denied.records.is_empty());
    assert_eq!(memory_of(d, function).await, 300, "nothing changed");

    // In the config and deployed, the role covers it.
    let flaky = deployer::config::TargetConfig {
        name: "flaky".into(),
        function: Some(function.into()),
        mode: Some(deployer::config::ReadMode::Concurrent),
        concurrency: Some(bench_types::concurrency::ConcurrencyList::fixed(16)),
        ..Default::default()
    };
    let d = &support::redeploy_with_targets(d, bench, packages, [flaky]).await;
    let outcome = run(d, "e2e-fails-at-512", input, None).await;
    println!("failing target:\n{}", outcome.table);
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
    assert_eq!(seen, [(512, false), (1769, true)], "{:?}", outcome.records);
    let failed = &outcome.records[0];
    let why = format!("{:?} {:?}", failed.error, failed.cause);
    assert!(
        why.contains("Runtime.ExitError") || why.contains("exit status"),
        "{why}"
    );
    assert!(outcome.table.contains("failed"), "{}", outcome.table);
    assert_eq!(memory_of(d, function).await, 300, "memory not restored");
}

/// Inputs the definition cannot run fail early with `InvalidInput` and a cause naming the
/// field, before any memory changes: the Choices' own checks (memory out of range) and the real
/// collector's (a payload that is not an object, a qualified ARN, a sweep over the history limit).
async fn bad_input_fails_with_invalid_input(d: &Deployer) {
    let reader = &d.names.reader_function;
    let many_sizes: Vec<u32> = (0..10).map(|i| 128 + 512 * i).collect();
    let cases = [
        (
            "e2e-bad-memory",
            json!({"memorySizes": [64]}),
            "memorySizes: 64 is not",
        ),
        (
            "e2e-bad-payload",
            json!({"targets": [{"name": "x", "functionName": reader, "payload": null}]}),
            "targets[0].payload: must be an object",
        ),
        (
            "e2e-bad-arn",
            json!({"targets": [{"name": "x", "functionName": format!("{reader}:live")}]}),
            "targets[0].functionName:",
        ),
        (
            "e2e-too-long",
            json!({"rounds": 1000, "memorySizes": many_sizes}),
            "rounds x memorySizes x runs (targets at each concurrency): 1000 x 10 x ",
        ),
    ];
    for (name, input, cause) in cases {
        let outcome = run(d, name, input, None).await;
        assert_eq!(outcome.status, "FAILED", "{name}");
        assert_eq!(
            outcome.error.as_deref(),
            Some("InvalidInput"),
            "{name}: {:?}",
            outcome.cause
        );
        let got = outcome.cause.clone().unwrap_or_default();
        assert!(got.starts_with(cause), "{name}: {got}");
        assert!(outcome.records.is_empty(), "{:?}", outcome.records);
        assert!(outcome.restored.is_empty(), "{name}: nothing to restore");
    }
    assert_eq!(
        memory_of(d, &d.names.reader_function).await,
        d.config.reader_memory_mb as i32
    );
}

/// S3 stops while the sweep runs: the execution ends (no hang) with the failure recorded.
async fn s3_killed_mid_run_is_a_recorded_failure(
    bench: &mut deployer::local::LocalBench,
    d: &Deployer,
) {
    let name = "e2e-s3-killed";
    let runner = {
        let d = d.clone();
        tokio::spawn(async move { run(&d, name, json!({"warmup": false}), None).await })
    };
    // Wait for the first timed invocation to finish, then stop S3 (bounded wait).
    let arn = d
        .names
        .state_machine_arn()
        .replace(":stateMachine:", ":execution:")
        + ":"
        + name;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            Instant::now() < deadline,
            "the execution never invoked the reader"
        );
        let invoked = match d
            .clients
            .sfn
            .get_execution_history()
            .execution_arn(&arn)
            .reverse_order(true)
            .max_results(1000)
            .send()
            .await
        {
            Ok(history) => history
                .events()
                .iter()
                .filter(|e| e.r#type().as_str() == "TaskSucceeded")
                .filter(|e| {
                    e.task_succeeded_event_details()
                        .and_then(|d| d.output())
                        .is_some_and(|o| o.contains("\"lang\""))
                })
                .count(),
            Err(_) => 0,
        };
        if invoked >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    bench.stop_s3().await;
    let outcome = tokio::time::timeout(Duration::from_secs(300), runner)
        .await
        .expect("the execution hung after S3 stopped")
        .expect("runner task");
    println!(
        "S3 killed: {} {:?} {:?}\n{}",
        outcome.status, outcome.error, outcome.cause, outcome.table
    );
    let recorded_failure = outcome.status == "FAILED" || outcome.records.iter().any(|r| !r.ok);
    assert!(
        recorded_failure,
        "no failure recorded: {:?}",
        outcome.records
    );
    assert_ne!(
        outcome.status, "SUCCEEDED",
        "the collector cannot have written its report"
    );
    assert_eq!(
        memory_of(d, &d.names.reader_function).await,
        d.config.reader_memory_mb as i32,
        "memory not restored after the failure"
    );
    bench.restart_s3().await.expect("restart local-s3");
}

/// An S3 client signing as a session of `role` (STS AssumeRole on the local stack, as Lambda
/// does for a function), or with `token` in place of the session's token.
async fn s3_as_role(
    bench: &deployer::local::LocalBench,
    d: &Deployer,
    role: &str,
    token: Option<&str>,
) -> aws_sdk_s3::Client {
    let assumed = aws_sdk_sts::Client::new(bench.sdk_config())
        .assume_role()
        .role_arn(d.names.role_arn(role))
        .role_session_name("e2e")
        .send()
        .await
        .expect("AssumeRole")
        .credentials
        .expect("credentials");
    let credentials = aws_credential_types::Credentials::new(
        assumed.access_key_id(),
        assumed.secret_access_key(),
        Some(token.unwrap_or(assumed.session_token()).to_string()),
        None,
        "e2e",
    );
    let config = aws_sdk_s3::config::Builder::from(bench.sdk_config())
        .credentials_provider(credentials)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

fn code_of<E: aws_sdk_s3::error::ProvideErrorMetadata, R>(
    result: Result<R, aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>>,
) -> String {
    use aws_sdk_s3::error::ProvideErrorMetadata;
    match result {
        Ok(_) => "ok".to_string(),
        Err(e) => e
            .code()
            .map(str::to_string)
            .or_else(|| {
                e.raw_response()
                    .map(|r| format!("HTTP {}", r.status().as_u16()))
            })
            .unwrap_or_else(|| "no code".to_string()),
    }
}

/// In strict mode local-s3 decides as S3 with IAM: each role gets what its generated policy
/// grants and nothing else, a missing key is 404 only to a role that may list it (else 403),
/// and a temporary key needs its own session token.
async fn s3_authorizes_each_role_like_s3(bench: &deployer::local::LocalBench, d: &Deployer) {
    let (data, results) = (&d.names.data_bucket, &d.names.results_bucket);
    let prefix = &d.names.data_prefix;
    let reader = s3_as_role(bench, d, &d.names.reader_role, None).await;
    let object = format!("{prefix}00000.txt");
    let get = |c: &aws_sdk_s3::Client, bucket: &str, key: &str| {
        c.get_object().bucket(bucket).key(key).send()
    };
    assert_eq!(code_of(get(&reader, data, &object).await), "ok");
    assert_eq!(
        code_of(get(&reader, data, &format!("{prefix}missing.txt")).await),
        "NoSuchKey",
        "the reader may list its prefix: a missing key there is a 404"
    );
    assert_eq!(
        code_of(get(&reader, data, "elsewhere/missing.txt").await),
        "AccessDenied",
        "outside its prefix the reader may not list: 403, not 404"
    );
    assert_eq!(
        code_of(get(&reader, results, "runs/index.json").await),
        "AccessDenied"
    );
    let list = |c: &aws_sdk_s3::Client, bucket: &str, p: &str| {
        c.list_objects_v2().bucket(bucket).prefix(p).send()
    };
    assert_eq!(code_of(list(&reader, data, prefix).await), "ok");
    assert_eq!(code_of(list(&reader, data, "other/").await), "AccessDenied");
    assert_eq!(
        code_of(
            reader
                .put_object()
                .bucket(data)
                .key(format!("{prefix}planted.txt"))
                .body(b"x".to_vec().into())
                .send()
                .await
        ),
        "AccessDenied"
    );

    let collector = s3_as_role(bench, d, &d.names.collector_role, None).await;
    assert_eq!(
        code_of(get(&collector, results, "runs/never-written.json").await),
        "NoSuchKey",
        "the collector's first read of a missing index is a 404 (its ListBucket grant covers runs/)"
    );
    assert_eq!(
        code_of(get(&collector, results, "elsewhere.json").await),
        "AccessDenied"
    );
    assert_eq!(
        code_of(get(&collector, data, &object).await),
        "AccessDenied"
    );

    let forged = s3_as_role(bench, d, &d.names.reader_role, Some("not-the-token")).await;
    assert_eq!(code_of(get(&forged, data, &object).await), "InvalidToken");
}
