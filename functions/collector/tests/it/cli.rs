//! The `collect` CLI: the same outputs from a saved records file, into a local folder.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::process::Command;

use common::*;
use serde_json::{json, Value};

fn collect(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_collect"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn saved_records_give_the_report_in_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("nightly-9.json");
    std::fs::write(&records, serde_json::to_vec(&nested_runs()).unwrap()).unwrap();
    let input = dir.path().join("input.json");
    std::fs::write(&input, serde_json::to_vec(&input_without_bucket()).unwrap()).unwrap();
    let out = dir.path().join("out");

    let output = collect(&[
        "--records",
        records.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--start-time",
        "2026-11-20T06:00:00Z",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (
            answer["executionName"].as_str(),
            answer["runs"].as_u64(),
            answer["failures"].as_u64()
        ),
        (Some("nightly-9"), Some(60), Some(4))
    );

    let folder = out.join("runs/nightly-9");
    for name in std::iter::once("runs.json").chain(REPORT_FILES) {
        assert!(folder.join(name).is_file(), "{name} missing");
    }
    let index: Value =
        serde_json::from_slice(&std::fs::read(out.join("runs/index.json")).unwrap()).unwrap();
    assert_eq!(index["executions"][0]["name"], "nightly-9");

    // runs.json is a report event again: collect reads it back and writes the same summary.
    let again = dir.path().join("again");
    let output = collect(&[
        "--records",
        folder.join("runs.json").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read(folder.join("summary.json")).unwrap(),
        std::fs::read(again.join("runs/nightly-9/summary.json")).unwrap()
    );
}

fn input_without_bucket() -> Value {
    let mut input = input("unused");
    input.as_object_mut().unwrap().remove("resultsBucket");
    input
}

#[test]
fn bad_records_fail_with_the_named_error_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("bad.json");
    let mut record = rust_record(1, 0);
    record["output"]["time"] = json!("fast");
    std::fs::write(&records, serde_json::to_vec(&json!([record])).unwrap()).unwrap();
    let output = collect(&[
        "--records",
        records.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("output.time must be a number"), "{stderr}");
    // Only the raw records were written.
    assert!(dir.path().join("out/runs/bad/runs.json").is_file());
    assert!(!dir.path().join("out/runs/bad/summary.json").exists());

    let output = collect(&[
        "--records",
        dir.path().join("missing.json").to_str().unwrap(),
        "--out",
        "x",
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.json"));
}
