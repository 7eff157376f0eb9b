//! The optional EventBridge Scheduler schedule that starts the state machine.

use aws_sdk_scheduler::types::{
    FlexibleTimeWindow, FlexibleTimeWindowMode, ScheduleState as Enabled, Target,
};
use serde_json::Value;

use crate::aws::role_propagation::{retry_while_propagating, AssumingService};
use crate::aws::sdk_error::{classify, is_not_found};
use crate::aws::Clients;
use crate::diff::{Change, FieldChange};
use crate::error::{request_error, Result};

/// What the stack wants.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScheduleSpec {
    pub(crate) name: String,
    pub(crate) group: String,
    pub(crate) expression: String,
    pub(crate) target_arn: String,
    pub(crate) role_arn: String,
    /// The execution input (contract 1): `{}` plus a label.
    pub(crate) input: Value,
}

/// What exists.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScheduleState {
    pub(crate) expression: String,
    pub(crate) target_arn: String,
    pub(crate) role_arn: String,
    pub(crate) input: Value,
    pub(crate) enabled: bool,
}

/// Reads the schedule; `None` when it does not exist.
pub(crate) async fn read(c: &Clients, group: &str, name: &str) -> Result<Option<ScheduleState>> {
    match c
        .scheduler
        .get_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
    {
        Ok(out) => {
            let target = out.target();
            Ok(Some(ScheduleState {
                expression: out.schedule_expression().unwrap_or_default().to_owned(),
                target_arn: target.map(|t| t.arn().to_owned()).unwrap_or_default(),
                role_arn: target.map(|t| t.role_arn().to_owned()).unwrap_or_default(),
                input: target
                    .and_then(|t| t.input())
                    .map(|i| {
                        serde_json::from_str(i).unwrap_or_else(|_| Value::String(i.to_owned()))
                    })
                    .unwrap_or(Value::Null),
                enabled: out.state().is_none_or(|s| *s == Enabled::Enabled),
            }))
        }
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(classify("scheduler:GetSchedule", e)),
    }
}

/// The change from `current` to `spec` (`None`: the config has no schedule).
pub(crate) fn diff(spec: Option<&ScheduleSpec>, current: Option<&ScheduleState>) -> Change {
    match (spec, current) {
        (None, None) => Change::NoChange,
        (None, Some(_)) => Change::Delete,
        (Some(_), None) => Change::Create,
        (Some(spec), Some(cur)) => {
            let mut fields = Vec::new();
            if cur.expression != spec.expression {
                fields.push(FieldChange::new(
                    "expression",
                    &cur.expression,
                    &spec.expression,
                ));
            }
            if cur.target_arn != spec.target_arn {
                fields.push(FieldChange::new(
                    "target",
                    &cur.target_arn,
                    &spec.target_arn,
                ));
            }
            if cur.role_arn != spec.role_arn {
                fields.push(FieldChange::new("role", &cur.role_arn, &spec.role_arn));
            }
            if cur.input != spec.input {
                fields.push(FieldChange::new(
                    "input",
                    cur.input.to_string(),
                    spec.input.to_string(),
                ));
            }
            if !cur.enabled {
                fields.push(FieldChange::new("state", "DISABLED", "ENABLED"));
            }
            Change::from_fields(fields)
        }
    }
}

/// Creates, updates (a full replacement, as Scheduler's API is) or deletes as `change` says.
pub(crate) async fn apply(
    c: &Clients,
    spec: Option<&ScheduleSpec>,
    group: &str,
    name: &str,
    change: &Change,
) -> Result<()> {
    match (change, spec) {
        (Change::NoChange, _) => Ok(()),
        (Change::Delete, _) | (_, None) => destroy(c, group, name).await.map(|_| ()),
        (Change::Create | Change::Update(_), Some(spec)) => {
            let target = Target::builder()
                .arn(&spec.target_arn)
                .role_arn(&spec.role_arn)
                .input(spec.input.to_string())
                .build()
                .map_err(|e| request_error("scheduler target", e))?;
            let window = FlexibleTimeWindow::builder()
                .mode(FlexibleTimeWindowMode::Off)
                .build()
                .map_err(|e| request_error("scheduler window", e))?;
            // CreateSchedule and UpdateSchedule take the same fields through different builder
            // types, so one macro sets them for both.
            macro_rules! send_schedule {
                ($builder:expr) => {
                    $builder
                        .name(&spec.name)
                        .group_name(&spec.group)
                        .schedule_expression(&spec.expression)
                        .flexible_time_window(window.clone())
                        .target(target.clone())
                        .state(Enabled::Enabled)
                        .send()
                };
            }
            if matches!(change, Change::Create) {
                retry_while_propagating(AssumingService::Scheduler, || {
                    send_schedule!(c.scheduler.create_schedule())
                })
                .await
                .map_err(|e| classify("scheduler:CreateSchedule", e))?;
            } else {
                retry_while_propagating(AssumingService::Scheduler, || {
                    send_schedule!(c.scheduler.update_schedule())
                })
                .await
                .map_err(|e| classify("scheduler:UpdateSchedule", e))?;
            }
            Ok(())
        }
    }
}

/// Deletes the schedule; a missing one is fine. Returns whether it existed.
pub(crate) async fn destroy(c: &Clients, group: &str, name: &str) -> Result<bool> {
    match c
        .scheduler
        .delete_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if is_not_found(&e) => Ok(false),
        Err(e) => Err(classify("scheduler:DeleteSchedule", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dropped_schedule_is_deleted_and_changed_one_updated() {
        let spec = ScheduleSpec {
            name: "s".into(),
            group: "default".into(),
            expression: "rate(1 day)".into(),
            target_arn: "sm".into(),
            role_arn: "role".into(),
            input: json!({"label": "scheduled"}),
        };
        let cur = ScheduleState {
            expression: "rate(1 day)".into(),
            target_arn: "sm".into(),
            role_arn: "role".into(),
            input: json!({"label": "scheduled"}),
            enabled: true,
        };
        assert_eq!(diff(Some(&spec), Some(&cur)), Change::NoChange);
        assert_eq!(diff(None, Some(&cur)), Change::Delete);
        assert_eq!(diff(None, None), Change::NoChange);
        let weekly = ScheduleSpec {
            expression: "rate(7 days)".into(),
            ..spec
        };
        assert!(diff(Some(&weekly), Some(&cur)).touches("expression"));
    }
}
