//! The acceptance data set: 3 rounds x the seed's 10 memory sizes x 2 targets, with failures and
//! one stale-memory run, built so that the expected numbers can be worked out by hand.
//!
//! - `rust` (our reader: stats, arm64, LogResult with the billed duration): at size i the rounds
//!   take RUST[i] - 0.1, RUST[i], RUST[i] + 0.1 seconds; billed = time + 5 ms. Round 3 at 3008 MB
//!   reached a stale configuration (reports 1023 MB): invalid.
//! - `python` (a seed reader: no stats, no LogResult, x86_64 from the input): PYTHON[i] - 0.2,
//!   PYTHON[i], PYTHON[i] + 0.2 seconds; all rounds at 128 MB time out, round 2 at 256 MB fails.
#![allow(dead_code, clippy::unwrap_used)]

use base64::Engine;
use serde_json::{json, Value};

pub(crate) const SIZES: [u32; 10] = [128, 256, 511, 1023, 3008, 3071, 6143, 7167, 9215, 10240];
pub(crate) const RUST: [f64; 10] = [2.0, 1.5, 1.2, 1.0, 0.6, 0.62, 0.5, 0.48, 0.45, 0.44];
pub(crate) const PYTHON: [f64; 10] = [f64::NAN, 3.0, 2.0, 1.5, 0.9, 0.8, 0.8, 0.7, 0.7, 0.7];

/// What a report writes into an execution's folder besides `runs.json`.
pub(crate) const REPORT_FILES: [&str; 10] = [
    "summary.json",
    "runs.csv",
    "summary.csv",
    "time.svg",
    "time-low.svg",
    "time-high.svg",
    "stddev.svg",
    "cost.svg",
    "trend.svg",
    "report.html",
];

pub(crate) fn input(bucket: &str) -> Value {
    json!({
        "targets": [
            {"name": "rust", "functionName": "bench-reader"},
            {"name": "python", "functionName": "seed-python", "architecture": "x86_64"}
        ],
        "memorySizes": SIZES,
        "rounds": 3,
        "warmup": true,
        "bucket": "bench-data", "prefix": "bench/1000/",
        "resultsBucket": bucket, "resultsPrefix": "runs/",
        "label": "acceptance"
    })
}

pub(crate) fn execution(name: &str, start: &str) -> Value {
    json!({"id": format!("arn:aws:states:us-east-1:123456789012:execution:bench:{name}"), "name": name, "startTime": start})
}

fn log_tail(billed_ms: u64, memory: u32, round: u32) -> String {
    let init = if round == 1 {
        "Init Duration: 30.00 ms\t"
    } else {
        ""
    };
    let tail = format!(
        "START RequestId: r{round}\nEND RequestId: r{round}\nREPORT RequestId: r{round}\tDuration: {}.00 ms\tBilled Duration: {billed_ms} ms\tMemory Size: {memory} MB\tMax Memory Used: {} MB\t{init}\n",
        billed_ms - 1,
        40 + round
    );
    base64::engine::general_purpose::STANDARD.encode(tail)
}

pub(crate) fn rust_record(round: u32, i: usize) -> Value {
    let memory = SIZES[i];
    let time = RUST[i] + (f64::from(round) - 2.0) * 0.1;
    let stale = memory == 3008 && round == 3;
    let reported = if stale { 1023 } else { memory };
    let billed = (time * 1000.0).round() as u64 + 5;
    json!({
        "round": round, "memoryMb": memory, "target": "rust", "functionName": "bench-reader", "ok": true,
        "output": {
            "lang": "rust", "detail": "aws-sdk-rust, tokio, semaphore 64", "result": "1000", "time": time,
            "stats": {"memoryMb": reported, "vcpus": 2, "arch": "aarch64", "mode": "concurrent", "concurrency": 64,
                      "objects": 1000, "bytes": 25_412_345, "listMs": 31.2, "readMs": time * 1000.0 - 40.0,
                      "totalMs": time * 1000.0, "latencyMs": {"p50": 21.0, "p90": 27.5, "p99": 48.2, "max": 61.0},
                      "retries": 0, "errors": 0, "coldStart": false, "reusedConnections": false,
                      "listRequests": 1, "getRequests": 1000}
        },
        "invoke": {"StatusCode": 200, "ExecutedVersion": "$LATEST", "LogResult": log_tail(billed, reported, round)}
    })
}

pub(crate) fn python_record(round: u32, i: usize) -> Value {
    let memory = SIZES[i];
    if memory == 128 || (memory == 256 && round == 2) {
        return json!({"round": round, "memoryMb": memory, "target": "python", "functionName": "seed-python",
                      "ok": false, "error": "Lambda.Unknown", "cause": "Task timed out after 900.00 seconds"});
    }
    let time = PYTHON[i] + (f64::from(round) - 2.0) * 0.2;
    json!({
        "round": round, "memoryMb": memory, "target": "python", "functionName": "seed-python", "ok": true,
        "output": {"lang": "python", "detail": "asyncio, aioboto3", "result": "1000", "time": time},
        "invoke": {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
    })
}

/// The records as the state machine's nested Maps give them: rounds > sizes > targets.
pub(crate) fn nested_runs() -> Value {
    let rounds: Vec<Value> = (1..=3)
        .map(|round| {
            let sizes: Vec<Value> = (0..SIZES.len())
                .map(|i| json!([rust_record(round, i), python_record(round, i)]))
                .collect();
            Value::Array(sizes)
        })
        .collect();
    Value::Array(rounds)
}

/// The same records, flat.
pub(crate) fn flat_runs() -> Vec<Value> {
    let mut out = Vec::new();
    for round in 1..=3 {
        for i in 0..SIZES.len() {
            out.push(rust_record(round, i));
            out.push(python_record(round, i));
        }
    }
    out
}

pub(crate) fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-12 + 1e-9 * expected.abs()
}

#[track_caller]
pub(crate) fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no value, expected {expected}"));
    assert!(close(actual, expected), "{what}: {actual} != {expected}");
}
