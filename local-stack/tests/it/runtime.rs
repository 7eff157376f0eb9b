//! The local Lambda runtime on its own: a real lambda_runtime `bootstrap` runs through the Runtime
//! API with the requested memory size, environment, timeout and CPU quota.

use std::path::Path;

use local_stack::runtime::{LocalRuntime, RuntimeOptions};
use serde_json::json;
use system::cgroup::CpuController;

use crate::common;
use common::{code_dir, json_of, request, runtime_and_code};

#[tokio::test]
async fn function_sees_its_memory_and_env_and_stays_warm_until_memory_changes() {
    let (runtime, code) = runtime_and_code().await;

    let first = runtime
        .invoke(request(code.path(), "echo", 512, 10, json!({"echo": 1})))
        .await;
    assert_eq!(first.function_error, None, "{}", first.payload);
    let out = json_of(&first.payload);
    assert_eq!(out["memoryMb"], 512);
    assert_eq!(out["envMemory"], "512");
    assert_eq!(out["functionName"], "echo");
    assert_eq!(out["env"]["TEST_COLOUR"], "blue");
    assert_eq!(out["echo"], 1);
    assert_eq!(out["requestId"], first.request_id);
    assert_eq!(
        out["invokedArn"],
        "arn:aws:lambda:us-east-1:123456789012:function:echo"
    );
    assert!(first.cold_start);
    assert!(first.init_duration_ms.is_some());
    assert!(
        first.log_tail.contains("test function invocation 1"),
        "{}",
        first.log_tail
    );
    assert!(first
        .log_tail
        .contains(&format!("REPORT RequestId: {}", first.request_id)));
    assert!(first.log_tail.contains("Memory Size: 512 MB"));

    let second = runtime
        .invoke(request(code.path(), "echo", 512, 10, json!({})))
        .await;
    let warm = json_of(&second.payload);
    assert!(!second.cold_start);
    assert_eq!(warm["pid"], out["pid"], "same environment reused");
    assert_eq!(warm["invocations"], 2);

    let resized = runtime
        .invoke(request(code.path(), "echo", 1024, 10, json!({})))
        .await;
    let cold = json_of(&resized.payload);
    assert!(
        resized.cold_start,
        "a new memory size starts a new environment"
    );
    assert_eq!(cold["memoryMb"], 1024);
    assert_ne!(cold["pid"], out["pid"]);
    assert_eq!(cold["invocations"], 1);

    let mut changed_env = request(code.path(), "echo", 1024, 10, json!({}));
    changed_env
        .environment
        .insert("TEST_COLOUR".into(), "red".into());
    let recoloured = runtime.invoke(changed_env).await;
    assert!(
        recoloured.cold_start,
        "new environment variables start a new environment"
    );
    assert_eq!(json_of(&recoloured.payload)["env"]["TEST_COLOUR"], "red");
    runtime.shutdown().await;
}

#[tokio::test]
async fn failing_function_answers_unhandled_with_its_error_type() {
    let (runtime, code) = runtime_and_code().await;
    let answer = runtime
        .invoke(request(
            code.path(),
            "fails",
            256,
            10,
            json!({"fail": "told to fail"}),
        ))
        .await;
    assert_eq!(answer.function_error.as_deref(), Some("Unhandled"));
    let error = json_of(&answer.payload);
    assert_eq!(error["errorMessage"], "told to fail");
    assert_eq!(error["errorType"], "TestFailure");
    // A handled error leaves the environment usable, as on Lambda.
    let after = runtime
        .invoke(request(code.path(), "fails", 256, 10, json!({})))
        .await;
    assert_eq!(after.function_error, None);
    assert!(!after.cold_start);
}

#[tokio::test]
async fn timeout_kills_the_environment_and_answers_like_lambda() {
    let (runtime, code) = runtime_and_code().await;
    let answer = runtime
        .invoke(request(
            code.path(),
            "slow",
            128,
            1,
            json!({"sleepMs": 5000}),
        ))
        .await;
    assert_eq!(answer.function_error.as_deref(), Some("Unhandled"));
    let error = json_of(&answer.payload);
    assert_eq!(error["errorType"], "Sandbox.Timedout");
    let message = error["errorMessage"].as_str().expect("message");
    assert!(
        message.ends_with(&format!(
            "{} Task timed out after 1.00 seconds",
            answer.request_id
        )),
        "{message}"
    );

    let next = runtime
        .invoke(request(code.path(), "slow", 128, 1, json!({})))
        .await;
    assert_eq!(next.function_error, None, "{}", next.payload);
    assert!(next.cold_start, "the timed-out environment was replaced");
}

