//! The state machine role's policy: least privilege on the plan's functions.

use crate::support;

use bench_statemachine::policy::{state_machine_role_policy, state_machine_trust_policy};
use serde_json::{json, Value};

fn statements(policy: &Value) -> &Vec<Value> {
    policy["Statement"].as_array().expect("statements")
}

#[test]
fn no_wildcard_action_or_resource() {
    for (name, plan) in support::variants() {
        let policy = state_machine_role_policy(&plan);
        for statement in statements(&policy) {
            for action in statement["Action"].as_array().expect("actions") {
                let action = action.as_str().expect("text");
                assert!(!action.contains('*'), "{name}: wildcard action {action}");
                assert!(
                    action.starts_with("lambda:") || action == "states:ListExecutions",
                    "{name}: {action}"
                );
            }
            for resource in statement["Resource"].as_array().expect("resources") {
                let resource = resource.as_str().expect("text");
                assert!(!resource.contains('*'), "{name}: {resource}");
                assert!(
                    resource.starts_with("arn:aws:lambda:")
                        || resource.starts_with("arn:aws:states:"),
                    "{name}: {resource}"
                );
            }
        }
    }
}

#[test]
fn targets_and_collector_get_exactly_what_the_definition_calls() {
    let (_, plan) = support::variants().remove(1);
    let policy = state_machine_role_policy(&plan);
    let reader = "arn:aws:lambda:us-east-1:123456789012:function:lambda-bench-s3-reader";
    let python = "arn:aws:lambda:us-east-1:123456789012:function:seed-python-reader";
    let collector = "arn:aws:lambda:us-east-1:123456789012:function:lambda-bench-collector";
    let s = statements(&policy);
    // Two targets share one function: it is listed once.
    assert_eq!(
        s[0]["Action"],
        json!([
            "lambda:GetFunctionConfiguration",
            "lambda:UpdateFunctionConfiguration"
        ])
    );
    assert_eq!(s[0]["Resource"], json!([reader, python]));
    // Unqualified only: qualified targets are refused, the definition never invokes a version.
    assert_eq!(s[1]["Action"], json!(["lambda:InvokeFunction"]));
    assert_eq!(s[1]["Resource"], json!([reader, python]));
    assert_eq!(s[2]["Resource"], json!([collector]));
    // Its own executions, for the one-run-at-a-time check.
    assert_eq!(s[3]["Action"], json!(["states:ListExecutions"]));
    assert_eq!(
        s[3]["Resource"],
        json!(["arn:aws:states:us-east-1:123456789012:stateMachine:lambda-bench"])
    );
    let trust = state_machine_trust_policy(&plan);
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "states.amazonaws.com"
    );
}

#[test]
fn every_arn_takes_the_partition_of_the_region() {
    let (_, mut plan) = support::variants().remove(0);
    plan.region = "cn-north-1".into();
    for target in &mut plan.targets {
        target.function_name = "reader".into();
    }
    plan.collector_function = "collector".into();
    let policy = state_machine_role_policy(&plan);
    for statement in statements(&policy) {
        for resource in statement["Resource"].as_array().expect("resources") {
            let resource = resource.as_str().expect("text");
            assert!(resource.starts_with("arn:aws-cn:"), "{resource}");
        }
    }
}
