//! The collector Lambda's handler against a real S3-compatible server (the project's local-s3 on
//! 127.0.0.1, stopped when dropped): the acceptance numbers, CSVs, SVGs, index and idempotence.
#![allow(clippy::unwrap_used)]

use crate::common;

use bench_types::CollectorRequest;
use collector::{handle, CollectorResponse, RUNS_COLUMNS, SUMMARY_COLUMNS};
use common::*;
use lambda_runtime::{Context, LambdaEvent};
use local_s3::{LocalS3, ServerConfig};
use serde_json::{json, Value};
use test_support::s3::{get_bytes, get_json, list_keys};

const ARM: f64 = 0.000_013_333_4;
const X86: f64 = 0.000_016_666_7;
const REQUEST: f64 = 0.000_000_2;
/// 1000 GETs at $0.0004 per 1000 plus one LIST at $0.005 per 1000.
const S3: f64 = 0.0004 + 0.000_005;

async fn server() -> (LocalS3, aws_sdk_s3::Client) {
    let s3 = LocalS3::start(ServerConfig::default()).await.unwrap();
    let client = s3.client();
    (s3, client)
}

async fn call(
    client: &aws_sdk_s3::Client,
    event: Value,
) -> Result<CollectorResponse, collector::CollectorError> {
    let request: CollectorRequest = serde_json::from_value(event).unwrap();
    handle(client, LambdaEvent::new(request, Context::default())).await
}

async fn report(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    name: &str,
    start: &str,
    runs: Option<Value>,
) -> CollectorResponse {
    let mut event =
        json!({"action": "report", "execution": execution(name, start), "input": input(bucket)});
    if let Some(runs) = runs {
        event["runs"] = runs;
    }
    call(client, event).await.unwrap()
}

async fn snapshot(client: &aws_sdk_s3::Client, bucket: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for key in list_keys(client, bucket, "").await {
        let body = get_bytes(client, bucket, &key).await;
        out.push((key, body));
    }
    out
}

fn first_difference(a: &str, b: &str) -> String {
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(0);
    format!(
        "line {line}: {:?} vs {:?}",
        a.lines().nth(line),
        b.lines().nth(line)
    )
}

fn cell<'a>(summary: &'a Value, target: &str, memory: u32) -> &'a Value {
    summary["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["target"] == target && c["memoryMb"] == memory)
        .unwrap()
}