#[tokio::test]
async fn crashing_function_answers_an_exit_error_and_missing_code_an_entrypoint_error() {
    let (runtime, code) = runtime_and_code().await;
    let crash = runtime
        .invoke(request(
            code.path(),
            "crash",
            128,
            10,
            json!({"exitCode": 3}),
        ))
        .await;
    assert_eq!(crash.function_error.as_deref(), Some("Unhandled"));
    let error = json_of(&crash.payload);
    assert_eq!(error["errorType"], "Runtime.ExitError");
    assert!(
        error["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("exit status: 3")),
        "{error}"
    );

    let mut init_fails = request(code.path(), "init-fails", 128, 10, json!({}));
    init_fails
        .environment
        .insert("TEST_FAIL_INIT".into(), "1".into());
    let init = runtime.invoke(init_fails).await;
    assert_eq!(init.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(json_of(&init.payload)["errorType"], "Runtime.ExitError");

    let empty = tempfile::tempdir().expect("temp dir");
    let missing = runtime
        .invoke(request(empty.path(), "nocode", 128, 10, json!({})))
        .await;
    assert_eq!(missing.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(
        json_of(&missing.payload)["errorType"],
        "Runtime.InvalidEntrypoint"
    );

    let bad_memory = runtime
        .invoke(request(code.path(), "crash", 64, 10, json!({})))
        .await;
    let error = json_of(&bad_memory.payload);
    assert_eq!(error["errorType"], "InvalidParameterValueException");
    assert!(error["errorMessage"]
        .as_str()
        .is_some_and(|m| m.contains("memorySize 64")));
}

#[tokio::test]
async fn cpu_quota_follows_memory_and_groups_are_cleaned_up() {
    let (runtime, code) = runtime_and_code().await;
    let answer = runtime
        .invoke(request(code.path(), "cpu", 128, 30, json!({"spinMs": 100})))
        .await;
    assert_eq!(answer.function_error, None, "{}", answer.payload);
    let cpu = &answer.cpu;
    match runtime.cpu_controller() {
        CpuController::Available { .. } => {
            assert!(cpu.applied, "{cpu:?}");
            // 128 MB / 1769 MB per vCPU × 100 ms period.
            assert_eq!(cpu.quota_us, Some(7_236));
            assert_eq!(cpu.period_us, Some(100_000));
            let group = Path::new(cpu.group.as_deref().expect("group dir"));
            let (quota_file, period_file) = if cpu.mechanism == "cgroup-v1" {
                (
                    std::fs::read_to_string(group.join("cpu.cfs_quota_us")).expect("quota file"),
                    std::fs::read_to_string(group.join("cpu.cfs_period_us")).expect("period file"),
                )
            } else {
                let max = std::fs::read_to_string(group.join("cpu.max")).expect("cpu.max");
                let mut parts = max.split_whitespace();
                (
                    parts.next().unwrap_or_default().to_string(),
                    parts.next().unwrap_or_default().to_string(),
                )
            };
            assert_eq!(quota_file.trim(), "7236");
            assert_eq!(period_file.trim(), "100000");
            // The function's process is in the group.
            let pid = json_of(&answer.payload)["pid"].as_u64().expect("pid");
            let procs = std::fs::read_to_string(group.join("cgroup.procs")).expect("procs");
            assert!(
                procs.lines().any(|l| l.trim() == pid.to_string()),
                "{pid} not in {procs}"
            );
            // 7.2 % of a CPU: 100 ms of CPU take about 1.4 s. A generous bound, not a timing test.
            let out = json_of(&answer.payload);
            let (cpu_ms, wall_ms) = (
                out["spinCpuMs"].as_f64().expect("cpu ms"),
                out["spinWallMs"].as_f64().expect("wall ms"),
            );
            println!(
                "128 MB: {cpu_ms:.0} ms CPU in {wall_ms:.0} ms wall ({:.1} % of a CPU)",
                100.0 * cpu_ms / wall_ms
            );
            assert!(
                wall_ms > 3.0 * cpu_ms,
                "quota not in force: {cpu_ms} ms CPU in {wall_ms} ms"
            );

            runtime.shutdown().await;
            assert!(!group.exists(), "cgroup {} left behind", group.display());
        }
        CpuController::Unavailable { reason } => {
            assert!(!cpu.applied);
            assert_eq!(cpu.mechanism, "none");
            assert_eq!(cpu.reason.as_deref(), Some(reason.as_str()));
            println!("no writable cgroup here, quota not applied: {reason}");
        }
    }
}

#[tokio::test]
async fn without_a_controller_the_answer_reports_no_quota() {
    let options = RuntimeOptions {
        cpu_controller: Some(CpuController::Unavailable {
            reason: "cgroups switched off for this test".to_string(),
        }),
        ..RuntimeOptions::default()
    };
    let runtime = LocalRuntime::start(options).await.expect("runtime");
    let code = code_dir();
    let answer = runtime
        .invoke(request(code.path(), "nocpu", 1769, 10, json!({})))
        .await;
    assert_eq!(answer.function_error, None, "{}", answer.payload);
    assert!(!answer.cpu.applied);
    assert_eq!(answer.cpu.mechanism, "none");
    assert_eq!(
        answer.cpu.reason.as_deref(),
        Some("cgroups switched off for this test")
    );
    assert!((answer.cpu.vcpus - 1.0).abs() < 1e-9);
}

#[tokio::test]
async fn concurrent_invocations_get_their_own_environments() {
    let (runtime, code) = runtime_and_code().await;
    let calls = (0..3).map(|i| {
        runtime.invoke(request(
            code.path(),
            "parallel",
            256,
            10,
            json!({"sleepMs": 500, "echo": i}),
        ))
    });
    let answers = futures::future::join_all(calls).await;
    let mut pids: Vec<u64> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.function_error, None, "{}", a.payload);
            assert!(a.cold_start);
            json_of(&a.payload)["pid"].as_u64().expect("pid")
        })
        .collect();
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 3, "one environment per concurrent call");
    assert_eq!(runtime.idle_environments().await.get("parallel"), Some(&3));
}

#[tokio::test]
async fn dropping_the_runtime_kills_functions_and_removes_their_groups() {
    let (runtime, code) = runtime_and_code().await;
    let answer = runtime
        .invoke(request(code.path(), "dropped", 256, 10, json!({})))
        .await;
    let pid = json_of(&answer.payload)["pid"].as_u64().expect("pid");
    let group = answer.cpu.group.clone();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    drop(runtime);
    let started = std::time::Instant::now();
    let gone = || {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status.is_empty() || status.contains("State:\tZ")
    };
    while !gone() && started.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(gone(), "function process {pid} outlived the runtime");
    if let Some(group) = group {
        assert!(!Path::new(&group).exists(), "cgroup {group} left behind");
    }
}
