//! Shared by the integration tests: the plan variants and the paths of the tools
//! `scripts/setup` installs.
#![allow(dead_code)]

pub(crate) mod moto_run;

use std::path::PathBuf;

use bench_statemachine::arn::{function_arn, PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION};
use bench_statemachine::{BenchmarkPlan, TargetSpec};
use serde_json::{Map, Value};
use system::paths::workspace_root;

/// A node tool installed by `scripts/setup`; panics with the fix when it is missing.
pub(crate) fn node_tool(name: &str) -> PathBuf {
    let path = workspace_root()
        .join("node_modules")
        .join(".bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/setup (it installs the npm tools)",
        path.display()
    );
    path
}

fn target(name: &str, function: &str, payload: Value) -> TargetSpec {
    let payload: Map<String, Value> = match payload {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    TargetSpec {
        name: name.into(),
        function_name: function_arn(PLACEHOLDER_REGION, PLACEHOLDER_ACCOUNT, function),
        payload,
        auto_concurrency: false,
    }
}

/// The plans the golden files and the validator cover: the default, several targets, no warm-up.
pub(crate) fn variants() -> Vec<(&'static str, BenchmarkPlan)> {
    let default = BenchmarkPlan::default();
    let several = BenchmarkPlan {
        label: "languages".into(),
        targets: vec![
            target(
                "rust",
                "lambda-bench-s3-reader",
                serde_json::json!({"mode": "concurrent", "concurrency": 64}),
            ),
            target(
                "rust-sequential",
                "lambda-bench-s3-reader",
                serde_json::json!({"mode": "sequential"}),
            ),
            target("python", "seed-python-reader", serde_json::json!({})),
        ],
        ..BenchmarkPlan::default()
    };
    let no_warmup = BenchmarkPlan {
        label: "no-warmup".into(),
        warmup: false,
        rounds: 1,
        memory_sizes: vec![128, 1769, 10240],
        ..BenchmarkPlan::default()
    };
    vec![
        ("default", default),
        ("several_targets", several),
        ("no_warmup", no_warmup),
    ]
}
