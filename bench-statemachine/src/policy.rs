//! The IAM policy documents of the state machine's role, least privilege: the Lambda actions
//! the definition calls, on the functions it calls them on. No `*` action, no `"Resource": "*"`.
//! X-Ray tracing and CloudWatch logging are off in the definition deploy creates, so the role
//! needs no `xray:*` or `logs:*` permission; turning them on needs those added.

use serde_json::{json, Value};

use crate::arn::qualify_function;
use crate::plan::BenchmarkPlan;

/// The function ARNs of the targets (unqualified), in plan order, without repeats.
fn target_arns(plan: &BenchmarkPlan) -> Vec<String> {
    let mut arns: Vec<String> = Vec::new();
    for target in &plan.targets {
        let arn = qualify_function(&target.function_name, &plan.region, &plan.account_id);
        if !arns.contains(&arn) {
            arns.push(arn);
        }
    }
    arns
}

/// The permissions policy of the state machine role. Targets named only in an execution's
/// input (not in the plan) are not covered (see bench-statemachine/README.md for how AWS refuses
/// them). Only unqualified ARNs: the definition never invokes a version or alias.
pub fn state_machine_role_policy(plan: &BenchmarkPlan) -> Value {
    let targets = target_arns(plan);
    let collector = qualify_function(&plan.collector_function, &plan.region, &plan.account_id);
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SetAndReadTargetMemory",
                "Effect": "Allow",
                "Action": ["lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"],
                "Resource": targets,
            },
            {
                "Sid": "InvokeTargets",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": targets,
            },
            {
                "Sid": "InvokeCollector",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": [collector],
            },
            {
                "Sid": "OneRunAtATime",
                "Effect": "Allow",
                "Action": ["states:ListExecutions"],
                "Resource": [plan.state_machine_arn()],
            }
        ]
    })
}

/// The trust policy: only Step Functions of the plan's account may assume the role.
pub fn state_machine_trust_policy(plan: &BenchmarkPlan) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "states.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": plan.account_id}}
        }]
    })
}
