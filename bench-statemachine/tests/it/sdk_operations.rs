//! Every `arn:aws:states:::aws-sdk:lambda:<action>` in a rendered definition is a real Lambda
//! operation: it has an operation module in the `aws-sdk-lambda` crate, found through
//! `cargo metadata` (no hand-written list).

use crate::support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use bench_statemachine::render_plan;
use serde_json::Value;

const PREFIX: &str = "arn:aws:states:::aws-sdk:lambda:";

/// `src/operation` of the aws-sdk-lambda crate this workspace resolves.
fn lambda_operation_dir() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(system::paths::workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let manifest = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "aws-sdk-lambda")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("aws-sdk-lambda is a dependency of this workspace");
    let dir = PathBuf::from(manifest)
        .parent()
        .expect("manifest has a directory")
        .join("src")
        .join("operation");
    assert!(dir.is_dir(), "{} is not a directory", dir.display());
    dir
}

/// `updateFunctionConfiguration` -> `update_function_configuration`.
fn snake_case(action: &str) -> String {
    let mut out = String::new();
    for c in action.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn collect_actions(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(action) = map
                .get("Resource")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(PREFIX))
            {
                into.insert(action.to_string());
            }
            map.values().for_each(|v| collect_actions(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_actions(v, into)),
        _ => {}
    }
}

#[test]
fn every_aws_sdk_lambda_action_is_a_real_operation() {
    let operations = lambda_operation_dir();
    let mut actions = BTreeSet::new();
    for (_, plan) in support::variants() {
        collect_actions(
            &render_plan(&plan).expect("renders").definition,
            &mut actions,
        );
    }
    assert_eq!(
        actions.iter().map(String::as_str).collect::<Vec<_>>(),
        ["getFunctionConfiguration", "updateFunctionConfiguration"],
        "the definition calls the actions the IAM policy allows"
    );
    for action in &actions {
        let module = operations.join(snake_case(action));
        assert!(
            module.is_dir(),
            "aws-sdk:lambda:{action} is not a Lambda operation (no {})",
            module.display()
        );
    }
    // The check can fail: a misspelt action has no module.
    assert!(!operations.join(snake_case("updateFunctionConfig")).exists());
}
