//! The STANDARD Step Functions state machine with the generated definition.

use aws_sdk_sfn::types::StateMachineType;
use serde_json::Value;

use crate::aws::role_propagation::{retry_while_propagating, AssumingService};
use crate::aws::sdk_error::{classify, is_not_found};
use crate::aws::Clients;
use crate::diff::{short, Change, FieldChange};
use crate::error::{DeployError, Result};

/// What the stack wants.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineSpec {
    /// The state machine's name (the stack name).
    pub name: String,
    /// The state machine's ARN in this account and region.
    pub arn: String,
    /// The ARN of the role it runs with (`STACK-statemachine`).
    pub role_arn: String,
    /// The rendered Amazon States Language definition.
    pub definition: Value,
}

/// What exists.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StateMachineState {
    pub(crate) role_arn: String,
    pub(crate) definition: Value,
    pub(crate) kind: String,
}

/// Reads the state machine; `None` when it does not exist (or is being deleted).
pub(crate) async fn read(c: &Clients, arn: &str) -> Result<Option<StateMachineState>> {
    match c
        .sfn
        .describe_state_machine()
        .state_machine_arn(arn)
        .send()
        .await
    {
        Ok(out) => {
            if out.status().is_some_and(|s| s.as_str() == "DELETING") {
                return Ok(None);
            }
            Ok(Some(StateMachineState {
                role_arn: out.role_arn().to_owned(),
                definition: serde_json::from_str(out.definition())
                    .unwrap_or_else(|_| Value::String(out.definition().to_owned())),
                kind: out.r#type().as_str().to_owned(),
            }))
        }
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(classify("states:DescribeStateMachine", e)),
    }
}

/// The change from `current` to `spec`; definitions compare as JSON values.
pub(crate) fn diff(spec: &StateMachineSpec, current: Option<&StateMachineState>) -> Result<Change> {
    let Some(cur) = current else {
        return Ok(Change::Create);
    };
    if cur.kind != "STANDARD" {
        return Err(DeployError::Immutable {
            resource: format!("state machine {}", spec.name),
            field: "type",
            current: cur.kind.clone(),
            desired: "STANDARD".into(),
            fix: "delete it (`cargo run --bin deploy -- destroy`) and deploy again".into(),
        });
    }
    let mut fields = Vec::new();
    if cur.definition != spec.definition {
        fields.push(FieldChange::new(
            "definition",
            short(&cur.definition.to_string()),
            short(&spec.definition.to_string()),
        ));
        if let (Some(old), Some(new)) = (
            cur.definition.get("Comment").and_then(Value::as_str),
            spec.definition.get("Comment").and_then(Value::as_str),
        ) {
            if old != new {
                fields.push(FieldChange::new("definition Comment", old, new));
            }
        }
    }
    if cur.role_arn != spec.role_arn {
        fields.push(FieldChange::new("role", &cur.role_arn, &spec.role_arn));
    }
    Ok(Change::from_fields(fields))
}

/// Creates or updates as `change` says.
pub(crate) async fn apply(c: &Clients, spec: &StateMachineSpec, change: &Change) -> Result<()> {
    let definition = spec.definition.to_string();
    match change {
        Change::NoChange | Change::Delete => Ok(()),
        Change::Create => {
            retry_while_propagating(AssumingService::StepFunctions, || {
                c.sfn
                    .create_state_machine()
                    .name(&spec.name)
                    .definition(&definition)
                    .role_arn(&spec.role_arn)
                    .r#type(StateMachineType::Standard)
                    .send()
            })
            .await
            .map_err(|e| classify("states:CreateStateMachine", e))?;
            Ok(())
        }
        Change::Update(_) => {
            retry_while_propagating(AssumingService::StepFunctions, || {
                c.sfn
                    .update_state_machine()
                    .state_machine_arn(&spec.arn)
                    .definition(&definition)
                    .role_arn(&spec.role_arn)
                    .send()
            })
            .await
            .map_err(|e| classify("states:UpdateStateMachine", e))?;
            Ok(())
        }
    }
}

/// The names of the executions of the state machine that are RUNNING (none when it does not
/// exist). A running execution changes the targets' memory: deploy and run wait for none.
pub(crate) async fn running_executions(c: &Clients, arn: &str) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut pages = c
        .sfn
        .list_executions()
        .state_machine_arn(arn)
        .status_filter(aws_sdk_sfn::types::ExecutionStatus::Running)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => names.extend(page.executions().iter().map(|e| e.name().to_owned())),
            Err(e) if is_not_found(&e) => return Ok(Vec::new()),
            Err(e) => return Err(classify("states:ListExecutions", e)),
        }
    }
    Ok(names)
}

/// Fails with [`DeployError::ExecutionRunning`] while an execution of the state machine runs.
pub(crate) async fn ensure_no_run(c: &Clients, arn: &str, doing: &str) -> Result<()> {
    let running = running_executions(c, arn).await?;
    if running.is_empty() {
        return Ok(());
    }
    Err(DeployError::ExecutionRunning {
        state_machine: arn.to_owned(),
        executions: running,
        doing: doing.to_owned(),
    })
}

/// Deletes the state machine; a missing one is fine. Returns whether it existed.
pub(crate) async fn destroy(c: &Clients, arn: &str) -> Result<bool> {
    if read(c, arn).await?.is_none() {
        return Ok(false);
    }
    match c
        .sfn
        .delete_state_machine()
        .state_machine_arn(arn)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(classify("states:DeleteStateMachine", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> StateMachineSpec {
        StateMachineSpec {
            name: "s".into(),
            arn: "arn".into(),
            role_arn: "role".into(),
            definition: json!({"Comment": "a", "StartAt": "x"}),
        }
    }

    #[test]
    fn definitions_compare_as_json() {
        let spec = spec();
        let same = StateMachineState {
            role_arn: "role".into(),
            definition: serde_json::from_str("{ \"StartAt\": \"x\",\n \"Comment\": \"a\" }")
                .expect("json"),
            kind: "STANDARD".into(),
        };
        assert_eq!(diff(&spec, Some(&same)).expect("diff"), Change::NoChange);
        let express = StateMachineState {
            kind: "EXPRESS".into(),
            ..same
        };
        assert_eq!(
            diff(&spec, Some(&express)).expect_err("immutable").name(),
            "Immutable"
        );
    }
}
