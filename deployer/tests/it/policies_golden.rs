//! Golden tests of every IAM document the stack creates, and the least-privilege rules:
//! no `*` action, no `"Resource": "*"` (CloudWatch Logs actions excepted).
//! Regenerate the files after an intended change with
//! `UPDATE_GOLDEN=1 cargo test -p deployer --test it policies_golden::`.

use std::path::PathBuf;
use std::sync::Arc;

use deployer::config::BenchConfig;
use deployer::names::StackNames;
use deployer::package::{Package, Packages};
use deployer::policies::least_privilege_violations;
use deployer::stack::Stack;
use serde_json::{json, Value};
use test_support::golden::assert_golden_files;

/// The default stack with a schedule (so every role exists), in a fixed account and region.
fn stack() -> Stack {
    let config = BenchConfig {
        schedule: Some("rate(7 days)".into()),
        ..BenchConfig::default()
    };
    let names = StackNames::new(&config, "111122223333", "eu-west-1");
    let pkg = |bin: &str| Arc::new(Package::from_bootstrap(bin, b"x").expect("zip"));
    let packages = Packages {
        reader: pkg("s3-reader"),
        collector: pkg("collector"),
        python: Some(pkg("python-reader")),
        node: Some(pkg("node-reader")),
    };
    Stack::new(&config, &names, &packages).expect("stack")
}

#[test]
fn policy_documents_match_the_golden_files() {
    let docs = stack().policy_documents();
    assert_eq!(
        docs.len(),
        8,
        "4 roles, each a trust policy and one inline policy: {:?}",
        docs.keys()
    );
    let rendered = docs.iter().map(|(name, doc)| {
        let text = format!("{}\n", serde_json::to_string_pretty(doc).expect("json"));
        (format!("{name}.json"), text)
    });
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    assert_golden_files(&dir, rendered);
}

#[test]
fn no_wildcard_action_or_resource() {
    for (name, doc) in stack().policy_documents() {
        let problems = least_privilege_violations(&doc);
        assert!(problems.is_empty(), "{name}: {problems:?}");
        // Every statement names its resources (or is a trust policy with a principal).
        for statement in doc["Statement"].as_array().expect("statements") {
            assert!(
                statement.get("Resource").is_some() || statement.get("Principal").is_some(),
                "{name}: {statement}"
            );
        }
    }
}

#[test]
fn the_checker_catches_wildcards() {
    let bad = json!({"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": "*"}
    ]});
    let problems = least_privilege_violations(&bad);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("s3:*") && problems[1].contains("Statement[1]"));
}

#[test]
fn roles_are_scoped_to_their_resources() {
    let docs = stack().policy_documents();
    let get = |name: &str| -> &Value { docs.get(name).unwrap_or_else(|| panic!("{name}")) };
    let reader = get("lambda-bench-reader.read-test-objects").to_string();
    assert!(reader.contains("arn:aws:s3:::lambda-bench-data-111122223333-eu-west-1/bench/*"));
    assert!(
        !reader.contains("results"),
        "the reader cannot touch the results"
    );
    let collector = get("lambda-bench-collector.write-results").to_string();
    assert!(collector.contains("lambda-bench-results-111122223333-eu-west-1/runs/*"));
    assert!(
        !collector.contains("-data-"),
        "the collector cannot read the test data"
    );
    let schedule = get("lambda-bench-scheduler.start-benchmark");
    assert_eq!(
        schedule["Statement"][0]["Resource"],
        json!(["arn:aws:states:eu-west-1:111122223333:stateMachine:lambda-bench"])
    );
    let sm = get("lambda-bench-statemachine.run-benchmark").to_string();
    assert!(
        sm.contains("function:lambda-bench-s3-reader")
            && sm.contains("function:lambda-bench-collector")
    );
}