#[tokio::test]
async fn a_run_with_failures_and_a_stale_run_gives_the_hand_computed_numbers() {
    let (_s3, client) = server().await;
    _s3.create_bucket("results").await.unwrap();
    let response = report(
        &client,
        "results",
        "exec-1",
        "2026-11-20T06:00:00.000Z",
        Some(nested_runs()),
    )
    .await;

    // The answer is small and points at the outputs.
    let answer = serde_json::to_value(&response).unwrap();
    assert!(
        serde_json::to_vec(&answer).unwrap().len() < 4096,
        "{answer}"
    );
    assert_eq!(answer["reportUri"], "s3://results/runs/exec-1/report.html");
    assert_eq!(
        answer["summaryUri"],
        "s3://results/runs/exec-1/summary.json"
    );
    assert_eq!(
        (answer["runs"].as_u64(), answer["failures"].as_u64()),
        (Some(60), Some(4))
    );

    let folder = "runs/exec-1/";
    let written = list_keys(&client, "results", "").await;
    for name in std::iter::once("runs.json").chain(REPORT_FILES) {
        assert!(
            written.contains(&format!("{folder}{name}")),
            "{name} missing in {written:?}"
        );
    }
    assert!(written.contains(&"runs/index.json".to_string()));

    let summary: Value = get_json(&client, "results", &format!("{folder}summary.json")).await;
    assert_eq!(
        (
            summary["runs"].as_u64(),
            summary["failures"].as_u64(),
            summary["invalid"].as_u64()
        ),
        (Some(60), Some(4), Some(1))
    );

    // rust at 1023 MB: 0.9, 1.0, 1.1 s; billed 905, 1005, 1105 ms; max memory 41..43 MB; init 30 ms in round 1.
    let c = cell(&summary, "rust", 1023);
    assert_eq!(
        (
            c["runs"].as_u64(),
            c["ok"].as_u64(),
            c["failures"].as_u64(),
            c["invalid"].as_u64()
        ),
        (Some(3), Some(3), Some(0), Some(0))
    );
    assert_close(c["meanTimeS"].as_f64(), 1.0, "rust 1023 mean");
    assert_close(c["stdTimeS"].as_f64(), 0.1, "rust 1023 std");
    assert_close(c["minTimeS"].as_f64(), 0.9, "rust 1023 min");
    assert_close(c["medianTimeS"].as_f64(), 1.0, "rust 1023 median");
    assert_close(c["maxTimeS"].as_f64(), 1.1, "rust 1023 max");
    assert_close(
        c["meanBilledDurationMs"].as_f64(),
        1005.0,
        "rust 1023 billed",
    );
    assert_eq!(c["maxMemoryUsedMb"].as_u64(), Some(43));
    assert_close(c["meanInitDurationMs"].as_f64(), 30.0, "rust 1023 init");
    // 1023/1024 GB x 1.005 s x arm64 price, plus one request, plus 1000 GETs and 1 LIST.
    assert_close(
        c["computeCostUsd"].as_f64(),
        0.999_023_437_5 * 1.005 * ARM,
        "rust 1023 compute",
    );
    assert_close(
        c["costUsd"].as_f64(),
        0.999_023_437_5 * 1.005 * ARM + REQUEST + S3,
        "rust 1023 cost",
    );
    assert_eq!(
        (c["durationBasis"].as_str(), c["s3Basis"].as_str()),
        (Some("billed"), Some("reported"))
    );

    // rust at 3008 MB: round 3 reported 1023 MB, so only 0.5 and 0.6 s count.
    let c = cell(&summary, "rust", 3008);
    assert_eq!(
        (c["runs"].as_u64(), c["ok"].as_u64(), c["invalid"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert_close(c["meanTimeS"].as_f64(), 0.55, "rust 3008 mean");
    assert_close(c["stdTimeS"].as_f64(), 0.005f64.sqrt(), "rust 3008 std");
    assert_close(
        c["meanBilledDurationMs"].as_f64(),
        555.0,
        "rust 3008 billed",
    );
    assert_close(
        c["costUsd"].as_f64(),
        2.9375 * 0.555 * ARM + REQUEST + S3,
        "rust 3008 cost",
    );
    assert_eq!(
        summary["invalidRuns"],
        json!([{"round": 3, "memoryMb": 3008, "target": "rust", "reportedMemoryMb": 1023,
                "invalidReason": "reported 1023 MB, not the configured 3008 MB (a stale memory configuration)"}])
    );

    // python at 128 MB: every round failed, the seed's NaN.
    let c = cell(&summary, "python", 128);
    assert_eq!(
        (c["runs"].as_u64(), c["ok"].as_u64(), c["failures"].as_u64()),
        (Some(3), Some(0), Some(3))
    );
    assert!(c["meanTimeS"].is_null() && c["costUsd"].is_null());
    assert_eq!(c["errors"], json!(["Lambda.Unknown"]));
    assert_eq!(c["scorePoints"].as_f64(), Some(0.0));

    // python at 256 MB: round 2 failed; 2.8 and 3.2 s count; no log tail, so billed = time.
    let c = cell(&summary, "python", 256);
    assert_eq!(
        (c["ok"].as_u64(), c["failures"].as_u64()),
        (Some(2), Some(1))
    );
    assert_close(c["meanTimeS"].as_f64(), 3.0, "python 256 mean");
    assert_close(c["stdTimeS"].as_f64(), 0.08f64.sqrt(), "python 256 std");
    assert!(c["meanBilledDurationMs"].is_null());
    assert_close(
        c["costUsd"].as_f64(),
        0.25 * 3.0 * X86 + REQUEST + S3,
        "python 256 cost",
    );
    assert_eq!(
        (c["durationBasis"].as_str(), c["s3Basis"].as_str()),
        (Some("timed"), Some("estimated"))
    );

    // The seed's score with two targets: 2/1 points below 3008 MB, 1/0.5 from there; rust is
    // faster everywhere and python failed at 128 MB: rust 2 + 3x2 + 6x1 = 14, python 0 + 3x1 + 6x0.5 = 6.
    assert_eq!(
        summary["scores"],
        json!([{"target": "rust", "score": 14.0}, {"target": "python", "score": 6.0}])
    );

    // Recommendations (worked out in the README's example): rust fastest 10240, cheapest 128,
    // balanced 3008; python fastest 7167 (ties with 9215 and 10240 go to the cheaper), cheapest
    // 256, balanced 3071.
    let picks: Vec<(String, u64, u64, u64)> = summary["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["target"].as_str().unwrap().to_string(),
                r["fastest"]["memoryMb"].as_u64().unwrap(),
                r["cheapest"]["memoryMb"].as_u64().unwrap(),
                r["balanced"]["memoryMb"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        picks,
        vec![
            ("rust".into(), 10240, 128, 3008),
            ("python".into(), 7167, 256, 3071)
        ]
    );
    let answer_picks: Vec<u64> = answer["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            ["fastest", "cheapest", "balanced"].map(|k| r[k]["memoryMb"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(answer_picks, vec![10240, 128, 3008, 7167, 256, 3071]);

    // runs.csv parses back: one row per record.
    let runs_csv = get_bytes(&client, "results", &format!("{folder}runs.csv")).await;
    let mut reader = csv::Reader::from_reader(runs_csv.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        RUNS_COLUMNS.to_vec()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 60);
    let col = |name: &str| RUNS_COLUMNS.iter().position(|c| *c == name).unwrap();
    let stale: Vec<_> = rows
        .iter()
        .filter(|r| &r[col("status")] == "invalid")
        .collect();
    assert_eq!(stale.len(), 1);
    assert_eq!(
        (
            &stale[0][col("round")],
            &stale[0][col("memory_mb")],
            &stale[0][col("reported_memory_mb")],
            &stale[0][col("invalid_reason")]
        ),
        (
            "3",
            "3008",
            "1023",
            "reported 1023 MB, not the configured 3008 MB (a stale memory configuration)"
        )
    );
    assert!(rows
        .iter()
        .filter(|r| &r[col("status")] != "invalid")
        .all(|r| r[col("invalid_reason")].is_empty()));
    assert_eq!(
        rows.iter()
            .filter(|r| &r[col("status")] == "failed" && &r[col("error")] == "Lambda.Unknown")
            .count(),
        4
    );
    let times: f64 = rows
        .iter()
        .filter(|r| &r[col("status")] == "ok")
        .map(|r| r[col("time_s")].parse::<f64>().unwrap())
        .sum();
    assert!(times > 0.0);

    // summary.csv parses back: one row per target and memory size.
    let summary_csv = get_bytes(&client, "results", &format!("{folder}summary.csv")).await;
    let mut reader = csv::Reader::from_reader(summary_csv.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        SUMMARY_COLUMNS.to_vec()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 20);
    let col = |name: &str| SUMMARY_COLUMNS.iter().position(|c| *c == name).unwrap();
    let python_128 = rows
        .iter()
        .find(|r| &r[col("target")] == "python" && &r[col("memory_mb")] == "128")
        .unwrap();
    assert_eq!(
        (
            &python_128[col("mean_time_s")],
            &python_128[col("failures")]
        ),
        ("", "3")
    );
    let rust_1023 = rows
        .iter()
        .find(|r| &r[col("target")] == "rust" && &r[col("memory_mb")] == "1023")
        .unwrap();
    assert!(close(rust_1023[col("mean_time_s")].parse().unwrap(), 1.0));

    // The charts are well-formed SVG.
    for chart in REPORT_FILES.iter().filter(|f| f.ends_with(".svg")) {
        let svg =
            String::from_utf8(get_bytes(&client, "results", &format!("{folder}{chart}")).await)
                .unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{chart}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{chart}");
    }

    // The report is self-contained, shows the seed's NaN cells and the charts inline.
    let html =
        String::from_utf8(get_bytes(&client, "results", &format!("{folder}report.html")).await)
            .unwrap();
    assert!(html.contains("<td class=\"nan\">NaN</td>"), "no NaN cell");
    assert_eq!(html.matches("<svg").count(), 6);
    for external in ["<script", "src=", "href=", "url(", "@import"] {
        assert!(!html.contains(external), "report.html has {external}");
    }
    assert!(html.contains("Invalid run: round 3 of rust at 3008 MB: reported 1023 MB"));

    // The index has this execution.
    let index: Value = get_json(&client, "results", "runs/index.json").await;
    assert_eq!(index["executions"].as_array().unwrap().len(), 1);
    assert_eq!(index["executions"][0]["folder"], "runs/exec-1/");
    assert_eq!(
        index["executions"][0]["targets"][0]["fastestMemoryMb"],
        10240
    );
}

#[tokio::test]
async fn the_index_grows_by_one_per_execution_and_a_rewrite_is_byte_identical() {
    let (_s3, client) = server().await;
    _s3.create_bucket("results").await.unwrap();
    report(
        &client,
        "results",
        "nightly-1",
        "2026-11-20T06:00:00.000Z",
        Some(nested_runs()),
    )
    .await;
    let first = snapshot(&client, "results").await;
    report(
        &client,
        "results",
        "nightly-1",
        "2026-11-20T06:00:00.000Z",
        Some(nested_runs()),
    )
    .await;
    assert_eq!(
        snapshot(&client, "results").await,
        first,
        "writing the same execution twice changed an object"
    );

    // Two more executions, written out of start order: the index keeps start order.
    report(
        &client,
        "results",
        "nightly-3",
        "2026-11-22T06:00:00.000Z",
        Some(nested_runs()),
    )
    .await;
    let index: Value = get_json(&client, "results", "runs/index.json").await;
    assert_eq!(index["executions"].as_array().unwrap().len(), 2);
    report(
        &client,
        "results",
        "nightly-2",
        "2026-11-21T06:00:00.000Z",
        Some(nested_runs()),
    )
    .await;
    let index: Value = get_json(&client, "results", "runs/index.json").await;
    let names: Vec<&str> = index["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["nightly-1", "nightly-2", "nightly-3"]);
    // The trend of the last report has one point per execution and target (plus one legend
    // marker per target); rust's markers are circles, python's squares (filled polygons).
    let trend =
        String::from_utf8(get_bytes(&client, "results", "runs/nightly-2/trend.svg").await).unwrap();
    let doc = roxmltree::Document::parse(&trend).unwrap();
    let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
    assert_eq!((count("circle"), count("polygon")), (3 + 1, 3 + 1));
    let before = snapshot(&client, "results").await;
    report(
        &client,
        "results",
        "nightly-2",
        "2026-11-21T06:00:00.000Z",
        Some(nested_runs()),
    )
    .await;
    assert_eq!(snapshot(&client, "results").await, before);
}

#[tokio::test]
async fn records_stored_one_by_one_give_the_same_report_as_inline_runs() {
    let (_s3, client) = server().await;
    _s3.create_bucket("inline").await.unwrap();
    _s3.create_bucket("stored").await.unwrap();
    report(
        &client,
        "inline",
        "exec-7",
        "2026-11-20T06:00:00.000Z",
        Some(nested_runs()),
    )
    .await;

    for record in flat_runs() {
        let event = json!({"action": "record", "execution": execution("exec-7", "2026-11-20T06:00:00.000Z"),
                           "resultsBucket": "stored", "resultsPrefix": "runs/", "record": record});
        let response = serde_json::to_value(call(&client, event).await.unwrap()).unwrap();
        let stored = response["stored"].as_str().unwrap();
        assert!(stored.starts_with("runs/exec-7/records/r00"), "{stored}");
    }
    // A retried record overwrites itself; without resultsPrefix the default runs/ is used.
    let retry = json!({"action": "record", "execution": execution("exec-7", "2026-11-20T06:00:00.000Z"),
                       "resultsBucket": "stored", "record": rust_record(2, 3)});
    let response = serde_json::to_value(call(&client, retry).await.unwrap()).unwrap();
    assert_eq!(
        response,
        json!({"stored": "runs/exec-7/records/r002-m01023-rust.json"})
    );
    assert_eq!(
        list_keys(&client, "stored", "runs/exec-7/records/")
            .await
            .len(),
        60
    );

    report(
        &client,
        "stored",
        "exec-7",
        "2026-11-20T06:00:00.000Z",
        None,
    )
    .await;
    for name in REPORT_FILES {
        let key = format!("runs/exec-7/{name}");
        let inline = String::from_utf8(get_bytes(&client, "inline", &key).await).unwrap();
        let stored = String::from_utf8(get_bytes(&client, "stored", &key).await).unwrap();
        assert!(
            inline == stored,
            "{name} differs:\n{}",
            first_difference(&inline, &stored)
        );
    }
    let raw: Value = get_json(&client, "stored", "runs/exec-7/runs.json").await;
    assert_eq!(raw["runs"].as_array().unwrap().len(), 60);
}

/// A record of our reader at `memory` MB: `read` of 1000 listed objects, `errors` failed,
/// answering `result`.
fn reader_record(
    round: u32,
    memory: u32,
    time: f64,
    read: u64,
    errors: u64,
    result: &str,
) -> Value {
    json!({
        "round": round, "memoryMb": memory, "target": "rust", "functionName": "bench-reader", "ok": true,
        "output": {
            "lang": "rust", "detail": "signed GETs over hyper (aws-sigv4), tokio, semaphore 64",
            "result": result, "time": time,
            "stats": {"memoryMb": memory, "vcpus": 1, "arch": "aarch64", "mode": "concurrent", "concurrency": 64,
                      "objects": read, "listed": 1000, "bytes": 25_000_000, "listMs": 30.0,
                      "readMs": time * 1000.0 - 30.0, "totalMs": time * 1000.0,
                      "latencyMs": {"p50": 21.0, "p90": 27.5, "p99": 48.2, "max": 61.0},
                      "retries": 0, "errors": errors, "coldStart": false, "reusedConnections": false,
                      "client": "direct", "listRequests": 1, "getRequests": read + errors}
        }
    })
}

#[tokio::test]
async fn runs_that_are_not_valid_measurements_are_counted_as_invalid_not_as_times() {
    let (_s3, client) = server().await;
    _s3.create_bucket("results").await.unwrap();
    let expected = json!({"result": "1000"});
    // At 1023 MB round 2 read only 998 objects: faster, and wrong. At 3008 MB round 1 had a
    // failed object, round 3 answered another count.
    let records = [
        reader_record(1, 1023, 1.0, 1000, 0, "1000"),
        reader_record(2, 1023, 0.5, 998, 0, "998"),
        reader_record(3, 1023, 1.2, 1000, 0, "1000"),
        reader_record(1, 3008, 0.4, 999, 1, "999"),
        reader_record(2, 3008, 0.6, 1000, 0, "1000"),
        reader_record(3, 3008, 0.7, 1000, 0, "1001"),
    ];
    for record in &records {
        let event = json!({"action": "record", "execution": execution("exec-invalid", "2026-11-20T06:00:00.000Z"),
                           "resultsBucket": "results", "record": record, "expected": expected});
        call(&client, event).await.unwrap();
    }
    // The expectation is kept with the stored record.
    let stored = get_json(
        &client,
        "results",
        "runs/exec-invalid/records/r002-m01023-rust.json",
    )
    .await;
    assert_eq!(stored["expected"], expected);
    report(
        &client,
        "results",
        "exec-invalid",
        "2026-11-20T06:00:00.000Z",
        None,
    )
    .await;

    // The same records inline, each carrying its expectation.
    let inline: Vec<Value> = records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["expected"] = expected.clone();
            r
        })
        .collect();
    report(
        &client,
        "results",
        "exec-inline",
        "2026-11-20T06:00:00.000Z",
        Some(json!(inline)),
    )
    .await;

    for name in ["exec-invalid", "exec-inline"] {
        let folder = format!("runs/{name}/");
        let summary: Value = get_json(&client, "results", &format!("{folder}summary.json")).await;
        assert_eq!(
            (
                summary["runs"].as_u64(),
                summary["failures"].as_u64(),
                summary["invalid"].as_u64()
            ),
            (Some(6), Some(0), Some(3)),
            "{name}"
        );
        // 1023 MB: 1.0 and 1.2 s count; the 0.5 s of the incomplete run is no time at all.
        let c = cell(&summary, "rust", 1023);
        assert_eq!(
            (c["runs"].as_u64(), c["ok"].as_u64(), c["invalid"].as_u64()),
            (Some(3), Some(2), Some(1)),
            "{name}"
        );
        assert_close(c["meanTimeS"].as_f64(), 1.1, "rust 1023 mean");
        assert_close(c["minTimeS"].as_f64(), 1.0, "rust 1023 min");
        // 3008 MB: only round 2 counts.
        let c = cell(&summary, "rust", 3008);
        assert_eq!(
            (c["ok"].as_u64(), c["invalid"].as_u64()),
            (Some(1), Some(2)),
            "{name}"
        );
        assert_close(c["meanTimeS"].as_f64(), 0.6, "rust 3008 mean");
        assert!(c["stdTimeS"].is_null(), "one valid run has no deviation");
        // The fastest size is judged on valid runs only (0.6 s at 3008 MB, not the 0.4 s or 0.5 s).
        let rust = summary["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["target"] == "rust")
            .unwrap();
        assert_eq!(rust["fastest"]["memoryMb"], 3008);
        assert_close(rust["fastest"]["meanTimeS"].as_f64(), 0.6, "fastest");
        assert_eq!(
            summary["invalidRuns"],
            json!([
                {"round": 1, "memoryMb": 3008, "target": "rust", "reportedMemoryMb": 3008,
                 "invalidReason": "1 object could not be read (stats.errors); read 999 of 1000 listed objects; result \"999\" is not the expected \"1000\""},
                {"round": 2, "memoryMb": 1023, "target": "rust", "reportedMemoryMb": 1023,
                 "invalidReason": "read 998 of 1000 listed objects; result \"998\" is not the expected \"1000\""},
                {"round": 3, "memoryMb": 3008, "target": "rust", "reportedMemoryMb": 3008,
                 "invalidReason": "result \"1001\" is not the expected \"1000\""}
            ]),
            "{name}"
        );

        let runs_csv = get_bytes(&client, "results", &format!("{folder}runs.csv")).await;
        let mut reader = csv::Reader::from_reader(runs_csv.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let col = |name: &str| RUNS_COLUMNS.iter().position(|c| *c == name).unwrap();
        let row = rows
            .iter()
            .find(|r| &r[col("round")] == "2" && &r[col("memory_mb")] == "1023")
            .unwrap();
        assert_eq!(
            (
                &row[col("status")],
                &row[col("invalid_reason")],
                &row[col("expected_result")],
                &row[col("objects")],
                &row[col("listed")],
                &row[col("cost_usd")]
            ),
            (
                "invalid",
                "read 998 of 1000 listed objects; result \"998\" is not the expected \"1000\"",
                "1000",
                "998",
                "1000",
                ""
            ),
            "{name}"
        );
        let html =
            String::from_utf8(get_bytes(&client, "results", &format!("{folder}report.html")).await)
                .unwrap();
        assert!(
            html.contains(
                "Invalid run: round 2 of rust at 1023 MB: read 998 of 1000 listed objects"
            ),
            "{name}: no note of the incomplete run"
        );
    }
}

#[tokio::test]
async fn bad_input_is_a_named_error_and_leaves_only_runs_json() {
    let (_s3, client) = server().await;
    _s3.create_bucket("results").await.unwrap();
    let mut without_outcome = rust_record(1, 0);
    without_outcome.as_object_mut().unwrap().remove("ok");
    let mut text_time = rust_record(1, 0);
    text_time["output"]["time"] = json!("2.0");
    let cases = [
        ("empty", json!([]), "NoRecords"),
        ("nested-empty", json!([[], [[]]]), "NoRecords"),
        (
            "no-outcome",
            json!([rust_record(1, 1), without_outcome]),
            "RecordWithoutOutcome",
        ),
        (
            "text-time",
            json!([[rust_record(1, 1)], [text_time]]),
            "NonNumericTime",
        ),
    ];
    for (name, runs, expected) in cases {
        let event = json!({"action": "report", "execution": execution(name, "2026-11-20T06:00:00.000Z"),
                           "input": input("results"), "runs": runs});
        let err = call(&client, event).await.unwrap_err();
        assert_eq!(err.name(), expected, "{name}: {err}");
        let diagnostic = lambda_runtime::Diagnostic::from(err);
        assert_eq!(diagnostic.error_type, expected);
        assert_eq!(
            list_keys(&client, "results", &format!("runs/{name}/")).await,
            vec![format!("runs/{name}/runs.json")],
            "{name}"
        );
    }
    // Reading stored records of an execution that stored none.
    let event = json!({"action": "report", "execution": execution("nothing-stored", "2026-11-20T06:00:00.000Z"), "input": input("results")});
    assert_eq!(call(&client, event).await.unwrap_err().name(), "NoRecords");
    assert!(
        !list_keys(&client, "results", "")
            .await
            .contains(&"runs/index.json".to_string()),
        "a failed report touched the index"
    );

    // Bad input fields name themselves; with no bucket nothing can be written at all.
    let mut no_bucket = input("results");
    no_bucket.as_object_mut().unwrap().remove("resultsBucket");
    let event = json!({"action": "report", "execution": execution("no-bucket", "t"), "input": no_bucket, "runs": nested_runs()});
    let err = call(&client, event).await.unwrap_err();
    assert_eq!(err.name(), "InvalidInput");
    assert!(err.to_string().contains("resultsBucket"), "{err}");
    let mut bad_weight = input("results");
    bad_weight["balancedWeight"] = json!(1.5);
    let event = json!({"action": "report", "execution": execution("bad-weight", "t"), "input": bad_weight, "runs": nested_runs()});
    let err = call(&client, event).await.unwrap_err();
    assert!(
        err.name() == "InvalidInput" && err.to_string().contains("balancedWeight"),
        "{err}"
    );
    assert_eq!(
        list_keys(&client, "results", "runs/bad-weight/").await,
        vec!["runs/bad-weight/runs.json".to_string()]
    );
    let event = json!({"action": "report", "execution": execution("../escape", "t"), "input": input("results"), "runs": nested_runs()});
    assert!(call(&client, event)
        .await
        .unwrap_err()
        .to_string()
        .contains("execution.name"));
}

#[tokio::test]
async fn a_store_that_cannot_be_reached_is_a_storage_error_the_state_machine_can_retry() {
    let (s3, client) = server().await;
    s3.shutdown().await;
    let event = json!({"action": "report", "execution": execution("exec-x", "t"), "input": input("results"), "runs": nested_runs()});
    let err = call(&client, event).await.unwrap_err();
    assert_eq!(err.name(), "StorageFailed", "{err}");
    assert!(
        err.to_string()
            .contains("s3://results/runs/exec-x/runs.json"),
        "{err}"
    );
}
