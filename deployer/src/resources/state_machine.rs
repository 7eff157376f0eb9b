//! The STANDARD Step Functions state machine with the generated definition.

use std::time::Duration;

use aws_sdk_sfn::types::StateMachineType;
use serde_json::Value;

use crate::aws::sdk_error::{classify, code_of, is_not_found};
use crate::aws::Clients;
use crate::diff::{short, Change, FieldChange};
use crate::error::{DeployError, Result};

/// Retries while a new role is not yet assumable by Step Functions.
const ROLE_RETRY_ATTEMPTS: u32 = 30;
const ROLE_RETRY_PAUSE: Duration = Duration::from_secs(4);

/// What the stack wants.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineSpec {
    pub name: String,
    pub arn: String,
    pub role_arn: String,
    pub definition: Value,
}

/// What exists.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineState {
    pub role_arn: String,
    pub definition: Value,
    pub kind: String,
}

/// Reads the state machine; `None` when it does not exist (or is being deleted).
pub async fn read(c: &Clients, arn: &str) -> Result<Option<StateMachineState>> {
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
pub fn diff(spec: &StateMachineSpec, current: Option<&StateMachineState>) -> Result<Change> {
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

fn is_role_propagation(code: Option<&str>, message: &str) -> bool {
    matches!(code, Some("AccessDeniedException" | "InvalidArn")) && message.contains("assume")
}

/// Creates or updates as `change` says.
pub async fn apply(c: &Clients, spec: &StateMachineSpec, change: &Change) -> Result<()> {
    let definition = spec.definition.to_string();
    match change {
        Change::NoChange | Change::Delete => Ok(()),
        Change::Create => {
            let mut attempt = 1;
            loop {
                let result = c
                    .sfn
                    .create_state_machine()
                    .name(&spec.name)
                    .definition(&definition)
                    .role_arn(&spec.role_arn)
                    .r#type(StateMachineType::Standard)
                    .send()
                    .await;
                match result {
                    Ok(_) => return Ok(()),
                    Err(e)
                        if attempt < ROLE_RETRY_ATTEMPTS
                            && is_role_propagation(code_of(&e), &e.to_string()) =>
                    {
                        attempt += 1;
                        tokio::time::sleep(ROLE_RETRY_PAUSE).await;
                    }
                    Err(e) => return Err(classify("states:CreateStateMachine", e)),
                }
            }
        }
        Change::Update(_) => {
            c.sfn
                .update_state_machine()
                .state_machine_arn(&spec.arn)
                .definition(&definition)
                .role_arn(&spec.role_arn)
                .send()
                .await
                .map_err(|e| classify("states:UpdateStateMachine", e))?;
            Ok(())
        }
    }
}

/// Deletes the state machine; a missing one is fine. Returns whether it existed.
pub async fn destroy(c: &Clients, arn: &str) -> Result<bool> {
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
