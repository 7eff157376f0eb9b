//! How long the collector takes, for sizing the Lambda's timeout and memory: the seed's full
//! run (6 targets x 10 sizes x 3 rounds = 180 records) against the local S3 server, both as
//! `record` x 180 + `report` (reading the stored records) and as one `report` with inline runs.
//! Prints figures; asserts nothing.
//!
//! `cargo run [--release] -p collector --example report_speed [-- REPEATS]`
#![allow(clippy::unwrap_used)]

#[path = "../tests/it/common/mod.rs"]
mod common;

use std::time::Instant;

use bench_types::CollectorRequest;
use collector::handle;
use lambda_runtime::{Context, LambdaEvent};
use local_s3::{LocalS3, ServerConfig};
use serde_json::{json, Value};

const TARGETS: [&str; 6] = ["python", "nodejs", "go", "rust", "java", "cpp"];

/// Our reader's record shape under another target's name, with a per-target slowdown.
fn record(round: u32, i: usize, t: usize) -> Value {
    let mut r = common::rust_record(round, i);
    r["target"] = json!(TARGETS[t]);
    let time = r["output"]["time"].as_f64().unwrap() * (1.0 + t as f64 * 0.3);
    r["output"]["time"] = json!(time);
    r
}

async fn call(client: &aws_sdk_s3::Client, event: Value) {
    let request: CollectorRequest = serde_json::from_value(event).unwrap();
    handle(client, LambdaEvent::new(request, Context::default()))
        .await
        .unwrap();
}

#[tokio::main]
async fn main() {
    let repeats: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .clamp(1, 100);
    let s3 = LocalS3::start(ServerConfig::default()).await.unwrap();
    let client = s3.client();
    s3.create_bucket("results").await.unwrap();
    let targets: Vec<Value> = TARGETS
        .iter()
        .map(|t| json!({"name": t, "functionName": t}))
        .collect();
    let mut input = common::input("results");
    input["targets"] = json!(targets);
    let records: Vec<Value> = (1..=3)
        .flat_map(|r| (0..10).flat_map(move |i| (0..6).map(move |t| record(r, i, t))))
        .collect();
    println!("records per execution: {}", records.len());

    let mut record_ms = Vec::new();
    let mut stored_report_ms = Vec::new();
    let mut inline_report_ms = Vec::new();
    for n in 0..repeats {
        let execution = common::execution(
            &format!("speed-{n}"),
            &format!("2026-11-{:02}T06:00:00Z", n + 1),
        );
        let started = Instant::now();
        for r in &records {
            call(&client, json!({"action": "record", "execution": execution, "resultsBucket": "results", "record": r})).await;
        }
        record_ms.push(started.elapsed().as_secs_f64() * 1000.0 / records.len() as f64);
        let started = Instant::now();
        call(
            &client,
            json!({"action": "report", "execution": execution, "input": input}),
        )
        .await;
        stored_report_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        call(
            &client,
            json!({"action": "report", "execution": execution, "input": input, "runs": records}),
        )
        .await;
        inline_report_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let summary = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        format!(
            "median {:.1} ms, min {:.1} ms, max {:.1} ms (n={})",
            s[s.len() / 2],
            s[0],
            s[s.len() - 1],
            s.len()
        )
    };
    println!(
        "record (one PUT):                      {}",
        summary(&record_ms)
    );
    println!(
        "report from 180 stored records:        {}",
        summary(&stored_report_ms)
    );
    println!(
        "report with 180 inline records:        {}",
        summary(&inline_report_ms)
    );
    let html = client
        .get_object()
        .bucket("results")
        .key("runs/speed-0/report.html")
        .send()
        .await
        .unwrap();
    println!(
        "report.html size: {} bytes",
        html.content_length().unwrap_or(0)
    );
    let event_size = serde_json::to_vec(&json!({"action": "report", "runs": records}))
        .unwrap()
        .len();
    println!("an inline report event with 180 records: {event_size} bytes (the state payload limit is 262144)");
}
