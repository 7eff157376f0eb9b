//! The IAM documents of the reader, collector and schedule roles: least privilege, no `*`
//! action, no `"Resource": "*"`. (The state machine role's documents come from the state
//! machine crate, which knows which Lambda actions its definition calls.)

use serde_json::{json, Value};

use crate::names::{StackNames, DATA_ROOT_PREFIX, RESULTS_PREFIX};

/// Trust policy letting `service` (e.g. `lambda.amazonaws.com`) assume a role of this account.
pub(crate) fn service_trust_policy(service: &str, account: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}
        }]
    })
}

/// Lambda trust policy (Lambda does not send `aws:SourceAccount` when it assumes a role).
pub(crate) fn lambda_trust_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole"
        }]
    })
}

/// Writing the function's own logs: the log group Lambda uses for it, nothing else.
fn log_statement(names: &StackNames, function: &str) -> Value {
    log_statement_of(names, &[function.to_owned()])
}

/// Logs of `functions`, each its own log group.
fn log_statement_of(names: &StackNames, functions: &[String]) -> Value {
    let groups: Vec<String> = functions.iter().map(|f| names.log_group_arn(f)).collect();
    json!({
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": groups
    })
}

/// The readers (`functions`, one role for all: they need the same access): list and get under
/// the data prefix of the data bucket, and write their own logs.
pub(crate) fn reader_policy(names: &StackNames, functions: &[String]) -> Value {
    let bucket = names.bucket_arn(&names.data_bucket);
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListDataPrefix",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [bucket],
                "Condition": {"StringLike": {"s3:prefix": [format!("{DATA_ROOT_PREFIX}*")]}}
            },
            {
                "Sid": "ReadDataObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": [format!("{bucket}/{DATA_ROOT_PREFIX}*")]
            },
            log_statement_of(names, functions)
        ]
    })
}

/// The collector: put and get (and list, to gather an execution's records) under the results prefix.
pub(crate) fn collector_policy(names: &StackNames) -> Value {
    let bucket = names.bucket_arn(&names.results_bucket);
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListResultsPrefix",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [bucket],
                "Condition": {"StringLike": {"s3:prefix": [format!("{RESULTS_PREFIX}*")]}}
            },
            {
                "Sid": "ReadWriteResults",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": [format!("{bucket}/{RESULTS_PREFIX}*")]
            },
            log_statement(names, &names.collector_function)
        ]
    })
}

/// The schedule: start executions of this state machine only.
pub(crate) fn schedule_policy(names: &StackNames) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "StartBenchmark",
            "Effect": "Allow",
            "Action": ["states:StartExecution"],
            "Resource": [names.state_machine_arn()]
        }]
    })
}

/// Every statement's problems with least privilege: `*` actions, and `*` resources
/// (CloudWatch Logs actions excepted, which some AWS integrations require on `*`).
pub fn least_privilege_violations(document: &Value) -> Vec<String> {
    let as_list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut problems = Vec::new();
    let statements = as_list_of_objects(document.get("Statement"));
    for (i, statement) in statements.iter().enumerate() {
        let actions = as_list(statement.get("Action"));
        let resources = as_list(statement.get("Resource"));
        if statement.get("NotAction").is_some() || statement.get("NotResource").is_some() {
            problems.push(format!("Statement[{i}] uses NotAction/NotResource"));
        }
        for action in &actions {
            if action.contains('*') {
                problems.push(format!("Statement[{i}] has the wildcard action {action}"));
            }
        }
        let logs_only = !actions.is_empty() && actions.iter().all(|a| a.starts_with("logs:"));
        if resources.iter().any(|r| r == "*") && !logs_only {
            problems.push(format!("Statement[{i}] has \"Resource\": \"*\""));
        }
    }
    problems
}

fn as_list_of_objects(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(items)) => items.clone(),
        Some(other @ Value::Object(_)) => vec![other.clone()],
        _ => Vec::new(),
    }
}
